"""Scope policies of contributions: how each row reaches an office, employer, sponsor, participant."""

from jaminan.accounts.scoping import ScopePolicy, register
from jaminan.contributions.models import (
    Beneficiary,
    Bill,
    BillingRun,
    BillLine,
    Fine,
    PayerAccount,
    Payment,
    Sponsor,
    SponsorshipProgram,
)


def _via_payer(office_path: str, prefix: str = "") -> ScopePolicy:
    """Rows reached through their payer account (``prefix`` leads from the row to the payer)."""
    return ScopePolicy(
        office_path=office_path,
        employer_path=f"{prefix}employer__npp",
        sponsor_path=f"{prefix}sponsor__code",
        participant_path=f"{prefix}participant__kpj_number",
    )


register(PayerAccount, _via_payer("office"))
register(Bill, _via_payer("office", "payer__"))
register(BillLine, _via_payer("bill__office", "bill__payer__"))
register(Payment, _via_payer("payer__office", "payer__"))
register(Fine, _via_payer("bill__office", "bill__payer__"))
register(Sponsor, ScopePolicy(personal=False, office_path="office", sponsor_path="code"))
register(
    SponsorshipProgram,
    ScopePolicy(personal=False, office_path="sponsor__office", sponsor_path="sponsor__code"),
)
register(
    Beneficiary,
    ScopePolicy(
        office_path="program__sponsor__office",
        sponsor_path="program__sponsor__code",
        participant_path="membership__participant__kpj_number",
    ),
)
# A run for every office reaches each office through the chunk it billed for that office.
register(
    BillingRun, ScopePolicy(personal=False, office_path=("office", "chunks__office"), multi=True)
)
