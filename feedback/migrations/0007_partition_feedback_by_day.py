"""On PostgreSQL, feedback_feedback becomes a table partitioned by day on created_at (see feedback/conversion.py).

Online on a large table: the rows are copied one day a transaction while the application keeps
writing (a trigger copies new writes), then the names are swapped in one short transaction; a
run that stops resumes where it was. Not atomic, so that each day's copy commits on its own.
Other databases keep the plain table. Django's model is unchanged (its key stays `id`).
"""

from django.db import migrations

from feedback import conversion


def forwards(apps, schema_editor):
    conversion.convert_to_partitioned()


def backwards(apps, schema_editor):
    conversion.convert_to_plain()


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("feedback", "0006_add_code_surface")]

    operations = [migrations.RunPython(forwards, backwards)]
