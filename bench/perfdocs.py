"""Writes one benchmark's section of docs/performance.md between its markers, keeping the rest."""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
DOCS_INTRO = """# Performance

Measured figures of jaminan's hot paths, each section written by the benchmark script it
names, with the machine, the versions and the date of the run. Re-run the script to
refresh a section; do not edit the figures by hand.
"""


def markers(name: str) -> tuple[str, str]:
    return f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"


def write_section(name: str, section: str) -> None:
    """Replace the section of benchmark ``name`` (``section`` includes its own markers)."""
    start, end = markers(name)
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else DOCS_INTRO
    if start in text and end in text:
        head, rest = text.split(start, 1)
        _old, tail = rest.split(end, 1)
        text = head + section.rstrip("\n") + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOCS.write_text(text, encoding="utf-8")
