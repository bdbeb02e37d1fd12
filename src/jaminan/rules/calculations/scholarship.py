"""Beasiswa pendidikan anak (education scholarship) of JKK and JKM.

PP 44/2015 Pasal 25(3), 34(2): before 2 December 2019 one flat amount per participant.
PP 82/2019 Pasal 25(3), 34(3) with the per-level amounts of Permenaker 5/2021 (assumed from
2 December 2019, regulations.md §14 item 14): at most two children, each receiving every
remaining school year from the level the child is starting through higher education (PT).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from jaminan.rules.core import Trace
from jaminan.rules.facts import SCHOOL_LEVELS, FactSpec
from jaminan.rules.parameters import get
from jaminan.rules.registry import calculation

FLAT = "flat_per_participant"
PER_LEVEL = "per_child_per_level"


def child_amount(level: str, on: date, *, fact: str, trace: Trace) -> int:
    """Whole scholarship of one child starting ``level``: Σ years × yearly amount from ``level`` to PT.

    PP 82/2019 Pasal 25(3), 34(3); amounts per Permenaker 5/2021 (e.g. TK: 2 × 1.5M + 6 × 1.5M
    + 3 × 2M + 3 × 3M + 5 × 12M = 87,000,000).
    """
    total = 0
    for current in SCHOOL_LEVELS[SCHOOL_LEVELS.index(level) :]:
        years = trace.use(get(f"scholarship.years.{current}", on, fact=fact))
        amount = trace.use(get(f"scholarship.amount_per_year.{current}", on, fact=fact))
        total += years * amount
    return total


def scholarship_amounts(
    children: list[dict[str, str]], on: date, *, fact: str, trace: Trace
) -> tuple[list[int], int]:
    """Scholarship per listed child and in total, under the scheme in force on ``on``.

    Before 2 Dec 2019 (PP 44/2015 Pasal 25(3), 34(2)): the flat amount per participant sits on
    the first child's entry (0 for the others; 0 in total with no child listed). From 2 Dec 2019
    (PP 82/2019 Pasal 25(3), 34(3)): the first two listed children each receive their schedule,
    any further child 0.
    """
    scheme = trace.use(get("scholarship.scheme", on, fact=fact))
    if scheme == FLAT:
        if not children:
            return [], 0
        flat = trace.use(get("scholarship.flat_amount", on, fact=fact))
        per_child = [flat] + [0] * (len(children) - 1)
        return per_child, flat
    if scheme != PER_LEVEL:  # pragma: no cover - guarded by the parameter file
        raise ValueError(f"unknown scholarship scheme {scheme!r}")
    if not children:
        return [], 0
    max_children = trace.use(get("scholarship.max_children", on, fact=fact))
    per_child = [
        child_amount(child["level"], on, fact=fact, trace=trace) if i < max_children else 0
        for i, child in enumerate(children)
    ]
    return per_child, sum(per_child)


@calculation(
    "benefit.scholarship",
    facts=[
        FactSpec("date", "date", required=True, description="Date of the death or disability"),
        FactSpec(
            "children",
            "children",
            required=True,
            description="Children in order ({level}: TK, SD, SMP, SMA or PT, the level starting)",
        ),
    ],
    example={"date": "2024-05-10", "children": [{"level": "SD"}, {"level": "SMA"}]},
    summary_id="Beasiswa pendidikan anak (JKK/JKM) per anak dan total",
    summary_en="Children's education scholarship (JKK/JKM) per child and in total",
)
def benefit_scholarship(f: dict[str, Any], trace: Trace) -> dict[str, Any]:
    """Education scholarship: PP 44/2015 Pasal 25(3), 34(2); PP 82/2019 Pasal 25(3), 34(3)."""
    per_child, total = scholarship_amounts(f["children"], f["date"], fact="date", trace=trace)
    return {"per_child": per_child, "total": total}
