from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jaminan.accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_dashboard_requires_login(reference: None) -> None:
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_dashboard_shows_provinces_workforce_offices_and_plkk(
    make_user: Callable[..., Any],
) -> None:
    client = Client()
    client.force_login(make_user(Role.REGIONAL_ANALYST))
    response = client.get("/")
    html = response.content.decode()
    for name in (
        "Kalimantan Barat",
        "Kalimantan Tengah",
        "Kalimantan Selatan",
        "Kalimantan Timur",
        "Kalimantan Utara",
    ):
        assert name in html
    summary = {s.province.code: s for s in response.context["summary"]}
    assert {c: s.plkk for c, s in summary.items()} == {
        "61": 44,
        "62": 64,
        "63": 121,
        "64": 96,
        "65": 11,
    }
    assert response.context["plkk_total"] == 336
    assert {c: s.offices for c, s in summary.items()} == {
        "61": 5,
        "62": 5,
        "63": 4,
        "64": 6,
        "65": 3,
    }
    # Latest workforce figure per province (Kaltara has a 2025-11 round).
    assert (
        summary["65"].workforce.period == "2025-11" and summary["65"].workforce.employed == 402_400
    )
    assert summary["64"].workforce.period == "2025-08"
    assert "1.969.739" in html  # Kaltim employed, Indonesian grouping
    chart = json.loads(response.context["chart"] and json.dumps(response.context["chart"]))
    assert chart["plkk"] == [44, 64, 121, 96, 11]
    assert 'id="plkk-chart-data"' in html


def test_dashboard_query_count(
    make_user: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    client = Client()
    client.force_login(make_user(Role.REGIONAL_ANALYST))
    with django_assert_max_num_queries(10):
        assert client.get("/").status_code == 200


def test_navigation_by_role(make_user: Callable[..., Any]) -> None:
    admin, participant = make_user(Role.SYSTEM_ADMIN), make_user(Role.PARTICIPANT)
    client = Client()
    client.force_login(admin)
    html = client.get("/").content.decode()
    assert "/admin/" in html and "/api/v1/docs" in html
    for name in ("contributions:payments", "coverage:map", "pensions:list", "claims:worklist"):
        assert f'href="{reverse(name)}"' in html, name
    client.force_login(participant)
    html = client.get("/").content.decode()
    assert "/admin/" not in html and "/api/v1/docs" not in html
    assert (
        f'href="{reverse("jht:index")}"' in html and f'href="{reverse("claims:worklist")}"' in html
    )
    for name in ("contributions:payments", "coverage:map", "pensions:list", "registry:search"):
        assert f'href="{reverse(name)}"' not in html, name
    client.force_login(make_user(Role.SPONSOR_USER))
    html = client.get("/").content.decode()
    assert f'href="{reverse("contributions:sponsors")}"' in html
    assert f'href="{reverse("claims:worklist")}"' not in html


def test_security_headers(make_user: Callable[..., Any]) -> None:
    client = Client()
    response = client.get("/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_login_form_has_csrf(reference: None) -> None:
    client = Client(enforce_csrf_checks=True)
    assert "csrfmiddlewaretoken" in client.get("/login/").content.decode()
    assert client.post("/login/", {"username": "x", "password": "y"}).status_code == 403


def test_nul_in_query_or_path_refused(
    make_user: Callable[..., Any], token_for: Callable[[Any], str]
) -> None:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(make_user(Role.SYSTEM_ADMIN))}"}
    api = Client().get("/api/v1/offices?office=KC%00X", **headers)
    assert api.status_code == 422 and api.json() == {
        "code": "invalid",
        "message": api.json()["message"],
        "field": "office",
    }
    assert Client().get("/api/v1/regencies/64%00.71", **headers).status_code == 422
    client = Client()
    client.force_login(make_user(Role.BRANCH_OFFICER))
    assert client.get("/kepesertaan/?q=a%00b").status_code == 400
