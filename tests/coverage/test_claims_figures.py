"""Claims in the coverage snapshots and the regional report: claims paid through the claims services
(a JKM death claim with a scholarship, a JKP claim paid in monthly instalments) are counted per
program in the month of their first payment, with the money paid in each month, by the regency and
segment of the claim's membership; the snapshot equals a direct count over the payments; the report
(JSON, XLSX read back, PDF text, web page) shows them by program with scholarships apart."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from jaminan.accounts.roles import Role
from jaminan.claims import services as claims
from jaminan.claims.models import BenefitPayment, Claim
from jaminan.coverage import reconciliation, report, selectors, services
from jaminan.coverage.models import CoverageSnapshot
from jaminan.coverage.selectors import SYSTEM
from jaminan.geo.models import Regency
from jaminan.registry import services as registry
from jaminan.registry.models import Dependant, Membership
from jaminan.rules.core import add_months
from jaminan.web.pdf import render_html
from tests.claims.conftest import (  # noqa: F401 (fixtures)
    approver,
    balikpapan,
    contribute,
    employer,
    make_worker,
    month_range,
    office,
    officer,
)
from tests.coverage.test_snapshots import direct, snapshot

pytestmark = pytest.mark.django_db

DEATH = date(2025, 1, 15)
JKM_PAID = date(2025, 3, 10)


@dataclass
class Paid:
    jkm: Claim
    jkp: Claim
    child: Dependant
    today: date

    @property
    def months(self) -> list[date]:
        this = services.first_of_month(self.today)
        return [date(2025, 3, 1), this, services.add_months(this, 1)]


@pytest.fixture
def paid(make_worker: Callable[..., Membership], officer: Any, approver: Any) -> Paid:  # noqa: F811
    """JKM: a Balikpapan worker dies on 15 Jan 2025 after 48 paid months; the claim (Rp42.000.000
    paid to the spouse on 10 Mar 2025) and one SD scholarship (Rp1.500.000, paid today). JKP: a
    worker of a Samarinda employer dismissed on 10 Mar 2025, six instalments of Rp3.000.000 from
    today, the first two paid (this month and next)."""
    today = timezone.localdate()
    worker = make_worker(start=date(2021, 1, 1))
    contribute(worker, month_range(date(2021, 1, 1), date(2024, 12, 1)))
    spouse = registry.add_dependant(
        participant=worker.participant,
        name="Sari Santoso",
        relation="spouse",
        birth_date=date(1987, 5, 1),
    )
    child = registry.add_dependant(
        participant=worker.participant,
        name="Adi",
        relation="child",
        birth_date=date(2016, 2, 1),
        school_level="SD",
    )
    jkm = claims.open_claim(
        claim_type="jkm",
        participant=worker.participant,
        event_date=DEATH,
        received_on=date(2025, 1, 20),
        actor=officer,
    )
    for document in jkm.documents.filter(required=True):
        claims.record_document(claim=jkm, kind=document.kind, actor=officer)
    claims.record_heir(claim=jkm, relation="spouse", dependant=spouse, actor=officer)
    claims.verify_documents(claim=jkm, actor=officer)
    jkm = claims.assess_claim(claim=jkm, actor=officer)
    claims.approve_claim(claim=jkm, actor=approver)
    assert sum(p.amount for p in claims.pay_claim(claim=jkm, on=JKM_PAID, actor=officer)) == (
        42_000_000
    )
    grant = claims.grant_scholarship(
        claim=jkm, child=child, level="SD", year=2025, proof_reference="SD 1/2025", actor=officer
    )
    assert grant.amount == 1_500_000

    samarinda_employer = registry.register_employer(
        name="PT Klaim Samarinda",
        legal_form="PT",
        kbli="41011",
        size_class="medium",
        risk_group=2,
        regency=Regency.objects.get(code="64.72"),
        registered_on=date(2020, 1, 1),
    )
    dismissed = make_worker(
        wage=7_500_000, start=date(2023, 7, 1), name="Citra", the_employer=samarinda_employer
    )
    contribute(dismissed, month_range(date(2023, 7, 1), date(2025, 2, 1)))
    registry.end_membership(membership=dismissed, end_date=date(2025, 3, 10), reason="dismissed")
    dismissed.refresh_from_db()
    jkp = claims.open_claim(
        claim_type="jkp",
        participant=dismissed.participant,
        event_date=date(2025, 3, 10),
        received_on=date(2025, 4, 10),
        actor=officer,
    )
    for document in jkp.documents.filter(required=True):
        claims.record_document(claim=jkp, kind=document.kind, actor=officer)
    claims.verify_documents(claim=jkp, actor=officer)
    jkp = claims.assess_claim(claim=jkp, actor=officer)
    assert jkp.status == "approved" and jkp.amount == 18_000_000
    claims.pay_claim(claim=jkp, on=today, actor=officer)
    claims.pay_claim(claim=jkp, on=add_months(today, 1), actor=officer)
    assert BenefitPayment.objects.filter(claim=jkp).count() == 2
    return Paid(jkm=jkm, jkp=jkp, child=child, today=today)


def _claims_rows(month: date) -> dict[tuple[str, str], dict[str, int]]:
    return {
        (row.pop("regency__code"), row.pop("segment")): row
        for row in CoverageSnapshot.objects.filter(month=month)
        .values("regency__code", "segment", *services.CLAIM_FIELDS)
        .order_by()
        if any(row[f] for f in services.CLAIM_FIELDS)
    }


def _figures(**given: int) -> dict[str, int]:
    return {**dict.fromkeys(services.CLAIM_FIELDS, 0), **given}


def test_snapshot_claims_equal_direct_aggregation(paid: Paid) -> None:
    services.refresh(months=paid.months)
    for month in paid.months:
        assert snapshot(month) == direct(month), month
    this, following = paid.months[1], paid.months[2]
    # JKM: one claim, Rp42.000.000, in the month of its payment, Balikpapan (the employer's), PU.
    assert _claims_rows(date(2025, 3, 1)) == {
        ("64.71", "PU"): _figures(claims_jkm=1, claims_jkm_amount=42_000_000)
    }
    # This month: the scholarship (apart from JKM) and the JKP claim's first instalment.
    assert _claims_rows(this) == {
        ("64.71", "PU"): _figures(scholarships=1, scholarships_amount=1_500_000),
        ("64.72", "PU"): _figures(claims_jkp=1, claims_jkp_amount=3_000_000),
    }
    # Next month: the second instalment adds money, not a claim.
    assert _claims_rows(following) == {
        ("64.72", "PU"): _figures(claims_jkp=0, claims_jkp_amount=3_000_000)
    }
    # Idempotent.
    services.refresh(months=paid.months)
    assert _claims_rows(following) == {
        ("64.72", "PU"): _figures(claims_jkp=0, claims_jkp_amount=3_000_000)
    }


def test_changed_months_pick_up_new_benefit_payments(paid: Paid) -> None:
    services.refresh()  # a plain refresh backfills every month of the last two years
    services.refresh(months=paid.months[2:])
    assert date(2025, 6, 1) not in services.changed_months(today=paid.today)
    BenefitPayment.objects.filter(claim=paid.jkm, component="funeral").update(
        paid_on=date(2025, 6, 2), created_at=timezone.now()
    )
    assert date(2025, 6, 1) in services.changed_months(today=paid.today)
    services.refresh(months=[date(2025, 3, 1), date(2025, 6, 1)])
    for month in (date(2025, 3, 1), date(2025, 6, 1)):
        assert snapshot(month) == direct(month)
    # The claim still counts once, in March; June adds the funeral allowance (Rp10.000.000).
    assert _claims_rows(date(2025, 6, 1)) == {
        ("64.71", "PU"): _figures(claims_jkm_amount=10_000_000)
    }
    assert _claims_rows(date(2025, 3, 1))[("64.71", "PU")]["claims_jkm"] == 1


def _programs(block: dict[str, Any]) -> dict[str, tuple[int, int]]:
    rows = {p["program"]: (p["count"], p["amount"]) for p in block["programs"]}
    rows["scholarship"] = (block["scholarships"]["count"], block["scholarships"]["amount"])
    rows["total"] = (block["total"]["count"], block["total"]["amount"])
    return rows


def test_report_json_xlsx_pdf_show_claims(
    paid: Paid, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    services.refresh(months=[*month_range(date(2025, 1, 1), date(2025, 12, 1)), *paid.months])
    this = paid.months[1]
    assert this.year > 2025  # the scenario's "today" lies after 2025
    # 2025 (as of December, the region): the JKM claim in the year to date, nothing in December.
    data = report.build(user=SYSTEM, as_of=date(2025, 12, 1)).data
    ytd = _programs(data["claims"]["year_to_date"])
    assert ytd["jkm"] == (1, 42_000_000) and ytd["jkp"] == (0, 0)
    assert ytd["scholarship"] == (0, 0) and ytd["total"] == (1, 42_000_000)
    assert _programs(data["claims"]["month"])["total"] == (0, 0)
    # This month in Kalimantan Timur: the JKP claim and the scholarship.
    data = report.build(user=SYSTEM, as_of=this, area="64").data
    month = _programs(data["claims"]["month"])
    assert month == {
        "jht": (0, 0),
        "jkk": (0, 0),
        "jkm": (0, 0),
        "jp": (0, 0),
        "jkp": (1, 3_000_000),
        "scholarship": (1, 1_500_000),
        "total": (1, 3_000_000),
    }
    assert data["claims"]["month"]["total_with_scholarships"] == 4_500_000
    # Samarinda only: the JKP claim; Balikpapan only: the scholarship.
    samarinda = report.build(user=SYSTEM, as_of=this, area="64.72").data["claims"]["month"]
    assert _programs(samarinda)["jkp"] == (1, 3_000_000)
    assert _programs(samarinda)["scholarship"] == (0, 0)
    # JSON from the command.
    call_command("report", "coverage", "--as-of", "2025-12", "--format", "json")
    import json

    out = json.loads(capsys.readouterr().out)
    assert _programs(out["claims"]["year_to_date"])["jkm"] == (1, 42_000_000)
    # XLSX read back: the claims sheet, one row per program, scholarships, the total; a chart.
    call_command(
        "report", "coverage", "--as-of", "2025-12", "--format", "xlsx", "--output",
        str(tmp_path / "r.xlsx"),
    )  # fmt: skip
    book = load_workbook(tmp_path / "r.xlsx")
    sheet = book["Klaim"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Program", "Klaim 2025-12", "Manfaat (Rp) 2025-12",
                       "Klaim 2025-01–2025-12", "Manfaat (Rp) 2025-01–2025-12")  # fmt: skip
    assert rows[1:] == [
        ("JHT: jaminan hari tua", 0, 0, 0, 0),
        ("JKK: kecelakaan kerja", 0, 0, 0, 0),
        ("JKM: kematian", 0, 0, 1, 42_000_000),
        ("JP: pensiun", 0, 0, 0, 0),
        ("JKP: kehilangan pekerjaan", 0, 0, 0, 0),
        ("Beasiswa pendidikan anak", 0, 0, 0, 0),
        ("Jumlah klaim (tanpa beasiswa)", 0, 0, 1, 42_000_000),
    ]
    assert sheet._charts
    # English.
    built = report.build(user=SYSTEM, as_of=this, area="64")
    english = load_workbook(io.BytesIO(report.render(built, "xlsx", "en")))
    assert english.worksheets[3].max_row == 8
    assert [r[1:] for r in english.worksheets[3].iter_rows(min_row=2, values_only=True)][4:] == [
        (1, 3_000_000, 1, 3_000_000),
        (1, 1_500_000, 1, 1_500_000),
        (1, 3_000_000, 1, 3_000_000),
    ]
    # PDF: opens; its text (the HTML it is laid out from) carries the figures.
    pdf = report.render(built, "pdf")
    assert pdf.startswith(b"%PDF")
    html = render_html("coverage/report_pdf.html", report.pdf_context(built))
    assert "Klaim dibayar per program dan beasiswa" in html
    assert "Rp3.000.000" in html and "Rp1.500.000" in html and "Beasiswa pendidikan anak" in html
    # Reconciliation: the published 2025 claim figures beside the record's 2025 claims.
    year = {
        c.figure.metric: c
        for c in reconciliation.comparisons(user=SYSTEM)
        if c.figure.date == "2025" and c.figure.scope_level == "region"
    }
    assert year["claims JKM (count)"].record == Decimal(1)
    assert year["claims JKM (count)"].month == date(2025, 12, 1)
    assert year["claims JKM (amount)"].record == Decimal(42_000_000)
    assert year["claims JKM (amount)"].difference == Decimal(42_000_000 - 105_000_000_000)
    assert year["claims JKP (count)"].record == Decimal(0)
    assert year["claims paid - all programmes (count)"].record == Decimal(1)
    assert year["claims paid - all programmes"].record == Decimal(42_000_000)


def test_dashboard_shows_claims(paid: Paid, make_user: Callable[..., Any]) -> None:
    services.refresh(months=paid.months)
    client = Client()
    client.force_login(make_user(Role.REGIONAL_ANALYST, "analis-klaim"))
    page = client.get(f"/cakupan/?month={paid.months[1]:%Y-%m}&area=64").content.decode()
    assert 'id="claims-table"' in page and 'id="claims-chart"' in page
    jkp_row = page.split('data-program="jkp"')[1].split("</tr>")[0]
    assert "Rp3.000.000" in jkp_row and ">1<" in jkp_row
    scholarship_row = page.split('data-program="scholarship"')[1].split("</tr>")[0]
    assert "Rp1.500.000" in scholarship_row
    # The monthly series (trend charts, /api/v1/coverage/series) carries the claims too.
    series = selectors.series(user=SYSTEM, area="64", months=2, until=paid.months[2])
    assert [(p["claims"], p["claims_amount"]) for p in series] == [(1, 3_000_000), (0, 3_000_000)]
