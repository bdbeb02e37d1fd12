"""Pure-Python entry points of the command line (called by the Django management commands).

``jaminan calc NAME --facts JSON``, ``jaminan rules test PATH...``, ``jaminan rules docs [PATH]``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from jaminan.rules.cases import run_paths
from jaminan.rules.core import RulesError, UnknownCalculation
from jaminan.rules.registry import calculate

DEFAULT_DOCS_PATH = Path("docs/rules.md")


class Writer(Protocol):
    """Anything with ``write(text)``: a text file, ``sys.stdout``, Django's OutputWrapper."""

    def write(self, text: str, /) -> Any: ...


def main_calc(name: str, facts_json: str, stdout: Writer, stderr: Writer) -> int:
    """Print the outputs of calculation ``name`` as JSON; exit 2 on bad facts, name or JSON."""
    try:
        facts = json.loads(facts_json)
    except json.JSONDecodeError as exc:
        stderr.write(f"facts: invalid JSON: {exc}\n")
        return 2
    if not isinstance(facts, dict):
        stderr.write("facts: expected a JSON object of fact names to values\n")
        return 2
    try:
        result = calculate(name, facts)
    except RulesError as exc:
        stderr.write(f"{exc}\n")
        return 2
    except UnknownCalculation as exc:
        stderr.write(f"{exc.args[0] if exc.args else exc}\n")
        return 2
    stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 0


def main_rules_test(paths: Sequence[str | Path], stdout: Writer) -> int:
    """Run the case files below ``paths``; print failing lines then "N passed, M failed"."""
    report = run_paths(paths)
    for line in report.lines:
        stdout.write(line + "\n")
    stdout.write(f"{report.passed} passed, {report.failed} failed\n")
    return 0 if report.failed == 0 else 1


def main_rules_docs(path: str | Path = DEFAULT_DOCS_PATH) -> int:
    """Write the generated parameter documentation (docs/rules.md) to ``path``."""
    from jaminan.rules.docs import render_markdown

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_markdown(), encoding="utf-8")
    return 0
