"""Database triggers that make accounts_auditevent append-only (UPDATE and DELETE refused).

PostgreSQL, the production database, refuses them in the database itself. SQLite (the embedded demo
database) relies on the model and queryset guards of AuditEvent only: Django empties SQLite tables
with DELETE (test flushes, `jaminan flush`), which a trigger there would break.
"""

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


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
