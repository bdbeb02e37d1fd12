"""contribution.jakon: JKK and JKM of a construction project (Jasa Konstruksi).

PP 44/2015 Pasal 54-55: with the wage known, JKK 1.74% and JKM 0.30% of the monthly wage total
(Pasal 54(1), 55(1)); otherwise marginal rates on bands of the contract value (Pasal 54(2),
55(2); elucidation: Rp180 million -> JKK Rp346,000, JKM Rp46,000). PP 49/2020 Pasal 11-12: 1% of
normal for iuran Aug 2020 - Jan 2021.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jaminan.rules import parameters
from jaminan.rules.core import Trace, half_up
from jaminan.rules.facts import FactSpec
from jaminan.rules.registry import calculation

BANDS = 5


def _marginal(value: int, limits: list[int], rates: list[Decimal]) -> Decimal:
    """Σ rate_i × (part of ``value`` in band i), exact."""
    total = Decimal(0)
    lower = 0
    for i, rate in enumerate(rates):
        upper = limits[i] if i < len(limits) else None
        if value <= lower:
            break
        part = (value if upper is None else min(value, upper)) - lower
        total += rate * part
        if upper is None:
            break
        lower = upper
    return total


@calculation(
    "contribution.jakon",
    facts=[
        FactSpec("month", "month", required=True, description="contribution month YYYY-MM"),
        FactSpec(
            "contract_value", "money", required=True, description="construction contract value"
        ),
        FactSpec(
            "monthly_wage_total",
            "money",
            description="monthly wage total of the project's workers, when the wage bill is known",
        ),
    ],
    example={"month": "2021-05", "contract_value": 180_000_000},
    summary_id="Iuran JKK dan JKM proyek jasa konstruksi (dari nilai kontrak atau total upah)",
    summary_en="JKK and JKM of a construction project (from the contract value or the wage bill)",
)
def contribution_jakon(f: dict[str, Any], trace: Trace) -> dict[str, Any]:
    """PP 44/2015 Pasal 54-55 and their elucidation; PP 49/2020 Pasal 11-12."""
    month = f["month"]

    def get(name: str) -> Any:
        return trace.use(parameters.get(name, month, fact="month"))

    share = get("relief.pp49_2020.jakon_share")
    wage_total = f["monthly_wage_total"]
    if wage_total is not None:
        jkk_exact = wage_total * get("jakon.jkk_rate.wage_known") * share
        jkm_exact = wage_total * get("jakon.jkm_rate.wage_known") * share
    else:
        limits = [get(f"jakon.band_limit.{i}") for i in range(1, BANDS)]
        jkk_rates = [get(f"jakon.jkk_rate.band_{i}") for i in range(1, BANDS + 1)]
        jkm_rates = [get(f"jakon.jkm_rate.band_{i}") for i in range(1, BANDS + 1)]
        jkk_exact = _marginal(f["contract_value"], limits, jkk_rates) * share
        jkm_exact = _marginal(f["contract_value"], limits, jkm_rates) * share
    jkk = half_up(jkk_exact)
    jkm = half_up(jkm_exact)
    return {"JKK": jkk, "JKM": jkm, "total": jkk + jkm}
