"""Calculations by name (calculations.md): the ``@calculation`` decorator, ``calculate()``, ``catalogue()``."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jaminan.rules.core import Trace, UnknownCalculation
from jaminan.rules.facts import FactSpec, parse_facts

CalculationFn = Callable[[dict[str, Any], Trace], dict[str, Any]]


@dataclass(frozen=True)
class CalculationInfo:
    """A registered calculation: its facts, an example that computes, and its summaries."""

    name: str
    facts: tuple[FactSpec, ...]
    example: dict[str, Any]
    summary_id: str
    summary_en: str
    fn: CalculationFn = field(repr=False, compare=False)
    doc: str = ""


_REGISTRY: dict[str, CalculationInfo] = {}
_LOADED = False


def calculation(
    name: str,
    *,
    facts: Sequence[FactSpec],
    example: dict[str, Any],
    summary_id: str,
    summary_en: str,
) -> Callable[[CalculationFn], CalculationFn]:
    """Register ``fn(facts, trace) -> outputs`` under ``name``."""

    def register(fn: CalculationFn) -> CalculationFn:
        if name in _REGISTRY and _REGISTRY[name].fn is not fn:
            raise ValueError(f"calculation {name!r} registered twice")
        names = [spec.name for spec in facts]
        if len(set(names)) != len(names):
            raise ValueError(f"calculation {name!r}: a fact is declared twice")
        _REGISTRY[name] = CalculationInfo(
            name=name,
            facts=tuple(facts),
            example=dict(example),
            summary_id=summary_id,
            summary_en=summary_en,
            fn=fn,
            doc=(fn.__doc__ or "").strip(),
        )
        return fn

    return register


def _load() -> None:
    global _LOADED
    if not _LOADED:
        importlib.import_module("jaminan.rules.calculations")
        _LOADED = True


def _check_outputs(name: str, value: Any, path: str = "") -> None:
    """Outputs are ints, bools, str, None, lists and dicts: never a float or a Decimal."""
    if isinstance(value, float | Decimal):
        raise TypeError(f"{name}: output {path or '(root)'} is a {type(value).__name__}: {value!r}")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_outputs(name, item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_outputs(name, item, f"{path}.{i}")


def get_info(name: str) -> CalculationInfo:
    _load()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownCalculation(f"unknown calculation {name!r}") from None


def calculate(name: str, facts: Mapping[str, Any]) -> dict[str, Any]:
    """Compute calculation ``name`` from ``facts``: its outputs plus ``"trace"``.

    Raises ``UnknownCalculation`` for an unknown name and ``RulesError`` for bad facts.
    """
    info = get_info(name)
    parsed = parse_facts(info.facts, facts)
    trace = Trace()
    outputs = info.fn(parsed, trace)
    _check_outputs(name, outputs)
    result = dict(outputs)
    result["trace"] = trace.to_list()
    return result


def catalogue() -> list[CalculationInfo]:
    """Every registered calculation, sorted by name."""
    _load()
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]
