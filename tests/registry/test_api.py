"""Registry API: create, read, search, end, wage, import; errors as {code, message, field}; scoping; query counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.geo.models import Office
from jaminan.registry import identifiers, services
from jaminan.registry.models import Employer, Membership
from tests.registry.conftest import make_nik
from tests.registry.test_imports import good_rows, to_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.BRANCH_OFFICER, "petugas-bpp")


@pytest.fixture
def api(officer: Any, token_for: Callable[[Any], str]) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_for(officer)}")


def client_for(user: Any, token_for: Callable[[Any], str]) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")


EMPLOYER = {
    "name": "PT Borneo Jaya",
    "legal_form": "PT",
    "kbli": "41011",
    "size_class": "large",
    "risk_group": 3,
    "regency": "64.71",
}


def test_create_employer_worker_read_search_end(api: Client) -> None:
    r = api.post("/api/v1/employers", EMPLOYER, content_type="application/json")
    assert r.status_code == 201, r.content
    npp = r.json()["npp"]
    assert identifiers.valid_npp(npp) and r.json()["office"] == "KC-BALIKPAPAN"
    nik = make_nik(date(1990, 8, 5), "P", serial=3)
    worker = {
        "nik": nik,
        "name": "Siti Aminah",
        "birth_date": "1990-08-05",
        "sex": "P",
        "wage": 4_000_000,
        "start_date": "2026-01-05",
        "registered_on": "2026-01-06",
    }
    r = api.post(f"/api/v1/employers/{npp}/workers", worker, content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["programs"] == ["JKK", "JKM", "JHT", "JP", "JKP"] and body["segment"] == "PU"
    kpj, membership_id = body["kpj_number"], body["id"]
    r = api.post(f"/api/v1/employers/{npp}/workers", worker, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "already_member"

    r = api.get(f"/api/v1/participants/{kpj}")
    assert r.status_code == 200
    page = r.json()
    assert page["nik"] == nik and page["memberships"][0]["employer_npp"] == npp
    assert page["wage_history"] == [
        {"membership_id": membership_id, "effective_month": "2026-01-01", "amount": 4_000_000}
    ]

    r = api.get("/api/v1/search", {"q": nik})
    assert [p["kpj_number"] for p in r.json()["persons"]] == [kpj]
    r = api.get("/api/v1/persons", {"q": "siti"})
    assert r.json()["count"] == 1 and r.json()["items"][0]["nik"] == nik
    assert AuditEvent.objects.filter(
        action="view", changes__search="siti", changes__nik_unmasked=True
    ).exists()
    r = api.get("/api/v1/employers", {"q": npp})
    assert r.json()["items"][0]["npp"] == npp

    r = api.post(
        f"/api/v1/memberships/{membership_id}/wages",
        {"month": "2026-03", "amount": 4_200_000},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["amount"] == 4_200_000
    r = api.get(f"/api/v1/employers/{npp}")
    assert r.json()["wage_bill"] == 4_200_000 and r.json()["active_workers"] == 1
    r = api.get(f"/api/v1/employers/{npp}/workers")
    assert r.json()["items"][0]["latest_wage"] == 4_200_000

    r = api.post(
        f"/api/v1/memberships/{membership_id}/end",
        {"end_date": "2026-04-30", "reason": "resigned"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["end_date"] == "2026-04-30"
    r = api.post(
        f"/api/v1/memberships/{membership_id}/end",
        {"end_date": "2026-04-30", "reason": "resigned"},
        content_type="application/json",
    )
    assert r.status_code == 409 and r.json()["code"] == "membership_ended"


def test_errors_carry_code_and_field(api: Client, employer: Employer) -> None:
    worker = {
        "nik": "6471054508900003",
        "name": "Siti",
        "birth_date": "1990-08-06",
        "sex": "P",
        "wage": 4_000_000,
        "start_date": "2026-01-05",
    }
    r = api.post(
        f"/api/v1/employers/{employer.npp}/workers", worker, content_type="application/json"
    )
    assert r.status_code == 422
    assert r.json() == {
        "code": "nik_birth_date_mismatch",
        "field": "birth_date",
        "message": "Tanggal lahir tidak sesuai dengan NIK; isi alasan pengecualian bila data ini "
        "benar.",
    }
    r = api.post(
        f"/api/v1/employers/{employer.npp}/workers",
        {**worker, "override_reason": "akta lahir"},
        content_type="application/json",
    )
    assert r.status_code == 201
    r = api.post(
        "/api/v1/bpu-workers",
        {
            "nik": make_nik(date(1990, 1, 1), serial=5),
            "name": "Ojol",
            "birth_date": "1990-01-01",
            "sex": "L",
            "address_regency": "64.71",
            "declared_income": 500_000,
        },
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["field"] == "declared_income"
    assert api.get("/api/v1/participants/00000000000").status_code == 404
    assert api.get("/api/v1/employers/99999999").status_code == 404


def test_bpu_and_project_endpoints(api: Client, employer: Employer) -> None:
    r = api.post(
        "/api/v1/bpu-workers",
        {
            "nik": make_nik(date(1990, 1, 1), serial=5),
            "name": "Ojol",
            "birth_date": "1990-01-01",
            "sex": "L",
            "address_regency": "64.72",
            "declared_income": 1_000_000,
            "programs": ["JKK", "JKM", "JHT"],
        },
        content_type="application/json",
    )
    assert (
        r.status_code == 201
        and r.json()["office"] == "KC-SAMARINDA"
        and r.json()["segment"] == "BPU"
    )
    r = api.post(
        "/api/v1/projects",
        {
            "contractor_npp": employer.npp,
            "owner_type": "APBN",
            "name": "Jembatan",
            "contract_value": 2_000_000_000,
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "regency": "64.71",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    project_id = r.json()["id"]
    r = api.post(
        f"/api/v1/projects/{project_id}/workers",
        {
            "nik": make_nik(date(1995, 2, 2), serial=6),
            "name": "Tukang",
            "birth_date": "1995-02-02",
            "sex": "L",
            "start_date": "2026-02-01",
        },
        content_type="application/json",
    )
    assert (
        r.status_code == 201
        and r.json()["segment"] == "JAKON"
        and r.json()["programs"] == ["JKK", "JKM"]
    )


def test_scoping_and_roles(
    employer: Employer, facts: Any, make_user: Callable[..., Any], token_for: Callable[[Any], str]
) -> None:
    m = services.register_pu_worker(
        employer=employer,
        person=facts(),
        wage=1,
        start_date=date(2026, 1, 5),
        registered_on=date(2026, 1, 5),
    )
    other = client_for(
        make_user(Role.BRANCH_OFFICER, "smd", office=Office.objects.get(code="KC-SAMARINDA")),
        token_for,
    )
    r = other.get(f"/api/v1/participants/{m.participant.kpj_number}")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert (
        other.post(
            f"/api/v1/memberships/{m.pk}/end",
            {"end_date": "2026-04-30", "reason": "resigned"},
            content_type="application/json",
        ).status_code
        == 404
    )
    hr = client_for(make_user(Role.EMPLOYER_USER, "hrd", employer_npp=employer.npp), token_for)
    r = hr.get(f"/api/v1/participants/{m.participant.kpj_number}")
    assert r.status_code == 200 and "********" in r.json()["nik"]
    assert (
        hr.post("/api/v1/employers", EMPLOYER, content_type="application/json").status_code == 403
    )
    analyst = client_for(make_user(Role.REGIONAL_ANALYST, "analis"), token_for)
    assert analyst.get(f"/api/v1/participants/{m.participant.kpj_number}").status_code == 404


def test_import_endpoint(api: Client, employer: Employer) -> None:
    rows = good_rows(10)
    rows[4][0] = "123"
    upload = SimpleUploadedFile("pekerja.csv", to_csv(rows), content_type="text/csv")
    r = api.post(
        "/api/v1/imports/workers", {"file": upload, "employer": employer.npp, "dry_run": "true"}
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["accepted"], body["rejected"], body["applied"]) == (9, 1, False)
    assert body["issues"][0]["baris"] == 6 and body["issues"][0]["kode"] == "nik_invalid"
    assert Membership.objects.filter(employer=employer).count() == 0
    upload = SimpleUploadedFile("pekerja.csv", to_csv(rows), content_type="text/csv")
    r = api.post("/api/v1/imports/workers", {"file": upload, "employer": employer.npp})
    assert r.json()["applied"] and Membership.objects.filter(employer=employer).count() == 9
    bad = SimpleUploadedFile("pekerja.csv", b"x,y\n", content_type="text/csv")
    r = api.post("/api/v1/imports/workers", {"file": bad, "employer": employer.npp})
    assert (
        r.status_code == 422 and r.json()["code"] == "import_file" and r.json()["field"] == "file"
    )


@pytest.mark.parametrize("n", [2, 12])
def test_endpoint_query_counts(
    n: int, api: Client, employer: Employer, facts: Any, django_assert_max_num_queries: Any
) -> None:
    ms = [
        services.register_pu_worker(
            employer=employer,
            person=facts(name=f"Pekerja {i}"),
            wage=1,
            start_date=date(2026, 1, 5),
            registered_on=date(2026, 1, 5),
        )
        for i in range(n)
    ]
    for m in ms:
        services.report_wage(membership=m, month=date(2026, 2, 1), amount=2)
    kpj = ms[0].participant.kpj_number
    with django_assert_max_num_queries(14):
        assert api.get(f"/api/v1/participants/{kpj}").status_code == 200
    with django_assert_max_num_queries(14):
        assert api.get(f"/api/v1/employers/{employer.npp}/workers").json()["count"] == n
    with django_assert_max_num_queries(14):
        assert len(api.get("/api/v1/persons", {"q": "pekerja"}).json()["items"]) == n
    with django_assert_max_num_queries(14):
        assert api.get(f"/api/v1/employers/{employer.npp}").status_code == 200
