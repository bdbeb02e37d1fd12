"""contribution.pu: monthly contributions of wage earners (Penerima Upah).

JKK PP 44/2015 Pasal 16(1); JKM Pasal 18; JHT PP 46/2015 Pasal 16(1); JP PP 45/2015 Pasal 28-29
(wage capped at the JP wage cap of the contribution month). Relief: PP 49/2020 Pasal 8-9 (JKK/JKM
1% of normal, iuran Aug 2020 - Jan 2021, automatic) and Pasal 17 (JP 1% with the deferral);
PP 7/2025 as amended by PP 36/2025 (labour-intensive industries pay 50% of JKK, iuran Feb 2025 -
Jan 2026). No extra JKP charge (PP 37/2021 Pasal 11).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from jaminan.rules import parameters
from jaminan.rules.core import RulesError, Trace, half_up
from jaminan.rules.facts import FactSpec
from jaminan.rules.registry import calculation

PU_PROGRAMS = ("JKK", "JKM", "JHT", "JP")
#: Programs a PU membership may list: the four contributing ones and JKP, which has no contribution of
#: its own (PP 37/2021 Pasal 11: central government + JKK recomposition) and so adds nothing to the bill.
PU_ACCEPTED_PROGRAMS = (*PU_PROGRAMS, "JKP")
ZERO = Decimal(0)


@dataclass(frozen=True)
class PuRates:
    """Effective rates of one contribution month, relief included; 0 for unselected programs."""

    jkk: Decimal
    jkm: Decimal
    jht_employer: Decimal
    jht_worker: Decimal
    jp_employer: Decimal
    jp_worker: Decimal
    jp_cap: int  # 0 when JP is not selected


def _get(name: str, on: date, trace: Trace) -> Any:
    return trace.use(parameters.get(name, on, fact="month"))


def pu_rates(
    month: date,
    risk_group: int,
    *,
    programs: tuple[str, ...] | list[str] = PU_PROGRAMS,
    labour_intensive: bool = False,
    jp_deferral: bool = False,
    trace: Trace | None = None,
) -> PuRates:
    """The effective PU rates of ``month`` (shared by the scalar and the batch path)."""
    t = trace if trace is not None else Trace()
    if risk_group not in (1, 2, 3, 4, 5):
        raise RulesError("risk_group", f"must be 1 to 5, got {risk_group!r}")
    jkk = jkm = jht_e = jht_w = jp_e = jp_w = ZERO
    cap = 0
    if "JKK" in programs:
        jkk = _get(f"pu.jkk_rate.group_{risk_group}", month, t)
        jkk *= _get("relief.pp49_2020.pu_jkk_share", month, t)
        if labour_intensive:
            jkk *= _get("relief.pp7_2025.labour_intensive_jkk_share", month, t)
    if "JKM" in programs:
        jkm = _get("pu.jkm_rate", month, t) * _get("relief.pp49_2020.pu_jkm_share", month, t)
    if "JHT" in programs:
        jht_e = _get("pu.jht_rate.employer", month, t)
        jht_w = _get("pu.jht_rate.worker", month, t)
    if "JP" in programs:
        jp_e = _get("pu.jp_rate.employer", month, t)
        jp_w = _get("pu.jp_rate.worker", month, t)
        if jp_deferral:
            share = _get("relief.pp49_2020.jp_deferral_share", month, t)
            jp_e *= share
            jp_w *= share
        cap = _get("jp.wage_cap", month, t)
    return PuRates(jkk, jkm, jht_e, jht_w, jp_e, jp_w, cap)


FACTS = [
    FactSpec("month", "month", required=True, description="contribution month YYYY-MM"),
    FactSpec("wage", "money", required=True, description="monthly wage (basic + fixed allowances)"),
    FactSpec(
        "risk_group",
        "int",
        required=True,
        choices=(1, 2, 3, 4, 5),
        description="JKK risk group 1-5",
    ),
    FactSpec(
        "programs",
        "programs",
        default=PU_PROGRAMS,
        choices=PU_ACCEPTED_PROGRAMS,
        description="programs enrolled (JKK, JKM, JHT, JP; JKP is accepted and adds no contribution)",
    ),
    FactSpec(
        "labour_intensive",
        "bool",
        default=False,
        description="eligible for the PP 7/2025 + PP 36/2025 JKK discount (labour-intensive industry)",
    ),
    FactSpec(
        "jp_deferral",
        "bool",
        default=False,
        description="granted the PP 49/2020 JP deferral",
    ),
]


@calculation(
    "contribution.pu",
    facts=FACTS,
    example={"month": "2026-05", "wage": 5_000_000, "risk_group": 2},
    summary_id="Iuran bulanan pekerja penerima upah (JKK, JKM, JHT, JP), termasuk keringanan yang berlaku",
    summary_en="Monthly contributions of a wage earner (JKK, JKM, JHT, JP), relief schemes included",
)
def contribution_pu(f: dict[str, Any], trace: Trace) -> dict[str, Any]:
    """PP 44/2015 Pasal 16, 18; PP 46/2015 Pasal 16; PP 45/2015 Pasal 28-29; PP 49/2020; PP 7/2025."""
    wage: int = f["wage"]
    rates = pu_rates(
        f["month"],
        f["risk_group"],
        programs=f["programs"],
        labour_intensive=f["labour_intensive"],
        jp_deferral=f["jp_deferral"],
        trace=trace,
    )
    if "JKP" in f["programs"]:
        trace.note("JKP", 0, "PP 37/2021 Pasal 11: no JKP contribution from employer or worker")
    jp_base = min(wage, rates.jp_cap) if "JP" in f["programs"] else 0
    if "JP" in f["programs"]:
        trace.note("JP.wage_base", jp_base, "PP 45/2015 Pasal 29: min(wage, jp.wage_cap)")
    jkk = half_up(wage * rates.jkk)
    jkm = half_up(wage * rates.jkm)
    jht_e = half_up(wage * rates.jht_employer)
    jht_w = half_up(wage * rates.jht_worker)
    jp_e = half_up(jp_base * rates.jp_employer)
    jp_w = half_up(jp_base * rates.jp_worker)
    employer = jkk + jkm + jht_e + jp_e
    worker = jht_w + jp_w
    return {
        "JKK": {"employer": jkk},
        "JKM": {"employer": jkm},
        "JHT": {"employer": jht_e, "worker": jht_w},
        "JP": {"employer": jp_e, "worker": jp_w, "wage_base": jp_base},
        "employer_total": employer,
        "worker_total": worker,
        "total": employer + worker,
    }
