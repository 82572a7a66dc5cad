"""The migration that stores reports by day, run on a filled plain table while a writer keeps writing."""

import datetime as dt
import os
import time

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from bench.writer import Writer, libpq_url
from feedback import conversion, partitions

MIGRATION = ("feedback", "0007_partition_feedback_by_day")
# 100,000 rows over 60 days here (about 10 s); `make bench` runs the same conversion on 1,000,000
# rows over five years and a month (bench/conversion.py, figures in docs/performance.md).
ROWS = int(os.environ.get("CONVERSION_TEST_ROWS", "100000"))
DAYS = int(os.environ.get("CONVERSION_TEST_DAYS", "60"))
FILL_SQL = """
INSERT INTO feedback_feedback (id, surface, rating, comment, conversation, message_index, created_at)
SELECT gen_random_uuid(), CASE WHEN i %% 3 = 0 THEN 'workbench' ELSE 'chat' END, 'up', 'comment ' || i,
       jsonb_build_object('messages', jsonb_build_array(i)), i %% 4, now() - %(span)s::interval * (i::float8 / %(rows)s)
FROM generate_series(1, %(rows)s) i
"""
FINGERPRINT_SQL = ("SELECT count(*), coalesce(sum(hashtext(t::text)::bigint), 0) FROM feedback_feedback t "
                   "WHERE NOT (id = ANY(%s))")

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target] if target else executor.loader.graph.leaf_nodes())


def fingerprint(excluding=()):
    with connection.cursor() as cursor:
        cursor.execute(FINGERPRINT_SQL, [list(excluding)])
        return cursor.fetchone()


def test_converting_a_filled_table_loses_no_row_and_never_holds_a_writer_past_a_second():
    before = MigrationExecutor(connection).loader.get_migration(*MIGRATION).dependencies[0]
    migrate(before)
    try:
        assert not partitions.is_partitioned()
        with connection.cursor() as cursor:
            cursor.execute(FILL_SQL, {"rows": ROWS, "span": f"{DAYS} days"})
        original = fingerprint()
        assert original[0] == ROWS
        writer = Writer(libpq_url(connection.settings_dict), lock_timeout="1s")
        writer.start()
        assert writer.started.wait(timeout=30)
        began = time.monotonic()
        migrate(None)
        seconds = time.monotonic() - began
        writer.finish()
    finally:
        migrate(None)
    assert partitions.is_partitioned()
    assert writer.errors == []  # no insert waited for a lock past 1 s
    assert len(writer.ids) > 0
    assert fingerprint(writer.ids) == original  # every row, every column, as it was
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM feedback_feedback WHERE id = ANY(%s)", [writer.ids])
        assert cursor.fetchone()[0] == len(writer.ids)
    assert partitions.count_strays(10)["count"] == 0
    today = dt.datetime.now(dt.UTC).date()
    assert {today - dt.timedelta(days=n) for n in range(DAYS)} <= {day for day, _ in partitions.list_day_partitions()}
    print(f"converted {ROWS:,} rows in {seconds:.1f} s; writer: {len(writer.ids):,} inserts, "
          f"worst {max(writer.latencies) * 1000:.0f} ms")


def test_a_conversion_stopped_after_the_copy_began_finishes_when_run_again():
    before = MigrationExecutor(connection).loader.get_migration(*MIGRATION).dependencies[0]
    migrate(before)
    try:
        with connection.cursor() as cursor:
            cursor.execute(FILL_SQL, {"rows": 5000, "span": "10 days"})
        original = fingerprint()
        # The first steps of a run that then stopped: new table built, trigger on, three days copied.
        conversion._build_new()
        today = dt.datetime.now(dt.UTC).date()
        conversion._create_new_partitions(today - dt.timedelta(days=11), today)
        conversion._install_mirror()
        _, last, following = conversion._plan_days(today)
        conversion._copy_days(following, following + dt.timedelta(days=2), source=partitions.TABLE, target=conversion.NEW)
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO feedback_feedback (id, surface, rating, comment, conversation, created_at) "
                           "VALUES (gen_random_uuid(), 'chat', 'down', 'while stopped', '{}', now())")
        migrate(None)
    finally:
        migrate(None)
    assert partitions.is_partitioned()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM feedback_feedback WHERE comment = 'while stopped'")
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT to_regclass(%s), to_regclass(%s), to_regclass(%s)",
                       [conversion.NEW, conversion.OLD, conversion.PROGRESS])
        assert cursor.fetchone() == (None, None, None)
    count, _ = fingerprint()
    assert count == original[0] + 1
