"""Scope policies of JHT: an account reaches an office through the participant's memberships and
registering office, the participant through the KPJ number. Employers, sponsors and analysts see
none (the statement is the participant's and the office's)."""

from jaminan.accounts.scoping import ScopePolicy, register
from jaminan.jht.models import JhtAccount, JhtCredit, JhtDebit, JhtReturnRate

register(
    JhtAccount,
    ScopePolicy(
        office_path=("participant__memberships__office", "participant__registering_office"),
        participant_path="participant__kpj_number",
        multi=True,
    ),
)
register(
    JhtCredit,
    ScopePolicy(
        office_path="membership__office",
        participant_path="account__participant__kpj_number",
    ),
)
register(
    JhtDebit,
    ScopePolicy(
        office_path=(
            "account__participant__memberships__office",
            "account__participant__registering_office",
        ),
        participant_path="account__participant__kpj_number",
        multi=True,
    ),
)
register(JhtReturnRate, ScopePolicy(reference=True, personal=False))
