"""Benchmark: the "more than three consecutive months in arrears" lists on a generated population
with months billed and most of them paid, side by side with (a) the simplest query over the same
unpaid lines — the floor: a join of the unpaid bills to their lines grouped by membership, no
consecutive months — and (b) the previous formulation (the membership's last paid month looked
up for every unpaid line), stopped at a time limit.

    scripts/with-postgres.sh uv run python bench/arrears.py [--scale 0.1] [--months 6] [--write-docs]

(`make bench-arrears` does that with --write-docs and the Makefile's BENCH_SCALE.) Needs
DATABASE_URL pointing at a PostgreSQL database: it migrates it, loads the reference data,
generates the population when the registry is empty (`jaminan generate --scale S --seed 7`),
bills the months from January 2026 that are not billed yet, and then marks bills paid with one
seeded statement: 85 % of the payers paid every bill two days before it was due, the others
stopped paying from a random month on. The lists are read on the 28th of the month after the
last billed one. A sample of the listed memberships is checked against
``selectors.arrears_months`` (the scalar path claims use).
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(BENCH_DIR.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jaminan.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import OperationalError, connection, transaction  # noqa: E402
from django.db.models import Count, F, Max, Min, OuterRef, Q, Subquery, Sum  # noqa: E402
from perfdocs import markers, write_section  # noqa: E402

from jaminan.contributions import arrears, billing, selectors  # noqa: E402
from jaminan.contributions.models import Bill, BillLine  # noqa: E402
from jaminan.geo.services import load_reference  # noqa: E402
from jaminan.registry.models import Membership, Participant  # noqa: E402

PAYING = 0.85
LISTED = 51  # the page's first rows (50 shown, one more to know there are more)


def prepare(scale: str, months: list[dt.date]) -> None:
    call_command("migrate", verbosity=0)
    load_reference(settings.REFERENCE_DIR)
    if not Participant.objects.exists():
        t0 = time.perf_counter()
        call_command("generate", scale=scale, seed=7, quiet=True, verbosity=0)
        print(f"generated the population in {time.perf_counter() - t0:.0f} s", flush=True)
    billed = set(Bill.objects.filter(kind="monthly").values_list("month", flat=True).distinct())
    for month in months:
        if month not in billed:
            t0 = time.perf_counter()
            billing.run_billing(month=month, reason="benchmark", today=month)
            print(f"billed {month:%Y-%m} in {time.perf_counter() - t0:.0f} s", flush=True)
    if not Bill.objects.filter(status=Bill.Status.PAID).exists():
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(0.7)")
            cursor.execute(
                """
                WITH p AS (SELECT id, random() AS r, floor(random() * %s)::int AS stop
                           FROM contributions_payeraccount ORDER BY id)
                UPDATE contributions_bill b
                SET status = 'paid', paid_amount = b.amount, paid_on = b.due_date - 2
                FROM p WHERE p.id = b.payer_id
                  AND (p.r < %s OR b.month < (%s::date + make_interval(months => p.stop)))""",
                [len(months), PAYING, months[0]],
            )
            print(f"marked {cursor.rowcount:,} bills paid", flush=True)
            cursor.execute("ANALYZE contributions_bill")


def previous_formulation(user: Any, as_of: dt.date) -> Any:
    """The formulation this benchmark replaced: every unpaid line looks up its membership's last
    paid month (a correlated subquery per line over every month's partition)."""
    lines = BillLine.objects.filter(
        kind=BillLine.Kind.CONTRIBUTION, membership__isnull=False, bill__due_date__lt=as_of
    )
    paid = Q(bill__status=Bill.Status.PAID) & (
        Q(bill__paid_on__isnull=True) | Q(bill__paid_on__lte=as_of)
    )
    last_paid = (
        lines.filter(membership_id=OuterRef("membership_id"))
        .filter(paid)
        .order_by("-bill__month")
        .values("bill__month")[:1]
    )
    return (
        lines.filter(~paid)
        .annotate(last_paid=Subquery(last_paid))
        .filter(Q(last_paid__isnull=True) | Q(bill__month__gt=F("last_paid")))
        .values("membership_id")
        .annotate(
            months=Count("bill__month", distinct=True),
            oldest=Min("bill__month"),
            latest=Max("bill__month"),
            amount=Sum("amount"),
        )
        .filter(months__gt=selectors.ARREARS_CONSEQUENCE_MONTHS)
        .order_by("-months", "membership_id")
    )


FLOOR_SQL = """
    SELECT l.membership_id, COUNT(DISTINCT b.month)
    FROM contributions_bill b JOIN contributions_billline l ON l.bill_id = b.id
    WHERE b.due_date < %s AND (b.status <> 'paid' OR b.paid_on > %s)
      AND l.kind = 'contribution' AND l.membership_id IS NOT NULL
    GROUP BY l.membership_id HAVING COUNT(DISTINCT b.month) > %s"""


def floor(as_of: dt.date) -> int:
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, [as_of, as_of, selectors.ARREARS_CONSEQUENCE_MONTHS])
        return len(cursor.fetchall())


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def with_limit(seconds: int, fn: Callable[[], Any]) -> tuple[float | None, Any]:
    """``fn`` under a statement timeout: (seconds, result), or (None, None) when it hit it."""
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL statement_timeout = '{seconds}s'")
            return timed(fn)
    except OperationalError as exc:
        if "statement timeout" not in str(exc):
            raise
        return None, None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="0.1")
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--limit", type=int, default=300, help="seconds for the previous query")
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        print("bench/arrears.py needs PostgreSQL (scripts/with-postgres.sh …)", file=sys.stderr)
        return 2
    months = [dt.date(2026, m, 1) for m in range(1, args.months + 1)]
    prepare(args.scale, months)
    as_of = billing.add_months(months[-1], 1).replace(day=28)
    admin = get_user_model().objects.filter(username="bench-arrears").first()
    if admin is None:
        admin = get_user_model().objects.create_superuser("bench-arrears", "", None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM contributions_billline")
        lines = cursor.fetchone()[0]
    unpaid = arrears.overdue_bills(user=admin, as_of=as_of).count()
    bills = Bill.objects.count()

    def members_all() -> list[dict[str, Any]]:
        return list(arrears.memberships_in_arrears(user=admin, as_of=as_of))

    def members_page() -> list[dict[str, Any]]:
        return arrears.memberships_in_arrears(user=admin, as_of=as_of)[:LISTED]

    def payers_all() -> list[dict[str, Any]]:
        return list(arrears.payers_in_arrears(user=admin, as_of=as_of))

    runs: dict[str, list[float]] = {"all": [], "page": [], "floor": [], "payers": []}
    listed: list[dict[str, Any]] = []
    floor_rows = payer_rows = 0
    for _ in range(args.runs):
        f_s, floor_rows = timed(lambda: floor(as_of))
        a_s, listed = timed(members_all)
        p_s, _page = timed(members_page)
        y_s, payers = timed(payers_all)
        payer_rows = len(payers)
        runs["floor"].append(f_s)
        runs["all"].append(a_s)
        runs["page"].append(p_s)
        runs["payers"].append(y_s)
        print(
            f"all {a_s:.2f} s ({len(listed):,} memberships); first page {p_s:.2f} s; "
            f"floor {f_s:.2f} s ({floor_rows:,} with > 3 unpaid months); "
            f"payers {y_s:.2f} s ({payer_rows:,})",
            flush=True,
        )
    old_s, old_rows = with_limit(args.limit, lambda: list(previous_formulation(admin, as_of)))
    same_as_old = old_rows is None or [dict(r) for r in old_rows] == listed
    print(
        "previous formulation: "
        + (f"{old_s:.1f} s, same rows: {same_as_old}" if old_s else f"> {args.limit} s (stopped)"),
        flush=True,
    )
    rng = random.Random(7)
    sample = rng.sample(listed, min(args.sample, len(listed)))
    found = {
        m.pk: m for m in Membership.objects.filter(pk__in=[r["membership_id"] for r in sample])
    }
    wrong = sum(
        1
        for r in sample
        if selectors.arrears_months(found[r["membership_id"]], as_of=as_of) != r["months"]
    )
    print(f"sample of {len(sample)} checked with selectors.arrears_months: {wrong} wrong")
    med = {k: statistics.median(v) for k, v in runs.items()}
    ratio = statistics.median(a / f for a, f in zip(runs["all"], runs["floor"], strict=True))
    if args.write_docs:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg_version = cursor.fetchone()[0]
        start, end = markers("arrears")
        old = f"{old_s:.1f} s" if old_s else f"stopped after {args.limit} s"
        section = "\n".join(
            [
                start,
                "## Memberships and payers more than three months in arrears",
                "",
                "Written by `make bench-arrears` (`bench/arrears.py --write-docs`). Do not edit by "
                "hand.",
                "",
                f"Run of {dt.date.today()} on {platform.processor() or platform.machine()}, nproc "
                f"{os.cpu_count()}, Python {platform.python_version()}, PostgreSQL {pg_version} "
                f"(throwaway cluster, fsync off). Population `jaminan generate --scale {args.scale} "
                f"--seed 7`, {len(months)} months billed ({bills:,} bills, {lines:,} lines); "
                f"{PAYING:.0%} of the payers paid every bill, the others stopped from a random "
                f"month on: {unpaid:,} bills unpaid on {as_of}, the date the lists are read. "
                f"Median of {args.runs} runs.",
                "",
                "| query | time | rows |",
                "|---|---|---|",
                f"| `arrears.memberships_in_arrears`, all rows (the export) | {med['all']:.2f} s | "
                f"{len(listed):,} |",
                f"| the same, first page ({LISTED} rows, the arrears page) | {med['page']:.2f} s | "
                f"{LISTED} |",
                f"| floor: unpaid bills joined to their lines, grouped by membership (more than 3 "
                f"unpaid months, not necessarily consecutive) | {med['floor']:.2f} s | "
                f"{floor_rows:,} |",
                f"| the previous formulation (last paid month per unpaid line) | {old} | "
                f"{len(old_rows) if old_rows is not None else '—'} |",
                f"| `arrears.payers_in_arrears`, all rows | {med['payers']:.2f} s | "
                f"{payer_rows:,} |",
                "",
                f"All rows / floor (median of the pairs): **{ratio:.2f}×**. "
                f"{len(sample)} listed memberships checked with `selectors.arrears_months`: "
                f"**{wrong} wrong**"
                + (
                    "."
                    if old_rows is None
                    else f"; the previous formulation's rows "
                    f"{'equal' if same_as_old else 'differ'}."
                ),
                end,
            ]
        )
        write_section("arrears", section)
        print("wrote docs/performance.md")
    return 0 if wrong == 0 and same_as_old else 1


if __name__ == "__main__":
    raise SystemExit(main())
