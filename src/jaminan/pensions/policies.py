"""Scope policies of pensions: a pension reaches its office and the participant's KPJ number (the
participant, or the survivors' login bound to it). Employers and sponsors see none."""

from jaminan.accounts.scoping import ScopePolicy, register
from jaminan.pensions.models import (
    DataConfirmation,
    InflationRate,
    Pension,
    PensionPayment,
    PensionRun,
)

register(Pension, ScopePolicy(office_path="office", participant_path="participant__kpj_number"))
register(
    PensionPayment,
    ScopePolicy(office_path="pension__office", participant_path="pension__participant__kpj_number"),
)
register(
    DataConfirmation,
    ScopePolicy(office_path="pension__office", participant_path="pension__participant__kpj_number"),
)
# Runs hold only control totals of the region-wide roll (no personal data): readable like reference
# data; the screens and endpoints that list them are for back-office roles only.
register(PensionRun, ScopePolicy(reference=True, personal=False))
register(InflationRate, ScopePolicy(reference=True, personal=False))
