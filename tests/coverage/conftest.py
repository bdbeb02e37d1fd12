"""A small population across three regencies and four months: PU at two employers (one a state
organiser), a worker at both, BPU on their own and paid by a regency sponsor, memberships ending on
and before the month end, bills from the billing run and payments allocated to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from jaminan.contributions.models import Beneficiary, Sponsor, SponsorshipProgram
from jaminan.geo.models import Office, Regency
from jaminan.registry import services
from jaminan.registry.models import Employer, Membership


def make_nik(birth: date, sex: str = "L", *, regency: str = "6471", serial: int = 1) -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return f"{regency}05{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


@dataclass
class Population:
    employer_a: Employer  # medium, Balikpapan
    employer_b: Employer  # large state organiser, Samarinda
    memberships: dict[str, Membership]
    sponsor: Sponsor


def person(serial: int, regency: Regency | None = None, birth: date = date(1990, 5, 4)) -> Any:
    return services.PersonFacts(
        nik=make_nik(birth, "L", serial=serial),
        name=f"Pekerja {serial}",
        birth_date=birth,
        sex="L",
        address_regency=regency,
    )


@pytest.fixture
def population(reference: None) -> Population:
    balikpapan = Regency.objects.get(code="64.71")
    samarinda = Regency.objects.get(code="64.72")
    pontianak = Regency.objects.get(code="61.71")
    kukar = Regency.objects.get(code="64.02")
    reg = date(2025, 10, 1)
    employer_a = services.register_employer(
        name="PT Maju Balikpapan",
        legal_form="PT",
        kbli="41011",
        size_class="medium",
        risk_group=2,
        regency=balikpapan,
        registered_on=reg,
    )
    employer_b = services.register_employer(
        name="Pemkot Samarinda (non-ASN)",
        legal_form="instansi",
        kbli="84111",
        size_class="large",
        risk_group=1,
        regency=samarinda,
        kind=Employer.Kind.STATE_ORGANISER,
        registered_on=reg,
    )
    m: dict[str, Membership] = {}
    for i in range(1, 4):
        m[f"a{i}"] = services.register_pu_worker(
            employer=employer_a,
            person=person(i, balikpapan),
            wage=5_000_000,
            start_date=date(2025, 11, 10),
            registered_on=date(2025, 11, 10),
        )
    # Worker 1 also works for B: one participant, two memberships in two regencies.
    m["b1"] = services.register_pu_worker(
        employer=employer_b,
        person=person(1, balikpapan),
        wage=4_000_000,
        start_date=date(2026, 1, 5),
        registered_on=date(2026, 1, 5),
    )
    m["b4"] = services.register_pu_worker(
        employer=employer_b,
        person=person(4, samarinda),
        wage=4_000_000,
        start_date=date(2026, 1, 5),
        registered_on=date(2026, 1, 5),
    )
    m["bpu5"] = services.register_bpu_worker(
        person=person(5, pontianak),
        declared_income=1_000_000,
        start_date=date(2025, 12, 1),
        registered_on=date(2025, 12, 1),
    )
    sponsor = Sponsor.objects.create(
        code="KUKAR-APBD",
        kind=Sponsor.Kind.REGENCY,
        name="Pemkab Kutai Kartanegara",
        regency=kukar,
        office=Office.objects.get(code="KC-KUTAI-KARTANEGARA"),
    )
    program = SponsorshipProgram.objects.create(
        sponsor=sponsor,
        name="Pekerja rentan 2026",
        start_month=date(2026, 1, 1),
        end_month=date(2026, 12, 1),
        budget_ceiling=100_000_000,
        declared_income=1_000_000,
    )
    for serial in (6, 7):
        m[f"s{serial}"] = services.register_bpu_worker(
            person=person(serial, kukar),
            declared_income=1_000_000,
            payer=Membership.Payer.SPONSOR,
            start_date=date(2026, 1, 1),
            registered_on=date(2026, 1, 1),
        )
        Beneficiary.objects.create(
            program=program, membership=m[f"s{serial}"], enrolled_on=date(2026, 1, 1)
        )
    # Ends: a2 within January, bpu5 on the last day of January (not active at the month end).
    services.end_membership(membership=m["a2"], end_date=date(2026, 1, 20), reason="resigned")
    services.end_membership(
        membership=m["bpu5"], end_date=date(2026, 1, 31), reason="contract_ended"
    )
    return Population(employer_a, employer_b, m, sponsor)
