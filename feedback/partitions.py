"""Reports stored by day: on PostgreSQL `feedback_feedback` is partitioned by range on `created_at`.

One partition per UTC day (`feedback_feedback_pYYYYMMDD`, [00:00, next 00:00) UTC) and a default
partition (`feedback_feedback_default`) that takes any row whose day has no partition, so an insert
never fails. The primary key is (id, created_at): PostgreSQL requires the partition key in it; the
model keeps `id` as its key (a random UUID). Other databases keep a plain table.

Every step that locks the parent runs in its own short transaction with a lock timeout and is
retried (LOCK_TIMEOUT_MS, LOCK_ATTEMPTS): a writer waits behind it at most the timeout plus the
few milliseconds the step holds its lock. Creating a partition takes only SHARE UPDATE EXCLUSIVE
on the parent (CREATE TABLE … LIKE, then ATTACH), which inserts do not wait for; detaching one
takes ACCESS EXCLUSIVE for a catalog change, and the drop then happens on the detached table.
"""

import datetime as dt
import logging
import re
import time

from django.db import OperationalError, connection, transaction

from .models import Feedback

logger = logging.getLogger(__name__)

TABLE = Feedback._meta.db_table
COLUMN = "created_at"
DEFAULT_PARTITION = f"{TABLE}_default"
DAY_PARTITION = re.compile(rf"^{TABLE}_p(\d{{8}})$")
# A writer queued behind a lock request waits at most this long, plus the step's own few milliseconds.
LOCK_TIMEOUT_MS = 200
LOCK_ATTEMPTS = 12
MAX_BACKOFF_S = 2.0
LOCK_NOT_AVAILABLE = "55P03"
# Any stable 64-bit number. Held (session-level) by whatever deletes reports: the retention purge,
# and the table's conversion, whose copy must not race a delete.
REPORT_DELETION_LOCK_ID = 0x72657465_6E74696F
ONE_DAY = dt.timedelta(days=1)
# Partitions are made this many days ahead (a beat task tops them up), so a day's first report finds its own.
DAYS_AHEAD = 14


def is_partitioned():
    """Whether the feedback table is stored by day (PostgreSQL, after the conversion)."""
    return connection.vendor == "postgresql" and _relkind(TABLE) == "p"


def partition_name(day):
    return f"{TABLE}_p{day:%Y%m%d}"


def _relkind(name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [name])
        row = cursor.fetchone()
    return row[0] if row else None


def _q(name):
    return connection.ops.quote_name(name)


def _bound(day):
    # A literal, as DDL takes no parameters; made from a date, never from input.
    return f"'{day.isoformat()} 00:00:00+00'"


def day_of(name):
    """The UTC day a daily partition holds, from its name; None for another name."""
    match = DAY_PARTITION.match(name)
    return dt.datetime.strptime(match.group(1), "%Y%m%d").date() if match else None


def list_day_partitions(table=TABLE):
    """The daily partitions attached to `table`, as (day, name) pairs, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                       "WHERE i.inhparent = to_regclass(%s)", [table])
        names = [row[0] for row in cursor.fetchall()]
    return sorted((day, name) for name in names if (day := day_of(name)) is not None)


def list_detached_partitions():
    """Daily partitions already detached but not yet dropped (a purge stopped between the two), oldest first."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'r' AND NOT relispartition "
                       "AND relnamespace = current_schema()::regnamespace AND relname ~ %s", [DAY_PARTITION.pattern])
        return sorted(row[0] for row in cursor.fetchall())


def is_lock_timeout(exc):
    return getattr(exc.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE


def run_locked(step, *, what, attempts=LOCK_ATTEMPTS, timeout_ms=LOCK_TIMEOUT_MS):
    """Run step(cursor) in one transaction that waits at most `timeout_ms` for any lock, retried with back-off."""
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{timeout_ms}ms"])
                return step(cursor)
        except OperationalError as exc:
            if not is_lock_timeout(exc) or attempt == attempts:
                raise
            pause = min(MAX_BACKOFF_S, 0.05 * 2**attempt)
            logger.warning("%s: lock not granted within %s ms (attempt %s of %s); retrying in %.2f s.",
                           what, timeout_ms, attempt, attempts, pause)
            time.sleep(pause)
    raise AssertionError("unreachable")


def create_day_partition(day):
    """Create and attach the partition of one UTC day, moving into it any of its rows the default partition took."""
    name, start, end = partition_name(day), _bound(day), _bound(day + ONE_DAY)
    check = f"{name}_bounds"

    def step(cursor):
        cursor.execute(f"CREATE TABLE {_q(name)} (LIKE {_q(TABLE)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                       "INCLUDING STORAGE)")
        # A constraint matching the bounds lets ATTACH skip scanning the new table.
        cursor.execute(f"ALTER TABLE {_q(name)} ADD CONSTRAINT {_q(check)} "
                       f"CHECK ({_q(COLUMN)} >= {start} AND {_q(COLUMN)} < {end})")
        if _relkind(DEFAULT_PARTITION) == "r":
            cursor.execute(f"WITH moved AS (DELETE FROM {_q(DEFAULT_PARTITION)} WHERE {_q(COLUMN)} >= {start} "  # noqa: S608
                           f"AND {_q(COLUMN)} < {end} RETURNING *) INSERT INTO {_q(name)} SELECT * FROM moved")
            if cursor.rowcount:
                logger.warning("Moved %s reports of %s from the default partition into %s.", cursor.rowcount, day, name)
        cursor.execute(f"ALTER TABLE {_q(TABLE)} ATTACH PARTITION {_q(name)} FOR VALUES FROM ({start}) TO ({end})")
        cursor.execute(f"ALTER TABLE {_q(name)} DROP CONSTRAINT {_q(check)}")

    run_locked(step, what=f"creating {name}")
    return name


def create_day_partitions(days):
    """Make sure each of these UTC days has its partition; returns the names created."""
    present = {day for day, _ in list_day_partitions()}
    return [create_day_partition(day) for day in sorted(set(days) - present)]


def days_between(first_day, last_day):
    """Every UTC day from `first_day` to `last_day`, both included."""
    return [first_day + ONE_DAY * n for n in range((last_day - first_day).days + 1)]


def detach_partition(name):
    """Detach one daily partition from the table: a catalog change under a short ACCESS EXCLUSIVE lock."""
    run_locked(lambda cursor: cursor.execute(f"ALTER TABLE {_q(TABLE)} DETACH PARTITION {_q(name)}"),
               what=f"detaching {name}")


def count_detached_partition(name):
    """How many reports a detached daily partition holds (no lock anyone else needs: it is no longer in the table)."""
    if not DAY_PARTITION.match(name):
        raise ValueError(f"not a daily partition: {name!r}")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {_q(name)}")  # noqa: S608 - a checked partition name
        return cursor.fetchone()[0]


def drop_detached_partition(name):
    """Drop a detached daily partition (files unlinked at commit; it is already out of the table)."""
    if not DAY_PARTITION.match(name):
        raise ValueError(f"not a daily partition: {name!r}")
    run_locked(lambda cursor: cursor.execute(f"DROP TABLE {_q(name)}"), what=f"dropping {name}")


def count_strays(limit):
    """Reports stored outside any daily partition (in the default partition), counted up to `limit`, with the oldest and newest time."""
    if not is_partitioned() or _relkind(DEFAULT_PARTITION) != "r":
        return {"count": 0, "oldest": None, "newest": None}
    default, column = _q(DEFAULT_PARTITION), _q(COLUMN)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {default} LIMIT %s) s", [limit])  # noqa: S608
        (count,) = cursor.fetchone()
        cursor.execute(f"SELECT min({column}), max({column}) FROM {default}")  # noqa: S608 - index ends
        oldest, newest = cursor.fetchone()
    return {"count": count, "oldest": oldest, "newest": newest}
