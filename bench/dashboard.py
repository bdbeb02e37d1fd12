"""Benchmark: the coverage endpoint (``GET /api/v1/coverage``, served from the snapshots) against the
direct ``GROUP BY`` over the records that it replaces, in the same run, on the full population.

    scripts/with-postgres.sh uv run python bench/dashboard.py [--scale 1.0] [--requests 200]
        [--direct-runs 5] [--write-docs]

Needs DATABASE_URL pointing at PostgreSQL: it migrates, loads the reference data and generates the
population when the registry is empty (`jaminan generate --scale S --seed 7`), then rebuilds the
snapshot of one month with `jaminan.coverage.services.refresh_month` (timed). The endpoint is called
through Django's test client with a bearer token (authentication, scoping, serialisation included),
``--requests`` times, alternating province and regency breakdowns; the direct aggregation computes the
same participants per province from the memberships (the membership part of the snapshot SQL)
``--direct-runs`` times. Both are checked to give the same figures. Goals (issue 7): endpoint p95 at
most 50 ms and at least 10× faster than the direct aggregation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(BENCH_DIR.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jaminan.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from perfdocs import markers, write_section  # noqa: E402

from jaminan.accounts.roles import Role  # noqa: E402
from jaminan.accounts.services import create_token, ensure_role_groups, upsert_user  # noqa: E402
from jaminan.coverage import services  # noqa: E402
from jaminan.geo.services import load_reference  # noqa: E402
from jaminan.registry.models import Membership  # noqa: E402

GOAL_P95_MS = 50.0
GOAL_SPEEDUP = 10.0


def direct_sql() -> str:
    """Active participants per province at the month end, straight from the memberships."""
    t = services._t
    from jaminan.geo.models import Office, Province, Regency
    from jaminan.registry.models import ConstructionProject, Employer, Participant, Person

    return f"""
        SELECT pv.code, SUM(x.active) FROM (
            SELECT m.regency_id, m.segment, COUNT(DISTINCT m.participant_id) AS active
            FROM (
                SELECT COALESCE(pr.regency_id, e.regency_id, pe.address_regency_id,
                                o.seat_regency_id) AS regency_id,
                       ms.segment, ms.participant_id
                FROM {t(Membership)} ms
                JOIN {t(Participant)} p ON p.id = ms.participant_id
                JOIN {t(Person)} pe ON pe.id = p.person_id
                JOIN {t(Office)} o ON o.id = ms.office_id
                LEFT JOIN {t(Employer)} e ON e.id = ms.employer_id
                LEFT JOIN {t(ConstructionProject)} pr ON pr.id = ms.project_id
                WHERE ms.start_date <= %s AND (ms.end_date IS NULL OR ms.end_date > %s)
            ) m
            GROUP BY m.regency_id, m.segment
        ) x
        JOIN {t(Regency)} r ON r.id = x.regency_id
        JOIN {t(Province)} pv ON pv.id = r.province_id
        GROUP BY pv.code ORDER BY pv.code
    """


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--direct-runs", type=int, default=5)
    parser.add_argument("--month", default="2026-01")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("needs PostgreSQL (scripts/with-postgres.sh)", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    load_reference(settings.REFERENCE_DIR)
    if not Membership.objects.exists():
        started = time.perf_counter()
        call_command("generate", "--scale", str(args.scale), "--seed", "7")
        print(f"generated in {time.perf_counter() - started:.0f} s")
    memberships = Membership.objects.count()
    month = dt.date.fromisoformat(args.month + "-01")
    end = services.month_end(month)

    started = time.perf_counter()
    snapshot = services.refresh_month(month=month)
    refresh_s = time.perf_counter() - started
    print(
        f"refresh {args.month}: {refresh_s:.1f} s, {snapshot.rows} rows, {snapshot.active} active"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    ensure_role_groups()
    user = upsert_user(
        username="bench-analyst", password="bench-2026-x", role=Role.REGIONAL_ANALYST
    )
    _token, secret = create_token(user=user, name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    urls = [
        f"/api/v1/coverage?level=province&month={args.month}&basis=bpjs",
        f"/api/v1/coverage?level=regency&month={args.month}&basis=bps_employed",
    ]
    for url in urls:  # warm-up
        assert client.get(url).status_code == 200
    endpoint_ms = []
    for i in range(args.requests):
        started = time.perf_counter()
        response = client.get(urls[i % 2])
        endpoint_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    cold_ms = []
    for i in range(max(args.requests // 4, 10)):
        cache.clear()
        started = time.perf_counter()
        response = client.get(urls[i % 2])
        cold_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    endpoint = {r["code"]: r["active"] for r in client.get(urls[0]).json()["rows"] if r["active"]}

    sql = direct_sql()
    direct_ms = []
    direct: dict[str, int] = {}
    for _ in range(args.direct_runs):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, [end, end])
            direct = {code: int(n) for code, n in cursor.fetchall()}
        direct_ms.append((time.perf_counter() - started) * 1000)
    equal = endpoint == direct
    p50, p95 = statistics.median(endpoint_ms), percentile(endpoint_ms, 0.95)
    c50, c95 = statistics.median(cold_ms), percentile(cold_ms, 0.95)
    d50, d95 = statistics.median(direct_ms), percentile(direct_ms, 0.95)
    speedup = d50 / p50
    ok = equal and p95 <= GOAL_P95_MS and speedup >= GOAL_SPEEDUP
    print(f"memberships {memberships:,}; participants active {sum(direct.values()):,}")
    print(f"endpoint p50 {p50:.1f} ms, p95 {p95:.1f} ms ({args.requests} requests)")
    print(f"endpoint, cache cleared before each request: p50 {c50:.1f} ms, p95 {c95:.1f} ms")
    print(f"direct GROUP BY p50 {d50:.0f} ms, p95 {d95:.0f} ms ({args.direct_runs} runs)")
    print(f"speed-up (p50) {speedup:,.0f}x; figures equal: {equal}; goals met: {ok}")

    if args.write_docs:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg = cursor.fetchone()[0]
        start, stop = markers("dashboard")
        section = f"""{start}
## Coverage endpoint vs the direct GROUP BY

`scripts/with-postgres.sh uv run python bench/dashboard.py --scale {args.scale:g} --write-docs`,
run {dt.date.today():%Y-%m-%d} on {platform.machine()} ({os.cpu_count()} cores), PostgreSQL {pg},
Python {platform.python_version()}. Population: {memberships:,} memberships
({sum(direct.values()):,} active participants at the end of {args.month}).

| what | p50 | p95 | runs |
|---|---|---|---|
| `GET /api/v1/coverage` (snapshots; province and regency alternately, token auth, JSON) | {p50:.1f} ms | {p95:.1f} ms | {args.requests} |
| the same, cache cleared before each request (first request after a refresh) | {c50:.1f} ms | {c95:.1f} ms | {len(cold_ms)} |
| direct `GROUP BY` over the memberships (participants per province) | {d50:,.0f} ms | {d95:,.0f} ms | {args.direct_runs} |

The endpoint caches its JSON per user scope and parameters until the next snapshot refresh
(`jaminan.coverage.selectors.cache_key`); the second row is the uncached path. Speed-up at the
median: {speedup:,.0f}× (cached), {d50 / c50:,.0f}× (uncached). Same participants per province from both: {equal}.
Rebuilding the snapshot of {args.month} (`jaminan coverage refresh --month {args.month}`, one
`INSERT … SELECT … GROUP BY` over memberships, bills and allocations): {refresh_s:.1f} s,
{snapshot.rows} rows. Goals (issue 7): p95 at most {GOAL_P95_MS:.0f} ms and at least
{GOAL_SPEEDUP:.0f}× faster than the direct aggregation: {"met" if ok else "NOT met"}.
{stop}
"""
        write_section("dashboard", section)
        print("docs/performance.md updated")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
