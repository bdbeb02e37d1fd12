"""Coverage pages and API: staff only, figures from the snapshots, exports audited, query counts."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.coverage import services
from tests.coverage.conftest import Population


@pytest.fixture
def refreshed(population: Population) -> Population:
    services.refresh(months=services.month_range(date(2025, 11, 1), date(2026, 1, 1)))
    return population


@pytest.fixture
def analyst(make_user: Callable[..., Any]) -> Client:
    client = Client()
    client.force_login(make_user(Role.REGIONAL_ANALYST, "analis"))
    return client


def test_pages_render_for_staff(refreshed: Population, analyst: Client) -> None:
    for url in (
        "/cakupan/",
        "/cakupan/?area=64&basis=bps_employed&month=2026-01",
        "/cakupan/peta/",
        "/cakupan/rekonsiliasi/",
        "/cakupan/kepatuhan/",
        "/cakupan/kepatuhan/?list=no_budget_program",
        "/cakupan/perencana/?workers=35440&months=3&start_month=2022-01",
    ):
        response = analyst.get(url)
        assert response.status_code == 200, url
    dashboard = analyst.get("/cakupan/?month=2026-01").content.decode()
    assert 'id="kpi-active">6<' in dashboard
    assert "7.996.826" in dashboard  # the denominator, always shown with its source
    assert "borneotrend.com" in dashboard
    planner = analyst.get(
        "/cakupan/perencana/?workers=35440&months=3&start_month=2022-01"
    ).content.decode()
    assert "Rp1.786.176.000" in planner  # 35,440 × Rp16,800 × 3 (Kutai Kartanegara 2022)
    assert (
        "/iuran/penyandang-dana/?start_month=2022-01&amp;months=3&amp;workers=35440&amp;regency=64.02"
        in planner
    )


def test_dashboard_query_count(
    refreshed: Population, analyst: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(25):
        assert analyst.get("/cakupan/?month=2026-01").status_code == 200
    with django_assert_max_num_queries(25):
        assert analyst.get("/cakupan/?month=2026-01&area=64").status_code == 200
    # The reconciliation: one breakdown per level and month, not one per published figure.
    with django_assert_max_num_queries(80):
        assert analyst.get("/cakupan/rekonsiliasi/").status_code == 200


def test_not_for_other_roles(refreshed: Population, make_user: Callable[..., Any]) -> None:
    client = Client()
    client.force_login(make_user(Role.EMPLOYER_USER, "pemberi-kerja"))
    assert client.get("/cakupan/").status_code == 403
    assert client.get("/api/v1/coverage").status_code in (401, 403)


def test_map_data_and_boundaries(refreshed: Population, analyst: Client) -> None:
    boundaries = analyst.get("/cakupan/peta/batas.geojson")
    assert boundaries.status_code == 200
    geo = json.loads(boundaries.content)
    assert len(geo["features"]) == 56
    data = analyst.get("/cakupan/peta/data.json?month=2026-01").json()
    assert data["regencies"]["64.71"]["active"] == 2
    assert data["regencies"]["64.02"]["budget_funded"] == 2
    assert {f["properties"]["code"] for f in geo["features"]} == set(data["regencies"])


def test_report_downloads_open_and_contain_the_figures(
    refreshed: Population, analyst: Client
) -> None:
    xlsx = analyst.get("/cakupan/laporan.xlsx?as_of=2026-01")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    summary = {row[0].value: row[1].value for row in book.worksheets[0].iter_rows(min_row=2)}
    assert summary["Peserta aktif"] == 6 and summary["Nilai penyebut"] == 7_996_826
    breakdown = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2]) for r in breakdown] == [
        ("61", 0),
        ("62", 0),
        ("63", 0),
        ("64", 6),
        ("65", 0),
    ]
    assert book.worksheets[1]._charts  # the chart travels with the file
    pdf = analyst.get("/cakupan/laporan.pdf?as_of=2026-01")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.content.rstrip().endswith(b"%%EOF")
    # The text the PDF lays out (no PDF text extractor among the dependencies).
    from jaminan.coverage.report import build, pdf_context
    from jaminan.coverage.selectors import SYSTEM
    from jaminan.web.pdf import render_html

    html = render_html(
        "coverage/report_pdf.html", pdf_context(build(user=SYSTEM, as_of=date(2026, 1, 1)))
    )
    assert "Kalimantan Timur" in html and "7.996.826" in html and ">6<" in html
    as_json = analyst.get("/cakupan/laporan.json?as_of=2026-01&area=64").json()
    assert as_json["participants"] == 6
    assert AuditEvent.objects.filter(action="export", object_type="coverage.report").count() == 3


def test_compliance_export_is_audited(refreshed: Population, analyst: Client) -> None:
    response = analyst.get("/cakupan/kepatuhan/no_budget_program.csv?as_of=2026-01-15")
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0] == "code,name,province,office,regency_programs,province_programs"
    assert len(lines) == 1 + 55  # every regency but Kutai Kartanegara, which has a program
    assert not any(line.startswith("64.02,") for line in lines)
    xlsx = analyst.get("/cakupan/kepatuhan/no_budget_program.xlsx?as_of=2026-01-15")
    assert load_workbook(io.BytesIO(xlsx.content)).worksheets[0].max_row == 56
    assert (
        AuditEvent.objects.filter(
            action="export", object_type="coverage.compliance.no_budget_program"
        ).count()
        == 2
    )


def test_api(refreshed: Population, make_user: Callable[..., Any], token_for: Any) -> None:
    client = Client(
        HTTP_AUTHORIZATION=f"Bearer {token_for(make_user(Role.REGIONAL_ANALYST, 'a2'))}"
    )
    assert client.get("/api/v1/coverage/months").json() == ["2026-01", "2025-12", "2025-11"]
    body = client.get("/api/v1/coverage?level=regency&area=64&month=2026-01").json()
    rows = {r["code"]: r for r in body["rows"]}
    assert rows["64.71"]["active"] == 2 and rows["64.71"]["segments"]["PU"] == 2
    assert rows["64.72"]["state_staff"] == 2
    region = client.get("/api/v1/coverage?level=region&basis=bpjs").json()["rows"][0]
    assert region["denominator"]["value"] == 7_996_826 and region["gap"] == 7_996_820
    series = client.get("/api/v1/coverage/series?months=3").json()
    assert [(p["month"], p["PU"], p["BPU"]) for p in series] == [
        ("2025-11", 3, 0),
        ("2025-12", 3, 1),
        ("2026-01", 4, 2),
    ]
    budget = client.get("/api/v1/coverage/budget?workers=35440&months=3&start_month=2022-01")
    assert budget.json()["total"] == 1_786_176_000
    bad = client.get("/api/v1/coverage?month=2026-13")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_month"
    findings = client.get("/api/v1/coverage/reconciliation/findings").json()
    assert {"gap_arithmetic", "parts_total", "coverage_ratio"} <= {f["check"] for f in findings}
    listing = client.get("/api/v1/coverage/compliance/no_budget_program?as_of=2026-01-15&limit=5")
    assert listing.json()["count"] == 55 and len(listing.json()["items"]) == 5
    report = client.get("/api/v1/coverage/report?as_of=2026-01").json()
    assert report["participants"] == 6
