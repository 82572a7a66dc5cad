"""Retention state changes: dropping expired days of feedback, purging stray rows, checking the promise holds."""

import datetime as dt
import logging
import time
import uuid
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from feedback import partitions
from feedback.models import DailyFeedbackCount, Feedback

from . import policy, selectors
from .models import RetentionRun, RunKind, RunStatus

logger = logging.getLogger(__name__)

# The row purge's first batch. Left to itself (no size given: the scheduled task), the purge then sizes
# each batch by the time the last one took, aiming at BATCH_TARGET_S: batches grow while they are quick
# (a batch's commit and bounds cost the same whatever its size) and shrink on a busy server, so every
# transaction stays well inside the 0.5 s the design allows. A size given by the operator is kept.
# On the benchmark (docs/performance.md) fixed 5,000-row batches cost ~1.8x one raw DELETE; sized by
# time they come within its 1.5x.
DEFAULT_BATCH_SIZE = 5_000
MAX_BATCH_SIZE = 100_000
BATCH_TARGET_S = 0.2
PURGE_SOFT_TIME_LIMIT = 50 * 60
PURGE_TIME_LIMIT = 55 * 60
# Any stable 64-bit number: every host must use the same one for the lock to be exclusive (the
# table's conversion takes it too, so that no report is deleted while it copies).
PURGE_ADVISORY_LOCK_ID = partitions.REPORT_DELETION_LOCK_ID
# Strays are counted up to this many (a bounded count, cheap whatever happened).
STRAY_COUNT_LIMIT = 100_000
# The invariant check wants a partition for today and this many days after it.
PARTITIONS_REQUIRED_AHEAD = 3
PURGE_CACHE_LOCK_KEY = "retention:purge-lock"
ALLOWED_FEEDBACK_COLUMNS = frozenset({"id", "surface", "kind", "rating", "comment", "conversation", "message_index", "created_at"})
ERR_INTERRUPTED = "Interrupted: the process ended before the run finished (a later run completed the work)."
ERR_BATCH_SIZE = "The batch size must be a whole number from 1 to {max}, not {value!r}."


def validate_batch_size(value):
    """Return `value` as a batch size, or raise ValueError with a plain message."""
    try:
        size = int(str(value).strip())
    except ValueError:
        size = None
    if size is None or not 1 <= size <= MAX_BATCH_SIZE:
        raise ValueError(ERR_BATCH_SIZE.format(max=MAX_BATCH_SIZE, value=value))
    return size


@contextmanager
def purge_lock():
    """Hold the one-purge-at-a-time lock for the block; yields False when another run has it."""
    if connection.vendor == "postgresql":
        with _advisory_lock() as acquired:
            yield acquired
    else:
        with _cache_lock() as acquired:
            yield acquired


@contextmanager
def _advisory_lock():
    # A session-level lock: it outlives the batch transactions, and a killed process's session
    # ends with it, so a crashed run never holds the lock (needs session pooling, not transaction pooling).
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [PURGE_ADVISORY_LOCK_ID])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [PURGE_ADVISORY_LOCK_ID])
            except DatabaseError:
                # Closing the session is the other way to release a session-level lock.
                connection.close()


@contextmanager
def _cache_lock():
    # Without PostgreSQL the shared cache (Redis) holds the lock; it expires after the hard time
    # limit, so a crashed run holds it no longer than a task may run. Each batch renews it.
    token = uuid.uuid4().hex
    acquired = cache.add(PURGE_CACHE_LOCK_KEY, token, timeout=PURGE_TIME_LIMIT)
    try:
        yield acquired
    finally:
        if acquired and cache.get(PURGE_CACHE_LOCK_KEY) == token:
            cache.delete(PURGE_CACHE_LOCK_KEY)


def _renew_lock():
    if connection.vendor != "postgresql":
        cache.touch(PURGE_CACHE_LOCK_KEY, timeout=PURGE_TIME_LIMIT)


def _delete_batch(*, table, column, start, end, batch_size):
    """Delete about `batch_size` rows from [start, end) in one transaction; returns (count, next start or None)."""
    ops = connection.ops
    table, col = ops.quote_name(table), ops.quote_name(column)
    to_db = ops.adapt_datetimefield_value if isinstance(end, dt.datetime) else ops.adapt_datefield_value

    def adapt(value):
        # SQLite hands stored values back as text, already in the form its comparisons need.
        return value if isinstance(value, str) else to_db(value)

    lower = "" if start is None else f"{col} >= %s AND "
    lower_params = [] if start is None else [adapt(start)]
    # The batch is a plain index range [start, upper), bounded by the (batch_size + 1)-th row's value
    # found by a short index scan. Addressing rows one by one (`id IN (SELECT … LIMIT n)`) let the
    # planner hash-join against a scan of the whole table, so each batch cost grew with the table.
    # Identifiers come from the code and every value is a parameter: no input reaches the SQL text.
    bound_sql = f"SELECT {col} FROM {table} WHERE {lower}{col} < %s ORDER BY {col} LIMIT 1 OFFSET %s"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A batch's commit does not wait for its WAL to reach disk, so the next batch overlaps that
            # write as one long DELETE would. A crash can only bring back the last batches' rows, which
            # the next run deletes again.
            cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(bound_sql, [*lower_params, adapt(end), batch_size])
        row = cursor.fetchone()
        upper = adapt(row[0]) if row else None
        # More than a batch of rows sharing the start value go together, so every batch advances.
        upper_op = "<=" if upper is not None and lower_params and upper == lower_params[0] else "<"
        delete_sql = f"DELETE FROM {table} WHERE {lower}{col} {upper_op} %s"  # noqa: S608
        cursor.execute(delete_sql, [*lower_params, adapt(end) if upper is None else upper])
        count = cursor.rowcount
    return count, upper


def next_batch_size(size, seconds):
    """The next batch's size after a batch of `size` rows took `seconds`: toward BATCH_TARGET_S, at most ×2 or ÷2."""
    wanted = size * BATCH_TARGET_S / max(seconds, 1e-3)
    return max(1, min(MAX_BATCH_SIZE, size * 2, max(size // 2, int(wanted))))


def _purge_range(*, table, column, start, end, batch_size, on_batch, sized_by_time=False):
    """Delete every row in [start, end) batch by batch, calling on_batch(count) after each commit.

    With `sized_by_time`, each batch's size follows the time the previous one took (next_batch_size).
    """
    while True:
        began = time.monotonic()
        count, start = _delete_batch(table=table, column=column, start=start, end=end, batch_size=batch_size)
        if count:
            on_batch(count)
        if start is None:
            return
        if sized_by_time:
            batch_size = next_batch_size(batch_size, time.monotonic() - began)


def _finish(run, *, status, error=""):
    run.status = status
    run.error = error
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at", "batches", "rows_deleted", "partitions_dropped",
                            "daily_counts_deleted"])
    return run


def _drop_partition(run, day, name, *, detach, on_partition):
    """Detach (when still attached) and drop one due day's partition, counting what went."""
    if detach:
        partitions.detach_partition(name)
    # Counted before the drop; if the run stops in between, the next one counts it again.
    rows = partitions.count_detached_partition(name)
    partitions.drop_detached_partition(name)
    run.partitions_dropped += 1
    run.rows_deleted += rows
    _renew_lock()
    logger.info("Dropped %s (%s reports of %s).", name, rows, day)
    if on_partition:
        on_partition(run, day, rows)


def purge_expired_feedback(*, now=None, batch_size=None, task_id="", progress=None, on_partition=None):
    """Delete every feedback report and daily count past the retention period; returns the RetentionRun.

    On PostgreSQL the reports of each due day go with their partition (detached, then dropped, each
    in its own short transaction); rows outside any daily partition, and everything on other
    databases, go by the batched row purge: `batch_size` rows a batch when given, else batches
    sized by time from DEFAULT_BATCH_SIZE.
    """
    sized_by_time = batch_size is None
    batch_size = DEFAULT_BATCH_SIZE if sized_by_time else validate_batch_size(batch_size)
    # Re-read the policy on every run: a shortened period applies to existing reports at once.
    years = policy.get_retention_years()
    now = now or timezone.now()
    cutoff = policy.get_cutoff(now=now, years=years)
    started = {"started_at": timezone.now(), "retention_years": years, "cutoff": cutoff, "task_id": task_id or ""}
    with purge_lock() as acquired:
        if not acquired:
            logger.info("Retention purge skipped: another purge holds the lock.")
            return RetentionRun.objects.create(
                **started, status=RunStatus.SKIPPED, batch_size=batch_size, finished_at=timezone.now()
            )
        # Holding the lock, no other purge is alive: a row still "running" is a killed run's.
        RetentionRun.objects.filter(kind=RunKind.PURGE, status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED, error=ERR_INTERRUPTED
        )
        run = RetentionRun.objects.create(**started, status=RunStatus.RUNNING, batch_size=batch_size)

        def on_report_batch(count):
            run.batches += 1
            run.rows_deleted += count
            _renew_lock()
            if progress:
                progress(run, count)

        def on_count_batch(count):
            run.batches += 1
            run.daily_counts_deleted += count
            _renew_lock()

        try:
            if partitions.is_partitioned():
                # A partition a stopped run detached but did not drop, then every due day still attached.
                for name in partitions.list_detached_partitions():
                    if (day := partitions.day_of(name)) < cutoff.date():
                        _drop_partition(run, day, name, detach=False, on_partition=on_partition)
                for day, name in partitions.list_day_partitions():
                    if day >= cutoff.date():
                        break
                    _drop_partition(run, day, name, detach=True, on_partition=on_partition)
                # Every due day's partition is gone: due rows left can only be strays in the default partition.
                reports_table = partitions.DEFAULT_PARTITION
            else:
                reports_table = Feedback._meta.db_table
            _purge_range(table=reports_table, column="created_at", start=None, end=cutoff, batch_size=batch_size,
                         on_batch=on_report_batch, sized_by_time=sized_by_time)
            _purge_range(table=DailyFeedbackCount._meta.db_table, column="day", start=None, end=cutoff.date(),
                         batch_size=batch_size, on_batch=on_count_batch, sized_by_time=sized_by_time)
        except BaseException as exc:
            logger.exception("Retention purge failed after %s partitions and %s batches",
                             run.partitions_dropped, run.batches)
            try:
                _finish(run, status=RunStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
            except DatabaseError:
                logger.exception("Could not record the failed retention run %s", run.pk)
            raise
        _finish(run, status=RunStatus.SUCCEEDED)
    logger.info("Retention purge deleted %s reports (%s days dropped whole) and %s daily counts in %s batches "
                "(cutoff %s).", run.rows_deleted, run.partitions_dropped, run.daily_counts_deleted, run.batches,
                cutoff.isoformat())
    return run


def create_feedback_partitions(*, now=None):
    """Make the daily partitions from yesterday to DAYS_AHEAD days ahead (PostgreSQL); returns the names created."""
    if not partitions.is_partitioned():
        return []
    today = (now or timezone.now()).astimezone(dt.UTC).date()
    created = partitions.create_day_partitions(
        partitions.days_between(today - dt.timedelta(days=1), today + dt.timedelta(days=partitions.DAYS_AHEAD)))
    if created:
        logger.info("Created %s daily partitions: %s.", len(created), ", ".join(created))
    return created


def list_identifying_columns():
    """Columns of the feedback table outside the allowed, non-identifying set."""
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, Feedback._meta.db_table)
    return sorted({column.name for column in description} - ALLOWED_FEEDBACK_COLUMNS)


def check_retention_invariants(*, now=None):
    """Record whether any report outlived the period by a purge interval, the table gained an identifying column,
    or reports are stored where they should not be (outside daily partitions, or a coming day has no partition)."""
    now = now or timezone.now()
    years = policy.get_retention_years()
    # One purge interval of grace: a report may wait for the next scheduled run, never longer.
    cutoff = policy.get_oldest_allowed(now=now - dt.timedelta(seconds=settings.RETENTION_PURGE_SCHEDULE), years=years)
    started_at = timezone.now()
    overdue = Feedback.objects.filter(created_at__lt=cutoff).count()
    columns = list_identifying_columns()
    storage = selectors.get_storage_state(now=now, stray_limit=STRAY_COUNT_LIMIT,
                                          required_ahead=PARTITIONS_REQUIRED_AHEAD)
    problems = []
    if overdue:
        problems.append(f"{overdue} feedback reports are older than the retention period plus one purge interval")
    if columns:
        problems.append(f"the feedback table has identifying columns: {', '.join(columns)}")
    problems.extend(storage["problems"])
    run = RetentionRun.objects.create(
        kind=RunKind.INVARIANT_CHECK,
        status=RunStatus.FAILED if problems else RunStatus.SUCCEEDED,
        started_at=started_at,
        finished_at=timezone.now(),
        retention_years=years,
        cutoff=cutoff,
        overdue_reports=overdue,
        stray_reports=storage["strays"]["count"] if storage["partitioned"] else None,
        identifying_columns=columns,
        error="; ".join(problems),
    )
    if problems:
        logger.error("Retention invariant violated: %s.", run.error)
    return run
