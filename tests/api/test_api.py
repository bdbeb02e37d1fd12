from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from jaminan.accounts.models import ApiToken
from jaminan.accounts.roles import Role

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_health_needs_no_auth_and_reports_database(reference: None) -> None:
    response = Client().get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["database_vendor"] in {"sqlite", "postgresql"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/provinces",
        "/api/v1/regencies",
        "/api/v1/offices",
        "/api/v1/facilities",
        "/api/v1/facility-counts",
        "/api/v1/workforce",
        "/api/v1/provinces/64",
    ],
)
def test_read_endpoints_need_auth(path: str, reference: None) -> None:
    response = Client().get(path)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_bearer_token_gives_access(
    make_user: Callable[..., Any], token_for: Callable[[Any], str]
) -> None:
    secret = token_for(make_user(Role.REGIONAL_ANALYST))
    response = Client().get("/api/v1/provinces", **bearer(secret))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert [p["code"] for p in body["items"]] == ["61", "62", "63", "64", "65"]
    assert body["items"][3]["time_zone_label"] == "WITA"
    assert ApiToken.objects.get().last_used_at is not None


def test_wrong_or_revoked_token_refused(
    make_user: Callable[..., Any], token_for: Callable[[Any], str]
) -> None:
    secret = token_for(make_user(Role.REGIONAL_ANALYST))
    assert Client().get("/api/v1/provinces", **bearer(secret + "x")).status_code == 401
    assert Client().get("/api/v1/provinces", **bearer("not-a-token")).status_code == 401
    ApiToken.objects.update(revoked_at="2026-01-01T00:00:00Z")
    assert Client().get("/api/v1/provinces", **bearer(secret)).status_code == 401


def test_session_auth(make_user: Callable[..., Any]) -> None:
    client = Client()
    client.force_login(make_user(Role.BRANCH_OFFICER))
    assert client.get("/api/v1/regencies?province=65").json()["count"] == 5


def test_filters_and_pagination(
    make_user: Callable[..., Any], token_for: Callable[[Any], str]
) -> None:
    headers = bearer(token_for(make_user(Role.REGIONAL_ANALYST)))
    client = Client()
    page = client.get("/api/v1/regencies?limit=10&offset=50", **headers).json()
    assert page["count"] == 56 and len(page["items"]) == 6 and page["offset"] == 50
    kota = client.get("/api/v1/regencies?kind=kota", **headers).json()
    assert kota["count"] == 9
    served = client.get("/api/v1/regencies?office=KC-BALIKPAPAN", **headers).json()
    assert {r["code"] for r in served["items"]} == {"64.71", "64.09", "64.01"}
    branches = client.get("/api/v1/offices?kind=branch&province=65", **headers).json()
    assert {o["code"] for o in branches["items"]} == {"KC-TARAKAN", "KC-BULUNGAN", "KC-NUNUKAN"}
    plkk = client.get("/api/v1/facility-counts?as_of=2026&scope_level=province", **headers).json()
    assert sum(row["total"] for row in plkk["items"]) == 336
    bpjs = client.get("/api/v1/workforce?basis=BPJS", **headers).json()
    assert bpjs["items"][0]["employed"] == 7_996_826


def test_errors_are_json_with_stable_codes(
    make_user: Callable[..., Any], token_for: Callable[[Any], str]
) -> None:
    headers = bearer(token_for(make_user(Role.REGIONAL_ANALYST)))
    client = Client()
    missing = client.get("/api/v1/provinces/99", **headers)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    invalid = client.get("/api/v1/regencies?province=99", **headers)
    assert invalid.status_code == 422
    assert invalid.json()["code"] == "invalid" and invalid.json()["field"] == "province"
    too_many = client.get("/api/v1/regencies?limit=100000", **headers)
    assert too_many.status_code == 422 and too_many.json()["field"] == "limit"
    assert too_many.json()["message"] == "Masukan tidak sah: limit terlalu besar."
    # A body's field is named as the client sent it, not after the view's parameter.
    officer = bearer(token_for(make_user(Role.BRANCH_OFFICER, "petugas-galat")))
    bad = client.post(
        "/api/v1/payments",
        {"payer": "8889100000000001", "reference": "X-1", "paid_on": "2026-02-10"},
        content_type="application/json",
        **officer,
    )
    assert bad.status_code == 422 and bad.json()["field"] == "amount"
    assert bad.json()["message"] == "Masukan tidak sah: amount wajib diisi."
    assert bad.json()["detail"][0]["loc"] == ["body", "payload", "amount"]


def test_list_endpoints_query_count(
    make_user: Callable[..., Any],
    token_for: Callable[[Any], str],
    django_assert_max_num_queries: Any,
) -> None:
    headers = bearer(token_for(make_user(Role.REGIONAL_ANALYST)))
    client = Client()
    # Token lookup + last-used update + count + page, whatever the page size (no N+1).
    for path in ("/api/v1/regencies?limit=56", "/api/v1/offices", "/api/v1/workforce?limit=100"):
        with django_assert_max_num_queries(5):
            assert client.get(path, **headers).status_code == 200


def test_openapi_docs_served(reference: None) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/health" in schema["paths"]
    assert "/api/v1/regencies" in schema["paths"]
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    # Every stylesheet and script comes from our own static files, none from a CDN
    # (the page also carries a random CSRF token, so no substring test on the whole page).
    assets = re.findall(rb'(?:src|href)="([^"]*)"', docs.content)
    assert any(a.endswith(b"swagger-ui-bundle.js") for a in assets)
    assert [a for a in assets if not a.startswith(b"/static/")] == []
