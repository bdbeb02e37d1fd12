"""JHT statement on the web (participant: own; officer: by KPJ), its PDF, and the API; each read
audited; scoping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.jht import services
from jaminan.registry.models import Membership
from tests.jht import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(reference: None) -> Membership:
    membership = builders.worker(builders.employer(), start=date(2016, 1, 1))
    builders.pay_months(membership, builders.months(date(2016, 1, 1), 12), wage=5_000_000)
    services.credit_contributions(until=date(2017, 6, 30))
    return membership


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_participant_sees_own_statement_only(
    member: Membership, make_user: Callable[..., Any]
) -> None:
    kpj = member.participant.kpj_number
    user = make_user(Role.PARTICIPANT, "peserta-jht", participant_kpj=kpj)
    client = client_for(user)
    response = client.get("/jht/")
    assert response.status_code == 302 and response["Location"] == f"/jht/{kpj}/"
    page = client.get(f"/jht/{kpj}/?per=2016-12-31").content.decode()
    assert 'id="balance">Rp3.228.919<' in page  # 11 credits of 285.000 + 93.919 (7,19%)
    assert "7.19%" in page
    other = builders.worker(builders.employer("CV Lain"), name="Lain", birth=date(1990, 1, 2))
    services.ensure_account(participant=other.participant)
    assert client.get(f"/jht/{other.participant.kpj_number}/").status_code == 404
    assert AuditEvent.objects.filter(action="view", actor=user).count() == 1


def test_officer_finds_by_kpj_and_downloads_pdf(
    member: Membership, make_user: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    kpj = member.participant.kpj_number
    officer = make_user(Role.BRANCH_OFFICER, "petugas-jht", office=member.office)
    client = client_for(officer)
    assert client.get("/jht/", {"kpj": kpj})["Location"] == f"/jht/{kpj}/"
    assert "11 digit" in client.get("/jht/", {"kpj": "123"}).content.decode()
    with django_assert_max_num_queries(40):
        response = client.get(f"/jht/{kpj}/?per=2017-06-30")
    assert response.status_code == 200
    pdf = client.get(f"/jht/{kpj}/pdf/?per=2017-06-30")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="export", actor=officer).count() == 1
    analyst = make_user(Role.REGIONAL_ANALYST, "analis-jht")
    assert client_for(analyst).get(f"/jht/{kpj}/").status_code == 403


def test_statement_pdf_html_has_the_balance(member: Membership) -> None:
    from jaminan.jht import selectors
    from jaminan.web.pdf import render_html

    found = selectors.statement(
        services.ensure_account(participant=member.participant), as_of=date(2016, 12, 31)
    )
    html = render_html(
        "jht/statement_pdf.html",
        {"s": found, "person": member.participant.person, "printed": date(2026, 11, 21)},
    )
    assert "Rp3.228.919" in html and "31 Desember 2016" in html


def test_api_statement_and_return_rates(
    member: Membership, make_user: Callable[..., Any], token_for: Callable[[Any], str]
) -> None:
    kpj = member.participant.kpj_number
    officer = make_user(Role.BRANCH_OFFICER, "petugas-api", office=member.office)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(officer)}")
    body = client.get(f"/api/v1/jht/{kpj}", {"as_of": "2016-12-31"}).json()
    assert body["balance"] == 3_228_919
    assert body["returns_credited"] == 93_919
    assert [y["year"] for y in body["years"]] == [2016]
    assert len(body["credits"]) == 11
    missing = client.get("/api/v1/jht/99999999999")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    rates = client.get("/api/v1/jht-return-rates").json()
    assert rates["items"][0]["year"] == 2016 and rates["items"][0]["percent"] == "7.19"
    employer = make_user(Role.EMPLOYER_USER, "pemberi-kerja", employer_npp=member.employer.npp)  # type: ignore[union-attr]
    denied = client.get(f"/api/v1/jht/{kpj}", HTTP_AUTHORIZATION=f"Bearer {token_for(employer)}")
    assert denied.status_code == 403
