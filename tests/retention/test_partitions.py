"""Reports stored by day on PostgreSQL: due days dropped whole, strays, partitions ahead, writers never held up."""

import datetime as dt
import logging
import signal
import threading
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from bench.writer import Writer
from bench.writer import libpq_url as writer_url
from feedback import partitions
from feedback.models import Feedback
from retention import selectors, services
from retention.models import RetentionRun, RunKind, RunStatus
from tests.retention.helpers import make_reports, purge_killed_after, remaining_times, utc

ROOT = Path(__file__).resolve().parents[2]
NOW = utc(2026, 3, 14, 10, 0)
US = dt.timedelta(microseconds=1)
WRITER_LOCK_TIMEOUT = "500ms"  # the promise: a writer is never blocked longer than this

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def attached_days():
    return [day for day, _ in partitions.list_day_partitions()]


def libpq_url():
    return writer_url(connection.settings_dict)


def test_the_table_is_partitioned_by_day_with_the_key_in_the_primary_key():
    assert partitions.is_partitioned()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_partkeydef('feedback_feedback'::regclass), "
                       "pg_get_constraintdef(c.oid) FROM pg_constraint c "
                       "WHERE c.conrelid = 'feedback_feedback'::regclass AND c.contype = 'p'")
        assert cursor.fetchone() == ("RANGE (created_at)", "PRIMARY KEY (id, created_at)")
    today = timezone.now().astimezone(dt.UTC).date()
    assert {today + dt.timedelta(days=n) for n in range(partitions.DAYS_AHEAD)} <= set(attached_days())


def test_each_due_day_is_dropped_whole_and_recorded_with_its_rows():
    make_reports(utc(2021, 3, 12, 5), utc(2021, 3, 13, 1), utc(2021, 3, 13, 23), utc(2021, 3, 14, 23, 59), utc(2021, 3, 15))
    run = services.purge_expired_feedback(now=NOW)
    assert (run.partitions_dropped, run.rows_deleted, run.batches) == (3, 4, 0)
    assert remaining_times() == [utc(2021, 3, 15)]
    assert dt.date(2021, 3, 15) in attached_days()
    assert not {dt.date(2021, 3, 12), dt.date(2021, 3, 13), dt.date(2021, 3, 14)} & set(attached_days())


def test_a_shortened_period_drops_the_older_days_on_the_next_run(settings):
    three_years_old, recent = utc(2023, 3, 1, 12), utc(2026, 3, 1)
    make_reports(three_years_old, recent)
    assert services.purge_expired_feedback(now=NOW).partitions_dropped == 0
    settings.FEEDBACK_RETENTION_YEARS = 2
    run = services.purge_expired_feedback(now=NOW)
    assert (run.partitions_dropped, run.rows_deleted, run.retention_years, run.cutoff) == (1, 1, 2, utc(2024, 3, 15))
    assert remaining_times() == [recent]


def test_strays_outside_daily_partitions_go_row_by_row_in_the_same_run():
    in_partition, stray = utc(2021, 3, 10), utc(2021, 3, 11, 8)
    make_reports(in_partition)
    make_reports(stray, by_day=False)
    run = services.purge_expired_feedback(now=NOW, batch_size=10)
    assert (run.partitions_dropped, run.batches, run.rows_deleted) == (1, 1, 2)
    assert remaining_times() == []


def test_an_insert_for_a_day_without_a_partition_lands_in_the_default_partition_and_is_moved_when_it_is_made():
    today = timezone.now().astimezone(dt.UTC).date()
    far = today + dt.timedelta(days=200)  # beyond the days made ahead
    assert far not in attached_days()
    report = make_reports(policy_midnight(far) + dt.timedelta(hours=3), by_day=False)[0]
    state = selectors.get_storage_state(stray_limit=10, required_ahead=3)
    assert state["strays"]["count"] == 1
    assert "1 feedback reports are stored outside daily partitions" in state["problems"][0]
    assert partitions.create_day_partitions([far]) == [partitions.partition_name(far)]
    assert Feedback.objects.get(pk=report.pk).created_at == report.created_at
    assert selectors.get_storage_state(stray_limit=10, required_ahead=3)["problems"] == []


def policy_midnight(day):
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def test_the_invariant_check_and_the_admin_report_strays_and_missing_days(admin_client, settings):
    settings.RETENTION_PURGE_SCHEDULE = 3600
    services.create_feedback_partitions(now=NOW)
    assert services.check_retention_invariants(now=NOW).status == RunStatus.SUCCEEDED
    make_reports(utc(2024, 1, 1, 12), by_day=False)
    partitions.detach_partition(partitions.partition_name(NOW.date() + dt.timedelta(days=2)))
    run = services.check_retention_invariants(now=NOW)
    assert (run.kind, run.status, run.stray_reports, run.overdue_reports) == (RunKind.INVARIANT_CHECK, RunStatus.FAILED, 1, 0)
    assert "1 feedback reports are stored outside daily partitions (submitted 2024-01-01 12:00" in run.error
    assert "no daily partition yet for 2026-03-16" in run.error
    assert "detached daily partitions not dropped: feedback_feedback_p20260316" in run.error
    page = admin_client.get("/admin/retention/retentionrun/").content.decode()
    assert "1 feedback reports are stored outside daily partitions" in page


def test_the_dry_run_says_which_days_go_whole_and_which_rows_go_one_by_one():
    make_reports(utc(2021, 3, 13, 4), utc(2021, 3, 13, 5))
    make_reports(utc(2021, 3, 14, 6), by_day=False)
    preview = selectors.get_purge_preview(now=NOW)
    assert preview["days"] == [(dt.date(2021, 3, 13), 2, True), (dt.date(2021, 3, 14), 1, False)]
    assert preview["partitions"] == [dt.date(2021, 3, 13)]
    assert Feedback.objects.count() == 3


def test_the_forecast_says_which_submission_days_go_on_each_coming_date():
    make_reports(utc(2024, 2, 28, 9), utc(2024, 2, 29, 10), utc(2024, 2, 29, 11), utc(2024, 3, 1, 12))
    forecast = selectors.list_expiry_forecast(days=3, now=utc(2029, 2, 26, 15))
    assert forecast == [
        (dt.date(2029, 2, 27), 0, [dt.date(2024, 2, 27)]),
        (dt.date(2029, 2, 28), 3, [dt.date(2024, 2, 28), dt.date(2024, 2, 29)]),
        (dt.date(2029, 3, 1), 1, [dt.date(2024, 3, 1)]),
    ]


def test_a_partition_left_detached_by_a_killed_purge_is_dropped_and_counted_by_the_next_run():
    make_reports(utc(2021, 3, 1, 1), utc(2021, 3, 1, 2), utc(2021, 3, 2))
    partitions.detach_partition(partitions.partition_name(dt.date(2021, 3, 1)))
    assert remaining_times() == [utc(2021, 3, 2)]  # detached: no longer read, not yet gone
    stale = RetentionRun.objects.create(started_at=NOW, retention_years=5, cutoff=NOW, status=RunStatus.RUNNING)
    run = services.purge_expired_feedback(now=NOW)
    assert (run.partitions_dropped, run.rows_deleted) == (2, 3)
    assert partitions.list_detached_partitions() == []
    stale.refresh_from_db()
    assert stale.status == RunStatus.FAILED


def test_a_detached_partition_of_a_day_not_yet_due_is_kept_and_reported():
    make_reports(utc(2025, 1, 1))
    name = partitions.partition_name(dt.date(2025, 1, 1))
    partitions.detach_partition(name)
    services.purge_expired_feedback(now=NOW)
    assert partitions.list_detached_partitions() == [name]


@pytest.mark.django_db(transaction=True)
def test_a_purge_killed_while_dropping_days_loses_no_day_not_due_and_the_next_run_finishes():
    due_days = [dt.date(2021, 1, 1) + dt.timedelta(days=n) for n in range(40)]
    make_reports(*[policy_midnight(day) + dt.timedelta(hours=h) for day in due_days for h in (1, 2)], NOW)
    returncode = purge_killed_after(3, "day ")
    assert returncode == -signal.SIGKILL
    left = Feedback.objects.count() - 1
    assert left < 2 * len(due_days), "nothing was dropped before the kill"
    assert left > 0, "the purge finished before it was killed; give it more days"
    assert left % 2 == 0  # days went whole, never half
    assert Feedback.objects.filter(created_at=NOW).exists()
    detached = partitions.list_detached_partitions()  # at most the one it was dropping
    assert len(detached) <= 1
    run = services.purge_expired_feedback()
    assert run.status == RunStatus.SUCCEEDED
    assert run.rows_deleted == left + 2 * len(detached)
    assert remaining_times() == [NOW]
    assert partitions.list_detached_partitions() == []
    assert not set(due_days) & set(attached_days())


class RetryWitness(logging.Handler):
    """Set when the purge reports that a lock was not granted in time and it will retry."""

    def __init__(self):
        super().__init__()
        self.seen = threading.Event()

    def emit(self, record):
        if "lock not granted" in record.getMessage():
            self.seen.set()


@pytest.mark.django_db(transaction=True)
def test_writers_are_never_blocked_past_half_a_second_while_days_are_dropped():
    days = [dt.date(2021, 2, 1) + dt.timedelta(days=n) for n in range(8)]
    make_reports(*[policy_midnight(day) + dt.timedelta(hours=1) for day in days])
    services.create_feedback_partitions()
    witness = RetryWitness()
    logging.getLogger("feedback.partitions").addHandler(witness)
    writer = Writer(libpq_url(), lock_timeout=WRITER_LOCK_TIMEOUT)
    # A long reader holds the table, so the first detach must wait: it gives up after its own short
    # lock timeout (and retries) instead of keeping the writer queued behind it.
    reader = psycopg.connect(libpq_url())
    reader.execute("SELECT count(*) FROM feedback_feedback")
    try:
        writer.start()
        assert writer.started.wait(timeout=30)

        def release_reader():
            witness.seen.wait(timeout=60)
            reader.rollback()

        releaser = threading.Thread(target=release_reader, daemon=True)
        releaser.start()
        run = services.purge_expired_feedback(now=NOW)
        releaser.join(timeout=60)
    finally:
        writer.finish()
        reader.close()
        logging.getLogger("feedback.partitions").removeHandler(witness)
    assert witness.seen.is_set(), "the detach never had to wait: the test proved nothing"
    assert (run.status, run.partitions_dropped, run.rows_deleted) == (RunStatus.SUCCEEDED, len(days), len(days))
    assert writer.errors == []  # no insert waited for a lock past 0.5 s
    assert len(writer.ids) > 0
    assert Feedback.objects.filter(pk__in=writer.ids).count() == len(writer.ids)
