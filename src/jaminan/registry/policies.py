"""Scope policies of the registry: how each row reaches an office, employer, sponsor, participant."""

from jaminan.accounts.scoping import ScopePolicy, register
from jaminan.registry.models import (
    ConstructionProject,
    Dependant,
    Employer,
    Membership,
    Participant,
    Person,
    ReportedWage,
)

register(
    Person,
    ScopePolicy(
        office_path=("participant__memberships__office", "participant__registering_office"),
        employer_path="participant__memberships__employer__npp",
        sponsor_path="participant__memberships__sponsorship__program__sponsor__code",
        participant_path="participant__kpj_number",
        multi=True,
    ),
)
register(
    Participant,
    ScopePolicy(
        office_path=("memberships__office", "registering_office"),
        employer_path="memberships__employer__npp",
        sponsor_path="memberships__sponsorship__program__sponsor__code",
        participant_path="kpj_number",
        multi=True,
    ),
)
register(Employer, ScopePolicy(personal=False, office_path="office", employer_path="npp"))
register(
    Membership,
    ScopePolicy(
        office_path="office",
        employer_path="employer__npp",
        sponsor_path="sponsorship__program__sponsor__code",
        participant_path="participant__kpj_number",
    ),
)
register(
    ReportedWage,
    ScopePolicy(
        office_path="membership__office",
        employer_path="membership__employer__npp",
        participant_path="membership__participant__kpj_number",
    ),
)
register(
    ConstructionProject,
    ScopePolicy(personal=False, office_path="office", employer_path="contractor__npp"),
)
register(
    Dependant,
    ScopePolicy(
        office_path=("participant__memberships__office", "participant__registering_office"),
        employer_path="participant__memberships__employer__npp",
        participant_path="participant__kpj_number",
        multi=True,
    ),
)
