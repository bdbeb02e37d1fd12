"""Jaminan Kematian (JKM): benefits on a death not caused by a work accident.

PP 44/2015 Pasal 34 as amended by PP 82/2019 Pasal 34: lump sum, periodic benefit (paid at once),
funeral allowance and, with enough contribution months, the children's education scholarship.
"""

from __future__ import annotations

from typing import Any

from jaminan.rules.calculations.scholarship import scholarship_amounts
from jaminan.rules.core import Trace
from jaminan.rules.facts import FactSpec
from jaminan.rules.parameters import get
from jaminan.rules.registry import calculation


@calculation(
    "benefit.jkm",
    facts=[
        FactSpec("death_date", "date", required=True, description="Date of death"),
        FactSpec(
            "contribution_months",
            "int",
            required=True,
            minimum=0,
            description="Contribution months (masa iur) of the participant",
        ),
        FactSpec(
            "children",
            "children",
            default=[],
            description="Children in order ({level}: TK, SD, SMP, SMA or PT, the level starting)",
        ),
    ],
    example={"death_date": "2024-05-10", "contribution_months": 48, "children": [{"level": "SD"}]},
    summary_id="Manfaat JKM: santunan sekaligus, berkala, biaya pemakaman dan beasiswa",
    summary_en="JKM benefit: lump sum, periodic benefit, funeral allowance and scholarship",
)
def benefit_jkm(f: dict[str, Any], trace: Trace) -> dict[str, Any]:
    """JKM cash benefits at the amounts in force on the death date.

    PP 44/2015 Pasal 34(1)a-c (16.2M + 4.8M + 3M) and PP 82/2019 Pasal 34(1)a-c from 2 Dec 2019
    (20M + 12M + 10M). Scholarship (Pasal 34(1)d) only with at least 60 contribution months
    (PP 44/2015 Pasal 34(2)) or 36 (PP 82/2019 Pasal 34(3)).
    """
    on = f["death_date"]
    fact = "death_date"
    lump_sum = trace.use(get("jkm.lump_sum", on, fact=fact))
    periodic = trace.use(get("jkm.periodic", on, fact=fact))
    funeral = trace.use(get("jkm.funeral", on, fact=fact))
    minimum_months = trace.use(get("jkm.scholarship_minimum_months", on, fact=fact))
    scholarship = 0
    if f["contribution_months"] >= minimum_months:
        _, scholarship = scholarship_amounts(f["children"], on, fact=fact, trace=trace)
    return {
        "lump_sum": lump_sum,
        "periodic": periodic,
        "funeral": funeral,
        "scholarship": scholarship,
        "total": lump_sum + periodic + funeral + scholarship,
    }
