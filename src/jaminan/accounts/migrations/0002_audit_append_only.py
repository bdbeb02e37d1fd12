"""Database triggers that make accounts_auditevent append-only (UPDATE and DELETE refused)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION jaminan_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'accounts_auditevent is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER auditevent_no_update BEFORE UPDATE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION jaminan_audit_append_only();
CREATE TRIGGER auditevent_no_delete BEFORE DELETE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION jaminan_audit_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS auditevent_no_update ON accounts_auditevent;
DROP TRIGGER IF EXISTS auditevent_no_delete ON accounts_auditevent;
DROP FUNCTION IF EXISTS jaminan_audit_append_only();
"""
SQLITE_UP = [
    """CREATE TRIGGER auditevent_no_update BEFORE UPDATE ON accounts_auditevent
       BEGIN SELECT RAISE(ABORT, 'accounts_auditevent is append-only'); END;""",
    """CREATE TRIGGER auditevent_no_delete BEFORE DELETE ON accounts_auditevent
       BEGIN SELECT RAISE(ABORT, 'accounts_auditevent is append-only'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS auditevent_no_update;",
    "DROP TRIGGER IF EXISTS auditevent_no_delete;",
]


def _run(schema_editor: Any, postgres: str, sqlite: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(postgres)
    elif vendor == "sqlite":
        for statement in sqlite:
            schema_editor.execute(statement)


def forwards(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, POSTGRES_UP, SQLITE_UP)


def backwards(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, POSTGRES_DOWN, SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
