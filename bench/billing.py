"""Benchmark: the monthly billing run on the full Kalimantan population, side by side with (a) a raw
``INSERT … SELECT`` computing the same lines into a bare table — the floor — and (b) a naive Django
ORM version (a query per membership, ``bulk_create``) on a 100,000-membership sample, extrapolated.

    scripts/with-postgres.sh uv run python bench/billing.py [--scale 1.0] [--runs 3] [--write-docs]

(`make bench-billing` does exactly that with --write-docs.) Needs DATABASE_URL pointing at a
PostgreSQL database: it migrates it, loads the reference data and generates the population when the
registry is empty (`jaminan generate --scale S --seed 7`). An untimed warm-up run bills one month
first (it creates the payer accounts and the one-off bills of construction projects and migrant
workers); each timed run then bills a new month with `jaminan.contributions.billing.run_billing`,
alternating with the floor for the same month so that a slow spell of the shared machine hits both.
A random sample of 1,000 billed memberships is checked against the rules' scalar path.
Goals (issue 5): the run at most 1.3× the floor and at least 10× faster than the ORM version.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(BENCH_DIR.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jaminan.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from perfdocs import markers, write_section  # noqa: E402

from jaminan.contributions import billing  # noqa: E402
from jaminan.contributions.models import Bill, BillLine  # noqa: E402
from jaminan.geo.services import load_reference  # noqa: E402
from jaminan.registry.models import Membership, Participant  # noqa: E402
from jaminan.rules import calculate  # noqa: E402
from jaminan.rules.calculations.bpu import bpu_rates  # noqa: E402
from jaminan.rules.calculations.pu import pu_rates  # noqa: E402
from jaminan.rules.core import half_up  # noqa: E402

GOAL_FLOOR_RATIO = 1.3
GOAL_ORM_SPEEDUP = 10.0
ORM_SAMPLE = 100_000
T = billing.T


def floor_sql(month: dt.date) -> tuple[str, list[object]]:
    """The same lines as the run (PU, BPU self-paid, BPU sponsored), into a bare table."""
    end = billing.last_day_of(month)
    wage = billing._WAGE
    active = billing._ACTIVE
    pu_base = "CASE WHEN r.cap > 0 AND x.wage > r.cap THEN r.cap ELSE x.wage END"
    sql = f"""
        INSERT INTO bench_billing_floor (membership_id, program, side, base, amount)
        WITH x AS MATERIALIZED (
              SELECT m.id AS mid, e.risk_group,
                     CASE WHEN e.labour_intensive THEN 1 ELSE 0 END AS variant,
                     m.has_jht, m.has_jp, {wage} AS wage
              FROM {T["mem"]} m JOIN {T["emp"]} e ON e.id = m.employer_id
              WHERE m.segment = 'PU' AND {active})
        SELECT x.mid, r.program, r.side, {pu_base}, ({pu_base} * r.num + r.den / 2) / r.den
        FROM x JOIN {T["rate"]} r ON r.month = %s AND r.segment = 'PU' AND r.kind = 'contribution'
             AND r.risk_group = x.risk_group AND r.variant = x.variant
             AND (r.program IN ('JKK', 'JKM') OR (r.program = 'JHT' AND x.has_jht)
                  OR (r.program = 'JP' AND x.has_jp))
        WHERE x.wage IS NOT NULL;
        INSERT INTO bench_billing_floor (membership_id, program, side, base, amount)
        WITH x AS MATERIALIZED (
            SELECT m.id AS mid, m.has_jht,
                   (CASE WHEN m.bpu_sector = 'transport' THEN 1 ELSE 0 END
                    + CASE WHEN so.kind IN ('province', 'regency') THEN 2 ELSE 0 END) AS variant,
                   {wage} AS income
            FROM {T["mem"]} m
            LEFT JOIN {T["ben"]} bn ON bn.membership_id = m.id
            LEFT JOIN {T["prog"]} sp ON sp.id = bn.program_id
            LEFT JOIN {T["spon"]} so ON so.id = sp.sponsor_id
            WHERE m.segment = 'BPU' AND {active}
              AND (m.payer = 'self' OR (sp.status = 'active' AND sp.start_month <= %s
                                        AND sp.end_month >= %s))
        ), a AS MATERIALIZED (
            SELECT x.mid, x.has_jht, x.income, x.variant,
                   (x.income * k.num + k.den / 2) / k.den AS jkk, j.flat AS jkm,
                   (x.income * h.num + h.den / 2) / h.den AS jht, d.num AS dnum, d.den AS dden
            FROM x
            JOIN {T["rate"]} k ON k.month = %s AND k.segment = 'BPU' AND k.program = 'JKK'
                 AND k.variant = x.variant
            JOIN {T["rate"]} j ON j.month = k.month AND j.segment = 'BPU' AND j.program = 'JKM'
                 AND j.variant = x.variant
            JOIN {T["rate"]} h ON h.month = k.month AND h.segment = 'BPU' AND h.program = 'JHT'
                 AND h.variant = x.variant
            JOIN {T["rate"]} d ON d.month = k.month AND d.segment = 'BPU' AND d.program = 'DISC'
                 AND d.variant = x.variant
            WHERE x.income >= k.floor AND x.income <= k.cap
        )
        SELECT mid, 'JKK', '-', income, jkk FROM a
        UNION ALL SELECT mid, 'JKM', '-', income, jkm FROM a
        UNION ALL SELECT mid, 'JHT', '-', income, jht FROM a WHERE has_jht
        UNION ALL SELECT mid, 'JKK', 'discount', jkk, -((jkk * dnum + dden / 2) / dden)
                  FROM a WHERE dnum > 0
        UNION ALL SELECT mid, 'JKM', 'discount', jkm,
                  -(((jkk + jkm) * dnum + dden / 2) / dden - (jkk * dnum + dden / 2) / dden)
                  FROM a WHERE dnum > 0;
    """
    params: list[object] = [month, end, month, month]  # PU: wage, active (end, start), rate
    params += [month, end, month, month, month, month]  # BPU: wage, active, program, rate
    return sql, params


#: The keyed floor: what any stored line needs at least — an identity and a way to find a
#: membership's lines — added the cheapest way there is (indexes built once after the load).
KEYED_FLOOR_DDL = (
    "ALTER TABLE bench_billing_floor ADD PRIMARY KEY (id)",
    "CREATE INDEX ON bench_billing_floor (membership_id)",
)


def run_floor(month: dt.date, *, keyed: bool = False) -> tuple[float, int, int]:
    """The floor: the same lines into a bare table. ``keyed``: the same, plus an identity column
    and, after the load, its primary key and an index on the membership."""
    billing.write_month_rates(month)
    identity = "id bigint GENERATED BY DEFAULT AS IDENTITY, " if keyed else ""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_billing_floor")
        cursor.execute(
            f"CREATE TABLE bench_billing_floor ({identity}membership_id bigint, "
            "program varchar(8), side varchar(12), base bigint, amount bigint)"
        )
    sql, params = floor_sql(month)
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for statement, statement_params in zip(
            sql.split(";")[:2], (params[:4], params[4:]), strict=True
        ):
            cursor.execute(statement, statement_params)
        for statement in KEYED_FLOOR_DDL if keyed else ():
            cursor.execute(statement)
    seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM bench_billing_floor")
        lines, amount = cursor.fetchone()
        cursor.execute("DROP TABLE bench_billing_floor")
    return seconds, int(lines), int(amount)


def run_jaminan(month: dt.date) -> tuple[float, int, int, int]:
    start = time.perf_counter()
    run = billing.run_billing(month=month, reason="benchmark", today=month)
    seconds = time.perf_counter() - start
    return seconds, run.bills, run.lines, run.amount


def run_orm(month: dt.date, sample: int) -> tuple[float, int]:
    """The naive way: a loop over memberships, a query for each wage, rates from the rules per
    membership, ``bulk_create`` of the bills' lines. Written to a savepoint rolled back after."""
    ids = list(
        Membership.objects.filter(segment__in=("PU", "BPU"), end_date__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)[:sample]
    )
    start = time.perf_counter()
    lines = 0
    with transaction.atomic():
        bills: dict[int, Bill] = {}
        batch: list[BillLine] = []
        for membership in Membership.objects.filter(pk__in=ids).select_related(
            "employer__payer_account", "participant__payer_account"
        ):
            wage = (
                membership.wages.filter(effective_month__lte=month)
                .order_by("-effective_month")
                .first()
            )
            if wage is None:
                continue
            if membership.segment == "PU":
                assert membership.employer is not None
                payer = membership.employer.payer_account
                r = pu_rates(
                    month,
                    membership.employer.risk_group,
                    programs=membership.programs,
                    labour_intensive=membership.employer.labour_intensive,
                )
                base_jp = min(wage.amount, r.jp_cap) if membership.has_jp else 0
                amounts = {
                    ("JKK", "employer"): half_up(wage.amount * r.jkk),
                    ("JKM", "employer"): half_up(wage.amount * r.jkm),
                    ("JHT", "employer"): half_up(wage.amount * r.jht_employer),
                    ("JHT", "worker"): half_up(wage.amount * r.jht_worker),
                    ("JP", "employer"): half_up(base_jp * r.jp_employer),
                    ("JP", "worker"): half_up(base_jp * r.jp_worker),
                }
            else:
                payer = getattr(membership.participant, "payer_account", None)
                if payer is None:
                    continue
                b = bpu_rates(month, programs=membership.programs, sector=membership.bpu_sector)
                amounts = {
                    ("JKK", "participant"): half_up(wage.amount * b.jkk),
                    ("JKM", "participant"): half_up(b.jkm_amount),
                    ("JHT", "participant"): half_up(wage.amount * b.jht),
                }
            bill = bills.get(payer.pk)
            if bill is None:
                bill = bills[payer.pk] = Bill.objects.create(
                    payer=payer,
                    office_id=payer.office_id,
                    kind="monthly",
                    month=dt.date(1999, 1, 1),
                    segment=membership.segment,
                    due_date=month,
                )
            for (program, side), amount in amounts.items():
                if amount:
                    batch.append(
                        BillLine(
                            bill=bill,
                            membership=membership,
                            program=program,
                            side=side,
                            base=wage.amount,
                            amount=amount,
                        )
                    )
            if len(batch) >= 5_000:
                BillLine.objects.bulk_create(batch)
                lines += len(batch)
                batch = []
        BillLine.objects.bulk_create(batch)
        lines += len(batch)
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return seconds, lines


def check_sample(month: dt.date, size: int = 1_000) -> tuple[int, int]:
    """Lines of ``size`` random billed memberships against ``calculate`` (scalar path)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT l.membership_id FROM {T['line']} l JOIN {T['bill']} b "
            "ON b.id = l.bill_id WHERE b.month = %s AND b.kind = 'monthly'",
            [month],
        )
        ids = [row[0] for row in cursor.fetchall()]
    sample = random.Random(7).sample(ids, min(size, len(ids)))
    wrong = 0
    for membership in Membership.objects.filter(pk__in=sample).select_related("employer"):
        wage = (
            membership.wages.filter(effective_month__lte=month).order_by("-effective_month")[0]
        ).amount
        got = defaultdict(int)
        for line in BillLine.objects.filter(membership=membership, bill__month=month):
            got[line.program] += line.amount
        if membership.segment == "PU":
            assert membership.employer is not None
            out = calculate(
                "contribution.pu",
                {
                    "month": month.strftime("%Y-%m"),
                    "wage": wage,
                    "risk_group": membership.employer.risk_group,
                    "programs": membership.programs,
                    "labour_intensive": membership.employer.labour_intensive,
                },
            )
            total = out["total"]
        else:
            sponsor = getattr(getattr(membership, "sponsorship", None), "program", None)
            funded = sponsor is not None and sponsor.sponsor.government_funded
            out = calculate(
                "contribution.bpu",
                {
                    "month": month.strftime("%Y-%m"),
                    "declared_income": wage,
                    "programs": membership.programs,
                    "sector": membership.bpu_sector,
                    "government_funded": funded,
                },
            )
            total = out["total"]
        if sum(got.values()) != total:
            wrong += 1
    return len(sample), wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="1.0")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--first-month", default="2026-06")
    parser.add_argument("--orm-sample", type=int, default=ORM_SAMPLE)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        print("bench/billing.py needs PostgreSQL (scripts/with-postgres.sh …)", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    load_reference(settings.REFERENCE_DIR)
    if not Participant.objects.exists():
        t0 = time.perf_counter()
        call_command("generate", scale=args.scale, seed=7, quiet=True, verbosity=0)
        print(f"generated the population in {time.perf_counter() - t0:.0f} s")
    year, mon = (int(x) for x in args.first_month.split("-"))
    first = dt.date(year, mon, 1)
    months = billing.months_between(first, billing.add_months(first, args.runs))
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM registry_membership WHERE end_date IS NULL")
        active = cursor.fetchone()[0]
    billed = set(Bill.objects.filter(kind="monthly").values_list("month", flat=True).distinct())
    warm_month, timed = months[0], [m for m in months[1:] if m not in billed]
    if not timed:
        print(
            "every month of the benchmark is billed already: use a fresh database", file=sys.stderr
        )
        return 2
    t0 = time.perf_counter()
    if not Bill.objects.filter(month=warm_month).exists():
        billing.run_billing(month=warm_month, reason="benchmark warm-up", today=warm_month)
    print(f"warm-up run {warm_month:%Y-%m}: {time.perf_counter() - t0:.0f} s")
    rows = []
    for month in timed:
        f_s, f_lines, f_amount = run_floor(month)
        k_s, k_lines, k_amount = run_floor(month, keyed=True)
        if (k_lines, k_amount) != (f_lines, f_amount):
            raise AssertionError(f"keyed floor {k_lines}/{k_amount} != floor {f_lines}/{f_amount}")
        j_s, j_bills, j_lines, j_amount = run_jaminan(month)
        rows.append((month, j_s, f_s, j_bills, j_lines, j_amount, f_lines, f_amount, k_s))
        print(
            f"{month:%Y-%m}: jaminan {j_s:7.1f} s ({j_bills:,} bills, {j_lines:,} lines, "
            f"Rp{j_amount:,}); floor {f_s:7.1f} s ({f_lines:,} lines, Rp{f_amount:,}); "
            f"keyed floor {k_s:7.1f} s; ratio {j_s / f_s:.2f} (keyed floor {k_s / f_s:.2f})"
        )
    orm_s, orm_lines = run_orm(timed[-1], args.orm_sample)
    memberships_billed = (
        Membership.objects.filter(
            bill_lines__bill__month=timed[-1], bill_lines__bill__kind="monthly"
        )
        .distinct()
        .count()
    )
    orm_extrapolated = orm_s * memberships_billed / max(args.orm_sample, 1)
    checked, wrong = check_sample(timed[-1])
    j_best = min(r[1] for r in rows)
    f_best = min(r[2] for r in rows)
    j_med = statistics.median(r[1] for r in rows)
    f_med = statistics.median(r[2] for r in rows)
    ratio = statistics.median(r[1] / r[2] for r in rows)
    keyed_ratio = statistics.median(r[8] / r[2] for r in rows)
    speedup = orm_extrapolated / j_best
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
        memory = []
        for setting in ("shared_buffers", "work_mem", "max_wal_size"):
            cursor.execute(f"SHOW {setting}")
            memory.append(f"{setting} {cursor.fetchone()[0]}")
    print(
        f"active memberships {active:,}; billed {memberships_billed:,}; PostgreSQL {pg_version}\n"
        f"jaminan best {j_best:.1f} s (median {j_med:.1f}); floor best {f_best:.1f} s (median {f_med:.1f});"
        f" ratio (median of pairs) {ratio:.2f} (goal ≤ {GOAL_FLOOR_RATIO}); keyed floor / floor "
        f"{keyed_ratio:.2f}\n"
        f"ORM {args.orm_sample:,} memberships {orm_s:.1f} s ({orm_lines:,} lines) → extrapolated "
        f"{orm_extrapolated:.0f} s; jaminan {speedup:.0f}× faster (goal ≥ {GOAL_ORM_SPEEDUP:.0f}×)\n"
        f"sample of {checked:,} memberships against the rules' scalar path: {wrong} wrong"
    )
    if args.write_docs:
        start, end = markers("billing")
        table = [
            "| month | jaminan run | floor | ratio | keyed floor (ratio) | bills "
            "| lines (run / floor) | amount |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for month, j_s, f_s, bills, lines, amount, f_lines, _f_amount, k_s in rows:
            table.append(
                f"| {month:%Y-%m} | {j_s:.1f} s | {f_s:.1f} s | {j_s / f_s:.2f} | {k_s:.1f} s "
                f"({k_s / f_s:.2f}) | {bills:,} | {lines:,} / {f_lines:,} | "
                f"Rp{amount:,} |".replace(",", ".")
            )
        section = "\n".join(
            [
                start,
                "## Monthly billing run vs the INSERT … SELECT floor and a naive ORM loop",
                "",
                "Written by `make bench-billing` (`bench/billing.py --write-docs`). Do not edit by hand.",
                "",
                f"Run of {dt.date.today()} on {platform.processor() or platform.machine()}, nproc "
                f"{os.cpu_count()}, Python {platform.python_version()}, PostgreSQL {pg_version} "
                f"(throwaway cluster, fsync off, {', '.join(memory)}). Population `jaminan generate --scale {args.scale} "
                f"--seed 7`: {active:,} active memberships, {memberships_billed:,} billed in a month.",
                "",
                "Each timed month: the floor (one `INSERT … SELECT` per segment computing the same "
                "lines into a bare table without keys or indexes), then `run_billing` for that month "
                "(bills per payer; lines per membership × program × side into the month's "
                "partition with their primary key and bill index, the membership index built after "
                "the last office; bill amounts, the journal entries and postings of every bill, "
                "control totals, one transaction per office). A warm-up month is billed first, "
                "untimed: it creates the payer accounts and the one-off bills of construction "
                "projects and migrant workers.",
                "The *keyed floor* is the floor again with the least any stored line needs: an "
                "identity column, then its primary key and an index on the membership, built once "
                "after the load (the cheapest way to have them). It computes the same lines, checked "
                "by count and amount.",
                "",
                *table,
                "",
                f"Run / floor (median of the pairs): **{ratio:.2f}×** — goal ≤ {GOAL_FLOOR_RATIO}×: "
                f"**{'met' if ratio <= GOAL_FLOOR_RATIO else 'not met'}**. Keyed floor / floor: "
                f"**{keyed_ratio:.2f}×**.",
                "",
                f"Naive ORM loop (a wage query per membership, rates from the rules per membership, "
                f"`bulk_create` per 5,000 lines) on {args.orm_sample:,} memberships: {orm_s:.1f} s, "
                f"extrapolated to {memberships_billed:,} memberships: {orm_extrapolated:,.0f} s. "
                f"jaminan is **{speedup:.0f}×** faster — goal ≥ {GOAL_ORM_SPEEDUP:.0f}×: "
                f"**{'met' if speedup >= GOAL_ORM_SPEEDUP else 'not met'}**.",
                "",
                f"Amounts: {checked:,} random billed memberships compared with `calculate` "
                f"(`contribution.pu` / `contribution.bpu`): **{wrong} wrong**.",
                end,
            ]
        )
        write_section("billing", section)
        print("wrote docs/performance.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
