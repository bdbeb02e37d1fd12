"""Runner of the YAML case files (calculations.md, "Case files").

A case file is a list of mappings with the keys ``name``, ``calculation``, ``facts`` and exactly
one of ``expect`` (dotted output paths -> expected values) or ``expect_error`` (text the
``RulesError`` message must contain); ``description`` is optional. A malformed file or case, an
unknown calculation or an expected path the output does not have is a failed case with a clear
line, never a silent pass. Values compare with type care: ``True`` is not ``1``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from jaminan.rules.core import RulesError, UnknownCalculation
from jaminan.rules.registry import calculate, get_info

CASE_KEYS = {"name", "calculation", "facts", "expect", "expect_error", "description"}
_MISSING = object()


@dataclass
class CaseReport:
    """Counts and one line per failing case (name, file, path, expected, got)."""

    passed: int = 0
    failed: int = 0
    lines: list[str] = field(default_factory=list)

    def fail(self, line: str) -> None:
        self.failed += 1
        self.lines.append(line)


def case_files(paths: Sequence[str | Path]) -> list[Path]:
    """Every ``*.yaml`` below each path (a path may itself be a file), sorted, without repeats."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.yaml") if p.is_file()))
        else:
            found.append(path)
    unique: list[Path] = []
    for p in found:
        if p not in unique:
            unique.append(p)
    return unique


def _resolve(value: Any, segments: list[str]) -> Any:
    """Follow a dotted path; digits index lists; a key that itself contains dots is found too."""
    if not segments:
        return value
    if isinstance(value, Mapping):
        for j in range(len(segments), 0, -1):
            key = ".".join(segments[:j])
            if key in value:
                return _resolve(value[key], segments[j:])
        return _MISSING
    if isinstance(value, list):
        head = segments[0]
        if head.isdigit() and int(head) < len(value):
            return _resolve(value[int(head)], segments[1:])
        return _MISSING
    return _MISSING


def same(expected: Any, got: Any) -> bool:
    """Equality with type care: bool only equals bool, int only int, str only str.

    A YAML date in the expectation equals the same date written ISO in the output.
    """
    if isinstance(expected, bool) or isinstance(got, bool):
        return isinstance(expected, bool) and isinstance(got, bool) and expected == got
    if isinstance(expected, float) or isinstance(got, float):
        return False  # money and counts are never float
    if isinstance(expected, date) and not isinstance(expected, datetime):
        return isinstance(got, str) and got == expected.isoformat()
    if expected is None or got is None:
        return expected is None and got is None
    if isinstance(expected, int):
        return isinstance(got, int) and expected == got
    if isinstance(expected, str):
        return isinstance(got, str) and expected == got
    if isinstance(expected, list):
        return (
            isinstance(got, list)
            and len(expected) == len(got)
            and all(same(e, g) for e, g in zip(expected, got, strict=True))
        )
    if isinstance(expected, Mapping):
        if not isinstance(got, Mapping):
            return False
        want = {str(k): v for k, v in expected.items()}
        have = {str(k): v for k, v in got.items()}
        return set(want) == set(have) and all(same(want[k], have[k]) for k in want)
    return False


def _show(value: Any) -> str:
    if value is _MISSING:
        return "(absent)"
    if isinstance(value, date):
        return value.isoformat()
    return repr(value)


def _case_problem(case: Any) -> str | None:
    """What is wrong with the shape of a case, or None."""
    if not isinstance(case, Mapping):
        return f"a case must be a mapping, got {type(case).__name__}"
    unknown = set(map(str, case)) - CASE_KEYS
    if unknown:
        return f"unknown key(s) {sorted(unknown)}"
    for key in ("name", "calculation", "facts"):
        if key not in case:
            return f"missing key {key!r}"
    if not isinstance(case["name"], str) or not case["name"].strip():
        return "name must be non-empty text"
    if not isinstance(case["calculation"], str):
        return "calculation must be text"
    if not isinstance(case["facts"], Mapping):
        return "facts must be a mapping"
    if ("expect" in case) == ("expect_error" in case):
        return "exactly one of expect and expect_error is required"
    if "expect" in case and (not isinstance(case["expect"], Mapping) or not case["expect"]):
        return "expect must be a non-empty mapping of output paths"
    if "expect_error" in case and (
        not isinstance(case["expect_error"], str) or not case["expect_error"]
    ):
        return "expect_error must be non-empty text"
    if "description" in case and not isinstance(case["description"], str):
        return "description must be text"
    return None


def run_case(case: Mapping[str, Any], file: str, index: int, report: CaseReport) -> None:
    """Run one case and record a pass or a failing line."""
    problem = _case_problem(case)
    label = (
        case.get("name")
        if isinstance(case, Mapping) and isinstance(case.get("name"), str)
        else None
    )
    where = f"{label or f'case #{index + 1}'} [{file}]"
    if problem:
        report.fail(f"FAIL {where}: malformed case: {problem}")
        return
    name = case["calculation"]
    try:
        get_info(name)
    except UnknownCalculation:
        report.fail(f"FAIL {where}: unknown calculation {name!r}")
        return
    try:
        outputs = calculate(name, case["facts"])
    except RulesError as exc:
        if "expect_error" in case:
            if case["expect_error"] in str(exc):
                report.passed += 1
            else:
                report.fail(
                    f"FAIL {where}: error: expected a RulesError containing "
                    f"{case['expect_error']!r}, got {str(exc)!r}"
                )
        else:
            report.fail(f"FAIL {where}: expected outputs, got RulesError {str(exc)!r}")
        return
    except Exception as exc:  # a defect of the engine, reported as a failing case
        report.fail(f"FAIL {where}: engine raised {type(exc).__name__}: {exc}")
        return
    if "expect_error" in case:
        outputs.pop("trace", None)
        report.fail(
            f"FAIL {where}: error: expected a RulesError containing {case['expect_error']!r}, "
            f"got outputs {outputs!r}"
        )
        return
    outputs.pop("trace", None)
    mismatches = []
    for path, expected in case["expect"].items():
        got = _resolve(outputs, str(path).split("."))
        if got is _MISSING or not same(expected, got):
            mismatches.append(f"{path}: expected {_show(expected)}, got {_show(got)}")
    if mismatches:
        report.fail(f"FAIL {where}: " + "; ".join(mismatches))
    else:
        report.passed += 1


def run_file(path: Path, report: CaseReport) -> None:
    """Run every case of one file; a file that is not a list of cases is one failing line."""
    file = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        report.fail(f"FAIL [{file}]: cannot read case file: {exc}")
        return
    if not isinstance(data, list) or not data:
        report.fail(f"FAIL [{file}]: a case file must be a non-empty list of cases")
        return
    for index, case in enumerate(data):
        run_case(case, file, index, report)


def run_paths(paths: Sequence[str | Path]) -> CaseReport:
    """Run every ``*.yaml`` case file below ``paths``."""
    report = CaseReport()
    files = case_files(paths)
    if not files:
        report.fail(f"FAIL: no case files found under {[str(p) for p in paths]}")
    for path in files:
        run_file(path, report)
    return report
