"""The feedback table turned into one stored by day, online: no row lost, writers held up only for moments.

Generic over the table's columns (CREATE TABLE … LIKE, `SELECT *`), so a column added by an earlier
migration comes along. On PostgreSQL, when `feedback_feedback` is still a plain table:

1. build `feedback_feedback_new` beside it: the same columns, defaults and checks, partitioned by
   range on created_at, primary key (id, created_at), the old table's other indexes, a default
   partition, and one partition per day from the oldest report to DAYS_AHEAD days ahead;
2. a trigger on the old table copies every insert, update and delete into the new one from then on
   (installing it takes a lock that waits for the writes in flight: short, with a timeout, retried);
3. copy the old rows a week a transaction (a row the trigger already copied is
   skipped: ON CONFLICT DO NOTHING); progress is kept in `feedback_feedback_conversion`, so a run
   that stops resumes at the day it had reached;
4. swap the names in one short transaction (ACCESS EXCLUSIVE on the old table, with a timeout,
   retried): writers wait at most the timeout plus a few catalog changes, then write into the new
   table (PostgreSQL looks the name up again once it has the lock);
5. copy whatever the old table still holds that the new one lacks (nothing, unless something wrote
   around the trigger), a week a transaction, then drop the old table.

The report-deletion lock is held throughout, so no purge deletes a row the copy is about to write.
Each step checks what is already done, so running it again after a stop finishes the work.
"""

import datetime as dt
import logging
import re
from contextlib import contextmanager

from django.db import connection, transaction
from django.utils import timezone

from .partitions import (
    COLUMN,
    DAYS_AHEAD,
    DEFAULT_PARTITION,
    ONE_DAY,
    REPORT_DELETION_LOCK_ID,
    TABLE,
    _bound,
    _q,
    _relkind,
    days_between,
    partition_name,
    run_locked,
)

logger = logging.getLogger(__name__)

NEW = f"{TABLE}_new"
OLD = f"{TABLE}_unpartitioned"
PROGRESS = f"{TABLE}_conversion"
MIRROR = f"{TABLE}_mirror"
# Days a transaction when creating partitions, copying and checking (pruned to as many partitions).
CHUNK_DAYS = 7
INDEX_DEF = re.compile(r"^CREATE (UNIQUE )?INDEX \S+ ON (?:ONLY )?\S+ USING ")


def _rows(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _indexes(table):
    """(name, definition, is primary key, key columns) of every index on `table`."""
    rows = _rows("""
        SELECT i.relname, pg_get_indexdef(x.indexrelid), x.indisprimary,
               array(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n)
                     JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.n)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = to_regclass(%s) ORDER BY i.relname""", [table])
    return [(name, definition, primary, list(columns)) for name, definition, primary, columns in rows]


def _index_sql(definition, name, table):
    return INDEX_DEF.sub(lambda m: f"CREATE {m.group(1) or ''}INDEX {_q(name)} ON {_q(table)} USING ", definition)


def _side_name(name, suffix):
    return f"{name[:59 - len(suffix)]}_{suffix}"


@contextmanager
def _deletion_lock():
    # Waits for a running purge to end; session-level, so it spans the per-day transactions.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [REPORT_DELETION_LOCK_ID])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [REPORT_DELETION_LOCK_ID])


def _build_new():
    """Step 1: the partitioned table beside the old one, its keys, indexes and default partition (one transaction)."""
    if _relkind(NEW) == "p":
        return
    indexes = _indexes(TABLE)
    primary = next(columns for _, _, is_pk, columns in indexes if is_pk)
    key = [*primary, COLUMN] if COLUMN not in primary else primary
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {_q(NEW)} (LIKE {_q(TABLE)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                       f"INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE ({_q(COLUMN)})")
        cursor.execute(f"ALTER TABLE {_q(NEW)} ADD CONSTRAINT {_q(NEW + '_pkey')} "
                       f"PRIMARY KEY ({', '.join(map(_q, key))})")
        for name, definition, is_pk, _ in indexes:
            if not is_pk:
                cursor.execute(_index_sql(definition, _side_name(name, "new"), NEW))
        cursor.execute(f"CREATE TABLE {_q(DEFAULT_PARTITION)} PARTITION OF {_q(NEW)} DEFAULT")
        cursor.execute(f"CREATE TABLE {_q(PROGRESS)} (first_day date, last_day date, next_day date)")
        cursor.execute(f"INSERT INTO {_q(PROGRESS)} SELECT (min({_q(COLUMN)}) AT TIME ZONE 'UTC')::date, "  # noqa: S608
                       f"NULL, NULL FROM {_q(TABLE)}")


def _install_mirror():
    """Step 2: from here on every write to the old table is written to the new one too."""
    columns = ", ".join(_q(c) for _, c in _rows(
        "SELECT attnum, attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0 "
        "AND NOT attisdropped ORDER BY attnum", [NEW]))
    key = f"{_q('id')} = OLD.{_q('id')} AND {_q(COLUMN)} = OLD.{_q(COLUMN)}"
    with connection.cursor() as cursor:
        cursor.execute(f"""
            CREATE OR REPLACE FUNCTION {_q(MIRROR)}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN DELETE FROM {_q(NEW)} WHERE {key}; END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    INSERT INTO {_q(NEW)} ({columns}) SELECT {columns} FROM (SELECT NEW.*) AS r
                    ON CONFLICT DO NOTHING;
                END IF;
                RETURN NULL;
            END $$""")  # noqa: S608 - identifiers from the code, no values
    run_locked(lambda cursor: cursor.execute(
        f"CREATE OR REPLACE TRIGGER {_q(MIRROR)} AFTER INSERT OR UPDATE OR DELETE ON {_q(TABLE)} "
        f"FOR EACH ROW EXECUTE FUNCTION {_q(MIRROR)}()"), what="installing the copy trigger")


def _first_day(today):
    ((first,),) = _rows(f"SELECT first_day FROM {_q(PROGRESS)}")  # noqa: S608
    return first or today


def _plan_days(today):
    """The days to copy: up to the newest row once the trigger copies new writes (so every older row is in range)."""
    ((first, last, following),) = _rows(f"SELECT first_day, last_day, next_day FROM {_q(PROGRESS)}")  # noqa: S608
    if following is None:
        ((newest,),) = _rows(f"SELECT max({_q(COLUMN)}) FROM {_q(TABLE)}")  # noqa: S608
        first = first or today
        last = newest.astimezone(dt.UTC).date() if newest else today
        following = first
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {_q(PROGRESS)} SET first_day = %s, last_day = %s, next_day = %s",  # noqa: S608
                           [first, last, following])
    return first, last, following


def _create_new_partitions(first, last):
    present = {name for (name,) in _rows("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                                         "WHERE i.inhparent = to_regclass(%s)", [NEW])}
    days = [day for day in days_between(first, last) if partition_name(day) not in present]
    # The new table takes no reads yet: a few weeks of partitions a transaction (each one locks a
    # handful of relations until commit, and five years of them would overflow the lock table).
    for chunk in range(0, len(days), CHUNK_DAYS):
        with transaction.atomic(), connection.cursor() as cursor:
            for day in days[chunk:chunk + CHUNK_DAYS]:
                cursor.execute(f"CREATE TABLE {_q(partition_name(day))} PARTITION OF {_q(NEW)} "
                               f"FOR VALUES FROM ({_bound(day)}) TO ({_bound(day + ONE_DAY)})")


def _copy_days(following, last, *, source, target, only_missing=False):
    """Copy source rows into target a few days a transaction, recording progress; returns the rows written."""
    written = 0
    day = following
    while day <= last:
        end_day = min(day + ONE_DAY * CHUNK_DAYS, last + ONE_DAY)
        start, end = _bound(day), _bound(end_day)
        # Identifiers come from the code and the bounds from dates: nothing from input.
        same_row = (f"n.{_q(COLUMN)} >= {start} AND n.{_q(COLUMN)} < {end} AND n.{_q('id')} = o.{_q('id')} "
                    f"AND n.{_q(COLUMN)} = o.{_q(COLUMN)}")
        missing = f" AND NOT EXISTS (SELECT 1 FROM {_q(target)} n WHERE {same_row})" if only_missing else ""  # noqa: S608
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {_q(target)} SELECT o.* FROM {_q(source)} o "  # noqa: S608
                           f"WHERE o.{_q(COLUMN)} >= {start} AND o.{_q(COLUMN)} < {end}{missing} "
                           "ON CONFLICT DO NOTHING")
            written += cursor.rowcount
            if not only_missing:
                cursor.execute(f"UPDATE {_q(PROGRESS)} SET next_day = %s", [end_day])  # noqa: S608
        day = end_day
    return written


def _swap():
    """Step 4: the new table takes the name, in one short transaction."""
    old_indexes = [(name, is_pk) for name, _, is_pk, _ in _indexes(TABLE)]

    def step(cursor):
        cursor.execute(f"LOCK TABLE {_q(TABLE)} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(f"DROP TRIGGER {_q(MIRROR)} ON {_q(TABLE)}")
        cursor.execute(f"ALTER TABLE {_q(TABLE)} RENAME TO {_q(OLD)}")
        for name, is_pk in old_indexes:
            if is_pk:
                cursor.execute(f"ALTER TABLE {_q(OLD)} RENAME CONSTRAINT {_q(name)} TO {_q(OLD + '_pkey')}")
            else:
                cursor.execute(f"ALTER INDEX {_q(name)} RENAME TO {_q(_side_name(name, 'old'))}")
                cursor.execute(f"ALTER INDEX {_q(_side_name(name, 'new'))} RENAME TO {_q(name)}")
        cursor.execute(f"ALTER TABLE {_q(NEW)} RENAME TO {_q(TABLE)}")
        cursor.execute(f"ALTER TABLE {_q(TABLE)} RENAME CONSTRAINT {_q(NEW + '_pkey')} TO {_q(TABLE + '_pkey')}")

    run_locked(step, what="swapping in the partitioned table")


def _finish_old():
    """Step 5: anything the old table holds that the new one lacks is copied over; then the old table goes."""
    ((oldest, newest),) = _rows(f"SELECT min({_q(COLUMN)}), max({_q(COLUMN)}) FROM {_q(OLD)}")  # noqa: S608
    if oldest is not None:
        recovered = _copy_days(oldest.astimezone(dt.UTC).date(), newest.astimezone(dt.UTC).date(),
                               source=OLD, target=TABLE, only_missing=True)
        if recovered:
            logger.warning("Copied %s reports the trigger had not copied.", recovered)
    run_locked(lambda cursor: cursor.execute(f"DROP TABLE {_q(OLD)}"), what=f"dropping {OLD}")


def convert_to_partitioned(*, today=None):
    """Store the feedback table by day (PostgreSQL; nothing elsewhere); safe to run again after a stop."""
    if connection.vendor != "postgresql":
        return
    today = today or timezone.now().astimezone(dt.UTC).date()
    with _deletion_lock():
        if _relkind(TABLE) == "r":
            _build_new()
            # Partitions first, while nothing writes to the new table: creating one locks its parent.
            _create_new_partitions(min(_first_day(today), today - ONE_DAY), today + dt.timedelta(days=DAYS_AHEAD))
            _install_mirror()
            _, last, following = _plan_days(today)
            logger.info("Converting %s: copying the days %s to %s.", TABLE, following, last)
            copied = _copy_days(following, last, source=TABLE, target=NEW)
            logger.info("Copied %s reports; swapping the tables.", copied)
            _swap()
        if _relkind(OLD) == "r":
            _finish_old()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {_q(PROGRESS)}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {_q(MIRROR)}()")


def convert_to_plain():
    """The reverse, for going back a migration: offline (stop the writers first), a few partitions a transaction."""
    if connection.vendor != "postgresql" or _relkind(TABLE) != "p":
        return
    plain = f"{TABLE}_plain"
    indexes = _indexes(TABLE)
    primary = [c for c in next(columns for _, _, is_pk, columns in indexes if is_pk) if c != COLUMN]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {_q(plain)} (LIKE {_q(TABLE)} INCLUDING DEFAULTS "
                       "INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS)")
    children = [name for (name,) in _rows("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                                          "WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname", [TABLE])]
    # Each partition's rows move, and the partition goes, in the same transaction: a stop loses nothing.
    for chunk in range(0, len(children), CHUNK_DAYS):
        with transaction.atomic(), connection.cursor() as cursor:
            for name in children[chunk:chunk + CHUNK_DAYS]:
                cursor.execute(f"INSERT INTO {_q(plain)} SELECT * FROM {_q(name)}")  # noqa: S608
                cursor.execute(f"DROP TABLE {_q(name)}")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {_q(TABLE)}")
        cursor.execute(f"ALTER TABLE {_q(plain)} RENAME TO {_q(TABLE)}")
        cursor.execute(f"ALTER TABLE {_q(TABLE)} ADD CONSTRAINT {_q(TABLE + '_pkey')} "
                       f"PRIMARY KEY ({', '.join(map(_q, primary))})")
        for name, definition, is_pk, _ in indexes:
            if not is_pk:
                cursor.execute(_index_sql(definition, name, TABLE))
