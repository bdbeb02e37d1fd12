"""Monthly partitions of the bill-line table on PostgreSQL.

A month's billing writes ≈ 15 million lines for the region, each with three index entries
(primary key, bill, membership). Kept in one table, those indexes grow with every month of
history, and each month's inserts land at random places in ever larger trees (≈ 5 µs a line once
the table holds a few months, against ≈ 1.6 µs into a fresh one: docs/performance.md). Partitioned
by the line's ``month`` (migration ``contributions.0003``), each month's lines and indexes are
their own, small and fresh, and a query that names the month reads one partition.

``ensure_line_partitions`` creates the partition of each month before lines of that month are
written (the billing run does it for its month and for the months of its one-off bills). Lines of a
month that has no partition yet go to the DEFAULT partition, so nothing is ever refused; when that
month's partition is made later, its rows are moved out of the default partition first.

The primary key ``(id, month)`` and the bill index belong to the whole table: their entries arrive
in ascending order (new ids, new bills), at the right edge of each tree. The membership index is
one per partition (``<partition>_membership``): its entries arrive in random order, and inserting
a month's 15 million of them one by one costs more than writing the lines. So the billing run makes
its month's partition without it and builds it once the month is billed (``index_line_members``),
by a sort: in between, finding a member's lines of that month reads the month's partition whole.

SQLite keeps one plain table: there ``ensure_line_partitions`` does nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction

from jaminan.contributions.models import BillLine
from jaminan.rules.core import add_months

LINE_TABLE = BillLine._meta.db_table
DEFAULT_PARTITION = f"{LINE_TABLE}_default"


def partition_name(month: date) -> str:
    """``contributions_billline_202607`` for July 2026."""
    return f"{LINE_TABLE}_{month:%Y%m}"


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relkind FROM pg_class c WHERE c.oid = to_regclass(%s)", [LINE_TABLE]
        )
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


def ensure_line_partitions(months: Iterable[date], *, index_members: bool = True) -> list[str]:
    """Make the line table's partition of each month that has none; return the names made.

    Each partition is made in its own short transaction (a savepoint inside a caller's), under an
    advisory lock so that two runs never make the same one. Rows of the month already in the
    default partition are moved into the new partition before it is attached. Without
    ``index_members`` the partition has no membership index until ``index_line_members``.
    """
    if not is_partitioned():
        return []
    made = []
    for month in sorted({m.replace(day=1) for m in months}):
        name = partition_name(month)
        start, end = month.isoformat(), add_months(month, 1).isoformat()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
            cursor.execute("SELECT to_regclass(%s)", [name])
            if cursor.fetchone()[0] is not None:
                continue
            cursor.execute(f"CREATE TABLE {name} (LIKE {LINE_TABLE} INCLUDING DEFAULTS)")
            cursor.execute(
                f"""WITH moved AS (DELETE FROM {DEFAULT_PARTITION}
                                   WHERE month >= %s AND month < %s RETURNING *)
                    INSERT INTO {name} SELECT * FROM moved""",
                [start, end],
            )
            # Attaching builds the partition's share of the table's indexes and primary key.
            cursor.execute(
                f"ALTER TABLE {LINE_TABLE} ATTACH PARTITION {name} "
                f"FOR VALUES FROM ('{start}') TO ('{end}')"
            )
            if index_members:
                cursor.execute(f"CREATE INDEX {name}_membership ON {name} (membership_id)")
            made.append(name)
    return made


#: A month's partition holding fewer lines than this when its billing run starts loses its
#: membership index until the run has written the month (e.g. the few lines of BPU bills paid in
#: advance); a fuller one keeps it (e.g. a run for one office in a month already billed).
DEFER_INDEX_BELOW = 100_000


def prepare_month(month: date) -> bool:
    """Before a billing run of ``month``: its partition exists, is left alone by autovacuum until
    the run ends (a fresh partition growing to 15 million rows would otherwise be vacuumed again
    at every fifth more), and has no membership index when it holds few lines. True when the
    index was deferred (``index_line_members`` builds it)."""
    month = month.replace(day=1)
    if not is_partitioned():
        return False
    ensure_line_partitions([month], index_members=False)
    name = partition_name(month)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
        cursor.execute(f"ALTER TABLE {name} SET (autovacuum_enabled = off)")
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"{name}_membership"])
        if not cursor.fetchone()[0]:
            return True
        cursor.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {name} LIMIT {DEFER_INDEX_BELOW}) few")
        if cursor.fetchone()[0] >= DEFER_INDEX_BELOW:
            return False
        cursor.execute(f"DROP INDEX {name}_membership")
    return True


def resume_autovacuum(month: date) -> None:
    """After a billing run of ``month``, finished or failed: autovacuum may vacuum its partition
    again. (A run killed outright leaves it off until the next billing run: ``repair_abandoned``.)"""
    if not is_partitioned():
        return
    name = partition_name(month.replace(day=1))
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if cursor.fetchone()[0]:
            cursor.execute(f"ALTER TABLE {name} RESET (autovacuum_enabled)")


def repair_abandoned(*, busy: Iterable[date]) -> list[str]:
    """Undo what a billing run killed outright left on its month's partition: autovacuum paused
    and, when the run deferred it, no membership index. Months in ``busy`` (a run holds them, or
    is about to) are left alone. Returns the names of the partitions repaired."""
    if not is_partitioned():
        return []
    skip = {partition_name(m.replace(day=1)) for m in busy}
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
               WHERE i.inhparent = to_regclass(%s) AND c.relname <> %s
                 AND ('autovacuum_enabled=off' = ANY(COALESCE(c.reloptions, '{}'))
                      OR to_regclass(c.relname || '_membership') IS NULL)
               ORDER BY c.relname""",
            [LINE_TABLE, DEFAULT_PARTITION],
        )
        names = [name for (name,) in cursor.fetchall() if name not in skip]
    for name in names:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
            cursor.execute(f"ALTER TABLE {name} RESET (autovacuum_enabled)")
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {name}_membership ON {name} (membership_id)"
            )
            cursor.execute(f"ANALYZE {name}")
    return names


def index_line_members(month: date) -> bool:
    """After a billing run of ``month``: build the membership index of its partition if it has
    none (True if built)."""
    if not is_partitioned():
        return False
    name = partition_name(month.replace(day=1))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass(%s) IS NOT NULL, to_regclass(%s) IS NOT NULL",
            [name, f"{name}_membership"],
        )
        exists, indexed = cursor.fetchone()
        if not exists or indexed:
            return False
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {name}_membership ON {name} (membership_id)")
        cursor.execute(f"ANALYZE {name}")
    return True


def line_partitions() -> list[str]:
    """The names of the line table's partitions, the DEFAULT one included (none on SQLite)."""
    if not is_partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
               WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname""",
            [LINE_TABLE],
        )
        return [name for (name,) in cursor.fetchall()]
