"""Jaminan Hari Tua (JHT): balance of the individual account with yearly development returns.

PP 46/2015 Pasal 22(2)-(3) (benefit = contributions + development returns), Pasal 22(7) (yearly
statement), Pasal 27 (minimum return). The yearly returns are inputs (regulations.md §9, §14 item 9);
the crediting method is the project's contract (rules-common.md, "jht.balance, exactly").
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from jaminan.rules.core import RulesError, Trace, half_up, month_start
from jaminan.rules.facts import FactSpec
from jaminan.rules.registry import calculation

RETURNS_REFERENCE = "input: declared JHT return of the year (PP 46/2015 Pasal 22(2)-(3), 27)"


def _held_from_start_of_year(opening_date: date) -> bool:
    """An opening on 1 January (or on 31 December of the year before) is held the whole year."""
    return (opening_date.month, opening_date.day) in ((1, 1), (12, 31))


@calculation(
    "jht.balance",
    facts=[
        FactSpec(
            "opening_balance", "money", required=True, description="Balance on the opening date"
        ),
        FactSpec("opening_date", "date", required=True, description="Date of the opening balance"),
        FactSpec("as_of", "date", required=True, description="Date of the balance asked for"),
        FactSpec(
            "contributions",
            "contributions",
            default=[],
            description="Contributions credited ({month: YYYY-MM, amount})",
        ),
        FactSpec(
            "returns",
            "returns",
            default={},
            description="Declared yearly return in percent ({year: percent})",
        ),
    ],
    example={
        "opening_balance": 20_000_000,
        "opening_date": "2025-01-01",
        "as_of": "2025-12-31",
        "contributions": [{"month": "2025-06", "amount": 399_000}],
        "returns": {2025: "5"},
    },
    summary_id="Saldo JHT dengan hasil pengembangan tahunan",
    summary_en="JHT balance with yearly development returns",
)
def jht_balance(f: dict[str, Any], trace: Trace) -> dict[str, Any]:
    """JHT balance on ``as_of`` (PP 46/2015 Pasal 22(2)-(3)).

    On every 31 December d with opening_date < d <= as_of the return r of d's year is credited:
    r × the balance held at 1 January (whole year) + r × each contribution of month m × (12 − m)/12
    (simple within the year, compounding across years). An opening on 1 January (or 31 December of
    the year before) is held from 1 January; any other opening date counts like a contribution of
    its month. Exact Decimal throughout; returns_credited is rounded half up once and
    balance = opening_balance + Σ contributions + returns_credited.
    """
    opening_date: date = f["opening_date"]
    as_of: date = f["as_of"]
    opening_balance: int = f["opening_balance"]
    returns: dict[int, Decimal] = f["returns"]
    if as_of < opening_date:
        raise RulesError("as_of", f"{as_of.isoformat()} is before opening_date")

    first_month = month_start(opening_date)
    last_month = month_start(as_of)
    flows: dict[int, list[tuple[int, int]]] = defaultdict(list)  # year -> [(month, amount)]
    for item in f["contributions"]:
        month: date = item["month"]
        if not first_month <= month <= last_month:
            raise RulesError(
                "contributions",
                f"month {month.strftime('%Y-%m')} is outside the opening_date month "
                f"to the as_of month ({first_month.strftime('%Y-%m')} .. "
                f"{last_month.strftime('%Y-%m')})",
            )
        flows[month.year].append((month.month, item["amount"]))

    balance = Decimal(0)
    if _held_from_start_of_year(opening_date):
        balance = Decimal(opening_balance)
    else:
        flows[opening_date.year].append((opening_date.month, opening_balance))

    credited = Decimal(0)
    for year in range(opening_date.year, as_of.year + 1):
        year_end = date(year, 12, 31)
        year_flows = flows.get(year, [])
        if opening_date < year_end <= as_of:
            if year not in returns:
                raise RulesError("returns", f"no return given for {year}, credited on {year_end}")
            rate = returns[year] / 100
            trace.note(f"jht.return.{year}", returns[year], RETURNS_REFERENCE)
            base = balance + sum(
                (Decimal(amount) * (12 - month) / 12 for month, amount in year_flows),
                Decimal(0),
            )
            credit = rate * base
            credited += credit
            balance += credit
        balance += sum(amount for _, amount in year_flows)

    returns_credited = half_up(credited)
    total_contributions = sum(item["amount"] for item in f["contributions"])
    return {
        "balance": opening_balance + total_contributions + returns_credited,
        "returns_credited": returns_credited,
    }
