"""fine: due date, months late and late fine of a contribution.

PU (and Jakon): due on the 15th of the month after the contribution month (PP 44/2015 Pasal 21;
PP 46/2015 Pasal 19; PP 45/2015 Pasal 30), the 30th for iuran Aug 2020 - Jan 2021 (PP 49/2020
Pasal 4; a "30 February" is the last day of February), moved to the next working day when it
falls on a weekend or an Indonesian public holiday. Fine 2% per started month of delay of the
amount due (PP 44/2015 Pasal 22; PP 46/2015 Pasal 20; PP 45/2015 Pasal 31), 0.5% for iuran Aug
2020 - Jan 2021 (PP 49/2020 Pasal 23). BPU: due on the 15th of the same month (PP 44/2015 Pasal
24(3)-(4)); no fine (BPJS branch statements).
"""

from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import Any

import holidays

from jaminan.rules import parameters
from jaminan.rules.core import Trace, add_months, half_up, last_day
from jaminan.rules.facts import FactSpec
from jaminan.rules.registry import calculation

SEGMENTS = ("PU", "BPU", "JAKON")


@functools.cache
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("ID", years=year).keys())


def is_working_day(d: date) -> bool:
    """Monday to Friday and not an Indonesian public holiday (package ``holidays``, country ID)."""
    return d.weekday() < 5 and d not in _holidays(d.year)


def next_working_day(d: date) -> date:
    """``d`` itself when it is a working day, else the next working day."""
    while not is_working_day(d):
        d += timedelta(days=1)
    return d


def due_date(contribution_month: date, segment: str, trace: Trace) -> date:
    """The due date of a contribution month for a segment, moved to a working day."""
    if segment == "BPU":
        pv = parameters.get(
            "due.bpu.day_of_same_month", contribution_month, fact="contribution_month"
        )
        year, month = contribution_month.year, contribution_month.month
    else:
        pv = parameters.get(
            "due.pu.day_of_following_month", contribution_month, fact="contribution_month"
        )
        following = add_months(contribution_month, 1)
        year, month = following.year, following.month
    day = min(trace.use(pv), last_day(year, month))
    return next_working_day(date(year, month, day))


def months_late(due: date, paid_on: date) -> int:
    """0 when paid on or before ``due``; else the smallest k >= 1 with paid_on <= due + k months."""
    if paid_on <= due:
        return 0
    k = (paid_on.year - due.year) * 12 + (paid_on.month - due.month)
    k = max(k, 1)
    while paid_on > add_months(due, k):
        k += 1
    while k > 1 and paid_on <= add_months(due, k - 1):
        k -= 1
    return k


@calculation(
    "fine",
    facts=[
        FactSpec(
            "contribution_month", "month", required=True, description="contribution month YYYY-MM"
        ),
        FactSpec(
            "amount_due",
            "money",
            required=True,
            description="contribution that should have been paid",
        ),
        FactSpec("paid_on", "date", required=True, description="payment date YYYY-MM-DD"),
        FactSpec(
            "segment", "choice", default="PU", choices=SEGMENTS, description="PU, BPU or JAKON"
        ),
        FactSpec(
            "bill_due_date",
            "date",
            description="due date of a bill issued after the contribution's own due date "
            "(a late bill): the delay counts from it (docs/rules-readings.md)",
        ),
    ],
    example={"contribution_month": "2026-01", "amount_due": 1_000_000, "paid_on": "2026-03-20"},
    summary_id="Tanggal jatuh tempo, bulan keterlambatan dan denda iuran",
    summary_en="Due date, months late and late fine of a contribution",
)
def fine(f: dict[str, Any], trace: Trace) -> dict[str, Any]:
    """PP 44/2015 Pasal 21-22, 24; PP 45/2015 Pasal 30-31; PP 46/2015 Pasal 19-20; PP 49/2020 Pasal 4, 23."""
    month: date = f["contribution_month"]
    segment: str = f["segment"]
    due = due_date(month, segment, trace)
    trace.note("due_date", due, "next working day (holidays package, country ID)")
    billed_due: date | None = f.get("bill_due_date")
    if billed_due is not None and billed_due > due:
        # Reading: nobody can pay a bill before it is issued; see docs/rules-readings.md.
        due = billed_due
        trace.note("due_date", due, "the later due date of a bill issued late")
    late = months_late(due, f["paid_on"])
    rate_name = "fine.bpu.rate_per_month" if segment == "BPU" else "fine.pu.rate_per_month"
    rate = trace.use(parameters.get(rate_name, month, fact="contribution_month"))
    amount = half_up(rate * f["amount_due"] * late)
    return {"due_date": due.isoformat(), "months_late": late, "fine": amount}
