"""Pension screens and API: list (scoped, audited, bounded queries), detail with confirmation,
the roll page, and the endpoints."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.pensions.models import Pension, PensionPayment
from jaminan.registry.models import Membership
from tests.jht import builders

pytestmark = pytest.mark.django_db


def pension_of(member: Membership, amount: int = 900_000, name: str = "") -> Pension:
    return Pension.objects.create(
        participant=member.participant,
        kind="old_age",
        beneficiary_name=name or member.participant.person.name,
        office=member.office,
        base_amount=amount,
        monthly_amount=amount,
        indexed_year=2026,
        start_month=date(2026, 1, 1),
        last_confirmed_on=date(2026, 1, 1),
        awarded_on=date(2026, 1, 1),
    )


@pytest.fixture
def member(reference: None) -> Membership:
    return builders.worker(builders.employer(), birth=date(1965, 3, 12))


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_is_scoped_audited_and_bounded(
    member: Membership, make_user: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    for i in range(5):
        other = builders.worker(
            builders.employer(f"PT {i}"), name=f"Pensiunan {i}", birth=date(1960, 1, 2)
        )
        pension_of(other, name=f"Pensiunan {i}")
    mine = pension_of(member)
    officer = make_user(Role.BRANCH_OFFICER, "petugas-pensiun", office=member.office)
    client = client_for(officer)
    with django_assert_max_num_queries(20):
        page = client.get("/pensiun/").content.decode()
    assert page.count('href="/pensiun/') >= 6
    participant = make_user(
        Role.PARTICIPANT, "pensiunan", participant_kpj=member.participant.kpj_number
    )
    own = client_for(participant).get("/pensiun/").content.decode()
    assert f'href="/pensiun/{mine.pk}/"' in own and "Pensiunan 0" not in own
    assert AuditEvent.objects.filter(action="view", object_type="pensions.Pension").count() == 2
    assert client_for(participant).get(f"/pensiun/{mine.pk + 1}/").status_code == 404


def test_officer_records_a_confirmation(member: Membership, make_user: Callable[..., Any]) -> None:
    pension = pension_of(member)
    pension.status = "suspended"
    pension.suspended_since = date(2026, 5, 1)
    pension.save()
    officer = make_user(Role.BRANCH_OFFICER, "petugas-konfirmasi", office=member.office)
    client = client_for(officer)
    assert client.get(f"/pensiun/{pension.pk}/").status_code == 200
    response = client.post(
        f"/pensiun/{pension.pk}/konfirmasi/", {"confirmed_on": "2026-06-02", "channel": "branch"}
    )
    assert response.status_code == 302
    pension.refresh_from_db()
    assert (pension.status, pension.arrears_from, pension.last_confirmed_on) == (
        "active",
        date(2026, 5, 1),
        date(2026, 6, 2),
    )


def test_roll_page_runs_for_admin_only(
    member: Membership, make_user: Callable[..., Any], admin_user: Any
) -> None:
    pension_of(member)
    officer = make_user(Role.BRANCH_OFFICER, "petugas-roll", office=member.office)
    assert client_for(officer).post("/pensiun/pembayaran/", {"month": "2026-01"}).status_code == 403
    client = client_for(admin_user)
    assert client.post("/pensiun/pembayaran/", {"month": "2026-01"}).status_code == 302
    assert client.post("/pensiun/pembayaran/", {"month": "2026-01"}).status_code == 302
    assert PensionPayment.objects.count() == 1
    page = client.get("/pensiun/pembayaran/").content.decode()
    assert "Rp900.000" in page


def test_api_endpoints(
    member: Membership, make_user: Callable[..., Any], admin_user: Any, token_for: Any
) -> None:
    pension = pension_of(member)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(admin_user)}")
    run = client.post("/api/v1/pension-runs", {"month": "2026-02"}, content_type="application/json")
    assert run.status_code == 201, run.content
    assert run.json()["totals"]["payments"] == 1
    assert run.json()["totals"]["arrears_payments"] == 0
    listed = client.get("/api/v1/pensions", {"status": "active"}).json()
    assert listed["count"] == 1 and listed["items"][0]["monthly_amount"] == 900_000
    detail = client.get(f"/api/v1/pensions/{pension.pk}").json()
    assert [p["month"] for p in detail["payments"]] == ["2026-02-01"]
    confirmed = client.post(
        f"/api/v1/pensions/{pension.pk}/confirmations",
        {"confirmed_on": "2026-02-10", "channel": "online"},
        content_type="application/json",
    )
    assert confirmed.status_code == 201 and confirmed.json()["status"] == "active"
    runs = client.get("/api/v1/pension-runs").json()
    assert runs["count"] == 1
    inflation = client.get("/api/v1/pension-inflation").json()
    assert inflation["items"][0] == {
        "year": 2015,
        "percent": "3.35",
        "source": "krishand.com (JP min/max 2016); regulations.md §8.5",
        "confidence": "high",
    }
    bad = client.post("/api/v1/pension-runs", {"month": "2026-13"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    officer = make_user(Role.BRANCH_OFFICER, "petugas-api-p", office=member.office)
    forbidden = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(officer)}").post(
        "/api/v1/pension-runs", {"month": "2026-03"}, content_type="application/json"
    )
    assert forbidden.status_code == 403
