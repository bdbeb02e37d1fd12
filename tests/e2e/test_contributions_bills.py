"""Browser test of the billing screens: a branch officer filters the bills, opens one and sees its
totals per program and its workers; the bill list's pages keep the default month; the billing-run
page follows a running run's progress through HTMX polling, shows a killed run interrupted without
polling, and the months' control totals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from jaminan.accounts.roles import Role
from jaminan.contributions import views_billing
from jaminan.contributions.billing import STALE_AFTER
from jaminan.contributions.models import Bill, BillingChunk, BillingLock, BillingRun
from jaminan.geo.models import Office
from tests.contributions.test_bills import build_scenario

pytestmark = pytest.mark.django_db(transaction=True)


def test_officer_opens_the_bills_and_a_bill(
    login: Any, page: Any, live_server: Any, make_user: Callable[..., Any]
) -> None:
    scenario = build_scenario()
    make_user(Role.BRANCH_OFFICER, "petugas-tagihan")  # KC-BALIKPAPAN
    login("petugas-tagihan")

    page.goto(f"{live_server.url}/iuran/tagihan/")
    # The latest billed month by default, Balikpapan's only; the emptied month lists all six.
    assert page.locator("#bills tbody tr").count() == 1
    assert page.input_value("#id_month") == "2026-06"
    page.fill("#id_month", "")
    page.click("#bill-filters button[type=submit]")
    page.wait_for_url("**/iuran/tagihan/?month=&*")
    assert page.locator("#bills tbody tr").count() == 6
    page.fill("#id_month", "2026-03")
    page.click("#bill-filters button[type=submit]")
    page.wait_for_url("**/iuran/tagihan/?month=2026-03*")
    assert page.locator("#bills tbody tr").count() == 1
    march = Bill.objects.get(payer=scenario.bpn_payer, month=date(2026, 3, 1))
    page.click(f"#bills >> text={march.number}")
    page.wait_for_url(f"{live_server.url}/iuran/tagihan/{march.pk}/")
    assert page.locator("#bill-number").inner_text() == march.number
    assert page.locator("#virtual-account").inner_text() == scenario.bpn_payer.virtual_account
    assert page.locator("#due-date").inner_text() == "15 April 2026"
    assert page.locator("#bill-amount").inner_text() == "Rp1.431.000"
    assert page.locator("#lines-total").inner_text() == "Rp1.431.000"
    assert page.locator('[data-program-total="JHT"] th.text-end').inner_text() == "Rp855.000"
    assert page.locator("#member-lines tbody tr").count() == 3
    assert page.locator('[data-status="paid"]').is_visible()
    # The PDF link answers a PDF.
    pdf = page.request.get(live_server.url + page.locator("#bill-pdf").get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF-")


def test_runs_page_follows_a_running_run(
    login: Any, page: Any, live_server: Any, make_user: Callable[..., Any]
) -> None:
    make_user(Role.SYSTEM_ADMIN, "admin-proses")
    run = BillingRun.objects.create(
        month=date(2026, 7, 1),
        status=BillingRun.Status.RUNNING,
        holder="operator@host pid 4242",
        reason="penagihan Juli",
        chunks_total=10,
        chunks_done=3,
    )
    BillingLock.objects.create(
        month=date(2026, 7, 1),
        run=run,
        holder=run.holder,
        reason=run.reason,
        hostname="other-host",
        pid=4242,
        heartbeat_at=timezone.now(),
    )
    login("admin-proses")
    page.goto(f"{live_server.url}/iuran/penagihan/")
    row = page.locator(f'[data-run="{run.pk}"]')
    assert "3 / 10" in row.inner_text()
    assert "operator@host pid 4242" in page.locator("#locks").inner_text()
    # The run progresses and finishes: the polled table shows it without a reload.
    BillingRun.objects.filter(pk=run.pk).update(chunks_done=7)
    page.wait_for_selector(f'[data-run="{run.pk}"] >> text=7 / 10')
    # As run_billing ends: the run is recorded completed, then its lock released.
    BillingRun.objects.filter(pk=run.pk).update(
        chunks_done=10, status=BillingRun.Status.COMPLETED, bills=2, amount=1_908_000
    )
    BillingLock.objects.all().delete()
    page.wait_for_selector(f'[data-run="{run.pk}"][data-run-status="completed"]')
    assert "Rp1.908.000" in page.locator(f'[data-run="{run.pk}"]').inner_text()
    assert page.locator("#locks").count() == 0


def test_the_bill_lists_pages_keep_the_default_month(
    login: Any,
    page: Any,
    live_server: Any,
    make_user: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build_scenario()
    monkeypatch.setattr(views_billing, "BILLS_PER_PAGE", 1)
    make_user(Role.SYSTEM_ADMIN, "admin-halaman-e2e")
    login("admin-halaman-e2e")
    page.goto(f"{live_server.url}/iuran/tagihan/")
    assert "Halaman 1 dari 2" in page.inner_text("main")
    page.click("text=Berikutnya")
    page.wait_for_url("**/iuran/tagihan/?month=2026-06&halaman=2")
    assert "Halaman 2 dari 2" in page.inner_text("main")
    assert page.input_value("#id_month") == "2026-06"
    assert page.locator("#bills tbody tr").count() == 1


def test_runs_page_shows_a_killed_run_interrupted_and_the_months_totals(
    login: Any, page: Any, live_server: Any, make_user: Callable[..., Any]
) -> None:
    build_scenario()
    make_user(Role.SYSTEM_ADMIN, "admin-terhenti-e2e")
    killed = BillingRun.objects.create(
        month=date(2026, 7, 1),
        status=BillingRun.Status.RUNNING,
        holder="operator@host pid 4343",
        reason="penagihan Juli",
        chunks_total=10,
        chunks_done=1,
    )
    BillingChunk.objects.create(
        month=date(2026, 7, 1),
        office=Office.objects.get(code="KC-BALIKPAPAN"),
        run=killed,
        bills=1,
        lines=12,
        amount=1_431_000,
    )
    BillingLock.objects.create(
        month=date(2026, 7, 1),
        run=killed,
        holder=killed.holder,
        reason=killed.reason,
        hostname="other-host",
        pid=4343,
        heartbeat_at=timezone.now() - STALE_AFTER * 2,
    )
    login("admin-terhenti-e2e")
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if "/penagihan/tabel/" in r.url else None)
    page.goto(f"{live_server.url}/iuran/penagihan/")
    row = page.locator(f'[data-run="{killed.pk}"]')
    assert row.get_attribute("data-run-status") == "interrupted"
    assert "terhenti" in row.inner_text() and "Rp1.431.000" in row.inner_text()
    # The months' control totals load once; June: both offices' bills.
    page.wait_for_selector('#month-totals [data-totals-month="2026-06"]')
    june = page.locator('#month-totals [data-totals-month="2026-06"]').inner_text()
    assert "Rp1.908.000" in june
    # Nothing is live: the table is not polled.
    page.wait_for_timeout(4_500)
    assert polls == []
