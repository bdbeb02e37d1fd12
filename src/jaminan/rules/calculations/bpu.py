"""contribution.bpu: monthly contributions of non-wage earners (Bukan Penerima Upah).

JKK 1% of the declared income tier (PP 44/2015 Pasal 20(1)-(2), Lampiran II); JKM Rp6,800 flat
(Pasal 20(3)); optional JHT 2% (PP 46/2015 Pasal 18). JP and JKP are not open to BPU (PP 45/2015
Pasal 2; PP 37/2021 Pasal 4(2)c). Relief: PP 49/2020 (JKK and JKM 1% of normal, iuran Aug 2020 -
Jan 2021); PP 50/2025 Pasal 3-4 (50% of JKK + JKM, transport Jan 2026 - Mar 2027, other Apr - Dec
2026, never for APBN/APBD-funded participants; JHT never discounted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from jaminan.rules import parameters
from jaminan.rules.core import RulesError, Trace, half_up
from jaminan.rules.facts import PROGRAMS, FactSpec
from jaminan.rules.registry import calculation

SECTORS = ("transport", "other")


@dataclass(frozen=True)
class BpuRates:
    """Effective BPU rates of one contribution month (shared by the scalar and the batch path)."""

    income_minimum: int
    income_maximum: int
    jkk: Decimal  # of the declared income, relief included (0 when JKK not selected)
    jkm_amount: Decimal  # flat amount × relief share (0 when JKM not selected)
    jht: Decimal  # of the declared income (0 when JHT not selected)
    discount: Decimal  # PP 50/2025 share of JKK + JKM


def _get(name: str, on: date, trace: Trace) -> Any:
    return trace.use(parameters.get(name, on, fact="month"))


def check_programs(programs: list[str] | tuple[str, ...]) -> None:
    for program in programs:
        if program in ("JP", "JKP"):
            raise RulesError(
                "programs",
                f"{program} is not open to BPU participants (PP 45/2015 Pasal 2; PP 37/2021 Pasal 4(2)c)",
            )
        if program not in ("JKK", "JKM", "JHT"):
            raise RulesError("programs", f"unknown program {program!r}")
    if "JKK" not in programs or "JKM" not in programs:
        raise RulesError("programs", "BPU participation includes JKK and JKM (PP 44/2015 Pasal 20)")


def bpu_rates(
    month: date,
    *,
    programs: tuple[str, ...] | list[str] = ("JKK", "JKM"),
    sector: str = "other",
    government_funded: bool = False,
    trace: Trace | None = None,
) -> BpuRates:
    """The effective BPU rates and limits of ``month``."""
    t = trace if trace is not None else Trace()
    check_programs(programs)
    if sector not in SECTORS:
        raise RulesError("sector", f"must be one of {SECTORS}, got {sector!r}")
    minimum = _get("bpu.income_minimum", month, t)
    maximum = _get("bpu.income_maximum", month, t)
    relief = _get("relief.pp49_2020.bpu_share", month, t)
    jkk = _get("bpu.jkk_rate", month, t) * relief if "JKK" in programs else Decimal(0)
    jkm = _get("bpu.jkm_amount", month, t) * relief if "JKM" in programs else Decimal(0)
    jht = _get("bpu.jht_rate", month, t) if "JHT" in programs else Decimal(0)
    discount = Decimal(0)
    if not government_funded:
        discount = _get(f"relief.pp50_2025.bpu_discount.{sector}", month, t)
    return BpuRates(minimum, maximum, jkk, Decimal(jkm), jht, discount)


def bpu_amounts(declared_income: int, rates: BpuRates) -> dict[str, int]:
    """Rounded lines: JKK, JKM, JHT, gross, discount, total (each line half up once)."""
    if declared_income < rates.income_minimum:
        raise RulesError(
            "declared_income",
            f"{declared_income} is below the lowest income tier {rates.income_minimum}",
        )
    if declared_income > rates.income_maximum:
        raise RulesError(
            "declared_income",
            f"{declared_income} is above the highest reported income tier {rates.income_maximum}",
        )
    jkk = half_up(declared_income * rates.jkk)
    jkm = half_up(rates.jkm_amount)
    jht = half_up(declared_income * rates.jht)
    gross = jkk + jkm + jht
    discount = half_up(rates.discount * (jkk + jkm))
    return {
        "JKK": jkk,
        "JKM": jkm,
        "JHT": jht,
        "gross": gross,
        "discount": discount,
        "total": gross - discount,
    }


FACTS = [
    FactSpec("month", "month", required=True, description="contribution month YYYY-MM"),
    FactSpec(
        "declared_income",
        "money",
        required=True,
        description="declared monthly income (the chosen income tier, at least the lowest tier)",
    ),
    FactSpec(
        "programs",
        "programs",
        default=("JKK", "JKM"),
        choices=PROGRAMS,
        description="JKK and JKM, optionally JHT",
    ),
    FactSpec(
        "sector", "choice", default="other", choices=SECTORS, description="transport or other"
    ),
    FactSpec(
        "government_funded",
        "bool",
        default=False,
        description="contributions paid from APBN/APBD (excluded from the PP 50/2025 discount)",
    ),
]


@calculation(
    "contribution.bpu",
    facts=FACTS,
    example={"month": "2026-05", "declared_income": 1_000_000},
    summary_id="Iuran bulanan peserta bukan penerima upah (JKK, JKM, JHT pilihan), termasuk diskon PP 50/2025",
    summary_en="Monthly contributions of a non-wage earner (JKK, JKM, optional JHT), PP 50/2025 discount included",
)
def contribution_bpu(f: dict[str, Any], trace: Trace) -> dict[str, Any]:
    """PP 44/2015 Pasal 20; PP 46/2015 Pasal 18; PP 49/2020 Pasal 8-9; PP 50/2025 Pasal 3-4."""
    rates = bpu_rates(
        f["month"],
        programs=f["programs"],
        sector=f["sector"],
        government_funded=f["government_funded"],
        trace=trace,
    )
    return dict(bpu_amounts(f["declared_income"], rates))
