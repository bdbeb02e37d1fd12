"""Fixtures of the registry tests: NIK builder, regencies, an employer per size, people."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from jaminan.geo.models import Regency
from jaminan.registry import services
from jaminan.registry.models import Employer


def make_nik(
    birth: date, sex: str = "L", *, regency: str = "6471", district: str = "05", serial: int = 1
) -> str:
    """A valid NIK: region code, day (+40 for women), month, two-digit year, 4-digit serial."""
    day = birth.day + (40 if sex == "P" else 0)
    return f"{regency}{district}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


@pytest.fixture
def balikpapan(reference: None) -> Regency:
    return Regency.objects.select_related("branch_office").get(code="64.71")


@pytest.fixture
def samarinda(reference: None) -> Regency:
    return Regency.objects.select_related("branch_office").get(code="64.72")


@pytest.fixture
def make_employer(balikpapan: Regency) -> Callable[..., Employer]:
    def make(
        size: str = "medium", regency: Regency | None = None, name: str = "PT Uji Kaltim"
    ) -> Employer:
        return services.register_employer(
            name=name,
            legal_form="PT",
            kbli="41011",
            size_class=size,
            risk_group=2,
            regency=regency or balikpapan,
            registered_on=date(2020, 1, 1),
        )

    return make


@pytest.fixture
def employer(make_employer: Callable[..., Employer]) -> Employer:
    return make_employer("medium")


@pytest.fixture
def facts() -> Callable[..., services.PersonFacts]:
    counter = iter(range(1, 10_000))

    def make(
        birth: date = date(1990, 8, 5),
        sex: str = "P",
        name: str = "Siti Aminah",
        regency: Any = None,
        serial: int | None = None,
    ) -> services.PersonFacts:
        return services.PersonFacts(
            nik=make_nik(birth, sex, serial=serial or next(counter)),
            name=name,
            birth_date=birth,
            sex=sex,
            address_regency=regency,
        )

    return make
