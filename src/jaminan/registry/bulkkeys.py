"""Foreign keys of a bulk write checked once per key for the whole set, not once per row.

PostgreSQL checks a foreign key with one query per inserted row (a trigger). For a worker-list import of
100,000 rows that is 600,000 queries at ``COMMIT`` and half the import's time (docs/performance.md). When
the database role may set ``session_replication_role`` (a superuser, or after
``GRANT SET ON PARAMETER session_replication_role TO <role>``, PostgreSQL 15), :func:`set_based_keys`
switches those per-row triggers off for the block only (``SET LOCAL … = replica`` inside a savepoint)
while the block writes, then, before the block ends:

1. locks the stored parent rows the new rows point to (``FOR KEY SHARE``, as the per-row check would),
   so that no other session can delete one before this transaction ends;
2. checks every foreign key of every table written, for the new rows, with one anti-join each, and
   raises :class:`django.db.IntegrityError` (the transaction is then rolled back) naming the key and
   the number of rows that point nowhere.

So the rows are held to exactly the same keys. Without the privilege, or on SQLite, the block runs with
the ordinary per-row checks. The new rows are given as an id range per model (a range may include other
sessions' committed rows; checking those too is harmless).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Model


def privileged() -> bool:
    """Whether this connection may switch the per-row key triggers off (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        row = cursor.fetchone()
    return bool(row and row[0])


@dataclass
class Written:
    """What the block wrote and what it points to; filled in by the block."""

    #: model -> ids of the new rows (any ordered sequence; checked by its lowest and highest id)
    rows: dict[type[Model], Sequence[int]] = field(default_factory=dict)
    #: model -> ids of stored rows the new rows point to, locked FOR KEY SHARE before the check
    parents: dict[type[Model], Sequence[int]] = field(default_factory=dict)
    #: whether the per-row triggers were off (set by :func:`set_based_keys`)
    set_based: bool = False
    #: the keys checked (``table.column``), for tests
    checked: list[str] = field(default_factory=list)


def _column(name: str | None) -> str:
    assert name is not None
    return connection.ops.quote_name(name)


def _foreign_keys(model: type[Model]) -> Iterator[tuple[str, str, str, str]]:
    """(column, parent table, parent column, label) of every foreign key the database enforces."""
    for f in model._meta.concrete_fields:
        if isinstance(f, models.ForeignKey) and getattr(f, "db_constraint", True):
            parent = f.related_model
            assert isinstance(parent, type)
            yield (
                _column(f.column),
                _column(parent._meta.db_table),
                _column(f.target_field.column),
                f"{model._meta.db_table}.{f.column}",
            )


def check(written: Written) -> None:
    """Lock the stored parents, then one anti-join per foreign key of every model in ``written.rows``."""
    with connection.cursor() as cursor:
        for model, ids in written.parents.items():
            if ids:
                assert model._meta.pk is not None
                cursor.execute(
                    f"SELECT 1 FROM {_column(model._meta.db_table)}"
                    f" WHERE {_column(model._meta.pk.column)} = ANY(%s) FOR KEY SHARE",
                    [list(ids)],
                )
        for model, ids in written.rows.items():
            if not ids:
                continue
            assert model._meta.pk is not None
            child = _column(model._meta.db_table)
            child_pk = _column(model._meta.pk.column)
            for column, parent, target, label in _foreign_keys(model):
                cursor.execute(
                    f"SELECT count(*) FROM {child} c WHERE c.{child_pk} BETWEEN %s AND %s"
                    f" AND c.{column} IS NOT NULL"
                    f" AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{target} = c.{column})",
                    [min(ids), max(ids)],
                )
                (orphans,) = cursor.fetchone()
                written.checked.append(label)
                if orphans:
                    raise IntegrityError(
                        f"{label}: {orphans} baris menunjuk ke baris yang tidak ada"
                    )


@contextmanager
def set_based_keys(*, enabled: bool = True) -> Iterator[Written]:
    """Inside a transaction: write in the block, filling the yielded :class:`Written`; the keys are
    checked set-based at the end of the block (see the module docstring). On an exception the block's
    savepoint is rolled back, with its rows and the trigger switch."""
    if not connection.in_atomic_block:
        raise RuntimeError("set_based_keys needs a transaction")
    written = Written(set_based=enabled and privileged())
    if not written.set_based:
        yield written
        return
    # A savepoint: if the block or the check fails, rolling it back also undoes the SET LOCAL.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        yield written
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")
        check(written)
