"""Fact specifications and the strict parser of a calculation's facts (calculations.md, Conventions).

A missing required fact, an unknown fact name, a wrong type or a value outside its domain raises
``RulesError`` naming the fact. Nothing is guessed: a float is never money, a bool is never a number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from jaminan.rules.core import RULES_START, RulesError, parse_month

PROGRAMS = ("JKK", "JKM", "JHT", "JP", "JKP")
SCHOOL_LEVELS = ("TK", "SD", "SMP", "SMA", "PT")

KINDS = (
    "month",
    "date",
    "money",
    "int",
    "bool",
    "decimal",
    "choice",
    "programs",
    "months",
    "children",
    "returns",
    "contributions",
    "text",
)


@dataclass(frozen=True)
class FactSpec:
    """One fact a calculation takes.

    ``choices`` restricts "choice", "int" and "programs" values. ``minimum``/``maximum`` bound
    "int", "money" and "decimal" values. ``earliest`` is the first date a "month"/"date"/"months"
    fact may take (1 July 2015 unless set to None, e.g. for nik.parse).
    """

    name: str
    kind: str
    required: bool = False
    default: Any = None
    choices: tuple[Any, ...] = ()
    description: str = ""
    minimum: int | Decimal | None = None
    maximum: int | Decimal | None = None
    earliest: date | None = RULES_START

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"FactSpec {self.name}: unknown kind {self.kind!r}")
        if isinstance(self.default, list):  # keep the spec immutable and hashable
            object.__setattr__(self, "default", tuple(self.default))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _month(spec: FactSpec, value: Any, fact: str) -> date:
    if isinstance(value, datetime):
        raise RulesError(fact, f"expected a month YYYY-MM, got {value!r}")
    if isinstance(value, date):
        if value.day != 1:
            raise RulesError(fact, f"expected a month YYYY-MM, got the date {value.isoformat()}")
        month = value
    else:
        month = parse_month(value, fact=fact)
    _not_before(spec, month, fact)
    return month


def _date(spec: FactSpec, value: Any, fact: str) -> date:
    if isinstance(value, datetime):
        raise RulesError(fact, f"expected a date YYYY-MM-DD, got {value!r}")
    if isinstance(value, date):
        result = value
    elif isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            result = date.fromisoformat(value)
        except ValueError as exc:
            raise RulesError(fact, f"not a valid date: {value!r}") from exc
    else:
        raise RulesError(fact, f"expected a date YYYY-MM-DD, got {value!r}")
    _not_before(spec, result, fact)
    return result


def _not_before(spec: FactSpec, value: date, fact: str) -> None:
    if spec.earliest is not None and value < spec.earliest:
        raise RulesError(
            fact, f"{value.isoformat()} is before {spec.earliest.isoformat()} (PP 44/2015 in force)"
        )


def _bounds(spec: FactSpec, value: int | Decimal, fact: str) -> None:
    if spec.minimum is not None and value < spec.minimum:
        raise RulesError(fact, f"{value} is below the minimum {spec.minimum}")
    if spec.maximum is not None and value > spec.maximum:
        raise RulesError(fact, f"{value} is above the maximum {spec.maximum}")


def _money(spec: FactSpec, value: Any, fact: str) -> int:
    if not _is_int(value):
        raise RulesError(fact, f"expected whole rupiah (an integer), got {value!r}")
    if value < 0:
        raise RulesError(fact, f"must not be negative, got {value}")
    _bounds(spec, value, fact)
    return int(value)


def _decimal(spec: FactSpec, value: Any, fact: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | float | Decimal):
        raise RulesError(fact, f"expected a decimal number, got {value!r}")
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise RulesError(fact, f"expected a decimal number, got {value!r}") from exc
    if not result.is_finite():
        raise RulesError(fact, f"expected a finite decimal number, got {value!r}")
    _bounds(spec, result, fact)
    return result


def _programs(spec: FactSpec, value: Any, fact: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise RulesError(fact, f"expected a list of programs, got {value!r}")
    allowed = spec.choices or PROGRAMS
    result: list[str] = []
    for item in value:
        if item not in allowed or not isinstance(item, str):
            raise RulesError(fact, f"unknown or not allowed program {item!r} (allowed: {allowed})")
        if item in result:
            raise RulesError(fact, f"program {item} listed twice")
        result.append(item)
    return result


def _children(value: Any, fact: str) -> list[dict[str, str]]:
    if not isinstance(value, list | tuple):
        raise RulesError(fact, f"expected a list of {{level}}, got {value!r}")
    result = []
    for i, child in enumerate(value):
        if not isinstance(child, Mapping) or set(child) != {"level"}:
            raise RulesError(
                fact, f"child {i}: expected {{level: TK|SD|SMP|SMA|PT}}, got {child!r}"
            )
        level = child["level"]
        if level not in SCHOOL_LEVELS or not isinstance(level, str):
            raise RulesError(fact, f"child {i}: unknown level {level!r} (one of {SCHOOL_LEVELS})")
        result.append({"level": level})
    return result


def _returns(value: Any, fact: str) -> dict[int, Decimal]:
    if not isinstance(value, Mapping):
        raise RulesError(fact, f"expected a mapping {{year: percent}}, got {value!r}")
    result: dict[int, Decimal] = {}
    for key, percent in value.items():
        if _is_int(key) or (isinstance(key, str) and key.isdigit() and len(key) == 4):
            year = int(key)
        else:
            raise RulesError(fact, f"expected a year as key, got {key!r}")
        if year in result:
            raise RulesError(fact, f"year {year} given twice")
        result[year] = _decimal(FactSpec(fact, "decimal"), percent, fact)
    return result


def _contributions(spec: FactSpec, value: Any, fact: str) -> list[dict[str, Any]]:
    if not isinstance(value, list | tuple):
        raise RulesError(fact, f"expected a list of {{month, amount}}, got {value!r}")
    result = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping) or set(item) != {"month", "amount"}:
            raise RulesError(fact, f"item {i}: expected {{month, amount}}, got {item!r}")
        month = _month(spec, item["month"], fact)
        amount = _money(FactSpec(fact, "money"), item["amount"], fact)
        result.append({"month": month, "amount": amount})
    return result


def parse_value(spec: FactSpec, value: Any) -> Any:
    """Check and convert one fact value according to ``spec``."""
    fact = spec.name
    kind = spec.kind
    if kind == "month":
        return _month(spec, value, fact)
    if kind == "date":
        return _date(spec, value, fact)
    if kind == "money":
        return _money(spec, value, fact)
    if kind == "int":
        if not _is_int(value):
            raise RulesError(fact, f"expected an integer, got {value!r}")
        if spec.choices and value not in spec.choices:
            raise RulesError(fact, f"{value!r} is not one of {spec.choices}")
        _bounds(spec, value, fact)
        return int(value)
    if kind == "bool":
        if not isinstance(value, bool):
            raise RulesError(fact, f"expected true or false, got {value!r}")
        return value
    if kind == "decimal":
        return _decimal(spec, value, fact)
    if kind == "choice":
        if isinstance(value, bool) or value not in spec.choices:
            raise RulesError(fact, f"{value!r} is not one of {spec.choices}")
        return value
    if kind == "text":
        if not isinstance(value, str):
            raise RulesError(fact, f"expected text, got {value!r}")
        return value
    if kind == "programs":
        return _programs(spec, value, fact)
    if kind == "months":
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise RulesError(fact, f"expected a list of months YYYY-MM, got {value!r}")
        months = [_month(spec, item, fact) for item in value]
        if len(set(months)) != len(months):
            raise RulesError(fact, "a month is listed twice")
        return months
    if kind == "children":
        return _children(value, fact)
    if kind == "returns":
        return _returns(value, fact)
    if kind == "contributions":
        return _contributions(spec, value, fact)
    raise AssertionError(kind)  # pragma: no cover - FactSpec checks the kind


def parse_facts(specs: Sequence[FactSpec], facts: Mapping[str, Any]) -> dict[str, Any]:
    """Parse ``facts`` against ``specs``: unknown name, missing required, wrong type -> RulesError.

    A fact given as ``None`` counts as absent. Defaults of absent optional facts are filled in
    (parsed like a given value, so a default "month" string becomes a date).
    """
    if not isinstance(facts, Mapping):
        raise RulesError("facts", f"expected a mapping of fact names to values, got {facts!r}")
    by_name = {spec.name: spec for spec in specs}
    for name in facts:
        if name not in by_name:
            raise RulesError(str(name), "unknown fact")
    result: dict[str, Any] = {}
    for spec in specs:
        value = facts.get(spec.name)
        if value is None:
            if spec.required:
                raise RulesError(spec.name, "required")
            result[spec.name] = (
                None if spec.default is None else parse_value(spec, _copy(spec.default))
            )
            continue
        result[spec.name] = parse_value(spec, value)
    return result


def _copy(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value
