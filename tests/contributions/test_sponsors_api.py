"""Sponsor endpoints: sponsors, programs, beneficiaries (list/create), budget, donations, upload,
alerts, end; scoping for a sponsor user; JSON errors {code, message, field}."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jaminan.accounts.roles import Role
from jaminan.contributions import ledger, sponsors
from jaminan.contributions.models import Beneficiary, Sponsor, SponsorshipProgram
from tests.contributions.test_sponsors import neighbour

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def api(admin_user: Any, token_for: Callable[[Any], str]) -> Client:
    return Client(headers={"Authorization": f"Bearer {token_for(admin_user)}"})


def _person(serial: int) -> dict[str, Any]:
    n = neighbour(serial)
    return {"nik": n.nik, "name": n.name, "birth_date": n.birth_date.isoformat(), "sex": n.sex}


def test_sponsor_program_beneficiaries_flow(api: Client, reference: None) -> None:
    response = api.post(
        f"{API}/sponsors",
        {"kind": "regency", "name": "Pemerintah Kabupaten Kutai Kartanegara", "regency": "64.02"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    code = response.json()["code"]
    assert code.startswith("APBD-") and response.json()["government_funded"] is True

    response = api.post(
        f"{API}/sponsors/{code}/programs",
        {
            "name": "Pekerja Rentan 2022",
            "start_month": "2022-01",
            "end_month": "2022-03",
            "budget_ceiling": 2 * 3 * 16_800,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    program_id = response.json()["id"]
    assert response.json()["declared_income"] == 1_000_000

    url = f"{API}/sponsors/{code}/programs/{program_id}/beneficiaries"
    # The program ended in 2022: no new beneficiary today.
    closed = api.post(url, _person(1), content_type="application/json")
    assert closed.status_code == 409 and closed.json()["code"] == "program_closed"

    response = api.post(
        f"{API}/sponsors/{code}/programs",
        {
            "name": "Pekerja Rentan 2099",
            "start_month": "2099-01",
            "end_month": "2099-01",
            "budget_ceiling": 16_800,
        },
        content_type="application/json",
    )
    program_id = response.json()["id"]
    url = f"{API}/sponsors/{code}/programs/{program_id}/beneficiaries"
    created = api.post(url, _person(1), content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["start_date"] == "2099-01-01"
    over = api.post(url, _person(2), content_type="application/json")
    assert over.status_code == 409
    assert over.json() == {
        "code": "budget_exceeded",
        "message": over.json()["message"],
        "field": "budget_ceiling",
    }
    listing = api.get(url)
    assert listing.json()["count"] == 1 and listing.json()["items"][0]["name"] == "Tetangga 1"

    detail = api.get(f"{API}/sponsors/{code}").json()
    assert detail["people_covered"] == 1
    assert detail["committed"] == 16_800
    assert detail["budget_used"] == 0
    assert detail["virtual_account"].startswith("88893")
    assert {p["id"] for p in detail["programs"]} == {program_id, program_id - 1}
    assert api.get(f"{API}/sponsors/{code}/programs").json()["count"] == 2
    assert api.get(f"{API}/sponsors/NOPE-1").status_code == 404
    assert api.get(f"{API}/sponsors/{code}/programs/999999").status_code == 404

    ended = api.post(f"{API}/sponsors/{code}/programs/{program_id}/end")
    assert ended.status_code == 200 and ended.json()["status"] == "cancelled"
    assert ledger.check().ok


def test_budget_endpoint(api: Client) -> None:
    response = api.post(
        f"{API}/sponsors/budget",
        {"workers": 35_440, "months": 3, "start_month": "2022-01"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["total"] == 1_786_176_000
    response = api.post(
        f"{API}/sponsors/budget",
        {"workers": 2, "months": 12, "start_month": "2026-01", "government_funded": False},
        content_type="application/json",
    )
    assert response.json()["total"] == 252_000
    assert [m["total"] for m in response.json()["per_worker"]] == [16_800] * 3 + [8_400] * 9
    bad = api.post(
        f"{API}/sponsors/budget",
        {"workers": 1, "months": 0, "start_month": "2026-13"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"


def test_donation_endpoint(api: Client, reference: None) -> None:
    response = api.post(
        f"{API}/sponsors/donations",
        {
            "donor_name": "Hj. Rahmawati",
            "contact_phone": "081255551234",
            "regency": "64.02",
            "start_month": "2099-01",
            "months": 12,
            "neighbours": [_person(61), _person(62)],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["total"] == 2 * 12 * 16_800
    assert body["sponsor"]["kind"] == "individual"
    assert len(body["beneficiaries"]) == 2
    assert body["virtual_account"].startswith("88893")
    # An officer must name the donor.
    response = api.post(
        f"{API}/sponsors/donations",
        {"regency": "64.02", "start_month": "2099-01", "neighbours": [_person(63)]},
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["field"] == "donor_name"


def test_a_donor_signed_in_donates_through_the_api(
    api: Client,
    reference: None,
    make_user: Callable[..., Any],
    token_for: Callable[[Any], str],
) -> None:
    """A donor (a person) with their own sponsor user: no donor fields, the regency their
    sponsor's, the program theirs; a CSR sponsor's user is refused."""
    first = api.post(
        f"{API}/sponsors/donations",
        {
            "donor_name": "Hj. Rahmawati",
            "contact_phone": "081255551234",
            "regency": "64.02",
            "start_month": "2099-01",
            "months": 1,
            "neighbours": [_person(64)],
        },
        content_type="application/json",
    ).json()
    code = first["sponsor"]["code"]
    donor = make_user(Role.SPONSOR_USER, "rahmawati-api", sponsor_code=code)
    client = Client(headers={"Authorization": f"Bearer {token_for(donor)}"})
    response = client.post(
        f"{API}/sponsors/donations",
        {"start_month": "2099-02", "months": 3, "neighbours": [_person(65), _person(66)]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sponsor"]["code"] == code and body["virtual_account"] == first["virtual_account"]
    assert body["total"] == 2 * 3 * 16_800
    assert Sponsor.objects.filter(name="Hj. Rahmawati").count() == 1
    assert Beneficiary.objects.filter(program__sponsor__code=code).count() == 3
    programs = client.get(f"{API}/sponsors/{code}/programs").json()
    assert len(programs["items"]) == 2
    csr = api.post(
        f"{API}/sponsors",
        {"kind": "csr", "name": "PT Peduli Kaltim", "regency": "64.02"},
        content_type="application/json",
    ).json()["code"]
    company = Client(
        headers={
            "Authorization": f"Bearer {token_for(make_user(Role.SPONSOR_USER, 'csr', sponsor_code=csr))}"
        }
    )
    refused = company.post(
        f"{API}/sponsors/donations",
        {"start_month": "2099-02", "neighbours": [_person(67)]},
        content_type="application/json",
    )
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert ledger.check().ok


def test_upload_and_scoping(
    api: Client,
    reference: None,
    make_user: Callable[..., Any],
    token_for: Callable[[Any], str],
) -> None:
    code = api.post(
        f"{API}/sponsors",
        {"kind": "csr", "name": "PT Peduli Kaltim", "regency": "64.02"},
        content_type="application/json",
    ).json()["code"]
    program_id = api.post(
        f"{API}/sponsors/{code}/programs",
        {
            "name": "CSR 2099",
            "start_month": "2099-01",
            "end_month": "2099-03",
            "budget_ceiling": 10**7,
        },
        content_type="application/json",
    ).json()["id"]
    n = neighbour(71)
    content = (
        f"nik,nama,tanggal_lahir,jenis_kelamin\n{n.nik},{n.name},{n.birth_date:%d/%m/%Y},P\n"
    ).encode()
    url = f"{API}/sponsors/{code}/programs/{program_id}/upload"
    response = api.post(url, {"file": SimpleUploadedFile("d.csv", content), "dry_run": "true"})
    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 1 and not response.json()["applied"]
    response = api.post(url, {"file": SimpleUploadedFile("d.csv", content)})
    assert response.json()["applied"] and response.json()["cost"] == 3 * 16_800
    bad = api.post(url, {"file": SimpleUploadedFile("d.csv", b"a,b\n")})
    assert bad.status_code == 422 and bad.json()["code"] == "import_file"
    assert Beneficiary.objects.count() == 1

    other = Sponsor.objects.create(
        code="LAIN-X", kind="other", name="Lain", office=Sponsor.objects.get(code=code).office
    )
    user = make_user(Role.SPONSOR_USER, "csr", sponsor_code=code)
    client = Client(headers={"Authorization": f"Bearer {token_for(user)}"})
    listing = client.get(f"{API}/sponsors").json()
    assert [s["code"] for s in listing["items"]] == [code]
    assert client.get(f"{API}/sponsors/{other.code}").status_code == 404
    beneficiaries = client.get(f"{API}/sponsors/{code}/programs/{program_id}/beneficiaries").json()
    assert beneficiaries["items"][0]["nik"] == n.nik[:4] + "********" + n.nik[-4:]
    denied = client.post(
        f"{API}/sponsors", {"kind": "csr", "name": "X"}, content_type="application/json"
    )
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
    balikpapan = make_user(Role.BRANCH_OFFICER, "petugas-bpp")  # KC Balikpapan: not Kukar
    officer = Client(headers={"Authorization": f"Bearer {token_for(balikpapan)}"})
    elsewhere = officer.post(
        f"{API}/sponsors",
        {"kind": "csr", "name": "PT Jauh", "regency": "64.02"},
        content_type="application/json",
    )
    assert elsewhere.status_code == 403 and elsewhere.json()["field"] == "regency"
    assert officer.get(f"{API}/sponsors/{code}").status_code == 404
    alerts = client.get(f"{API}/sponsors/alerts", {"as_of": "2099-03-05"})
    assert alerts.status_code == 200
    assert alerts.json()[0]["losing_cover"] == 1 and alerts.json()[0]["days_left"] == 26


def _program(api: Client, *, start: str, end: str, ceiling: int = 10**7) -> tuple[str, int]:
    code = api.post(
        f"{API}/sponsors",
        {"kind": "regency", "name": "Pemerintah Kota Balikpapan", "regency": "64.71"},
        content_type="application/json",
    ).json()["code"]
    response = api.post(
        f"{API}/sponsors/{code}/programs",
        {
            "name": "Pekerja Rentan",
            "start_month": start,
            "end_month": end,
            "budget_ceiling": ceiling,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return code, response.json()["id"]


def test_a_new_person_missing_a_field_is_422_naming_it(api: Client, reference: None) -> None:
    """Any person field besides the NIK makes it a new person: the missing ones are named, no
    fall-back to a NIK lookup (which answered 404 "NIK tidak terdaftar")."""
    code, program_id = _program(api, start="2099-01", end="2099-03")
    url = f"{API}/sponsors/{code}/programs/{program_id}/beneficiaries"
    person = _person(91)
    response = api.post(
        url, {"nik": person["nik"], "name": person["name"]}, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    body = response.json()
    assert (body["code"], body["field"]) == ("required", "birth_date")
    assert "tanggal lahir" in body["message"] and "jenis kelamin" in body["message"]
    response = api.post(url, {**person, "sex": None, "name": ""}, content_type="application/json")
    assert response.status_code == 422 and response.json()["field"] == "name"
    assert not Beneficiary.objects.exists()
    assert api.post(url, person, content_type="application/json").status_code == 201
    # A NIK alone is a person already in the registry: here the one just enrolled.
    again = api.post(url, {"nik": person["nik"]}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_member"


def test_program_income_below_the_lowest_tier_is_an_indonesian_422(
    api: Client, reference: None
) -> None:
    code, _ = _program(api, start="2099-01", end="2099-03")
    response = api.post(
        f"{API}/sponsors/{code}/programs",
        {
            "name": "Rendah",
            "start_month": "2099-01",
            "end_month": "2099-03",
            "budget_ceiling": 10**6,
            "declared_income": 500_000,
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json() == {
        "code": "income_below_lowest_tier",
        "message": "Penghasilan yang dilaporkan Rp500.000 di bawah tingkat penghasilan BPU "
        "terendah Rp1.000.000 (bulan 01/2099).",
        "field": "declared_income",
    }


def test_donation_start_month_in_the_past_is_422(api: Client, reference: None) -> None:
    response = api.post(
        f"{API}/sponsors/donations",
        {
            "donor_name": "Pak Budi",
            "regency": "64.02",
            "start_month": "2020-01",
            "months": 3,
            "neighbours": [_person(92)],
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json() == {
        "code": "start_month_past",
        "message": "Bulan mulai tidak boleh sebelum bulan ini.",
        "field": "start_month",
    }
    assert not Sponsor.objects.filter(name="Pak Budi").exists()


def test_lapsed_program_covers_nobody_and_is_an_alert(
    api: Client, reference: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past its last month a program not ended covers nobody (sponsor and program) and the alerts
    flag it, with its memberships still open, until it is ended."""
    code, program_id = _program(api, start="2099-01", end="2099-02")
    url = f"{API}/sponsors/{code}/programs/{program_id}/beneficiaries"
    for serial in (93, 94):
        assert api.post(url, _person(serial), content_type="application/json").status_code == 201
    program = SponsorshipProgram.objects.get(pk=program_id)
    monkeypatch.setattr(sponsors, "_today", lambda: date(2099, 3, 5))
    detail = api.get(f"{API}/sponsors/{code}").json()
    one = api.get(f"{API}/sponsors/{code}/programs/{program_id}").json()
    assert detail["people_covered"] == 0
    assert detail["programs"][0]["lapsed"] is True and detail["programs"][0]["covered"] == 0
    assert (one["covered"], one["beneficiaries"], one["lapsed"]) == (0, 2, True)
    alerts = api.get(f"{API}/sponsors/alerts", {"as_of": "2099-03-05"}).json()
    assert [(a["program"]["id"], a["lapsed"], a["open_memberships"]) for a in alerts] == [
        (program_id, True, 2)
    ]
    assert alerts[0]["days_left"] == -5
    assert "sudah berakhir, belum ditutup" in alerts[0]["message"]
    assert sponsors.end_lapsed_programs(as_of=date(2099, 3, 5)) == 1
    program.refresh_from_db()
    assert program.status == SponsorshipProgram.Status.ENDED
    assert api.get(f"{API}/sponsors/alerts", {"as_of": "2099-03-05"}).json() == []
