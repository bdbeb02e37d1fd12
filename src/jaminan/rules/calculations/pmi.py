"""contribution.pmi: JKK + JKM (and optional JHT) of an Indonesian migrant worker (PMI).

Permenaker 4/2023 Pasal 18 (from 22 Feb 2023): Rp37,500 before placement; during and after
placement by contract length: up to 6 months Rp108,000, 12 months Rp189,000, 24 months
Rp332,500, each month beyond a tier Rp13,500 but never more than the next tier (jaminan's reading of
an open point: a shorter contract does not cost more). Permenaker 18/2018 (10 Dec 2018 - 21 Feb 2023):
Rp332,500 flat. Optional JHT Rp50,000 - Rp600,000 per month. Parameters are looked up on the
first day of the contribution month.
"""

from __future__ import annotations

from typing import Any

from jaminan.rules import parameters
from jaminan.rules.core import RulesError, Trace
from jaminan.rules.facts import FactSpec
from jaminan.rules.registry import calculation


@calculation(
    "contribution.pmi",
    facts=[
        FactSpec("month", "month", required=True, description="contribution month YYYY-MM"),
        FactSpec(
            "contract_months",
            "int",
            required=True,
            minimum=1,
            description="length of the work contract",
        ),
        FactSpec("jht_monthly", "money", description="optional JHT amount per month"),
    ],
    example={"month": "2026-05", "contract_months": 24},
    summary_id="Iuran JKK dan JKM Pekerja Migran Indonesia (sebelum, selama dan setelah penempatan) dan JHT pilihan",
    summary_en="JKK and JKM of an Indonesian migrant worker (before, during and after placement) and optional JHT",
)
def contribution_pmi(f: dict[str, Any], trace: Trace) -> dict[str, Any]:
    """Permenaker 4/2023 Pasal 18; Permenaker 18/2018 before 22 Feb 2023."""
    month = f["month"]
    months: int = f["contract_months"]

    def get(name: str, fact: str = "month") -> Any:
        return trace.use(parameters.get(name, month, fact=fact))

    before = get("pmi.before_placement")
    if parameters.find("pmi.during_after.24_months", month) is None:
        during = get("pmi.during_after.flat")
    else:
        extra = get("pmi.during_after.extra_month")
        if months <= 6:
            during = get("pmi.during_after.up_to_6_months")
        elif months < 12:
            during = min(
                get("pmi.during_after.up_to_6_months") + (months - 6) * extra,
                get("pmi.during_after.12_months"),
            )
        elif months < 24:
            during = min(
                get("pmi.during_after.12_months") + (months - 12) * extra,
                get("pmi.during_after.24_months"),
            )
        else:
            during = get("pmi.during_after.24_months") + (months - 24) * extra
    jht = 0
    if f["jht_monthly"] is not None:
        options = get("pmi.jht_options", fact="jht_monthly")
        if f["jht_monthly"] not in options:
            raise RulesError(
                "jht_monthly", f"must be one of {list(options)}, got {f['jht_monthly']}"
            )
        jht = f["jht_monthly"] * months
    return {
        "before_placement": before,
        "during_after": during,
        "JHT": jht,
        "total": before + during + jht,
    }
