"""Fixtures shared by the contributions tests: the Balikpapan regency and a person factory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from jaminan.geo.models import Regency
from jaminan.registry import services
from tests.registry.conftest import make_nik


@pytest.fixture
def balikpapan(reference: None) -> Regency:
    return Regency.objects.select_related("branch_office").get(code="64.71")


@pytest.fixture
def person() -> Callable[..., services.PersonFacts]:
    counter = iter(range(1, 100_000))

    def make(birth: date = date(1990, 8, 5), sex: str = "P", **extra: Any) -> services.PersonFacts:
        return services.PersonFacts(
            nik=make_nik(birth, sex, serial=next(counter)),
            name=extra.pop("name", "Siti Aminah"),
            birth_date=birth,
            sex=sex,
            address_regency=extra.pop("regency", None),
        )

    return make
