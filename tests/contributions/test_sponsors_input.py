"""Sponsor input under the rules payments follow too: money in the API is a JSON integer, and a
beneficiary-list line with more cells than the header is rejected, not cut."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from jaminan.contributions import sponsors
from jaminan.contributions.models import Beneficiary, Sponsor, SponsorshipProgram
from jaminan.geo.models import Regency
from tests.contributions.test_sponsors import nik_for

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def sponsor(reference: None) -> Sponsor:
    return sponsors.create_sponsor(
        kind=Sponsor.Kind.REGENCY,
        name="Pemerintah Kabupaten Kutai Kartanegara",
        regency=Regency.objects.get(code="64.02"),
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("budget_ceiling", "1.000.000"),
        ("budget_ceiling", "1000000"),
        ("budget_ceiling", 1_000_000.0),
        ("declared_income", "1.000.000"),
        ("declared_income", 1_000_000.5),
    ],
)
def test_program_money_must_be_a_json_integer(
    sponsor: Sponsor,
    admin_user: Any,
    token_for: Callable[[Any], str],
    field: str,
    value: Any,
) -> None:
    body: dict[str, Any] = {
        "name": "Uang sebagai teks",
        "start_month": "2099-01",
        "end_month": "2099-03",
        "budget_ceiling": 1_000_000,
        field: value,
    }
    client = Client(headers={"Authorization": f"Bearer {token_for(admin_user)}"})
    response = client.post(
        f"{API}/sponsors/{sponsor.code}/programs", body, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid" and response.json()["field"] == field
    assert not SponsorshipProgram.objects.exists()
    body[field] = 1_000_000
    response = client.post(
        f"{API}/sponsors/{sponsor.code}/programs", body, content_type="application/json"
    )
    assert response.status_code == 201, response.content


def test_beneficiary_line_with_more_cells_than_the_header_is_rejected(sponsor: Sponsor) -> None:
    program = sponsors.create_program(
        sponsor=sponsor,
        name="Lebar",
        start_month=date(2026, 1, 1),
        end_month=date(2026, 1, 1),
        budget_ceiling=10**6,
    )
    birth = date(1980, 5, 17)
    content = (
        "nik,nama,tanggal_lahir,jenis_kelamin\n"
        f"{nik_for(birth, serial=1)},Andi, S.T.,1980-05-17,L\n"  # an unquoted comma in the name
        f"{nik_for(birth, serial=2)},Budi,1980-05-17,L,,\n"  # trailing empty cells: fine
    ).encode()
    report = sponsors.import_beneficiaries(
        program=program, content=content, filename="daftar.csv", on=date(2026, 1, 2)
    )
    assert (report.rows, report.accepted, report.rejected) == (2, 1, 1)
    assert [(i.baris, i.kolom, i.kode, i.pesan) for i in report.issues] == [
        (
            2,
            "",
            "row_too_wide",
            "Baris memiliki 5 kolom, kepala berkas 4: periksa pemisah desimal/ribuan atau "
            "tanda kutip.",
        )
    ]
    assert list(
        Beneficiary.objects.values_list("membership__participant__person__name", flat=True)
    ) == ["Budi"]
