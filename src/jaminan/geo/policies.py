"""Scope policies of the geo models: public reference data, readable by every signed-in user."""

from jaminan.accounts.scoping import ScopePolicy, register
from jaminan.geo.models import (
    FacilityCountStat,
    HealthFacility,
    MinimumWage,
    Office,
    Province,
    PublishedFigure,
    Regency,
    WorkforceStat,
)

REFERENCE = ScopePolicy(reference=True, personal=False)

for model in (
    Province,
    Regency,
    Office,
    HealthFacility,
    FacilityCountStat,
    WorkforceStat,
    PublishedFigure,
    MinimumWage,
):
    register(model, REFERENCE)
