"""Core types of the rules engine: errors, dated parameter values, the trace, rounding, months.

Pure Python; imports nothing of Django or of the rest of the project (ARCHITECTURE.md).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

#: The first day any calculation (except nik.parse) accepts: PP 44/2015, PP 45/2015 and
#: PP 46/2015 came into force on 1 July 2015.
RULES_START = date(2015, 7, 1)


class RulesError(ValueError):
    """A fact is missing, unknown, of the wrong type or outside its domain.

    The message always starts with the name of the fact (``"wage: required"``).
    """

    def __init__(self, fact: str, message: str) -> None:
        self.fact = fact
        self.detail = message
        super().__init__(f"{fact}: {message}")


class UnknownCalculation(LookupError):
    """``calculate()`` was asked for a name that is not registered."""


@dataclass(frozen=True)
class ParamValue:
    """One dated value of a parameter, with its legal reference and confidence."""

    name: str
    value: Any
    start: date
    end: date | None
    unit: str
    reference: str
    confidence: str  # high | medium | low
    note: str = ""


def plain(value: Any) -> Any:
    """A JSON-friendly copy of ``value``: dates in ISO form, Decimal as str, tuples as lists."""
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    raise TypeError(f"value of type {type(value).__name__} cannot be traced: {value!r}")


class Trace:
    """The parameters (and derived values) a calculation used, in the order used.

    ``use`` only keeps a reference (it is on the hot path of the batch); ``to_list`` renders.
    """

    def __init__(self) -> None:
        self._entries: list[ParamValue | dict[str, Any]] = []
        self._seen: set[tuple[str, date]] = set()

    def use(self, pv: ParamValue) -> Any:
        """Record ``pv`` (once per name and start date) and return its value."""
        key = (pv.name, pv.start)
        if key not in self._seen:
            self._seen.add(key)
            self._entries.append(pv)
        return pv.value

    def note(self, parameter: str, value: Any, reference: str) -> None:
        """Record a derived value (not a parameter), e.g. a due date or a wage base."""
        self._entries.append(
            {"parameter": parameter, "value": plain(value), "reference": reference}
        )

    def to_list(self) -> list[dict[str, Any]]:
        """Entries as dicts: parameter, value, from, to (ISO dates), reference, confidence."""
        result: list[dict[str, Any]] = []
        for entry in self._entries:
            if isinstance(entry, ParamValue):
                result.append(
                    {
                        "parameter": entry.name,
                        "value": plain(entry.value),
                        "from": entry.start.isoformat(),
                        "to": entry.end.isoformat() if entry.end else None,
                        "reference": entry.reference,
                        "confidence": entry.confidence,
                    }
                )
            else:
                result.append(dict(entry))
        return result


def half_up(x: Decimal | int) -> int:
    """Round to the whole rupiah, half up (away from zero): the only rounding of money."""
    if isinstance(x, bool):
        raise TypeError("half_up() takes Decimal or int, not bool")
    if isinstance(x, int):
        return x
    if not isinstance(x, Decimal):
        raise TypeError(f"half_up() takes Decimal or int, not {type(x).__name__}")
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- months -------------------------------------------------------------------------------


def parse_month(text: str, *, fact: str = "month") -> date:
    """``"2021-05"`` -> ``date(2021, 5, 1)``; RulesError naming ``fact`` otherwise."""
    if not isinstance(text, str) or len(text) != 7 or text[4] != "-":
        raise RulesError(fact, f"expected a month YYYY-MM, got {text!r}")
    year_s, month_s = text[:4], text[5:]
    if not (year_s.isdigit() and month_s.isdigit()):
        raise RulesError(fact, f"expected a month YYYY-MM, got {text!r}")
    month = int(month_s)
    if not 1 <= month <= 12:
        raise RulesError(fact, f"month out of range in {text!r}")
    if int(year_s) < 1:
        raise RulesError(fact, f"year out of range in {text!r}")
    return date(int(year_s), month, 1)


def month_str(d: date) -> str:
    """``date(2021, 5, 1)`` -> ``"2021-05"``."""
    return f"{d.year:04d}-{d.month:02d}"


def month_key(d: date) -> int:
    """``date(2021, 5, 17)`` -> ``202105`` (the YYYYMM integer used by the batch path)."""
    return d.year * 100 + d.month


def month_from_key(key: int) -> date:
    """``202105`` -> ``date(2021, 5, 1)``."""
    year, month = divmod(int(key), 100)
    return date(year, month, 1)


def last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def add_months(d: date, k: int, *, day: int | None = None) -> date:
    """``d`` moved by ``k`` calendar months, the day (``day`` or ``d.day``) clamped to the month end."""
    index = d.year * 12 + (d.month - 1) + k
    year, month0 = divmod(index, 12)
    wanted = d.day if day is None else day
    return date(year, month0 + 1, min(wanted, last_day(year, month0 + 1)))


def month_start(d: date) -> date:
    return date(d.year, d.month, 1)


def months_between(a: date, b: date) -> int:
    """Number of calendar months from the month of ``a`` to the month of ``b`` (b − a)."""
    return (b.year - a.year) * 12 + (b.month - a.month)


def require_from_start(fact: str, d: date) -> date:
    """Refuse a date before 1 July 2015 (the start of PP 44/45/46/2015)."""
    if d < RULES_START:
        raise RulesError(fact, f"{d.isoformat()} is before {RULES_START.isoformat()}")
    return d
