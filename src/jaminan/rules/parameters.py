"""Strict loader of the dated parameters in ``rules/parameters/*.yaml`` (STYLE.md: parameters are data).

File format::

    program: PU
    parameters:
      pu.jkk_rate.group_1:
        description: {id: "...", en: "..."}
        unit: rate
        values:
          - from: 2015-07-01
            value: "0.0024"
            reference: PP 44/2015 Pasal 16(1)a
            confidence: high
            note: optional

The loader fails loudly (``ParameterFileError``) on an unknown key, a missing description,
unit, from, value, reference or confidence, dates that are not strictly increasing, a float
anywhere, a non-integer money value or a rate that is not a quoted decimal string. ``to`` is
implied by the next value's ``from`` minus one day.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from jaminan.rules.core import ParamValue, RulesError

PARAMETER_DIR = Path(__file__).resolve().parent / "parameters"

UNITS = ("rate", "money", "months", "years", "percent", "count", "text", "date")
CONFIDENCE = ("high", "medium", "low")
FILE_KEYS = {"program", "parameters"}
PARAMETER_KEYS = {"description", "unit", "values"}
VALUE_KEYS = {"from", "value", "reference", "confidence", "note"}
REQUIRED_VALUE_KEYS = {"from", "value", "reference", "confidence"}


class ParameterFileError(ValueError):
    """A parameter file breaks the format: the message names the file and the parameter."""


@dataclass(frozen=True)
class ParameterSeries:
    """All dated values of one parameter, for lookups and the generated documentation."""

    name: str
    program: str
    file: str
    description: dict[str, str]
    unit: str
    values: tuple[ParamValue, ...]


def _leaf(unit: str, value: Any, where: str) -> Any:
    """Check and convert one scalar value of ``unit``."""
    if isinstance(value, float):
        raise ParameterFileError(
            f"{where}: float {value!r} not allowed (quote decimals as strings)"
        )
    if unit == "money":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParameterFileError(f"{where}: money must be an integer of rupiah, got {value!r}")
        return value
    if unit in ("rate", "percent"):
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ParameterFileError(
                f"{where}: {unit} must be a quoted decimal string, got {value!r}"
            )
        try:
            result = Decimal(str(value))
        except InvalidOperation as exc:
            raise ParameterFileError(f"{where}: not a decimal: {value!r}") from exc
        if not result.is_finite():
            raise ParameterFileError(f"{where}: not a finite decimal: {value!r}")
        return result
    if unit in ("months", "years", "count"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParameterFileError(f"{where}: {unit} must be an integer, got {value!r}")
        return value
    if unit == "text":
        if not isinstance(value, str):
            raise ParameterFileError(f"{where}: text must be a string, got {value!r}")
        return value
    if unit == "date":
        if not isinstance(value, date):
            raise ParameterFileError(f"{where}: date must be YYYY-MM-DD, got {value!r}")
        return value
    raise ParameterFileError(f"{where}: unknown unit {unit!r}")  # pragma: no cover


def _convert(unit: str, value: Any, where: str) -> Any:
    """A scalar, or a list/mapping (e.g. a schedule) whose leaves are all of ``unit``."""
    if isinstance(value, list):
        if not value:
            raise ParameterFileError(f"{where}: empty list")
        return tuple(_convert(unit, v, f"{where}[{i}]") for i, v in enumerate(value))
    if isinstance(value, dict):
        if not value:
            raise ParameterFileError(f"{where}: empty mapping")
        return {str(k): _convert(unit, v, f"{where}.{k}") for k, v in value.items()}
    if value is None:
        raise ParameterFileError(f"{where}: value missing")
    return _leaf(unit, value, where)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ParameterFileError(f"{where}: expected non-empty text, got {value!r}")
    return value.strip()


def load_file(path: Path) -> list[ParameterSeries]:
    """Load and check one parameter file."""
    where = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParameterFileError(f"{where}: invalid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ParameterFileError(f"{where}: expected a mapping with program and parameters")
    unknown = set(data) - FILE_KEYS
    if unknown:
        raise ParameterFileError(f"{where}: unknown key(s) {sorted(unknown)}")
    missing = FILE_KEYS - set(data)
    if missing:
        raise ParameterFileError(f"{where}: missing key(s) {sorted(missing)}")
    program = _text(data["program"], f"{where}: program")
    params = data["parameters"]
    if not isinstance(params, dict) or not params:
        raise ParameterFileError(f"{where}: parameters must be a non-empty mapping")
    series: list[ParameterSeries] = []
    for name, spec in params.items():
        series.append(_load_parameter(where, program, str(name), spec))
    return series


def _load_parameter(file: str, program: str, name: str, spec: Any) -> ParameterSeries:
    where = f"{file}: {name}"
    if not isinstance(spec, dict):
        raise ParameterFileError(f"{where}: expected a mapping")
    unknown = set(spec) - PARAMETER_KEYS
    if unknown:
        raise ParameterFileError(f"{where}: unknown key(s) {sorted(unknown)}")
    missing = PARAMETER_KEYS - set(spec)
    if missing:
        raise ParameterFileError(f"{where}: missing key(s) {sorted(missing)}")
    description = spec["description"]
    if not isinstance(description, dict) or set(description) != {"id", "en"}:
        raise ParameterFileError(f"{where}: description must be {{id: ..., en: ...}}")
    desc = {lang: _text(description[lang], f"{where}: description.{lang}") for lang in ("id", "en")}
    unit = spec["unit"]
    if unit not in UNITS:
        raise ParameterFileError(f"{where}: unit must be one of {UNITS}, got {unit!r}")
    raw_values = spec["values"]
    if not isinstance(raw_values, list) or not raw_values:
        raise ParameterFileError(f"{where}: values must be a non-empty list")
    rows: list[tuple[date, Any, str, str, str]] = []
    for i, raw in enumerate(raw_values):
        at = f"{where}: values[{i}]"
        if not isinstance(raw, dict):
            raise ParameterFileError(f"{at}: expected a mapping")
        unknown = set(raw) - VALUE_KEYS
        if unknown:
            raise ParameterFileError(f"{at}: unknown key(s) {sorted(unknown)}")
        missing = REQUIRED_VALUE_KEYS - set(raw)
        if missing:
            raise ParameterFileError(f"{at}: missing key(s) {sorted(missing)}")
        start = raw["from"]
        if not isinstance(start, date):
            raise ParameterFileError(f"{at}: from must be a date YYYY-MM-DD, got {start!r}")
        if rows and start <= rows[-1][0]:
            raise ParameterFileError(
                f"{at}: from {start} is not after the previous from {rows[-1][0]}"
            )
        confidence = raw["confidence"]
        if confidence not in CONFIDENCE:
            raise ParameterFileError(f"{at}: confidence must be one of {CONFIDENCE}")
        note = raw.get("note", "")
        if note is None or not isinstance(note, str):
            raise ParameterFileError(f"{at}: note must be text")
        rows.append(
            (
                start,
                _convert(unit, raw["value"], f"{at}.value"),
                _text(raw["reference"], f"{at}: reference"),
                confidence,
                note.strip(),
            )
        )
    values = []
    for i, (start, value, reference, confidence, note) in enumerate(rows):
        end = rows[i + 1][0] - timedelta(days=1) if i + 1 < len(rows) else None
        values.append(ParamValue(name, value, start, end, unit, reference, confidence, note))
    return ParameterSeries(name, program, file, desc, unit, tuple(values))


def load_directory(directory: Path) -> dict[str, ParameterSeries]:
    """Load every ``*.yaml`` of ``directory``; a name defined in two files is an error."""
    result: dict[str, ParameterSeries] = {}
    for path in sorted(directory.glob("*.yaml")):
        for series in load_file(path):
            if series.name in result:
                raise ParameterFileError(
                    f"{path.name}: {series.name} already defined in {result[series.name].file}"
                )
            result[series.name] = series
    return result


@functools.cache
def _parameters() -> dict[str, ParameterSeries]:
    return load_directory(PARAMETER_DIR)


def reload() -> None:
    """Forget the loaded parameters (tests)."""
    _parameters.cache_clear()


def series(name: str) -> ParameterSeries:
    """The whole series of ``name``; KeyError when unknown."""
    try:
        return _parameters()[name]
    except KeyError:
        raise KeyError(f"unknown parameter {name!r}") from None


def get(name: str, on: date, *, fact: str) -> ParamValue:
    """The value of ``name`` in force on ``on``.

    KeyError for an unknown name; RulesError naming ``fact`` when no value is in force yet.
    """
    found: ParamValue | None = None
    for value in series(name).values:
        if value.start <= on:
            found = value
        else:
            break
    if found is None:
        raise RulesError(fact, f"{on.isoformat()}: no value of {name} in force on that date")
    return found


def find(name: str, on: date) -> ParamValue | None:
    """Like ``get`` but None when nothing is in force."""
    for value in reversed(series(name).values):
        if value.start <= on:
            return value
    return None


def all_parameters() -> list[ParameterSeries]:
    """Every parameter series, ordered by file then by name (for the documentation)."""
    return sorted(_parameters().values(), key=lambda s: (s.file, s.name))


def names() -> Iterable[str]:
    return sorted(_parameters())
