"""Looking for text anywhere in the database, whatever the model: for tests that a phrase was never stored."""

from django.apps import apps
from django.db import connection


def tables_holding(phrase):
    """Every (table, column) in the database whose text holds the phrase."""
    found = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            for field in model._meta.concrete_fields:
                if field.get_internal_type() not in {"CharField", "TextField", "JSONField"}:
                    continue
                # Only names from the models, quoted, are formatted in; the phrase is a parameter.
                quoted_table, column = connection.ops.quote_name(table), connection.ops.quote_name(field.column)
                sql = f"SELECT COUNT(*) FROM {quoted_table} WHERE CAST({column} AS TEXT) LIKE %s"  # noqa: S608
                cursor.execute(sql, [f"%{phrase}%"])
                if cursor.fetchone()[0]:
                    found.append((table, field.column))
    return found
