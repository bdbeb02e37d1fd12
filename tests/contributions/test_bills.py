"""Bills on the web and the API: list with filters, detail, PDF, scoping, audit, query counts; the
billing-run page and endpoints (the run itself is started detached; here the command is only
recorded, see ``runs._spawn``).

The scenario (shared with test_arrears.py): PT Teluk Balikpapan (risk group 2, three PU workers
earning 4, 5 and 6 million: Rp1.431.000 a month) and CV Mahakam Samarinda (one worker earning 5
million: Rp477.000 a month), billed January to June 2026 with ``billing.run_billing``; Balikpapan
pays January and February on time and Rp431.000 of March on 10 April, and the rest of March late
on 25 July; Samarinda pays nothing.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.contributions import billing, ledger, payments, runs
from jaminan.contributions.bills import BillFilters, bills_in_scope
from jaminan.contributions.models import (
    Bill,
    BillingChunk,
    BillingLock,
    BillingRun,
    Fine,
    PayerAccount,
)
from jaminan.geo.models import Office, Regency
from jaminan.registry import services
from jaminan.registry.models import Employer, Membership
from jaminan.web.pdf import render_html
from tests.registry.conftest import make_nik

pytestmark = pytest.mark.django_db

MONTHS = [date(2026, m, 1) for m in range(1, 7)]
BPN_MONTHLY = 1_431_000  # 15,000,000 of wages × 9.54 % (JKK 0.54, JKM 0.3, JHT 5.7, JP 3)
SMD_MONTHLY = 477_000  # 5,000,000 × 9.54 %


@dataclass
class Scenario:
    balikpapan: Employer
    samarinda: Employer
    bpn_workers: list[Membership]
    smd_worker: Membership
    bpn_payer: PayerAccount
    smd_payer: PayerAccount

    def bill(self, payer: PayerAccount, month: date) -> Bill:
        return Bill.objects.get(payer=payer, month=month, kind="monthly")


def _employer(regency_code: str, name: str) -> Employer:
    return services.register_employer(
        name=name,
        legal_form="PT",
        kbli="41011",
        size_class="medium",
        risk_group=2,
        regency=Regency.objects.get(code=regency_code),
        registered_on=date(2020, 1, 1),
    )


def _worker(employer: Employer, serial: int, wage: int, name: str) -> Membership:
    return services.register_pu_worker(
        employer=employer,
        person=services.PersonFacts(
            nik=make_nik(date(1990, 1, 1), "L", serial=serial),
            name=name,
            birth_date=date(1990, 1, 1),
            sex="L",
        ),
        wage=wage,
        start_date=date(2025, 12, 1),
        registered_on=date(2025, 12, 1),
    )


def _pay(payer: PayerAccount, reference: str, amount: int, on: date) -> None:
    payments.record_payment(
        payer=payer, reference=reference, amount=amount, paid_on=on, channel="manual"
    )


def build_scenario() -> Scenario:
    bpn = _employer("64.71", "PT Teluk Balikpapan")
    smd = _employer("64.72", "CV Mahakam Samarinda")
    workers = [
        _worker(bpn, 1, 4_000_000, "Andi Saputra"),
        _worker(bpn, 2, 5_000_000, "Budi Santoso"),
        _worker(bpn, 3, 6_000_000, "Citra Lestari"),
    ]
    smd_worker = _worker(smd, 4, 5_000_000, "Dewi Anggraini")
    payment_plan = {
        date(2026, 1, 1): ("BPN-JAN", BPN_MONTHLY, date(2026, 2, 10)),
        date(2026, 2, 1): ("BPN-FEB", BPN_MONTHLY, date(2026, 3, 10)),
        date(2026, 3, 1): ("BPN-MAR-1", 431_000, date(2026, 4, 10)),
    }
    bpn_payer = smd_payer = None
    for month in MONTHS:
        for office in (bpn.office, smd.office):
            billing.run_billing(month=month, office=office, reason="uji", today=month)
        bpn_payer = PayerAccount.objects.get(employer=bpn)
        smd_payer = PayerAccount.objects.get(employer=smd)
        if month in payment_plan:
            reference, amount, on = payment_plan[month]
            _pay(bpn_payer, reference, amount, on)
    assert bpn_payer is not None and smd_payer is not None
    _pay(bpn_payer, "BPN-MAR-2", 1_000_000, date(2026, 7, 25))
    return Scenario(bpn, smd, workers, smd_worker, bpn_payer, smd_payer)


@pytest.fixture
def scenario(reference: None) -> Scenario:
    return build_scenario()


def client_for(make_user: Callable[..., Any], role: Role, username: str, **scope: Any) -> Client:
    client = Client()
    client.force_login(make_user(role, username, **scope))
    return client


# ------------------------------------------------------------------------------------ the scenario


def test_the_scenario_bills_and_payments_are_as_described(scenario: Scenario) -> None:
    s = scenario
    bpn = [s.bill(s.bpn_payer, m) for m in MONTHS]
    smd = [s.bill(s.smd_payer, m) for m in MONTHS]
    assert [b.amount for b in bpn] == [BPN_MONTHLY] * 6
    assert [b.amount for b in smd] == [SMD_MONTHLY] * 6
    assert [b.status for b in bpn] == ["paid", "paid", "paid", "open", "open", "open"]
    assert [b.paid_on for b in bpn[:3]] == [date(2026, 2, 10), date(2026, 3, 10), date(2026, 7, 25)]
    assert {b.status for b in smd} == {"open"}
    # PU due dates: the 15th of the following month, moved to a working day (15 Feb and 15 Mar
    # 2026 are Sundays).
    assert [b.due_date for b in bpn] == [
        date(2026, 2, 16),
        date(2026, 3, 16),
        date(2026, 4, 15),
        date(2026, 5, 15),
        date(2026, 6, 15),
        date(2026, 7, 15),
    ]
    assert ledger.check().ok


# ------------------------------------------------------------------------------------------- lists


def test_bill_list_filters_and_scoping(scenario: Scenario, make_user: Callable[..., Any]) -> None:
    s = scenario
    admin = make_user(Role.SYSTEM_ADMIN, "admin-tagihan")
    assert bills_in_scope(user=admin).count() == 12
    assert bills_in_scope(user=admin, filters=BillFilters(month=date(2026, 3, 1))).count() == 2
    assert bills_in_scope(user=admin, filters=BillFilters(status="paid")).count() == 3
    assert bills_in_scope(user=admin, filters=BillFilters(office="KC-SAMARINDA")).count() == 6
    assert bills_in_scope(user=admin, filters=BillFilters(payer=s.balikpapan.npp)).count() == 6
    assert (
        bills_in_scope(user=admin, filters=BillFilters(payer=s.smd_payer.virtual_account)).count()
        == 6
    )
    assert bills_in_scope(user=admin, filters=BillFilters(segment="BPU")).count() == 0

    employer_user = make_user(Role.EMPLOYER_USER, "pt-teluk", employer_npp=s.balikpapan.npp)
    assert {b.payer_id for b in bills_in_scope(user=employer_user)} == {s.bpn_payer.pk}
    samarinda_officer = make_user(
        Role.BRANCH_OFFICER, "petugas-smd", office=Office.objects.get(code="KC-SAMARINDA")
    )
    assert {b.payer_id for b in bills_in_scope(user=samarinda_officer)} == {s.smd_payer.pk}
    analyst = make_user(Role.REGIONAL_ANALYST, "analis")
    assert bills_in_scope(user=analyst).count() == 0


def test_bill_list_page(
    scenario: Scenario, make_user: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    client = client_for(make_user, Role.SYSTEM_ADMIN, "admin-halaman")
    with django_assert_max_num_queries(9):
        response = client.get(reverse("contributions:bills"))
    assert response.status_code == 200
    html = response.content.decode()
    # Opened without a query, staff see the latest billed month: June's two bills.
    assert html.count("data-bill=") == 2 and "2 tagihan" in html
    june = {scenario.bill(p, date(2026, 6, 1)).pk for p in (scenario.bpn_payer, scenario.smd_payer)}
    assert {int(pk) for pk in re.findall(r'data-bill="(\d+)"', html)} == june
    assert 'value="2026-06"' in html and 'id="default-month"' in html and "(06/2026)" in html
    # The month emptied and submitted: every month.
    response = client.get(reverse("contributions:bills"), {"month": "", "status": ""})
    html = response.content.decode()
    assert 'id="default-month"' not in html
    assert html.count("data-bill=") == 12
    assert "12 tagihan" in html
    assert "Rp1.431.000" in html and "Rp477.000" in html
    assert "16 Februari 2026" in html
    assert scenario.bpn_payer.virtual_account in html
    # Filtered: March of Balikpapan, by NPP.
    response = client.get(
        reverse("contributions:bills"), {"month": "2026-03", "payer": scenario.balikpapan.npp}
    )
    html = response.content.decode()
    assert html.count("data-bill=") == 1
    march = scenario.bill(scenario.bpn_payer, date(2026, 3, 1))
    assert f'data-bill="{march.pk}"' in html
    assert 'data-status="paid"' in html
    # A bad month is a form error, not a crash; the list is unfiltered.
    response = client.get(reverse("contributions:bills"), {"month": "2026-13"})
    assert response.status_code == 200
    assert "TTTT-BB" in response.content.decode()
    # Listing is audited.
    assert AuditEvent.objects.filter(action="view", object_type="contributions.Bill").exists()


def test_bill_list_query_count_does_not_grow_with_bills(
    scenario: Scenario, make_user: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    client = client_for(make_user, Role.SYSTEM_ADMIN, "admin-kueri")
    for month in (date(2026, 7, 1), date(2026, 8, 1)):
        billing.run_billing(month=month, reason="uji", today=month)
    assert Bill.objects.count() == 16
    with django_assert_max_num_queries(8):
        response = client.get(reverse("contributions:bills"), {"month": ""})
    assert response.content.decode().count("data-bill=") == 16


# ------------------------------------------------------------------------------------------ detail


def test_a_bill_says_which_late_bill_each_of_its_fines_is_for(
    scenario: Scenario, make_user: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    """March was paid in full on 25 July, months after its due date: July's bill carries the
    fine, and its page and PDF say it is for March's bill, how late, and on what."""
    s = scenario
    july = date(2026, 7, 1)
    billing.run_billing(month=july, office=s.balikpapan.office, reason="uji", today=july)
    march, july_bill = s.bill(s.bpn_payer, date(2026, 3, 1)), s.bill(s.bpn_payer, july)
    (fine,) = Fine.objects.filter(bill=march)
    assert fine.billed_line is not None and fine.billed_line.bill_id == july_bill.pk
    client = client_for(
        make_user, Role.EMPLOYER_USER, "pt-teluk-denda", employer_npp=s.balikpapan.npp
    )
    with django_assert_max_num_queries(13):
        html = client.get(reverse("contributions:bill", args=[july_bill.pk])).content.decode()
    row = re.search(
        rf'<tr data-fine="{fine.pk}" data-late-bill="{march.pk}">(.*?)</tr>', html, re.S
    )
    assert row is not None
    text = " ".join(re.sub(r"<[^>]+>", " ", row.group(1)).split())
    # Rp1.000.000 of March was still open (Rp431.000 paid on 10 April), paid 25 July: four months
    # late at 2 % a month.
    assert text == f"Tagihan {march.number} (03/2026): terlambat 4 bulan atas Rp1.000.000 Rp80.000"
    assert (fine.months_late, fine.amount_due, fine.amount) == (4, 1_000_000, 80_000)
    assert client.get(reverse("contributions:bill_pdf", args=[july_bill.pk]))["Content-Type"] == (
        "application/pdf"
    )
    # A bill without fines has no such table, and no query for it.
    assert (
        'id="fines"'
        not in client.get(reverse("contributions:bill", args=[march.pk])).content.decode()
    )


def test_bill_detail_page(
    scenario: Scenario, make_user: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    s = scenario
    client = client_for(make_user, Role.BRANCH_OFFICER, "petugas-bpn")  # KC-BALIKPAPAN
    bill = s.bill(s.bpn_payer, date(2026, 3, 1))
    with django_assert_max_num_queries(12):  # constant: not per line or per worker
        response = client.get(reverse("contributions:bill", args=[bill.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert bill.number in html and bill.number == f"202603-B{bill.pk:09d}"
    assert s.bpn_payer.virtual_account in html
    assert "15 April 2026" in html
    # Totals per program: JKK 0.54 %, JKM 0.30 %, JHT 3.7 % + 2 %, JP 2 % + 1 % of Rp15.000.000.
    totals = dict(
        re.findall(
            r'data-program-total="(\w+)"><th colspan="4">[^<]*</th><th class="text-end">([^<]+)<',
            html,
        )
    )
    assert totals == {
        "JKK": "Rp81.000",
        "JKM": "Rp45.000",
        "JHT": "Rp855.000",
        "JP": "Rp450.000",
    }
    assert 'id="lines-total">Rp1.431.000<' in html
    assert 'id="member-count">(3)' in html
    assert html.count("data-membership=") == 3
    assert "Citra Lestari" in html and "Rp6.000.000" in html
    assert AuditEvent.objects.filter(action="view", object_id=str(bill.pk)).count() == 1


def test_member_lines_are_paginated(scenario: Scenario, make_user: Callable[..., Any]) -> None:
    from jaminan.contributions import bills

    s = scenario
    admin = make_user(Role.SYSTEM_ADMIN, "admin-halaman-baris")
    bill = s.bill(s.bpn_payer, date(2026, 1, 1))
    detail = bills.bill_detail(user=admin, bill_id=bill.pk, offset=2, limit=2)
    assert detail.members == 3
    assert [r.name for r in detail.member_rows] == ["Citra Lestari"]
    row = detail.member_rows[0]
    assert row.by_program == {"JKK": 32_400, "JKM": 18_000, "JHT": 342_000, "JP": 180_000}
    assert row.total == 572_400 and row.base == 6_000_000
    assert detail.programs == ["JKK", "JKM", "JHT", "JP"]
    assert row.cells == [32_400, 18_000, 342_000, 180_000]


def test_bill_outside_scope_is_404(scenario: Scenario, make_user: Callable[..., Any]) -> None:
    s = scenario
    bpn_bill = s.bill(s.bpn_payer, date(2026, 1, 1))
    smd_bill = s.bill(s.smd_payer, date(2026, 1, 1))
    officer = client_for(
        make_user,
        Role.BRANCH_OFFICER,
        "petugas-smd",
        office=Office.objects.get(code="KC-SAMARINDA"),
    )
    assert officer.get(reverse("contributions:bill", args=[bpn_bill.pk])).status_code == 404
    assert officer.get(reverse("contributions:bill_pdf", args=[bpn_bill.pk])).status_code == 404
    assert officer.get(reverse("contributions:bill", args=[smd_bill.pk])).status_code == 200
    employer = client_for(
        make_user, Role.EMPLOYER_USER, "pt-teluk-web", employer_npp=s.balikpapan.npp
    )
    assert employer.get(reverse("contributions:bill", args=[bpn_bill.pk])).status_code == 200
    assert employer.get(reverse("contributions:bill", args=[smd_bill.pk])).status_code == 404
    html = employer.get(reverse("contributions:bills")).content.decode()
    assert html.count("data-bill=") == 6 and "Mahakam" not in html
    assert employer.get(reverse("contributions:bill", args=[10**12])).status_code == 404
    analyst = client_for(make_user, Role.REGIONAL_ANALYST, "analis-web")
    assert analyst.get(reverse("contributions:bills")).status_code == 403


# --------------------------------------------------------------------------------------------- PDF


def test_bill_pdf(scenario: Scenario, make_user: Callable[..., Any]) -> None:
    s = scenario
    bill = s.bill(s.smd_payer, date(2026, 5, 1))
    client = client_for(make_user, Role.EMPLOYER_USER, "cv-mahakam", employer_npp=s.samarinda.npp)
    response = client.get(reverse("contributions:bill_pdf", args=[bill.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 5_000
    event = AuditEvent.objects.get(action="export", object_id=str(bill.pk))
    assert event.changes["format"] == "pdf" and event.actor_label == "cv-mahakam"

    # The text of the PDF is the HTML it was laid out from (pypdf is not a dependency).
    from jaminan.contributions import bills
    from jaminan.contributions.views_billing import PDF_MEMBER_ROWS

    admin = make_user(Role.SYSTEM_ADMIN, "admin-pdf")
    detail = bills.bill_detail(user=admin, bill_id=bill.pk, limit=PDF_MEMBER_ROWS)
    html = render_html(
        "contributions/billing/bill_pdf.html",
        {"detail": detail, "bill": detail.bill, "printed_on": date(2026, 6, 2)},
    )
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "TAGIHAN IURAN" in text
    assert bill.number in text
    assert s.smd_payer.virtual_account in text
    assert "Mei 2026" in text
    assert "Jatuh tempo 15 Juni 2026" in text
    assert "JUMLAH TAGIHAN Rp477.000" in text
    assert "Jumlah JHT Rp285.000" in text and "Jumlah JP Rp150.000" in text
    assert "Dewi Anggraini" in text and "Dicetak 2 Juni 2026" in text


def test_pdf_lists_the_first_rows_and_counts_the_rest(
    scenario: Scenario, make_user: Callable[..., Any]
) -> None:
    from jaminan.contributions import bills

    s = scenario
    admin = make_user(Role.SYSTEM_ADMIN, "admin-pdf-baris")
    detail = bills.bill_detail(
        user=admin, bill_id=s.bill(s.bpn_payer, date(2026, 1, 1)).pk, limit=2
    )
    html = render_html(
        "contributions/billing/bill_pdf.html",
        {"detail": detail, "bill": detail.bill, "printed_on": date(2026, 1, 31)},
    )
    assert "dan 1 kepesertaan lainnya" in html
    assert "Andi Saputra" in html and "Citra Lestari" not in html


def test_render_pdf_refuses_the_network_and_local_files(
    settings: Any, tmp_path: Any, caplog: Any
) -> None:
    from jaminan.web import pdf

    template_dir = tmp_path / "templates"
    template_dir.mkdir()
    (template_dir / "probe.html").write_text(
        '{% load static jaminan %}<link rel="stylesheet" href="{% static "web/app.css" %}">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css"><img src="file:///etc/hostname">'
        "<p>{{ amount|rupiah }}</p>"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [str(template_dir), *settings.TEMPLATES[0]["DIRS"]]}
    ]
    fetched: list[str] = []
    fetcher_class = pdf._fetcher_class()
    original = fetcher_class.fetch

    def spy(self: Any, url: str, headers: Any = None) -> Any:
        fetched.append(url)
        return original(self, url, headers)

    fetcher_class.fetch = spy
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(pdf, "_fetcher_class", lambda: fetcher_class)
            out = pdf.render_pdf("probe.html", {"amount": 1_786_176_000})
    finally:
        fetcher_class.fetch = original
    assert out.startswith(b"%PDF-")
    assert "https://jaminan.invalid/static/web/app.css" in fetched
    assert "Rp1.786.176.000" in pdf.render_html("probe.html", {"amount": 1_786_176_000})
    with pytest.raises(pdf.PdfResourceRefused):
        fetcher_class().fetch("http://127.0.0.1:9/x.css")
    with pytest.raises(pdf.PdfResourceRefused):
        fetcher_class().fetch("file:///etc/hostname")
    with pytest.raises(pdf.PdfResourceRefused):
        fetcher_class().fetch("https://jaminan.invalid/static/../settings.py")
    served = fetcher_class().fetch("https://jaminan.invalid/static/web/app.css")
    assert served.read().strip() and served.content_type == "text/css"


# --------------------------------------------------------------------------------------------- API


def test_bills_api(
    scenario: Scenario, make_user: Callable[..., Any], token_for: Callable[[Any], str]
) -> None:
    s = scenario
    client = Client()
    employer_user = make_user(Role.EMPLOYER_USER, "pt-teluk-api", employer_npp=s.balikpapan.npp)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(employer_user)}"}
    body = client.get("/api/v1/bills", {"status": "open"}, **headers).json()
    assert body["count"] == 3
    assert [b["month"] for b in body["items"]] == ["2026-06-01", "2026-05-01", "2026-04-01"]
    first = body["items"][0]
    assert first["amount"] == BPN_MONTHLY and first["outstanding"] == BPN_MONTHLY
    assert first["payer"] == {
        "kind": "employer",
        "name": "PT Teluk Balikpapan",
        "virtual_account": s.bpn_payer.virtual_account,
        "npp": s.balikpapan.npp,
        "kpj_number": None,
        "sponsor_code": None,
    }
    assert first["due_date"] == "2026-07-15" and first["office"] == "KC-BALIKPAPAN"

    march = s.bill(s.bpn_payer, date(2026, 3, 1))
    detail = client.get(f"/api/v1/bills/{march.pk}", {"limit": 2}, **headers).json()
    assert detail["number"] == march.number
    assert detail["status"] == "paid" and detail["paid_on"] == "2026-07-25"
    assert detail["program_sums"] == {"JKK": 81_000, "JKM": 45_000, "JHT": 855_000, "JP": 450_000}
    assert detail["memberships"] == 3 and len(detail["member_lines"]) == 2
    assert {
        (t["program"], t["side"]): t["amount"] for t in detail["totals"] if t["program"] == "JHT"
    } == {("JHT", "employer"): 555_000, ("JHT", "worker"): 300_000}

    pdf = client.get(f"/api/v1/bills/{march.pk}/pdf", **headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    smd_bill = s.bill(s.smd_payer, date(2026, 3, 1))
    missing = client.get(f"/api/v1/bills/{smd_bill.pk}", **headers)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert client.get(f"/api/v1/bills/{smd_bill.pk}/pdf", **headers).status_code == 404
    bad = client.get("/api/v1/bills", {"month": "2026-13"}, **headers)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"


# -------------------------------------------------------------------------------------------- runs


def test_runs_page_shows_runs_locks_and_progress(
    scenario: Scenario, make_user: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    client = client_for(make_user, Role.BRANCH_OFFICER, "petugas-runs")
    run = BillingRun.objects.create(
        month=date(2026, 7, 1),
        status=BillingRun.Status.RUNNING,
        holder="operator@host pid 1",
        reason="penagihan Juli",
        chunks_total=10,
        chunks_done=4,
    )
    BillingLock.objects.create(
        month=date(2026, 7, 1),
        run=run,
        holder=run.holder,
        reason=run.reason,
        hostname="other-host",
        pid=1,
        heartbeat_at=timezone.now(),
    )
    with django_assert_max_num_queries(8):
        response = client.get(reverse("contributions:runs"))
    html = response.content.decode()
    # The officer of KC-BALIKPAPAN sees the runs of its office (six) and the all-office run whose
    # chunks it cannot see yet is hidden; the lock is visible to everyone.
    assert html.count('data-run-status="completed"') == 6
    assert 'data-lock-month="2026-07"' in html
    assert "operator@host pid 1" in html and "penagihan Juli" in html
    assert 'id="run-form"' in html
    table = client.get(reverse("contributions:runs_table")).content.decode()
    assert "data-running" in table and "<html" not in table


def test_start_a_run_from_the_page(scenario: Scenario, make_user: Callable[..., Any]) -> None:
    client = client_for(make_user, Role.BRANCH_OFFICER, "petugas-mulai")
    before = len(runs.outbox)
    response = client.post(
        reverse("contributions:runs"),
        {"month": "2026-07", "office": "KC-BALIKPAPAN", "reason": "penagihan Juli"},
    )
    assert response.status_code == 302
    assert runs.outbox[before:] == [
        [
            runs.sys.executable,
            "-m",
            "jaminan",
            "billing",
            "run",
            "--month",
            "2026-07",
            "--office",
            "KC-BALIKPAPAN",
            "--reason",
            "penagihan Juli",
            "--quiet",
        ]
    ]
    event = AuditEvent.objects.filter(object_type="contributions.BillingRun").latest("id")
    assert event.actor_label == "petugas-mulai" and event.changes["month"] == "2026-07"
    # A branch officer cannot bill another office; the month must be given and not too far ahead.
    response = client.post(
        reverse("contributions:runs"),
        {"month": "2026-07", "office": "KC-SAMARINDA", "reason": "x"},
    )
    assert response.status_code == 200 and len(runs.outbox) == before + 1
    response = client.post(
        reverse("contributions:runs"),
        {"month": "2099-01", "office": "KC-BALIKPAPAN", "reason": "x"},
    )
    assert "belum dapat ditagih" in response.content.decode()
    # A held lock refuses a second start of the month.
    run = BillingRun.objects.create(
        month=date(2026, 7, 1), status="running", holder="lain", reason="r", chunks_total=1
    )
    BillingLock.objects.create(
        month=date(2026, 7, 1),
        run=run,
        holder="lain@host",
        reason="sedang jalan",
        hostname="other-host",
        pid=1,
        heartbeat_at=timezone.now(),
    )
    response = client.post(
        reverse("contributions:runs"),
        {"month": "2026-07", "office": "KC-BALIKPAPAN", "reason": "lagi"},
    )
    assert "sedang dijalankan oleh lain@host" in response.content.decode()
    assert len(runs.outbox) == before + 1
    # Employers do not see the page.
    employer = client_for(make_user, Role.EMPLOYER_USER, "pt-runs", employer_npp="00000000")
    assert employer.get(reverse("contributions:runs")).status_code == 403


def test_runs_api(
    scenario: Scenario, make_user: Callable[..., Any], token_for: Callable[[Any], str]
) -> None:
    client = Client()
    admin = make_user(Role.SYSTEM_ADMIN, "admin-runs-api")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(admin)}"}
    listed = client.get("/api/v1/billing/runs", {"limit": 5}, **headers).json()
    assert listed["count"] == 12 and len(listed["items"]) == 5
    assert client.get("/api/v1/billing/locks", **headers).json() == []
    first = listed["items"][0]
    assert first["status"] == "completed" and first["month"] == "2026-06-01"
    run = client.get(f"/api/v1/billing/runs/{first['id']}", **headers).json()
    assert run["bills"] == 1 and run["chunks_done"] == run["chunks_total"] == 1
    assert run["amount"] in (BPN_MONTHLY, SMD_MONTHLY)
    assert client.get("/api/v1/billing/runs/999999", **headers).status_code == 404

    totals = client.get("/api/v1/billing/totals", {"month": "2026-03"}, **headers).json()
    assert totals == {"bills": 2, "lines": 24, "amount": BPN_MONTHLY + SMD_MONTHLY}

    before = len(runs.outbox)
    started = client.post(
        "/api/v1/billing/runs",
        data=json.dumps({"month": "2026-07", "reason": "penagihan Juli"}),
        content_type="application/json",
        **headers,
    )
    assert started.status_code == 202
    assert started.json() == {
        "month": "2026-07",
        "office": None,
        "reason": "penagihan Juli",
        "pid": 0,
        "run": None,
    }
    assert runs.outbox[before:][0][-5:] == [
        "--month",
        "2026-07",
        "--reason",
        "penagihan Juli",
        "--quiet",
    ]
    held = BillingRun.objects.create(
        month=date(2026, 7, 1), status="running", holder="lain@host", reason="r", chunks_total=1
    )
    BillingLock.objects.create(
        month=date(2026, 7, 1),
        run=held,
        holder="lain@host",
        reason="sedang jalan",
        hostname="other-host",
        pid=1,
        heartbeat_at=timezone.now(),
    )
    locks = client.get("/api/v1/billing/locks", **headers).json()
    assert [(x["month"], x["run_id"], x["holder"], x["stale"]) for x in locks] == [
        ("2026-07-01", held.pk, "lain@host", False)
    ]
    locked = client.post(
        "/api/v1/billing/runs",
        data=json.dumps({"month": "2026-07", "reason": "lagi"}),
        content_type="application/json",
        **headers,
    )
    assert locked.status_code == 409 and locked.json()["code"] == "billing_locked"
    assert len(runs.outbox) == before + 1
    unknown = client.post(
        "/api/v1/billing/runs",
        data=json.dumps({"month": "2026-07", "office": "KC-ENTAH", "reason": "x"}),
        content_type="application/json",
        **headers,
    )
    assert unknown.status_code == 422 and unknown.json()["field"] == "office"

    employer_user = make_user(Role.EMPLOYER_USER, "pt-api-runs", employer_npp="00000000")
    other = {"HTTP_AUTHORIZATION": f"Bearer {token_for(employer_user)}"}
    refused = client.post(
        "/api/v1/billing/runs",
        data=json.dumps({"month": "2026-07", "reason": "x"}),
        content_type="application/json",
        **other,
    )
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


# ------------------------------------------------------------------------------ audit of the screens


def test_bill_list_pages_keep_the_default_month(
    scenario: Scenario, make_user: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from jaminan.contributions import views_billing

    monkeypatch.setattr(views_billing, "BILLS_PER_PAGE", 1)
    client = client_for(make_user, Role.SYSTEM_ADMIN, "admin-berhalaman")
    june = {scenario.bill(p, date(2026, 6, 1)).pk for p in (scenario.bpn_payer, scenario.smd_payer)}
    html = client.get(reverse("contributions:bills")).content.decode()
    assert "Halaman 1 dari 2" in html
    # The next page's link carries the defaulted month, and that page is June's second bill.
    link = re.search(r'href="\?([^"]*halaman=2)"', html)
    assert link is not None and "month=2026-06" in link[1]
    html = client.get(f"{reverse('contributions:bills')}?{link[1].replace('&amp;', '&')}")
    page_two = html.content.decode()
    assert "Halaman 2 dari 2" in page_two and 'value="2026-06"' in page_two
    shown = {int(pk) for pk in re.findall(r'data-bill="(\d+)"', page_two)}
    assert len(shown) == 1 and shown < june
    # The page number alone names no filter: still the default month.
    html = client.get(reverse("contributions:bills"), {"halaman": "2"}).content.decode()
    assert "Halaman 2 dari 2" in html and 'value="2026-06"' in html
    # An explicit empty month is every month, on every page.
    html = client.get(reverse("contributions:bills"), {"month": "", "halaman": "2"})
    every = html.content.decode()
    assert "Halaman 2 dari 12" in every and 'id="default-month"' not in every
    link = re.search(r'href="\?([^"]*halaman=3)"', every)
    assert link is not None and "month=&" in link[1].replace("&amp;", "&")


def test_the_first_billable_month_is_the_first_month_of_the_pu_rates() -> None:
    from jaminan.contributions import bills
    from jaminan.rules import parameters

    starts = {
        parameters.series(name).values[0].start
        for name in parameters.names()
        if name.startswith(("pu.jkk_rate.", "pu.jkm_rate", "pu.jht_rate.", "pu.jp_rate."))
    }
    assert starts == {date(2015, 7, 1)}
    assert bills.first_billable_month() == date(2015, 7, 1)
    assert bills.parse_month("2015-07") == date(2015, 7, 1)
    for text, code in (
        ("2015-06", "month_before_rules"),
        ("1995-01", "month_before_rules"),
        ("26-11", "invalid_month"),
        ("0026-11", "month_before_rules"),
        ("+202-11", "invalid_month"),
        ("2026-13", "invalid_month"),
    ):
        with pytest.raises(bills.InvalidFilter) as info:
            bills.parse_month(text)
        assert info.value.code == code and info.value.field == "month", text
    assert "2015-07" in bills.before_rules_message()


def test_billing_command_month_has_the_pages_bounds(reference: None) -> None:
    from jaminan.rules.core import add_months, month_start

    too_late = add_months(month_start(timezone.localdate()), runs.MONTHS_AHEAD + 1)
    for value, message in (
        (f"{too_late:%Y-%m}", "belum dapat ditagih"),
        ("2031-05", "belum dapat ditagih"),
        ("26-11", "TTTT-BB"),
        ("1990-01", "2015-07"),
        ("2015-06", "2015-07"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command("billing", "run", "--month", value, "--quiet")
    assert not BillingRun.objects.exists() and not Bill.objects.exists()
    with pytest.raises(CommandError, match="2015-07"):
        call_command("billing", "totals", "--month", "1990-01")
    # Totals of a month not billed yet are zeros, not a refusal.
    out = io.StringIO()
    call_command("billing", "totals", "--month", f"{too_late:%Y-%m}", stdout=out)
    assert out.getvalue().strip() == f"{too_late:%Y-%m}: 0 tagihan, 0 baris, Rp0"


def test_months_before_the_rules_are_refused_by_the_api_and_the_page(
    reference: None, make_user: Callable[..., Any], token_for: Callable[[Any], str]
) -> None:
    admin = make_user(Role.SYSTEM_ADMIN, "admin-bulan-awal")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(admin)}"}
    client = Client()
    before = len(runs.outbox)
    for month in ("1995-01", "2015-06", "1990-01"):
        refused = client.post(
            "/api/v1/billing/runs",
            data=json.dumps({"month": month, "reason": "uji"}),
            content_type="application/json",
            **headers,
        )
        assert refused.status_code == 422, month
        assert refused.json()["field"] == "month", month
    assert refused.json()["code"] == "month_before_rules" and "2015-07" in refused.json()["message"]
    assert len(runs.outbox) == before
    started = client.post(
        "/api/v1/billing/runs",
        data=json.dumps({"month": "2015-07", "reason": "uji"}),
        content_type="application/json",
        **headers,
    )
    assert started.status_code == 202 and len(runs.outbox) == before + 1
    for path, params in (
        ("/api/v1/billing/totals", {"month": "1995-01"}),
        ("/api/v1/bills", {"month": "2015-06"}),
    ):
        answer = client.get(path, params, **headers)
        assert answer.status_code == 422 and answer.json()["field"] == "month", path
    with pytest.raises(runs.RunRefused) as info:
        runs.start_billing_run(month=date(2015, 6, 1), office=None, reason="uji", actor=admin)
    assert info.value.code == "month_before_rules"

    web = Client()
    web.force_login(admin)
    html = web.post(
        reverse("contributions:runs"), {"month": "1995-01", "office": "", "reason": "uji"}
    ).content.decode()
    assert 'id="error-month"' in html and "2015-07" in html
    assert len(runs.outbox) == before + 1
    html = web.get(reverse("contributions:bills"), {"month": "2015-06"}).content.decode()
    assert "2015-07" in html and 'min="2015-07"' in html


def _killed_run(month: date, *, lock_age: timedelta | None) -> BillingRun:
    """A run recorded as running, two offices committed; its lock ``lock_age`` old (None: no lock)."""
    run = BillingRun.objects.create(
        month=month,
        status=BillingRun.Status.RUNNING,
        holder="operator@host pid 7",
        reason="penagihan",
        chunks_total=5,
        chunks_done=2,
    )
    for code, n in (("KC-BALIKPAPAN", 3), ("KC-SAMARINDA", 4)):
        BillingChunk.objects.create(
            month=month,
            office=Office.objects.get(code=code),
            run=run,
            bills=n,
            lines=n * 10,
            amount=n * 1_000_000,
        )
    if lock_age is not None:
        BillingLock.objects.create(
            month=month,
            run=run,
            holder=run.holder,
            reason=run.reason,
            hostname="other-host",
            pid=7,
            heartbeat_at=timezone.now() - lock_age,
        )
    return run


def test_a_killed_run_is_shown_interrupted_with_its_committed_offices(
    reference: None,
    make_user: Callable[..., Any],
    token_for: Callable[[Any], str],
    django_assert_max_num_queries: Any,
) -> None:
    stale = _killed_run(date(2026, 7, 1), lock_age=billing.STALE_AFTER + timedelta(minutes=1))
    unlocked = _killed_run(date(2026, 8, 1), lock_age=None)
    client = client_for(make_user, Role.SYSTEM_ADMIN, "admin-terhenti")
    with django_assert_max_num_queries(8):
        table = client.get(reverse("contributions:runs_table")).content.decode()
    for run in (stale, unlocked):
        row = re.search(rf'<tr data-run="{run.pk}"[^>]*>(.*?)</tr>', table, re.S)
        assert row is not None
        assert 'data-run-status="interrupted"' in row[0] and "data-running" not in row[0]
        assert "terhenti" in row[1] and "berjalan" not in row[1]
        # The committed offices' totals: 3 + 4 bills, 70 lines, Rp7.000.000.
        assert ">7<" in row[1] and ">70<" in row[1] and "Rp7.000.000" in row[1]
    # Nothing is live: the table is not polled (its answer replaces the element, without trigger).
    assert "data-running" not in table and "hx-trigger" not in table
    page = client.get(reverse("contributions:runs")).content.decode()
    assert 'id="runs-table"' in page and 'hx-trigger="every 2s"' not in page
    assert BillingRun.objects.get(pk=stale.pk).status == BillingRun.Status.RUNNING  # read only

    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(make_user(Role.SYSTEM_ADMIN))}"}
    listed = Client().get("/api/v1/billing/runs", **headers).json()["items"]
    assert [(r["id"], r["status"], r["bills"], r["lines"], r["amount"]) for r in listed] == [
        (unlocked.pk, "interrupted", 7, 70, 7_000_000),
        (stale.pk, "interrupted", 7, 70, 7_000_000),
    ]
    one = Client().get(f"/api/v1/billing/runs/{stale.pk}", **headers).json()
    assert one["status"] == "interrupted" and one["bills"] == 7

    # A live lock (fresh heartbeat, another host): running, polled, committed offices counted.
    BillingLock.objects.filter(run=stale).update(heartbeat_at=timezone.now())
    table = client.get(reverse("contributions:runs_table")).content.decode()
    row = re.search(rf'<tr data-run="{stale.pk}"[^>]*>', table)
    assert row is not None and 'data-run-status="running"' in row[0] and "data-running" in row[0]
    assert 'hx-trigger="every 2s" hx-swap="outerHTML"' in table
    one = Client().get(f"/api/v1/billing/runs/{stale.pk}", **headers).json()
    assert one["status"] == "running" and one["amount"] == 7_000_000


def test_runs_of_many_months_are_shown_with_a_bounded_number_of_queries(
    reference: None, make_user: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    for n in range(1, 7):
        _killed_run(date(2026, n, 1), lock_age=billing.STALE_AFTER * 2 if n % 2 else None)
    client = client_for(make_user, Role.SYSTEM_ADMIN, "admin-banyak")
    with django_assert_max_num_queries(8):
        table = client.get(reverse("contributions:runs_table")).content.decode()
    assert table.count('data-run-status="interrupted"') == 6


def test_an_unknown_office_is_refused_by_the_bills_api_and_the_filter(
    scenario: Scenario, make_user: Callable[..., Any], token_for: Callable[[Any], str]
) -> None:
    admin = make_user(Role.SYSTEM_ADMIN, "admin-kantor")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(admin)}"}
    client = Client()
    unknown = client.get("/api/v1/bills", {"office": "KC-XXX"}, **headers)
    assert unknown.status_code == 422
    assert unknown.json() == {
        "code": "invalid_office",
        "message": "Kode kantor tidak dikenal: KC-XXX",
        "field": "office",
    }
    arrears = client.get("/api/v1/arrears", {"office": "KC-XXX"}, **headers)
    assert arrears.status_code == 422 and arrears.json() == unknown.json()
    known = client.get("/api/v1/bills", {"office": "KC-SAMARINDA"}, **headers).json()
    assert known["count"] == 6
    web = Client()
    web.force_login(admin)
    html = web.get(reverse("contributions:bills"), {"office": "KC-XXX"}).content.decode()
    assert re.search(
        r'id="id_office".*?</select>\s*<div class="invalid-feedback d-block">'
        r"Kode kantor tidak dikenal: KC-XXX</div>",
        html,
        re.S,
    )


def test_billing_totals_text_separates_items_and_thousands(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = io.StringIO()
    call_command("billing", "totals", "--month", "2026-03", stdout=out)
    assert out.getvalue().strip() == "2026-03: 2 tagihan, 24 baris, Rp1.908.000"
    from jaminan.contributions.management.commands import billing as command

    monkeypatch.setattr(
        command,
        "billing_totals",
        lambda month: {"bills": 1_414, "lines": 6_872, "amount": 439_199_157},
    )
    out = io.StringIO()
    with translation.override("en"):
        call_command("billing", "totals", "--month", "2026-11", stdout=out)
    assert out.getvalue().strip() == "2026-11: 1.414 tagihan, 6.872 baris, Rp439.199.157"


@pytest.mark.parametrize("role", list(Role))
def test_the_contributions_menu_links_only_pages_the_role_may_open(
    role: Role, reference: None, make_user: Callable[..., Any]
) -> None:
    from django.test import RequestFactory

    from jaminan.web.context_processors import navigation

    user = make_user(role, f"menu-{role.value}")
    request = RequestFactory().get("/")
    request.user = user
    menu = next(i for i in navigation(request)["nav_items"] if i.name == "iuran")
    client = Client()
    client.force_login(user)
    for link in menu.children:
        assert client.get(link.url).status_code != 403, (role, link.url)
    names = {link.name for link in menu.children}
    if role == Role.REGIONAL_ANALYST:
        assert names >= {"arrears", "runs"} and not names & {"bills", "payments"}


def test_a_bill_page_past_the_last_shows_the_last_page(
    scenario: Scenario,
    make_user: Callable[..., Any],
    token_for: Callable[[Any], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from jaminan.contributions import views_billing

    monkeypatch.setattr(views_billing, "MEMBERS_PER_PAGE", 2)
    s = scenario
    bill = s.bill(s.bpn_payer, date(2026, 1, 1))
    client = client_for(make_user, Role.SYSTEM_ADMIN, "admin-lewat")
    html = client.get(reverse("contributions:bill", args=[bill.pk]), {"halaman": "5"})
    page = html.content.decode()
    assert "tidak memuat baris per kepesertaan" not in page
    assert "Halaman 2 dari 2" in page and page.count("data-membership=") == 1
    assert "Citra Lestari" in page and '<td class="text-muted small">3</td>' in page
    assert 'href="?halaman=1"' in page
    # The API answers the page it is asked for: past the end, no lines.
    token = token_for(make_user(Role.SYSTEM_ADMIN))
    detail = (
        Client()
        .get(
            f"/api/v1/bills/{bill.pk}",
            {"offset": 10, "limit": 2},
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        .json()
    )
    assert detail["memberships"] == 3 and detail["member_lines"] == []
    assert detail["member_offset"] == 10


def test_the_runs_page_shows_the_months_control_totals(
    scenario: Scenario,
    make_user: Callable[..., Any],
    django_assert_max_num_queries: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from jaminan.contributions import bills

    client = client_for(make_user, Role.SYSTEM_ADMIN, "admin-total")
    page = client.get(reverse("contributions:runs")).content.decode()
    assert f'hx-get="{reverse("contributions:runs_totals")}"' in page
    with django_assert_max_num_queries(4 + 3 * 6):
        html = client.get(reverse("contributions:runs_totals")).content.decode()
    rows = re.findall(
        r'data-totals-month="([0-9-]+)"><td>[^<]*</td><td class="text-end">([^<]*)</td>'
        r'<td class="text-end">([^<]*)</td><td class="text-end">([^<]*)</td>',
        html,
    )
    assert [r[0] for r in rows] == [f"2026-{m:02d}" for m in range(6, 0, -1)]
    for month, n, lines, amount in rows:
        totals = billing.billing_totals(date.fromisoformat(f"{month}-01"))
        assert (n, lines, amount) == (
            str(totals["bills"]),
            str(totals["lines"]),
            f"Rp{totals['amount']:,}".replace(",", "."),
        )
    assert rows[0][1:] == ("2", "24", "Rp1.908.000")
    # At most TOTALS_MONTHS months: the queries do not grow with the months listed.
    monkeypatch.setattr(bills, "TOTALS_MONTHS", 2)
    with django_assert_max_num_queries(4 + 3 * 2):
        html = client.get(reverse("contributions:runs_totals")).content.decode()
    assert re.findall(r'data-totals-month="([0-9-]+)"', html) == ["2026-06", "2026-05"]
    analyst = client_for(make_user, Role.REGIONAL_ANALYST, "analis-total")
    assert analyst.get(reverse("contributions:runs_totals")).status_code == 200
    employer = client_for(make_user, Role.EMPLOYER_USER, "pt-total", employer_npp="00000000")
    assert employer.get(reverse("contributions:runs_totals")).status_code == 403
