"""On PostgreSQL, the database itself refuses to change or delete a staff-access record.

The one update allowed is the staff account's deletion setting `staff_id` to NULL (the record keeps
`staff_email`). TRUNCATE, used only by test set-up, is not a row operation and stays possible.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION feedback_staffaccess_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.staff_id IS NULL
       AND (NEW.id, NEW.kind, NEW.staff_email, NEW.feedback_id, NEW.since, NEW.until,
            NEW.report_count, NEW.ip_address, NEW.origin, NEW.created_at)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.kind, OLD.staff_email, OLD.feedback_id, OLD.since, OLD.until,
            OLD.report_count, OLD.ip_address, OLD.origin, OLD.created_at) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'Staff-access records are never changed or deleted.';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER feedback_staffaccess_append_only BEFORE UPDATE OR DELETE ON feedback_staffaccess
    FOR EACH ROW EXECUTE FUNCTION feedback_staffaccess_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS feedback_staffaccess_append_only ON feedback_staffaccess;
DROP FUNCTION IF EXISTS feedback_staffaccess_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("feedback", "0003_add_staff_access")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
