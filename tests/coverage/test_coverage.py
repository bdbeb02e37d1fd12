"""Coverage against each denominator (with its source), gap and year-on-year growth; the report."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from jaminan.coverage import selectors, services
from jaminan.coverage.errors import CoverageError
from jaminan.coverage.report import build
from jaminan.coverage.selectors import SYSTEM
from tests.coverage.conftest import Population


@pytest.fixture
def refreshed(population: Population) -> Population:
    services.refresh(months=services.month_range(date(2025, 1, 1), date(2026, 2, 1)))
    return population


def test_denominators_by_basis(refreshed: Population) -> None:
    month = date(2026, 1, 1)
    [bpjs] = selectors.coverage(user=SYSTEM, month=month, level="region", basis="bpjs")
    assert bpjs.active == 6  # 2 Balikpapan + 2 Samarinda + 0 Pontianak + 2 Kutai Kartanegara
    assert bpjs.denominator is not None
    assert bpjs.denominator.value == 7_996_826 and bpjs.denominator.period == "2025"
    assert "borneotrend" in bpjs.denominator.source
    assert bpjs.coverage_pct == Decimal("0.00")
    assert bpjs.gap == 7_996_826 - 6
    [employed] = selectors.coverage(user=SYSTEM, month=month, level="region", basis="bps_employed")
    assert employed.denominator is not None
    assert (employed.denominator.value, employed.denominator.period) == (8_847_991, "2025-08")
    [labour] = selectors.coverage(
        user=SYSTEM, month=month, level="region", basis="bps_labour_force"
    )
    assert labour.denominator is not None and labour.denominator.value == 9_269_516
    provinces = {r.code: r for r in selectors.coverage(user=SYSTEM, month=month, level="province")}
    kaltim = provinces["64"]
    assert kaltim.active == 6 and provinces["61"].active == 0
    # Province BPJS basis: the region's 7,996,826 apportioned by BPS employment (Aug 2025).
    assert kaltim.denominator is not None and kaltim.denominator.estimated
    assert kaltim.denominator.value == 7_996_826 * 1_969_739 // 8_847_991
    employed_kaltim = selectors.coverage(
        user=SYSTEM, month=month, level="province", area="64", basis="bps_employed"
    )[0]
    assert employed_kaltim.denominator is not None
    assert employed_kaltim.denominator.value == 1_969_739
    assert employed_kaltim.coverage_pct == Decimal("0.00")
    # Regencies mostly have no workforce figure: no coverage, no gap, said so.
    regencies = {
        r.code: r for r in selectors.coverage(user=SYSTEM, month=month, level="regency", area="64")
    }
    assert regencies["64.71"].active == 2 and regencies["64.71"].denominator is None
    assert regencies["64.71"].coverage_pct is None and regencies["64.71"].gap is None


def test_segments_and_growth(refreshed: Population) -> None:
    segments = {
        r.code: r.active
        for r in selectors.coverage(user=SYSTEM, month=date(2026, 1, 1), level="segment")
    }
    assert segments == {"PU": 4, "BPU": 2, "JAKON": 0, "PMI": 0}
    # A year before February 2026 nobody was covered yet: growth is undefined, not infinite.
    [feb] = selectors.coverage(user=SYSTEM, month=date(2026, 2, 1), level="region")
    assert feb.year_ago_active == 0 and feb.growth_pct is None
    # A year on, one of the six has left: -16.67%.
    from jaminan.registry import services as registry

    registry.end_membership(
        membership=refreshed.memberships["a3"], end_date=date(2026, 6, 30), reason="resigned"
    )
    services.refresh(months=[date(2027, 1, 1)])
    [jan27] = selectors.coverage(user=SYSTEM, month=date(2027, 1, 1), level="region")
    assert jan27.year_ago_active == 6 and jan27.active == 5
    assert jan27.growth_pct == Decimal("-16.67")
    # Without a snapshot a year earlier there is no growth figure at all.
    [dec25] = selectors.coverage(user=SYSTEM, month=date(2025, 12, 1), level="region")
    assert dec25.year_ago_active is None and dec25.growth_pct is None


def test_invalid_inputs() -> None:
    with pytest.raises(CoverageError) as exc:
        selectors.parse_month("2026-1")
    assert exc.value.code == "invalid_month"
    with pytest.raises(CoverageError):
        selectors.coverage(user=SYSTEM, month=date(2026, 1, 1), basis="x")


def test_report_figures_equal_direct_counts(refreshed: Population) -> None:
    data = build(user=SYSTEM, as_of=date(2026, 1, 1)).data
    assert data["month"] == "2026-01"
    assert data["participants"] == 6
    assert data["participants_by_segment"] == {"PU": 4, "BPU": 2, "JAKON": 0, "PMI": 0}
    assert data["employers"] == 2 and data["state_staff"] == 2 and data["budget_funded"] == 2
    assert data["new"] == 4 and data["ended"] == 2
    assert data["denominator"]["value"] == 7_996_826
    assert data["gap"] == 7_996_826 - 6
    assert data["plkk"] == {"count": 336, "as_of": "2026"}
    assert [b["code"] for b in data["breakdown"]] == ["61", "62", "63", "64", "65"]
    kaltim = build(user=SYSTEM, as_of=date(2026, 1, 1), area="64").data
    assert kaltim["participants"] == 6 and len(kaltim["breakdown"]) == 10


def test_report_command_json_equals_direct_counts(
    refreshed: Population, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    import json

    from django.core.management import call_command

    from jaminan.registry.models import Membership

    call_command("report", "coverage", "--as-of", "2026-01", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    end = date(2026, 1, 31)
    active = (
        Membership.objects.filter(start_date__lte=end)
        .exclude(end_date__lte=end)
        .order_by()
        .values("participant_id", "segment")
        .distinct()
    )
    by_segment: dict[str, int] = {}
    for row in active:
        by_segment[row["segment"]] = by_segment.get(row["segment"], 0) + 1
    assert data["participants_by_segment"]["PU"] == by_segment["PU"] + 1  # worker 1: two regencies
    assert data["participants_by_segment"]["BPU"] == by_segment["BPU"] == 2
    assert data["participants"] == 6
    call_command(
        "report",
        "coverage",
        "--as-of",
        "2026-01",
        "--area",
        "64",
        "--format",
        "xlsx",
        "--output",
        str(tmp_path / "r.xlsx"),
    )
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "r.xlsx").worksheets[0]
    assert {r[0].value: r[1].value for r in sheet.iter_rows(min_row=2)}["Peserta aktif"] == 6
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("report", "coverage", "--as-of", "2019-01", "--format", "json")
