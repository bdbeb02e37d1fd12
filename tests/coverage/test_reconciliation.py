"""The reconciliation flags the inconsistencies of the published dataset (data-driven) and sets the
published figures beside the record."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from jaminan.coverage import reconciliation, services
from jaminan.coverage.selectors import SYSTEM
from jaminan.geo.models import PublishedFigure
from tests.coverage.conftest import Population


def _by_check(findings: list[reconciliation.Finding]) -> dict[str, list[reconciliation.Finding]]:
    result: dict[str, list[reconciliation.Finding]] = {}
    for f in findings:
        result.setdefault(f.check, []).append(f)
    return result


def test_the_three_known_inconsistencies_are_flagged(reference: None) -> None:
    checks = _by_check(reconciliation.consistency_findings(user=SYSTEM))
    # 7,996,826 − 3,302,762 = 4,694,064, where Barito Post printed 4,694,054.
    gap = [f for f in checks["gap_arithmetic"] if f.date == "2026-02-02"]
    assert len(gap) == 1
    assert gap[0].published == Decimal("4694054")
    assert gap[0].expected_low == gap[0].expected_high == Decimal("4694064")
    assert "Barito Post" in gap[0].message and "4.694.054" in gap[0].message
    # 2025 claim counts by program: 63,435 + 7,435 + 3,749 + 9,377 + 9,377 = 93,373 ≠ 93,468.
    claims = [f for f in checks["parts_total"] if f.date == "2025"]
    assert len(claims) == 1
    assert claims[0].published == Decimal("93468")
    assert claims[0].expected_low == Decimal("93373")
    assert "JKP" in claims[0].message and "JP" in claims[0].message  # same count twice
    assert "BorneoTrend" in claims[0].message  # alternative counts quoted in the notes
    # The 2025 amounts (Rp1,002.8 bn against a printed Rp1,003 trillion) agree within rounding.
    assert all("amount" not in f.figures[0] for f in checks["parts_total"])
    # Coverage percentages that equal no participants ÷ workforce figure.
    ratios = {(f.date, f.scope) for f in checks["coverage_ratio"]}
    assert ("2024-11", "Kalimantan") in ratios  # 45.34% with 3.2 million participants
    assert ("2023-03", "Kalimantan Timur") in ratios  # 70.86%, but 962,711 / 1.35 million = 71.31%
    # …while those that do add up are not flagged.
    assert ("2026-02-02", "Kalimantan") not in ratios  # 3,302,762 / 7,996,826 = 41.30%
    assert ("2023-12", "Kalimantan Tengah") not in ratios  # 384,661 / 910,996 = 42.22%
    assert ("2024-09", "Kalimantan Utara") not in ratios  # 180,828 / (180,828 + 53,304)
    assert ("2023-12-31", "Kalimantan") not in ratios  # 2.5 of 5.4 million (rounded) = 46.33%


def test_checks_follow_the_data_not_hardcoded_numbers(reference: None) -> None:
    # Correct the published gap and the alternative printing: nothing is flagged for that date.
    figure = PublishedFigure.objects.get(date="2026-02-02", metric="workers not yet protected")
    figure.note = ""
    figure.save()
    checks = _by_check(reconciliation.consistency_findings(user=SYSTEM))
    assert not [f for f in checks.get("gap_arithmetic", []) if f.date == "2026-02-02"]
    # A wrong total makes the check fire.
    figure.value = Decimal("4694164")
    figure.save()
    checks = _by_check(reconciliation.consistency_findings(user=SYSTEM))
    [gap] = [f for f in checks.get("gap_arithmetic", []) if f.date == "2026-02-02"]
    assert gap.published == Decimal("4694164")


def test_rounding_is_read_from_the_figure() -> None:
    assert reconciliation.rounding_half(Decimal("2500000"), "persons") == Decimal("50000")
    assert reconciliation.rounding_half(Decimal("7996826"), "persons") == 0
    assert reconciliation.rounding_half(Decimal("46.3300"), "percent") == Decimal("0.005")
    assert reconciliation.rounding_half(Decimal("42.0000"), "percent") == Decimal("0.5")


def test_comparisons_set_the_record_beside_published(population: Population) -> None:
    services.refresh(months=[date(2026, 1, 1), date(2026, 2, 1)])
    rows = reconciliation.comparisons(user=SYSTEM)
    participants = [
        c for c in rows if c.figure.date == "2026-02-02" and c.figure.metric == "participants"
    ]
    assert len(participants) == 1
    # February: Balikpapan 2 PU, Samarinda 2 PU, Kutai Kartanegara 2 BPU; the record is tiny.
    assert participants[0].month == date(2026, 2, 1)
    assert participants[0].record == Decimal(6)
    assert participants[0].difference == Decimal(6) - Decimal(3302762)
    older = [c for c in rows if c.figure.date == "2023-03"]
    assert older and all(c.record is None for c in older)  # no snapshot that early
