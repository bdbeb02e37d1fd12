"""Browser test of the claims screens: a branch officer takes a JKK claim in, ticks the documents,
records the outcome and an STMB period, verifies, assesses (the wage comes from the registry),
pays; the participant then sees the paid claim among their own claims."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from jaminan.accounts.roles import Role
from jaminan.geo.models import Regency
from jaminan.registry import services
from tests.claims.conftest import contribute, make_nik, month_range

pytestmark = pytest.mark.django_db(transaction=True)


def test_officer_pays_a_jkk_claim_and_the_participant_sees_it(
    login: Any, page: Any, live_server: Any, make_user: Callable[..., Any]
) -> None:
    balikpapan = Regency.objects.get(code="64.71")
    make_user(Role.BRANCH_OFFICER, "petugas-klaim-e2e", office=balikpapan.branch_office)
    employer = services.register_employer(
        name="PT Pelabuhan Semayang",
        legal_form="PT",
        kbli="52101",
        size_class="medium",
        risk_group=3,
        regency=balikpapan,
        registered_on=date(2020, 1, 1),
    )
    membership = services.register_pu_worker(
        employer=employer,
        person=services.PersonFacts(
            nik=make_nik(date(1988, 7, 7)), name="Joko Waluyo", birth_date=date(1988, 7, 7), sex="L"
        ),
        wage=5_000_000,
        start_date=date(2024, 1, 1),
        registered_on=date(2024, 1, 1),
    )
    contribute(membership, month_range(date(2024, 1, 1), date(2024, 12, 1)))
    kpj = membership.participant.kpj_number
    make_user(Role.PARTICIPANT, "peserta-klaim-e2e", participant_kpj=kpj)

    page.set_default_timeout(45_000)  # each step assesses or pays in one request; slow CI boxes
    login("petugas-klaim-e2e")
    page.goto(f"{live_server.url}/klaim/")
    page.click("#new-claim")
    page.fill("#id_kpj", kpj)
    page.select_option("#id_claim_type", "jkk")
    page.fill("#id_event_date", "2025-01-10")
    page.fill("#id_received_on", "2025-01-12")
    page.fill("#id_place", "Dermaga Semayang")
    page.fill("#id_circumstances", "Terjatuh dari tangga kapal saat bongkar muat.")
    page.click("#submit")
    page.wait_for_selector("#claim-status[data-status=intake]")
    for kind in ("accident_report_form", "medical_certificate", "id_card"):
        page.click(f"#documents li[data-kind={kind}] button")
        page.wait_for_selector(f"#documents li[data-kind={kind}] >> text=Batalkan")
    page.select_option("#outcome-select", "recovered")
    page.click("#action-outcome")
    page.wait_for_selector("#outcome[data-outcome=recovered]")
    page.fill("#stmb-start", "2025-01-10")
    page.fill("#stmb-end", "2025-02-09")
    page.fill("#stmb-months", "1")
    page.click("#action-stmb")
    page.wait_for_selector("#stmb-periods >> text=STMB 1")
    page.click("#action-verify")
    page.wait_for_selector("#claim-status[data-status=documents_verified]")
    page.click("#action-assess")
    page.wait_for_selector("#claim-status[data-status=approved]")
    assert page.locator("#claim-amount").inner_text() == "Rp5.000.000"
    assert "Lampiran III" in page.locator("#breakdown").inner_text()
    page.click("#action-pay")
    page.wait_for_selector("#claim-status[data-status=paid]")
    assert page.locator("#paid-total").inner_text() == "Rp5.000.000"
    page.click("#current-user ~ form button")  # sign out

    login("peserta-klaim-e2e")
    page.goto(f"{live_server.url}/klaim/")
    assert "Klaim saya" in page.locator("h1").inner_text()
    assert page.locator("#claims tr[data-status=paid]").count() == 1
