"""Benchmark: jaminan's NumPy batch path of PU contributions against an OpenFisca model.

One run of this script:

1. builds N synthetic wage earners (default 1,000,000) deterministically from a seed:
   wages 0..60,000,000 rupiah (int64), mostly log-normal around the Kalimantan minimum
   wages (about Rp3-4 million), some spread uniformly over the whole range, some on edges
   (0, 1, the JP wage cap of the month and its neighbours, odd amounts above 2**24, the
   60,000,000 top); risk groups 1-5; contribution months spread uniformly over
   2015-07..2027-12 (150 months);
2. computes an exact integer reference of every amount (integer half-up, no Decimal,
   no float) and checks that reference against jaminan's exact scalar path
   ``jaminan.rules.calculate("contribution.pu", ...)`` on a random sample of rows
   (default 10,000) plus an edge grid (every month x every risk group x edge wages);
3. times ``jaminan.rules.batch.pu_contributions(wages, risk_groups, months)`` on all
   rows, best of ``--runs``;
4. times the OpenFisca model of bench/openfisca_pu (simulation build + calculate of the
   ten outputs), best of ``--runs``. OpenFisca computes one period per simulation, so the
   rows are split by month (the split is done once, outside the timing) and one
   simulation is built per distinct month; for the raw throughput of OpenFisca the script
   also times one simulation of all N rows in one fixed month against jaminan on the same
   rows and month;
5. compares both engines with the reference on every row and every output line (OpenFisca
   floats are rounded half-up to rupiah first) and prints the wrong-amount counts.

Exit status: 0 when jaminan gets every amount right, the reference agrees with the
scalar path and the OpenFisca parameters equal jaminan's; 1 otherwise; 2 when jaminan's
batch path cannot be imported.

    uv run --group bench python bench/rules_vs_openfisca.py              # 1,000,000 rows
    uv run --group bench python bench/rules_vs_openfisca.py --quick      # 10,000 rows (CI)
    uv run --group bench python bench/rules_vs_openfisca.py --write-docs # update docs/performance.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib.metadata
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(ROOT / "src"))

from perfdocs import DOCS, markers, write_section  # noqa: E402  (bench/ is on sys.path above)

from jaminan.rules.batch import PU_KEYS  # noqa: E402

START_MARKER, END_MARKER = markers("rules_vs_openfisca")

LINES = PU_KEYS  # the batch path's output lines

MAX_WAGE = 60_000_000
FIRST_MONTH = (2015, 7)
LAST_MONTH = (2027, 12)
FIXED_MONTH = 202603  # the one-simulation comparison: the latest JP cap (Mar 2026)

# ---------------------------------------------------------------------------------------
# The exact integer reference. Rates are integers over a common denominator, so every
# line is integer arithmetic: half_up(W * num / den) = (W * num + den // 2) // den for
# W >= 0 and an even den. Values: regulations.md sections 3.1, 4, 7.1 (the same values
# jaminan's parameters hold; the sample check against the scalar path proves it).
# ---------------------------------------------------------------------------------------
RATE_DEN = 10_000  # rates in basis points of a percent: 0.24% = 24 / 10,000
JKK_BP = {1: 24, 2: 54, 3: 89, 4: 127, 5: 174}  # PP 44/2015 Pasal 16(1)
JKM_BP = 30  # PP 44/2015 Pasal 18
JHT_EMPLOYER_BP = 370  # PP 46/2015 Pasal 16(1)
JHT_WORKER_BP = 200
JP_EMPLOYER_BP = 200  # PP 45/2015 Pasal 28(2)-(3)
JP_WORKER_BP = 100
RELIEF_MONTHS = (202008, 202101)  # PP 49/2020: JKK and JKM at 1% of normal, inclusive
RELIEF_DEN = 100  # 1% = 1 / 100
JP_CAPS = (  # (first contribution month YYYYMM, cap): PP 45/2015 Pasal 29, BPJS letters
    (201507, 7_000_000),
    (201603, 7_335_300),
    (201703, 7_703_500),
    (201803, 8_094_000),
    (201903, 8_512_400),
    (202003, 8_939_700),
    (202103, 8_754_600),
    (202203, 9_077_600),
    (202303, 9_559_600),
    (202403, 10_042_300),
    (202503, 10_547_400),
    (202603, 11_086_300),
)


def all_months() -> np.ndarray:
    """Every contribution month of the benchmark as int64 YYYYMM, in order."""
    out = []
    year, month = FIRST_MONTH
    while (year, month) <= LAST_MONTH:
        out.append(year * 100 + month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return np.array(out, dtype=np.int64)


def jp_cap(months: np.ndarray) -> np.ndarray:
    starts = np.array([m for m, _ in JP_CAPS], dtype=np.int64)
    caps = np.array([c for _, c in JP_CAPS], dtype=np.int64)
    return caps[np.searchsorted(starts, months, side="right") - 1]


def half_up_div(numerator: np.ndarray, den: int) -> np.ndarray:
    """half_up(numerator / den) for numerator >= 0 and an even den, exactly, in int64."""
    return (numerator + den // 2) // den


def reference(wages: np.ndarray, groups: np.ndarray, months: np.ndarray) -> dict[str, np.ndarray]:
    """Exact PU contributions (default facts: all four programs, no relief flags)."""
    w = wages.astype(np.int64)
    jkk_bp = np.zeros(6, dtype=np.int64)
    for group, bp in JKK_BP.items():
        jkk_bp[group] = bp
    relief = (months >= RELIEF_MONTHS[0]) & (months <= RELIEF_MONTHS[1])
    # in relief months the rate is bp / 10,000 x 1 / 100: one exact fraction, one rounding
    jkk = np.where(
        relief,
        half_up_div(w * jkk_bp[groups], RATE_DEN * RELIEF_DEN),
        half_up_div(w * jkk_bp[groups], RATE_DEN),
    )
    jkm = np.where(
        relief,
        half_up_div(w * JKM_BP, RATE_DEN * RELIEF_DEN),
        half_up_div(w * JKM_BP, RATE_DEN),
    )
    jp_base = np.minimum(w, jp_cap(months))
    out = {
        "JKK.employer": jkk,
        "JKM.employer": jkm,
        "JHT.employer": half_up_div(w * JHT_EMPLOYER_BP, RATE_DEN),
        "JHT.worker": half_up_div(w * JHT_WORKER_BP, RATE_DEN),
        "JP.employer": half_up_div(jp_base * JP_EMPLOYER_BP, RATE_DEN),
        "JP.worker": half_up_div(jp_base * JP_WORKER_BP, RATE_DEN),
        "JP.wage_base": jp_base,
    }
    out["employer_total"] = (
        out["JKK.employer"] + out["JKM.employer"] + out["JHT.employer"] + out["JP.employer"]
    )
    out["worker_total"] = out["JHT.worker"] + out["JP.worker"]
    out["total"] = out["employer_total"] + out["worker_total"]
    return out


# ---------------------------------------------------------------------------------------
# Synthetic workers
# ---------------------------------------------------------------------------------------
def synthetic_workers(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(wages, risk_groups, months), int64 arrays of length n, deterministic for a seed."""
    rng = np.random.default_rng(seed)
    month_list = all_months()
    months = month_list[rng.integers(0, len(month_list), size=n)]
    groups = rng.choice(np.arange(1, 6, dtype=np.int64), size=n, p=[0.30, 0.30, 0.20, 0.12, 0.08])
    # 90%: log-normal around Rp3.5 million (Kalimantan minimum wages are ~3-4 million);
    # a third of those rounded to the thousand, as payrolls often are
    wages = np.rint(np.exp(rng.normal(np.log(3_500_000), 0.45, size=n))).astype(np.int64)
    rounded = rng.random(n) < 0.3
    wages[rounded] = wages[rounded] // 1000 * 1000
    kind = rng.random(n)
    # 7%: uniform over the whole range 0..60,000,000
    uniform = kind < 0.07
    wages[uniform] = rng.integers(0, MAX_WAGE + 1, size=int(uniform.sum()))
    # 3%: edges: 0, 1, the JP cap of the month and its neighbours, odd amounts above 2**24
    # (float32 holds every integer only up to 16,777,216), the top of the range
    edge = kind >= 0.97
    cap = jp_cap(months[edge])
    fixed = np.array([0, 1, 16_777_217, 16_800_001, 33_554_433, MAX_WAGE - 1, MAX_WAGE])
    choice = rng.integers(0, len(fixed) + 3, size=int(edge.sum()))
    edge_wages = np.where(
        choice < len(fixed),
        fixed[np.minimum(choice, len(fixed) - 1)],
        cap + (choice - len(fixed) - 1),  # cap - 1, cap, cap + 1
    )
    wages[edge] = edge_wages
    np.clip(wages, 0, MAX_WAGE, out=wages)
    return wages, groups, months


# ---------------------------------------------------------------------------------------
# Engines
# ---------------------------------------------------------------------------------------
def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall time, CPU time of this process) of one call, garbage collector off, and its result."""
    gc.collect()
    gc.disable()
    try:
        start_cpu = time.process_time()
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - start_cpu
    finally:
        gc.enable()
    return elapsed, cpu, result


def openfisca_system() -> Any:
    from openfisca_pu import PUTaxBenefitSystem

    return PUTaxBenefitSystem()


def openfisca_period(yyyymm: int) -> str:
    return f"{yyyymm // 100:04d}-{yyyymm % 100:02d}"


def openfisca_by_month(
    tbs: Any, parts: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]
) -> list[dict[str, np.ndarray]]:
    """One OpenFisca simulation per month: build, set the inputs, calculate every output."""
    from openfisca_core.simulation_builder import SimulationBuilder
    from openfisca_pu.variables import OUTPUTS

    results = []
    for month, _rows, wages, groups in parts:
        period = openfisca_period(month)
        sim = SimulationBuilder().build_default_simulation(tbs, count=len(wages))
        sim.set_input("wage", period, wages)
        sim.set_input("risk_group", period, groups)
        results.append({key: sim.calculate(var, period) for key, var in OUTPUTS.items()})
    return results


def gather(
    n: int,
    parts: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]],
    results: list[dict[str, np.ndarray]],
) -> dict[str, np.ndarray]:
    """Put the per-month OpenFisca outputs back in row order, rounded half-up to rupiah."""
    out = {key: np.empty(n, dtype=np.int64) for key in LINES}
    for (_month, rows, _w, _g), result in zip(parts, results, strict=True):
        for key in LINES:
            out[key][rows] = openfisca_half_up(result[key])
    return out


def openfisca_half_up(values: np.ndarray) -> np.ndarray:
    return np.floor(values.astype(np.float64) + 0.5).astype(np.int64)


def split_by_month(
    wages: np.ndarray, groups: np.ndarray, months: np.ndarray
) -> list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
    order = np.argsort(months, kind="stable")
    distinct, starts = np.unique(months[order], return_index=True)
    bounds = [*starts.tolist(), len(order)]
    parts = []
    for i, month in enumerate(distinct.tolist()):
        rows = order[bounds[i] : bounds[i + 1]]
        parts.append((int(month), rows, wages[rows].copy(), groups[rows].copy()))
    return parts


def load_batch() -> Callable[..., Mapping[str, np.ndarray]]:
    from jaminan.rules.batch import pu_contributions

    return pu_contributions


# ---------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------
def wrong_counts(got: Mapping[str, np.ndarray], want: Mapping[str, np.ndarray]) -> dict[str, int]:
    counts = {}
    for key in LINES:
        values = np.asarray(got[key])
        if values.shape != want[key].shape:
            raise SystemExit(f"{key}: shape {values.shape}, expected {want[key].shape}")
        counts[key] = int(np.count_nonzero(values.astype(np.int64) != want[key]))
    return counts


def scalar_output(result: Mapping[str, Any], key: str) -> Any:
    """A dotted output from calculate()'s nested dict (or a flat dotted key)."""
    if key in result:
        return result[key]
    node: Any = result
    for part in key.split("."):
        node = node[part]
    return node


def edge_grid() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every month x every risk group x edge wages, including each month's JP cap +-1."""
    rows = []
    for month in all_months().tolist():
        cap = int(jp_cap(np.array([month]))[0])
        wages = [
            0,
            1,
            25,
            50,
            1_250,
            2_083_334,
            3_456_789,
            cap - 1,
            cap,
            cap + 1,
            16_777_217,
            16_800_001,
            MAX_WAGE,
        ]
        for group in range(1, 6):
            rows.extend((wage, group, month) for wage in wages)
    arr = np.array(rows, dtype=np.int64)
    return arr[:, 0].copy(), arr[:, 1].copy(), arr[:, 2].copy()


def check_reference_against_scalar(
    wages: np.ndarray, groups: np.ndarray, months: np.ndarray, sample: int, seed: int
) -> tuple[int, int, list[str]]:
    """(rows checked, rows differing, first differences) of the reference vs calculate()."""
    from jaminan.rules import calculate

    rng = np.random.default_rng(seed + 1)
    idx = rng.choice(len(wages), size=min(sample, len(wages)), replace=False)
    gw, gg, gm = edge_grid()
    w = np.concatenate([wages[idx], gw])
    g = np.concatenate([groups[idx], gg])
    m = np.concatenate([months[idx], gm])
    ref = reference(w, g, m)
    bad = 0
    examples: list[str] = []
    for i in range(len(w)):
        facts = {"month": openfisca_period(int(m[i])), "wage": int(w[i]), "risk_group": int(g[i])}
        result = calculate("contribution.pu", facts)
        diffs = [
            f"{key} scalar={scalar_output(result, key)} reference={int(ref[key][i])}"
            for key in LINES
            if scalar_output(result, key) != int(ref[key][i])
        ]
        if diffs:
            bad += 1
            if len(examples) < 5:
                examples.append(f"{facts}: " + "; ".join(diffs))
    return len(w), bad, examples


# OpenFisca parameter (under pu.) -> jaminan parameter(s) holding the same value
OPENFISCA_TO_JAMINAN = {
    **{f"jkk_rate.group_{g}": (f"pu.jkk_rate.group_{g}",) for g in JKK_BP},
    "jkm_rate": ("pu.jkm_rate",),
    "jht_rate.employer": ("pu.jht_rate.employer",),
    "jht_rate.worker": ("pu.jht_rate.worker",),
    "jp_rate.employer": ("pu.jp_rate.employer",),
    "jp_rate.worker": ("pu.jp_rate.worker",),
    "jp_wage_cap": ("jp.wage_cap",),
    "relief_factor": ("relief.pp49_2020.pu_jkk_share", "relief.pp49_2020.pu_jkm_share"),
}


def check_openfisca_parameters(tbs: Any) -> list[str]:
    """The OpenFisca YAML parameters equal the reference's values and jaminan's parameters
    (rules/parameters/*.yaml, compared as decimals) in every month."""
    from decimal import Decimal

    from jaminan.rules import parameters

    problems = []
    for month in all_months().tolist():
        on = dt.date(month // 100, month % 100, 1)
        pu = tbs.parameters(openfisca_period(month)).pu
        for of_name, jaminan_names in OPENFISCA_TO_JAMINAN.items():
            node = pu
            for part in of_name.split("."):
                node = node[part]
            for jaminan_name in jaminan_names:
                value = parameters.get(jaminan_name, on, fact="month").value
                if Decimal(str(node)) != Decimal(value):
                    problems.append(
                        f"{openfisca_period(month)} pu.{of_name} = {node},"
                        f" jaminan {jaminan_name} = {value}"
                    )
        relief = RELIEF_MONTHS[0] <= month <= RELIEF_MONTHS[1]
        expected = {
            **{f"jkk_rate.group_{g}": bp / RATE_DEN for g, bp in JKK_BP.items()},
            "jkm_rate": JKM_BP / RATE_DEN,
            "jht_rate.employer": JHT_EMPLOYER_BP / RATE_DEN,
            "jht_rate.worker": JHT_WORKER_BP / RATE_DEN,
            "jp_rate.employer": JP_EMPLOYER_BP / RATE_DEN,
            "jp_rate.worker": JP_WORKER_BP / RATE_DEN,
            "jp_wage_cap": int(jp_cap(np.array([month]))[0]),
            "relief_factor": 1 / RELIEF_DEN if relief else 1,
        }
        for name, value in expected.items():
            node = pu
            for part in name.split("."):
                node = node[part]
            if node != value:
                problems.append(f"{openfisca_period(month)} pu.{name}: {node} != {value}")
    return problems


# ---------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------
def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "nproc": str(
            len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        ),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "openfisca-core": importlib.metadata.version("openfisca-core"),
        "platform": platform.platform(),
    }


def fmt_s(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds >= 0.1 else f"{seconds * 1000:.1f} ms"


def counts_row(name: str, counts: Mapping[str, int], n: int) -> str:
    cells = " | ".join(f"{counts[key]:,}" for key in LINES)
    rows_wrong = counts.get("_rows", 0)
    return f"| {name} | {cells} | {rows_wrong:,} of {n:,} |"


def any_wrong_rows(
    got: Mapping[str, np.ndarray],
    want: Mapping[str, np.ndarray],
    where: np.ndarray | None = None,
) -> int:
    wrong = np.zeros(len(want["total"]), dtype=bool)
    for key in LINES:
        wrong |= np.asarray(got[key]).astype(np.int64) != want[key]
    if where is not None:
        wrong &= where
    return int(wrong.sum())


def wrong_examples(
    got: Mapping[str, np.ndarray],
    want: Mapping[str, np.ndarray],
    wages: np.ndarray,
    groups: np.ndarray,
    months: np.ndarray,
) -> list[str]:
    """One wrong amount of each line (the first row), as text."""
    examples = []
    for key in LINES:
        rows = np.flatnonzero(got[key] != want[key])
        if len(rows):
            i = int(rows[0])
            examples.append(
                f"{key}: wage {int(wages[i]):,}, group {int(groups[i])},"
                f" {openfisca_period(int(months[i]))}: OpenFisca {int(got[key][i]):,},"
                f" exact {int(want[key][i]):,}"
            )
    return examples


def render(r: dict[str, Any]) -> str:
    m = r["machine"]
    n = r["n"]
    lines_header = " | ".join(LINES)
    sep = "|".join(["---"] * (len(LINES) + 2))
    out = [
        START_MARKER,
        "## Rules engine vs OpenFisca",
        "",
        "Written by `uv run --group bench python bench/rules_vs_openfisca.py --write-docs`"
        " (see bench/README.md for the method). Do not edit by hand.",
        "",
        f"Run of {m['date']} on {m['cpu']}, nproc {m['nproc']}, Python {m['python']},"
        f" NumPy {m['numpy']}, openfisca-core {m['openfisca-core']} ({m['platform']}).",
        "",
        f"{n:,} synthetic PU workers (seed {r['seed']}), months 2015-07..2027-12"
        f" ({r['n_months']} distinct months), risk groups 1-5, wages 0..60,000,000."
        f" Times are wall clock and CPU time of the process, {r['runs']} runs of each job, the"
        " four jobs run in turn (A B C D A B C D ...) so that a slow spell of the shared"
        " machine hits all alike; both engines run on one core.",
        "",
        "| what | jaminan `rules.batch`: wall best (median); CPU best"
        " | OpenFisca: wall best (median); CPU best"
        " | OpenFisca / jaminan, wall best; CPU best (above 1: jaminan faster) |",
        "|---|---|---|---|",
        f"| all rows, each in its own month (OpenFisca: one simulation per month,"
        f" {r['n_months']} simulations) | {timing(r, 'jaminan')} | {timing(r, 'openfisca')}"
        f" | {ratios(r, 'openfisca', 'jaminan')} |",
        f"| all rows in one month ({openfisca_period(FIXED_MONTH)}; OpenFisca: one simulation)"
        f" | {timing(r, 'jaminan_fixed')} | {timing(r, 'openfisca_fixed')}"
        f" | {ratios(r, 'openfisca_fixed', 'jaminan_fixed')} |",
        "",
        verdict(r),
        "",
        f"OpenFisca's tax-benefit system is loaded once, outside the timing"
        f" ({fmt_s(r['t_openfisca_load'])}); so is the split of the rows by month. Each timed"
        " OpenFisca run builds fresh simulations (no cache carried over) and calculates the ten"
        " outputs; each timed jaminan run is one `pu_contributions(wages, risk_groups, months)`"
        " call on int64 arrays. The OpenFisca model (bench/openfisca_pu) is written like a"
        " country package (money variables `float`), rounds each line half-up to the rupiah"
        " in its formula so that its totals are sums of rounded lines as in jaminan, and its"
        " YAML parameters are checked equal to jaminan's for every month.",
        "",
        "Wrong amounts, per output line, against the exact integer reference (all rows;"
        " OpenFisca's float32 outputs rounded half-up to rupiah first):",
        "",
        f"| engine | {lines_header} | rows with any wrong amount |",
        f"|{sep}|",
        counts_row("jaminan `rules.batch`", r["wrong_jaminan"], n),
        counts_row("OpenFisca, per month", r["wrong_openfisca"], n),
        counts_row(f"jaminan, all in {openfisca_period(FIXED_MONTH)}", r["wrong_jaminan_fixed"], n),
        counts_row(
            f"OpenFisca, all in {openfisca_period(FIXED_MONTH)}", r["wrong_openfisca_fixed"], n
        ),
        "",
        f"The reference itself was checked against the exact scalar path"
        f' `jaminan.rules.calculate("contribution.pu", ...)` on {r["scalar_rows"]:,} rows'
        f" ({r['sample']:,} drawn at random from the data set plus an edge grid of every month"
        f" x every risk group x 13 edge wages): {r['scalar_bad']:,} rows differ"
        f" ({fmt_s(r['t_scalar'])}, {r['t_scalar'] / max(r['scalar_rows'], 1) * 1e6:.0f} µs per row"
        " with the trace).",
        "",
        f"{r['inexact_wages']:,} of the {n:,} wages cannot be held by float32; OpenFisca also"
        f" gets {r['openfisca_wrong_exact_wage']:,} rows wrong whose wage float32 holds"
        " exactly (arithmetic alone). Examples (first wrong row of each line):",
        "",
        *[f"- {example}" for example in r["openfisca_examples"]],
        "",
        "Why OpenFisca gets amounts wrong: its `float` variables are float32. float32 holds"
        " every integer only up to 2^24 = 16,777,216, so a wage of Rp16,800,001 is stored as"
        " 16,800,000 (Rp16,800,000 itself is exact; above 2^25 the step is 4 rupiah); a float32"
        " wage times a Python float rate stays float32 in NumPy, whose step is already 1/64"
        " rupiah around Rp200,000, so 5,416,554 x 3.7% = 200,412.498 becomes 200,412.5 and"
        " rounds up; and binary rates are not exact (0.0024 is slightly below 0.0024), so an"
        " amount that is exactly x.5 rupiah can round down.",
        END_MARKER,
    ]
    return "\n".join(out) + "\n"


def verdict(r: Mapping[str, Any]) -> str:
    """One sentence on what the figures say, from the figures."""

    def compare(a: str, b: str) -> str:
        wall = min(r["times"][a]) / min(r["times"][b])
        cpu = min(r["cpu_times"][a]) / max(min(r["cpu_times"][b]), 1e-9)
        if wall >= 1.1:
            said = f"jaminan is {wall:.1f} times as fast as OpenFisca"
        elif wall <= 1 / 1.1:
            said = f"OpenFisca is {1 / wall:.1f} times as fast as jaminan"
        else:
            said = "both take about the same time"
        return f"{said} by wall clock (OpenFisca / jaminan CPU time: {cpu:.1f})"

    n = r["n"]
    wrong_of = r["wrong_openfisca"]["_rows"]
    wrong_ja = r["wrong_jaminan"]["_rows"]
    return (
        f"In short: with the months spread, {compare('openfisca', 'jaminan')};"
        f" in one month, {compare('openfisca_fixed', 'jaminan_fixed')}."
        f" jaminan gets {wrong_ja:,} of the {n:,} rows wrong, OpenFisca {wrong_of:,}"
        f" ({wrong_of / n:.2%})."
    )


def timing(r: Mapping[str, Any], name: str) -> str:
    values = r["times"][name]
    cpu = min(r["cpu_times"][name])
    return f"{fmt_s(min(values))} ({fmt_s(statistics.median(values))}); {fmt_s(cpu)}"


def ratios(r: Mapping[str, Any], a: str, b: str) -> str:
    wall = min(r["times"][a]) / min(r["times"][b])
    cpu = min(r["cpu_times"][a]) / max(min(r["cpu_times"][b]), 1e-9)
    return f"{wall:.2f}x; {cpu:.2f}x"


def write_docs(section: str) -> None:
    write_section("rules_vs_openfisca", section)


# ---------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=1_000_000, help="rows (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help="CI smoke: 10,000 rows")
    parser.add_argument("--runs", type=int, default=3, help="timed runs, best kept (default 3)")
    parser.add_argument("--seed", type=int, default=20260101, help="data seed")
    parser.add_argument(
        "--sample", type=int, default=10_000, help="random rows checked against the scalar path"
    )
    parser.add_argument("--write-docs", action="store_true", help="update docs/performance.md")
    args = parser.parse_args(argv)
    n = 10_000 if args.quick else args.workers
    if n < 1 or args.runs < 1 or args.sample < 0:
        parser.error("--workers and --runs must be >= 1, --sample >= 0")

    try:
        pu_contributions = load_batch()
    except ImportError as exc:
        print(f"jaminan.rules.batch.pu_contributions cannot be imported: {exc}", file=sys.stderr)
        return 2

    info = machine()
    print(
        f"machine: {info['cpu']}, nproc {info['nproc']}, Python {info['python']},"
        f" NumPy {info['numpy']}, openfisca-core {info['openfisca-core']}"
    )
    start = time.perf_counter()
    wages, groups, months = synthetic_workers(n, args.seed)
    want = reference(wages, groups, months)
    n_months = len(np.unique(months))
    print(
        f"data: {n:,} workers, {n_months} months, seed {args.seed}"
        f" (data + reference {time.perf_counter() - start:.2f} s)"
    )

    start = time.perf_counter()
    scalar_rows, scalar_bad, examples = check_reference_against_scalar(
        wages, groups, months, args.sample, args.seed
    )
    t_scalar = time.perf_counter() - start
    print(
        f"reference vs scalar calculate(): {scalar_rows:,} rows, {scalar_bad} differ"
        f" ({t_scalar:.1f} s)"
    )
    for example in examples:
        print(f"  {example}")

    start = time.perf_counter()
    tbs = openfisca_system()
    t_openfisca_load = time.perf_counter() - start
    problems = check_openfisca_parameters(tbs)
    print(
        f"OpenFisca parameters vs reference and jaminan's parameters, {n_months} months:"
        f" {len(problems)} differ"
    )
    for problem in problems[:5]:
        print(f"  OpenFisca parameter differs: {problem}")

    # The four timed jobs run in turn (A B C D A B C D ...), so that a slow spell of this
    # shared machine hits every job alike; the best run of each is kept.
    parts = split_by_month(wages, groups, months)
    fixed = np.full(n, FIXED_MONTH, dtype=np.int64)
    want_fixed = reference(wages, groups, fixed)
    fixed_parts = split_by_month(wages, groups, fixed)
    jobs: dict[str, Callable[[], Any]] = {
        "jaminan": lambda: pu_contributions(wages, groups, months),
        "openfisca": lambda: openfisca_by_month(tbs, parts),
        "jaminan_fixed": lambda: pu_contributions(wages, groups, fixed),
        "openfisca_fixed": lambda: openfisca_by_month(tbs, fixed_parts),
    }
    times: dict[str, list[float]] = {name: [] for name in jobs}
    cpu_times: dict[str, list[float]] = {name: [] for name in jobs}
    outputs: dict[str, Any] = {}
    for _ in range(args.runs):
        for name, job in jobs.items():
            outputs[name] = None
            elapsed, cpu, outputs[name] = timed(job)
            times[name].append(elapsed)
            cpu_times[name].append(cpu)
    got_jaminan = outputs.pop("jaminan")
    got_openfisca = gather(n, parts, outputs.pop("openfisca"))
    got_jaminan_fixed = outputs.pop("jaminan_fixed")
    got_openfisca_fixed = gather(n, fixed_parts, outputs.pop("openfisca_fixed"))
    t_jaminan, t_openfisca = min(times["jaminan"]), min(times["openfisca"])
    t_jaminan_fixed, t_openfisca_fixed = min(times["jaminan_fixed"]), min(times["openfisca_fixed"])

    result: dict[str, Any] = {
        "machine": info,
        "n": n,
        "seed": args.seed,
        "runs": args.runs,
        "n_months": n_months,
        "sample": min(args.sample, n),
        "scalar_rows": scalar_rows,
        "scalar_bad": scalar_bad,
        "t_scalar": t_scalar,
        "t_openfisca_load": t_openfisca_load,
        "t_jaminan": t_jaminan,
        "t_openfisca": t_openfisca,
        "t_jaminan_fixed": t_jaminan_fixed,
        "t_openfisca_fixed": t_openfisca_fixed,
        "times": times,
        "cpu_times": cpu_times,
    }
    for name, got, ref in (
        ("wrong_jaminan", got_jaminan, want),
        ("wrong_openfisca", got_openfisca, want),
        ("wrong_jaminan_fixed", got_jaminan_fixed, want_fixed),
        ("wrong_openfisca_fixed", got_openfisca_fixed, want_fixed),
    ):
        counts: dict[str, int] = wrong_counts(got, ref)
        counts["_rows"] = any_wrong_rows(got, ref)
        result[name] = counts
    # OpenFisca's wrong rows whose wage float32 holds exactly: wrong by arithmetic alone
    exact_wage = wages.astype(np.float32).astype(np.int64) == wages
    result["openfisca_wrong_exact_wage"] = any_wrong_rows(got_openfisca, want, exact_wage)
    result["inexact_wages"] = int(np.count_nonzero(~exact_wage))
    result["openfisca_examples"] = wrong_examples(got_openfisca, want, wages, groups, months)

    print()
    print(f"times, best of {args.runs}:")
    print(
        f"  per-month rows: jaminan {fmt_s(t_jaminan)}, OpenFisca {fmt_s(t_openfisca)}"
        f" ({n_months} simulations), ratio {t_openfisca / t_jaminan:.2f}x"
    )
    print(
        f"  one month ({openfisca_period(FIXED_MONTH)}): jaminan {fmt_s(t_jaminan_fixed)},"
        f" OpenFisca {fmt_s(t_openfisca_fixed)} (1 simulation),"
        f" ratio {t_openfisca_fixed / t_jaminan_fixed:.2f}x"
    )
    print(f"  OpenFisca system load (untimed above): {fmt_s(t_openfisca_load)}")
    for name, values in times.items():
        print(f"  all runs, {name}: " + ", ".join(fmt_s(v) for v in values))
        print("    CPU: " + ", ".join(fmt_s(v) for v in cpu_times[name]))
    print(
        f"OpenFisca rows wrong although float32 holds their wage exactly:"
        f" {result['openfisca_wrong_exact_wage']:,}"
        f" ({result['inexact_wages']:,} rows have a wage float32 cannot hold)"
    )
    for example in result["openfisca_examples"]:
        print(f"  e.g. {example}")
    print("wrong amounts per line (rows with any wrong amount last):")
    width = max(len(key) for key in LINES)
    header = (
        "  "
        + " " * width
        + "".join(
            f"{label:>18}"
            for label in (
                "jaminan",
                "OpenFisca",
                f"jaminan@{openfisca_period(FIXED_MONTH)}",
                f"OpenFisca@{openfisca_period(FIXED_MONTH)}",
            )
        )
    )
    print(header)
    for key in (*LINES, "_rows"):
        label = "rows" if key == "_rows" else key
        cells = "".join(
            f"{result[name][key]:>18,}"
            for name in (
                "wrong_jaminan",
                "wrong_openfisca",
                "wrong_jaminan_fixed",
                "wrong_openfisca_fixed",
            )
        )
        print(f"  {label:<{width}}{cells}")

    if args.write_docs:
        write_docs(render(result))
        print(f"wrote {DOCS.relative_to(ROOT)}")

    failed = False
    if scalar_bad:
        print("FAIL: the integer reference differs from the scalar path", file=sys.stderr)
        failed = True
    if problems:
        print(
            "FAIL: OpenFisca parameters differ from the reference or jaminan's values",
            file=sys.stderr,
        )
        failed = True
    if result["wrong_jaminan"]["_rows"] or result["wrong_jaminan_fixed"]["_rows"]:
        print("FAIL: jaminan.rules.batch got amounts wrong", file=sys.stderr)
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
