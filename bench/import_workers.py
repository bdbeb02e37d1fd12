"""Benchmark: a 100,000-row worker list validated and applied on PostgreSQL, side by side with a plain
COPY of the same rows into a bare table (the floor: what PostgreSQL needs just to take the bytes in).

    scripts/with-postgres.sh uv run python bench/import_workers.py [--rows N] [--runs N] [--write-docs]

(`make bench-import` does exactly that with --write-docs.) Needs DATABASE_URL pointing at an empty
PostgreSQL database: it migrates it, loads the reference data, registers one employer and then, for each
run, empties the registry tables and imports the same file through `jaminan.registry.imports` — the code
behind `jaminan import workers` and the web import page. The runs of the two jobs alternate (A B A B ...)
so that a slow spell of the shared machine hits both. Goal (issue 4): the import in at most 5 seconds.

Beside the wall clock it reports the CPU time of this process (Python) and, when the server runs on this
machine, of the PostgreSQL backend serving it (read from /proc), with the machine's load average: on a
shared machine the wall clock swells with the load, the CPU times much less.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from unittest.mock import patch

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(BENCH_DIR.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jaminan.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from perfdocs import markers, write_section  # noqa: E402

from jaminan.geo.models import Regency  # noqa: E402
from jaminan.geo.services import load_reference  # noqa: E402
from jaminan.registry import bulkkeys, services  # noqa: E402
from jaminan.registry.imports import COLUMNS, import_workers  # noqa: E402
from jaminan.registry.models import Employer  # noqa: E402

GOAL_SECONDS = 5.0
REGISTRY_TABLES = (
    "registry_reportedwage",
    "registry_membership",
    "registry_dependant",
    "registry_participant",
    "registry_person",
)


def worker_file(rows: int) -> bytes:
    """``rows`` valid, distinct workers of Balikpapan (NIK 6471…), wages above the 2026 UMK."""
    lines = [",".join(COLUMNS)]
    first_day = dt.date(1970, 1, 1)
    for i in range(rows):
        birth = first_day + dt.timedelta(days=i % 12_000)
        female = (i // 12_000) % 2 == 1
        district = (i // 24_000) % 40 + 1
        day = birth.day + (40 if female else 0)
        nik = f"6471{district:02d}{day:02d}{birth.month:02d}{birth.year % 100:02d}{i // 960_000 + 1:04d}"
        wage = 4_500_000 + (i * 7_919) % 3_000_000
        wage_text = f"{wage:,}".replace(",", ".")
        lines.append(
            f'{nik},Pekerja Uji {i},{birth:%d/%m/%Y},{"P" if female else "L"},"{wage_text}",2026-01-05'
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def reset_registry(employer: Employer) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(REGISTRY_TABLES)} CASCADE")
        cursor.execute("ANALYZE")


def copy_floor(content: bytes) -> float:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_bare_workers "
            "(nik text, nama text, tanggal_lahir text, jenis_kelamin text, upah text, tanggal_mulai text)"
        )
        cursor.execute("TRUNCATE bench_bare_workers")
        started = time.perf_counter()
        with cursor.cursor.copy(
            "COPY bench_bare_workers FROM STDIN WITH (FORMAT csv, HEADER true)"
        ) as copy:
            copy.write(content)
        elapsed = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_bare_workers")
        assert cursor.fetchone()[0] == content.count(b"\n") - 1
    return elapsed


def backend_cpu() -> float | None:
    """CPU seconds (user + system) used so far by the PostgreSQL backend of this connection, when it
    runs on this machine; None otherwise."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def import_once(
    employer: Employer,
    content: bytes,
    rows: int,
    *,
    dry_run: bool,
    cpu: list[tuple[float, float]],
    per_row_keys: bool = False,
) -> float:
    """One import; ``per_row_keys``: as for a database role without the privilege that lets the import
    check its foreign keys set-based (jaminan.registry.bulkkeys), PostgreSQL's per-row checks."""
    reset_registry(employer)
    server_before = backend_cpu()
    python_before = time.process_time()
    started = time.perf_counter()
    with patch.object(bulkkeys, "privileged", lambda: False) if per_row_keys else nullcontext():
        report = import_workers(
            employer=employer,
            content=content,
            filename="pekerja.csv",
            dry_run=dry_run,
            registered_on=dt.date(2026, 1, 20),
        )
    elapsed = time.perf_counter() - started
    python = time.process_time() - python_before
    server_after = backend_cpu()
    if server_before is not None and server_after is not None:
        cpu.append((python, server_after - server_before))
    if report.accepted != rows or report.rejected:
        raise SystemExit(f"import went wrong: {report.summary()}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        print(
            "bench/import_workers.py needs PostgreSQL (scripts/with-postgres.sh …)", file=sys.stderr
        )
        return 2
    call_command("migrate", verbosity=0)
    load_reference(settings.REFERENCE_DIR)
    employer = Employer.objects.filter(
        name="PT Bench Import"
    ).first() or services.register_employer(
        name="PT Bench Import",
        legal_form="PT",
        kbli="10792",
        size_class="large",
        risk_group=3,
        regency=Regency.objects.get(code="64.71"),
    )
    content = worker_file(args.rows)
    # One import first, not timed: it loads what a running server has loaded already (the rules'
    # parameters, the NIK parser) and warms PostgreSQL's caches for both jobs alike.
    import_once(employer, content, args.rows, dry_run=False, cpu=[])
    set_based = bulkkeys.privileged()
    times: dict[str, list[float]] = {"import": [], "per-row": [], "validate": [], "copy": []}
    cpu: dict[str, list[tuple[float, float]]] = {"import": [], "per-row": [], "validate": []}
    load_before = os.getloadavg()[0]
    for _ in range(args.runs):
        times["import"].append(
            import_once(employer, content, args.rows, dry_run=False, cpu=cpu["import"])
        )
        times["copy"].append(copy_floor(content))
        times["per-row"].append(
            import_once(
                employer,
                content,
                args.rows,
                dry_run=False,
                cpu=cpu["per-row"],
                per_row_keys=True,
            )
        )
        times["validate"].append(
            import_once(employer, content, args.rows, dry_run=True, cpu=cpu["validate"])
        )
    load_after = os.getloadavg()[0]
    best = {k: min(v) for k, v in times.items()}
    median = {k: statistics.median(v) for k, v in times.items()}
    ratio = best["import"] / best["copy"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    cpu_median = {
        k: (statistics.median(p for p, _ in v), statistics.median(s for _, s in v))
        for k, v in cpu.items()
        if v
    }

    def cpu_text(name: str) -> str:
        if name not in cpu_median:
            return "–"
        python, server = cpu_median[name]
        return f"{python:.2f} s + {server:.2f} s"

    load = f"{load_before:.1f} before, {load_after:.1f} after"
    print(f"rows {args.rows:,}; runs {args.runs}; PostgreSQL {pg_version}; load average {load}")
    print(f"  foreign keys of the applied import: {'set-based' if set_based else 'per row'}")
    for name in ("import", "per-row", "validate", "copy"):
        extra = f"   CPU Python + PostgreSQL (median) {cpu_text(name)}" if name in cpu else ""
        print(f"  {name:<9} best {best[name]:7.3f} s   median {median[name]:7.3f} s{extra}")
    print(
        f"  import / COPY floor: {ratio:.1f}x; goal ≤ {GOAL_SECONDS:.0f} s: "
        f"{'met' if best['import'] <= GOAL_SECONDS else 'NOT met'}"
    )
    if args.write_docs:
        start, end = markers("import_workers")
        section = "\n".join(
            [
                start,
                "## Worker-list import vs a plain COPY",
                "",
                "Written by `make bench-import` (`bench/import_workers.py --write-docs`). Do not edit by hand.",
                "",
                f"Run of {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.processor() or platform.machine()},"
                f" nproc {os.cpu_count()}, load average {load} (a shared machine),"
                f" Python {platform.python_version()}, PostgreSQL {pg_version} (throwaway cluster, fsync off).",
                "",
                f"{args.rows:,} valid rows (CSV, every row a new person) through `jaminan.registry.imports`"
                " — parse, validate every row (NIK against birth date and sex, minimum wage, duplicates,"
                " existing memberships), then one transaction writing persons, participants (KPJ numbers),"
                " memberships, wages and the audit event — beside a plain `COPY` of the same file into a bare"
                f" table without indexes. Best (median) of {args.runs} alternating runs after one untimed"
                " import; CPU: seconds of this Python process + seconds of the PostgreSQL backend, median."
                " The applied import checks its foreign keys "
                + (
                    "set-based, once per key for the whole file (the role may set"
                    " `session_replication_role`; `jaminan.registry.bulkkeys`);"
                    if set_based
                    else "per row (the role may not set `session_replication_role`);"
                )
                + " the second line is the same import with PostgreSQL's per-row checks.",
                "",
                "| job | best | median | CPU, Python + PostgreSQL |",
                "|---|---|---|---|",
                f"| import, applied | {best['import']:.2f} s | {median['import']:.2f} s | {cpu_text('import')} |",
                f"| import, applied, per-row key checks (a role without the privilege) | {best['per-row']:.2f} s | {median['per-row']:.2f} s | {cpu_text('per-row')} |",
                f"| import, dry run (validation and report only) | {best['validate']:.2f} s | {median['validate']:.2f} s | {cpu_text('validate')} |",
                f"| plain COPY into a bare table (floor) | {best['copy']:.2f} s | {median['copy']:.2f} s | – |",
                "",
                f"Import / floor: **{ratio:.0f}×**. Goal ≤ {GOAL_SECONDS:.0f} s for the applied import: "
                f"**{'met' if best['import'] <= GOAL_SECONDS else 'not met'}**.",
                end,
            ]
        )
        write_section("import_workers", section)
        print("wrote docs/performance.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
