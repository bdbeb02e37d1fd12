"""Jaminan Kecelakaan Kerja (JKK): cash benefits of a work accident or occupational disease.

PP 44/2015 Pasal 25 and Lampiran III as amended by PP 82/2019 (annex amounts from secondary
sources, regulations.md §8.3, §11.6). The wage is the monthly wage reported to BPJS (BPU: the
declared income).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from jaminan.rules.calculations.scholarship import scholarship_amounts
from jaminan.rules.core import RulesError, Trace, half_up
from jaminan.rules.facts import FactSpec
from jaminan.rules.parameters import get
from jaminan.rules.registry import calculation

OUTCOMES = ("death", "total_disability", "partial_disability", "temporary_incapacity")


def stmb_amount(wage: int, months: int, on: date, *, fact: str, trace: Trace) -> int:
    """Santunan sementara tidak mampu bekerja for ``months`` whole months, rounded once.

    PP 44/2015 Lampiran III: 100% of the wage for months 1-6, 75% for 7-12, 50% after;
    PP 82/2019 Lampiran III (from 2 Dec 2019): 100% for months 1-12, 50% after. The schedule
    is the one in force on the accident date.
    """
    if months == 0:
        return 0
    exact = Decimal(0)
    bands = (
        ("jkk.stmb.rate_months_1_6", min(months, 6)),
        ("jkk.stmb.rate_months_7_12", min(max(months - 6, 0), 6)),
        ("jkk.stmb.rate_after_12", max(months - 12, 0)),
    )
    for name, band_months in bands:
        if band_months:
            rate: Decimal = trace.use(get(name, on, fact=fact))
            exact += rate * wage * band_months
    return half_up(exact)


@calculation(
    "benefit.jkk",
    facts=[
        FactSpec("accident_date", "date", required=True, description="Date of the work accident"),
        FactSpec("wage", "money", required=True, description="Monthly wage reported to BPJS"),
        FactSpec("outcome", "choice", required=True, choices=OUTCOMES, description="Outcome"),
        FactSpec(
            "disability_percent",
            "decimal",
            maximum=Decimal(100),
            description="Disability percentage (0 < p <= 100), partial_disability only; for a "
            "functional disability give the reduced percentage (reduction × table percentage)",
        ),
        FactSpec(
            "months_incapacitated",
            "int",
            minimum=0,
            description="Whole months of temporary incapacity (STMB); required for "
            "temporary_incapacity, default 0",
        ),
        FactSpec(
            "children",
            "children",
            default=[],
            description="Children in order ({level}), for the scholarship on death or total disability",
        ),
    ],
    example={
        "accident_date": "2024-05-10",
        "wage": 5_000_000,
        "outcome": "partial_disability",
        "disability_percent": "35",
        "months_incapacitated": 2,
    },
    summary_id="Manfaat uang tunai JKK: santunan, berkala, pemakaman, STMB dan beasiswa",
    summary_en="JKK cash benefits: lump sum, periodic, funeral, STMB and scholarship",
)
def benefit_jkk(f: dict[str, Any], trace: Trace) -> dict[str, Any]:
    """JKK cash benefits at the amounts in force on the accident date.

    PP 44/2015 Pasal 25(2)b and Lampiran III as amended by PP 82/2019: death 48 × wage + periodic
    + funeral + scholarship; total permanent disability 56 × wage + periodic + scholarship;
    partial disability p% × 80 × wage (functional: the reduced percentage); STMB for the whole
    months of incapacity under any outcome. Scholarship (Pasal 25(3)) has no minimum period.
    """
    on = f["accident_date"]
    fact = "accident_date"
    wage: int = f["wage"]
    outcome: str = f["outcome"]
    percent: Decimal | None = f["disability_percent"]
    months: int | None = f["months_incapacitated"]

    if outcome == "partial_disability":
        if percent is None:
            raise RulesError("disability_percent", "required for partial_disability")
        if percent <= 0:
            raise RulesError("disability_percent", f"must be above 0, got {percent}")
    elif percent is not None:
        raise RulesError("disability_percent", f"only for partial_disability, not {outcome}")
    if outcome == "temporary_incapacity" and months is None:
        raise RulesError("months_incapacitated", "required for temporary_incapacity")

    cash = 0
    periodic = 0
    funeral = 0
    scholarship = 0
    if outcome == "death":
        cash = trace.use(get("jkk.death_wage_multiple", on, fact=fact)) * wage
    elif outcome == "total_disability":
        cash = trace.use(get("jkk.total_disability_wage_multiple", on, fact=fact)) * wage
    elif percent is not None:  # partial_disability (checked above)
        multiple = trace.use(get("jkk.partial_disability_wage_multiple", on, fact=fact))
        cash = half_up(percent / 100 * multiple * wage)
    if outcome in ("death", "total_disability"):
        periodic = trace.use(get("jkk.periodic", on, fact=fact))
        _, scholarship = scholarship_amounts(f["children"], on, fact=fact, trace=trace)
    if outcome == "death":
        funeral = trace.use(get("jkk.funeral", on, fact=fact))
    stmb = stmb_amount(wage, months or 0, on, fact=fact, trace=trace)
    return {
        "cash": cash,
        "periodic": periodic,
        "funeral": funeral,
        "stmb": stmb,
        "scholarship": scholarship,
        "total": cash + periodic + funeral + stmb + scholarship,
    }
