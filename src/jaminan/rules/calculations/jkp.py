"""Jaminan Kehilangan Pekerjaan (JKP): eligibility and cash benefit after a dismissal (PHK).

PP 37/2021 (in force 2 February 2021) as amended by PP 6/2025 (7 February 2025).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from jaminan.rules.core import RulesError, Trace, add_months, half_up, month_start
from jaminan.rules.facts import FactSpec
from jaminan.rules.parameters import get
from jaminan.rules.registry import calculation

#: PP 37/2021 was signed and came into force on 2 February 2021.
JKP_START = date(2021, 2, 2)


def _require_jkp_period(termination_date: date) -> None:
    if termination_date < JKP_START:
        raise RulesError(
            "termination_date",
            f"{termination_date.isoformat()} is before {JKP_START.isoformat()} "
            "(JKP starts with PP 37/2021)",
        )


@calculation(
    "benefit.jkp",
    facts=[
        FactSpec(
            "termination_date", "date", required=True, description="Date of the dismissal (PHK)"
        ),
        FactSpec("wage", "money", required=True, description="Last monthly wage reported to BPJS"),
    ],
    example={"termination_date": "2025-06-30", "wage": 7_500_000},
    summary_id="Manfaat uang tunai JKP selama 6 bulan",
    summary_en="JKP cash benefit over 6 months",
)
def benefit_jkp(f: dict[str, Any], trace: Trace) -> dict[str, Any]:
    """JKP cash benefit on the schedule in force on the termination date.

    Wage base: last reported wage capped at Rp5,000,000 (PP 37/2021 Pasal 21(2)-(4)). Before
    7 Feb 2025: 45% for months 1-3 and 25% for months 4-6 (PP 37/2021 Pasal 21(1)); from 7 Feb
    2025: 60% for 6 months (PP 6/2025 amending Pasal 21). Each month rounded half up once.
    """
    on = f["termination_date"]
    fact = "termination_date"
    _require_jkp_period(on)
    cap = trace.use(get("jkp.wage_cap", on, fact=fact))
    wage_base = min(f["wage"], cap)
    trace.note("jkp.wage_base", wage_base, "PP 37/2021 Pasal 21(2)-(4): min(wage, cap)")
    months = trace.use(get("jkp.benefit_months", on, fact=fact))
    rate_1_3: Decimal = trace.use(get("jkp.rate_months_1_3", on, fact=fact))
    rate_4_6: Decimal = trace.use(get("jkp.rate_months_4_6", on, fact=fact))
    monthly = [half_up((rate_1_3 if i < 3 else rate_4_6) * wage_base) for i in range(months)]
    return {"wage_base": wage_base, "monthly": monthly, "total": sum(monthly)}


@calculation(
    "eligibility.jkp",
    facts=[
        FactSpec(
            "termination_date", "date", required=True, description="Date of the dismissal (PHK)"
        ),
        FactSpec(
            "paid_months",
            "months",
            required=True,
            description="Contribution months paid (YYYY-MM)",
        ),
        FactSpec(
            "age_at_registration",
            "int",
            minimum=0,
            description="Age in whole years when registered in JKP (optional)",
        ),
    ],
    example={
        "termination_date": "2025-06-30",
        "paid_months": [f"2024-{m:02d}" for m in range(1, 13)],
        "age_at_registration": 30,
    },
    summary_id="Syarat masa iur dan usia untuk manfaat JKP",
    summary_en="JKP contribution-record and age conditions",
)
def eligibility_jkp(f: dict[str, Any], trace: Trace) -> dict[str, Any]:
    """JKP eligibility on the contribution record (PP 37/2021 Pasal 19(3)) and age (Pasal 4(2)).

    At least 12 paid months among the 24 calendar months ending with the termination month
    (``too_few_months``); 6 consecutive paid months ending with the termination month or the
    month before it (``not_consecutive``); registered before age 54 (``age_at_registration``,
    checked only when the age is given). Eligible when no reason applies.
    """
    on = f["termination_date"]
    fact = "termination_date"
    _require_jkp_period(on)
    paid = set(f["paid_months"])
    end = month_start(on)
    lookback = trace.use(get("jkp.lookback_months", on, fact=fact))
    minimum = trace.use(get("jkp.minimum_paid_months", on, fact=fact))
    consecutive = trace.use(get("jkp.consecutive_months", on, fact=fact))
    age_limit = trace.use(get("jkp.registration_age_limit", on, fact=fact))

    in_window = sum(1 for k in range(lookback) if add_months(end, -k) in paid)
    trace.note("jkp.paid_months_in_window", in_window, "PP 37/2021 Pasal 19(3)")

    def run_ending(last: date) -> bool:
        return all(add_months(last, -k) in paid for k in range(consecutive))

    reasons: list[str] = []
    if in_window < minimum:
        reasons.append("too_few_months")
    if not (run_ending(end) or run_ending(add_months(end, -1))):
        reasons.append("not_consecutive")
    age = f["age_at_registration"]
    if age is not None and age >= age_limit:
        reasons.append("age_at_registration")
    return {"eligible": not reasons, "reasons": reasons}
