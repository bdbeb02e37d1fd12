"""Jaminan Pensiun (JP): wage cap, retirement age and the old-age pension.

PP 45/2015: wage cap Pasal 29, retirement age Pasal 15, benefit formula Pasal 17-19, minimum and
maximum benefit Pasal 18, lump sum with fewer than 15 years Pasal 24.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jaminan.rules.core import Trace, half_up
from jaminan.rules.facts import FactSpec
from jaminan.rules.parameters import get
from jaminan.rules.registry import calculation


@calculation(
    "jp.wage_cap",
    facts=[FactSpec("month", "month", required=True, description="Contribution month YYYY-MM")],
    example={"month": "2024-03"},
    summary_id="Batas upah tertinggi JP pada bulan iuran",
    summary_en="JP wage cap of a contribution month",
)
def jp_wage_cap(f: dict[str, Any], trace: Trace) -> dict[str, Any]:
    """JP wage cap in force in the contribution month (PP 45/2015 Pasal 29(2)-(4)).

    Rp7,000,000 from July 2015, then yearly from the March contribution month (BPJS letters).
    """
    return {"cap": trace.use(get("jp.wage_cap", f["month"], fact="month"))}


@calculation(
    "jp.retirement_age",
    facts=[FactSpec("date", "date", required=True, description="Date YYYY-MM-DD")],
    example={"date": "2025-06-30"},
    summary_id="Usia pensiun JP yang berlaku pada tanggal tersebut",
    summary_en="JP retirement age in force on a date",
)
def jp_retirement_age(f: dict[str, Any], trace: Trace) -> dict[str, Any]:
    """JP retirement age (PP 45/2015 Pasal 15): 56 until 2018, +1 every 3 years from 2019, 65 from 2043."""
    return {"age": trace.use(get("jp.retirement_age", f["date"], fact="date"))}


@calculation(
    "benefit.jp",
    facts=[
        FactSpec("event", "choice", required=True, choices=("old_age",), description="Event"),
        FactSpec("event_date", "date", required=True, description="Date the pension right arises"),
        FactSpec(
            "contribution_months",
            "int",
            required=True,
            minimum=0,
            description="Contribution months (masa iur)",
        ),
        FactSpec(
            "average_indexed_wage",
            "money",
            required=True,
            description="Average inflation-adjusted monthly wage over the contribution period",
        ),
    ],
    example={
        "event": "old_age",
        "event_date": "2031-02-01",
        "contribution_months": 187,
        "average_indexed_wage": 6_000_000,
    },
    summary_id="Manfaat pensiun hari tua JP bulan pertama",
    summary_en="JP old-age pension, first year monthly amount",
)
def benefit_jp(f: dict[str, Any], trace: Trace) -> dict[str, Any]:
    """Old-age pension (PP 45/2015 Pasal 17(2)-(3), 18, 19(1), 24).

    monthly_pension = 1% × contribution_months / 12 × average_indexed_wage, rounded half up, then
    clamped to the minimum and maximum benefit of the event year (Pasal 18). Fewer than 180
    contribution months (Pasal 19(1)): no pension, the accumulated contributions and returns are
    paid as a lump sum instead (Pasal 24): monthly_pension 0, lump_sum_due true.
    """
    on = f["event_date"]
    fact = "event_date"
    months: int = f["contribution_months"]
    minimum_months = trace.use(get("jp.minimum_contribution_months", on, fact=fact))
    if months < minimum_months:
        return {"monthly_pension": 0, "lump_sum_due": True}
    accrual: Decimal = trace.use(get("jp.accrual_rate", on, fact=fact))
    formula = half_up(accrual * months / 12 * f["average_indexed_wage"])
    trace.note("jp.formula_pension", formula, "PP 45/2015 Pasal 17(2)-(3)")
    lowest = trace.use(get("jp.benefit_minimum", on, fact=fact))
    highest = trace.use(get("jp.benefit_maximum", on, fact=fact))
    return {"monthly_pension": min(max(formula, lowest), highest), "lump_sum_due": False}
