"""budget.sponsorship: cost of sponsoring BPU workers' JKK + JKM for a number of months.

Default per-worker amount: the lowest BPU JKK + JKM in force each month (PP 44/2015 Pasal 20:
JKK 1% of the lowest income tier + JKM Rp6,800), after the PP 49/2020 relief and, only when the
contributions are not government funded, after the PP 50/2025 discount for sector "other"
(APBN/APBD-funded participants are excluded, PP 50/2025 Pasal 3).
"""

from __future__ import annotations

from typing import Any

from jaminan.rules.calculations.bpu import bpu_amounts, bpu_rates
from jaminan.rules.core import Trace, add_months, month_str
from jaminan.rules.facts import FactSpec
from jaminan.rules.registry import calculation


@calculation(
    "budget.sponsorship",
    facts=[
        FactSpec(
            "workers", "int", required=True, minimum=0, description="number of workers sponsored"
        ),
        FactSpec(
            "months",
            "int",
            required=True,
            minimum=1,
            maximum=1200,
            description="number of months sponsored (at most 1200)",
        ),
        FactSpec("start_month", "month", required=True, description="first month YYYY-MM"),
        FactSpec(
            "monthly_contribution",
            "money",
            description="per-worker amount per month (default: lowest BPU JKK + JKM in force)",
        ),
        FactSpec(
            "government_funded",
            "bool",
            default=True,
            description="paid from APBN/APBD (then no PP 50/2025 discount)",
        ),
    ],
    example={"workers": 35_440, "months": 3, "start_month": "2022-01"},
    summary_id="Anggaran sponsor iuran JKK dan JKM pekerja bukan penerima upah",
    summary_en="Budget to sponsor the JKK and JKM contributions of non-wage earners",
)
def sponsorship(f: dict[str, Any], trace: Trace) -> dict[str, Any]:
    """PP 44/2015 Pasal 20; PP 49/2020 Pasal 8-9; PP 50/2025 Pasal 3-4."""
    workers: int = f["workers"]
    per_month: list[int] = []
    for i in range(f["months"]):
        month = add_months(f["start_month"], i)
        amount = f["monthly_contribution"]
        if amount is None:
            rates = bpu_rates(
                month, sector="other", government_funded=f["government_funded"], trace=trace
            )
            amount = bpu_amounts(rates.income_minimum, rates)["total"]
            trace.note(f"per_worker.{month_str(month)}", amount, "lowest BPU JKK + JKM in force")
        per_month.append(workers * amount)
    return {"per_month": per_month, "total": sum(per_month)}
