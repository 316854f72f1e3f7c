"""The access log refuses UPDATE and DELETE in the database itself on PostgreSQL, so not even
code that bypasses the model (a raw query, a bulk update) can rewrite who read what.
TRUNCATE is not a row event, so test-database flushes still work."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION clinic_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'clinic_accesslog is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER clinic_accesslog_append_only
    BEFORE UPDATE OR DELETE ON clinic_accesslog
    FOR EACH ROW EXECUTE FUNCTION clinic_accesslog_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS clinic_accesslog_append_only ON clinic_accesslog;
DROP FUNCTION IF EXISTS clinic_accesslog_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
