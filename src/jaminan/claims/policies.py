"""Scope policies of claims: a claim reaches its office, the employer of its membership, the
sponsor paying for it and its participant; the rows of a claim go through it."""

from jaminan.accounts.scoping import ScopePolicy, register
from jaminan.claims.models import (
    AccidentReport,
    BenefitPayment,
    Claim,
    ClaimDocument,
    ScholarshipGrant,
    StmbPeriod,
    TreatmentBill,
)


def _via_claim(prefix: str) -> ScopePolicy:
    return ScopePolicy(
        office_path=f"{prefix}office",
        employer_path=f"{prefix}membership__employer__npp",
        sponsor_path=f"{prefix}membership__sponsorship__program__sponsor__code",
        participant_path=f"{prefix}participant__kpj_number",
    )


register(Claim, _via_claim(""))
for model in (ClaimDocument, AccidentReport, StmbPeriod, TreatmentBill, BenefitPayment):
    register(model, _via_claim("claim__"))
register(ScholarshipGrant, _via_claim("claim__"))
