"""Bill lines carry their bill's month, and on PostgreSQL the line table is partitioned by it.

1. ``Fine.billed_line`` loses its database-level foreign key: a partitioned table's primary key
   must include the partition key, so it becomes ``(id, month)``, which a key on the line id alone
   cannot reference (``jaminan ledger check`` verifies the link instead).
2. ``BillLine.month`` is added and filled from each line's bill (on PostgreSQL while the rows are
   copied into the new table, not by an update of every row first).
3. PostgreSQL only: the table is rebuilt as ``PARTITION BY RANGE (month)`` with one partition per
   month that has lines and a DEFAULT partition; its rows are copied, its id sequence continues where
   the identity stopped, and its bill index keeps its name. The membership index is not one index
   of the whole table but one per partition (``<partition>_membership``): the billing run builds
   its month's after the month's lines are written, by a sort, instead of inserting 15 million
   entries one by one (``jaminan.contributions.partitions``). Django's migration state still names
   ``MEMBER_INDEX``; a later migration that alters that index must do so per partition.
   SQLite keeps the plain table and its indexes.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "contributions_billline"
OLD = f"{TABLE}_unpartitioned"
PKEY = f"{TABLE}_pkey"
SEQUENCE = f"{TABLE}_id_seq"
MEMBER_INDEX = f"{TABLE}_membership_id_080f8dad"  # Django's name, from 0001_initial


def _indexes(cursor, table):
    """(name, definition) of the table's indexes other than its primary key."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes "
        "WHERE schemaname = current_schema() AND tablename = %s AND indexname <> %s "
        "ORDER BY indexname",
        [table, PKEY],
    )
    # A partitioned table's index is printed "ON ONLY table"; recreated, it covers every partition.
    return [(name, sql.replace(" ON ONLY ", " ON ")) for name, sql in cursor.fetchall()]


def _columns(cursor, table):
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0 "
        "AND NOT attisdropped ORDER BY attnum",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def _next_id(cursor, table):
    cursor.execute(
        f"SELECT pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0)",
        [table],
    )
    sequence, max_id = cursor.fetchone()
    last = 0
    if sequence:
        cursor.execute(f"SELECT last_value FROM {sequence}")
        last = cursor.fetchone()[0]
    return max(int(max_id), int(last)) + 1


def _set_aside(cursor):
    """Rename the table to OLD without its indexes and primary key (their names are then free for
    the new table). Returns the index definitions and the next line id."""
    indexes = _indexes(cursor, TABLE)
    next_id = _next_id(cursor, TABLE)
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    cursor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {PKEY}")
    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
    return indexes, next_id


def fill_month(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute(
            f"UPDATE {TABLE} SET month = (SELECT b.month FROM contributions_bill b "
            f"WHERE b.id = {TABLE}.bill_id)"
        )


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {TABLE} l WHERE NOT EXISTS "
            "(SELECT 1 FROM contributions_bill b WHERE b.id = l.bill_id)"
        )
        orphans = cursor.fetchone()[0]
        if orphans:  # their month is unknown: the copy below would lose them
            raise RuntimeError(
                f"{orphans} bill lines have no bill (run `jaminan ledger check`); not migrated"
            )
        indexes, next_id = _set_aside(cursor)
        cursor.execute(f"CREATE TABLE {TABLE} (LIKE {OLD}) PARTITION BY RANGE (month)")
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN month SET NOT NULL")
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        cursor.execute(
            f"SELECT DISTINCT b.month FROM contributions_bill b "
            f"WHERE EXISTS (SELECT 1 FROM {OLD} l WHERE l.bill_id = b.id) ORDER BY b.month"
        )
        for (month,) in cursor.fetchall():
            first = month.replace(day=1)
            after = first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE}_{first:%Y%m} PARTITION OF {TABLE} "
                f"FOR VALUES FROM ('{first.isoformat()}') TO ('{after.isoformat()}')"
            )
        columns = ", ".join(
            f"l.{c}" if c != "month" else "COALESCE(l.month, b.month)"
            for c in _columns(cursor, OLD)
        )
        cursor.execute(
            f"INSERT INTO {TABLE} SELECT {columns} FROM {OLD} l "
            "JOIN contributions_bill b ON b.id = l.bill_id"
        )
        cursor.execute(f"DROP TABLE {OLD}")
        cursor.execute(f"CREATE SEQUENCE {SEQUENCE} OWNED BY {TABLE}.id")
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{SEQUENCE}')")
        cursor.execute("SELECT setval(%s, %s, false)", [SEQUENCE, next_id])
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {PKEY} PRIMARY KEY (id, month)")
        for name, definition in indexes:
            if name != MEMBER_INDEX:
                cursor.execute(definition)
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(%s)",
            [TABLE],
        )
        for (part,) in cursor.fetchall():
            cursor.execute(f"CREATE INDEX {part}_membership ON {part} (membership_id)")


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        indexes, next_id = _set_aside(cursor)
        cursor.execute(f"CREATE TABLE {TABLE} (LIKE {OLD})")
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {OLD}")
        cursor.execute(f"DROP TABLE {OLD} CASCADE")
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", [TABLE, next_id]
        )
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {PKEY} PRIMARY KEY (id)")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute(f"CREATE INDEX {MEMBER_INDEX} ON {TABLE} (membership_id)")


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0002_billline_without_db_foreign_keys"),
    ]

    operations = [
        migrations.AlterField(
            model_name="fine",
            name="billed_line",
            field=models.OneToOneField(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="fine",
                to="contributions.billline",
            ),
        ),
        migrations.AddField(
            model_name="billline",
            name="month",
            field=models.DateField(editable=False, null=True, verbose_name="bulan iuran"),
        ),
        migrations.RunPython(fill_month, migrations.RunPython.noop),
        migrations.RunPython(partition, unpartition),
        migrations.AlterField(
            model_name="billline",
            name="month",
            field=models.DateField(editable=False, verbose_name="bulan iuran"),
        ),
    ]
