"""Database triggers that refuse to change audit events, whoever connects.

The model already refuses; the triggers stop a script or a console session that bypasses it.
UPDATE is refused on both databases, DELETE of single rows on PostgreSQL. A whole-table wipe
(PostgreSQL TRUNCATE, SQLite DELETE, which is how test databases are reset between tests) stays
possible for whoever has those rights, as does dropping a trigger: that is what the hash chain and
its head detect, and `luoshi audit verify` reports.
"""

from django.db import migrations

SQLITE_UP = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",
    "CREATE TRIGGER audit_chainhead_no_rewind BEFORE UPDATE ON audit_chainhead WHEN NEW.seq < OLD.seq BEGIN SELECT RAISE(ABORT, 'audit chain head only moves forward'); END;",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_event_no_update;",
    "DROP TRIGGER IF EXISTS audit_chainhead_no_rewind;",
]
POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event;",
    "DROP FUNCTION IF EXISTS audit_event_append_only();",
]


def up(apps, schema_editor):
    statements = {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def down(apps, schema_editor):
    statements = {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
