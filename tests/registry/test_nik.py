"""NIK parsing (through nik.parse) and the NIK/birth-date/sex rule of register_person with its audited override."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.registry import services
from jaminan.registry.errors import DuplicateNIK, InvalidNIK, NikMismatch, OverrideNotAllowed
from jaminan.registry.models import Person
from jaminan.registry.nik import check_nik, parse_nik
from tests.registry.conftest import make_nik


def test_woman_day_plus_40() -> None:
    info = parse_nik("6471054508900003")
    assert info.valid and info.sex == "P" and info.birth_date == date(1990, 8, 5)
    assert (info.province_code, info.regency_code, info.district_code, info.serial) == (
        "64",
        "64.71",
        "64.71.05",
        "0003",
    )


def test_man() -> None:
    info = parse_nik("6472010101850001")
    assert info.valid and info.sex == "L" and info.birth_date == date(1985, 1, 1)


@pytest.mark.parametrize(
    ("nik", "error"),
    [
        ("9971054508900003", "province"),
        ("647105450890000", "length"),
        ("64710545089000031", "length"),
        ("64710545089O0003", "not_digits"),
        ("6471053208900003", "day"),
        ("6471057208900003", "day"),
        ("6471050513900003", "month"),
    ],
)
def test_invalid(nik: str, error: str) -> None:
    info = parse_nik(nik)
    assert not info.valid and info.error == error


def test_check_compares_birth_date_and_sex() -> None:
    nik = make_nik(date(1990, 8, 5), "P")
    assert check_nik(nik, birth_date=date(1990, 8, 5), sex="P").ok
    c = check_nik(nik, birth_date=date(1990, 8, 6), sex="L")
    assert not c.birth_date_matches and not c.sex_matches


@pytest.mark.django_db
def test_register_person_refuses_invalid_and_mismatching_nik(reference: None) -> None:
    with pytest.raises(InvalidNIK) as exc:
        services.register_person(
            nik="647105450890000", name="A", birth_date=date(1990, 8, 5), sex="P"
        )
    assert exc.value.field == "nik" and "16 digit" in exc.value.message
    with pytest.raises(NikMismatch) as exc2:
        services.register_person(
            nik="6471054508900003", name="A", birth_date=date(1990, 8, 6), sex="P"
        )
    assert exc2.value.field == "birth_date" and exc2.value.code == "nik_birth_date_mismatch"
    with pytest.raises(NikMismatch) as exc3:
        services.register_person(
            nik="6471054508900003", name="A", birth_date=date(1990, 8, 5), sex="L"
        )
    assert exc3.value.field == "sex"
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_override_by_officer_is_audited_with_reason(make_user: Callable[..., Any]) -> None:
    officer = make_user(Role.BRANCH_OFFICER, "petugas-bpp")
    person = services.register_person(
        nik="6471054508900003",
        name="Siti",
        birth_date=date(1990, 8, 7),
        sex="P",
        override_reason="KTP lama salah cetak; akta lahir 7 Agustus",
        actor=officer,
    )
    assert person.nik_override_reason.startswith("KTP lama")
    event = AuditEvent.objects.get(object_type="registry.Person", object_id=str(person.pk))
    assert event.action == AuditEvent.Action.CREATE and event.actor == officer
    assert event.changes["nik_override"]["reason"] == "KTP lama salah cetak; akta lahir 7 Agustus"
    assert event.changes["nik_override"]["birth_date_matches"] is False
    with pytest.raises(DuplicateNIK):
        services.register_person(
            nik="6471054508900003", name="X", birth_date=date(1990, 8, 5), sex="P"
        )


@pytest.mark.django_db
def test_override_refused_for_employer_users(make_user: Callable[..., Any]) -> None:
    user = make_user(Role.EMPLOYER_USER, "hrd")
    with pytest.raises(OverrideNotAllowed):
        services.register_person(
            nik="6471054508900003",
            name="Siti",
            birth_date=date(1990, 8, 7),
            sex="P",
            override_reason="x",
            actor=user,
        )
    # a matching NIK needs no override and no role
    person = services.register_person(
        nik="6471054508900003", name="Siti", birth_date=date(1990, 8, 5), sex="P", actor=user
    )
    assert person.nik_override_reason == ""
