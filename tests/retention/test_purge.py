import datetime as dt
import logging
import signal
import threading
from pathlib import Path

import psycopg
import pytest
from django.core.cache import cache
from django.db import DatabaseError, connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from feedback import partitions
from feedback.models import DailyFeedbackCount, Feedback
from retention import services
from retention.models import RetentionRun, RunKind, RunStatus
from tests.retention.helpers import due_at, make_reports, purge_killed_after, remaining_times, utc

ROOT = Path(__file__).resolve().parents[2]
US = dt.timedelta(microseconds=1)
NOW = utc(2026, 3, 14, 10, 0)
# At NOW every day up to 14 March 2021 is due (it turned five years old at 00:00 today).
CUTOFF = utc(2021, 3, 15)
PERIOD_START = utc(2021, 3, 14, 10, 0)  # exactly five years before NOW

pytestmark = pytest.mark.django_db


def test_purge_deletes_only_reports_strictly_older_than_the_cutoff():
    five_years, almost = PERIOD_START, PERIOD_START + dt.timedelta(seconds=1)
    make_reports(CUTOFF - dt.timedelta(days=400), five_years, almost, CUTOFF - US, CUTOFF, CUTOFF + US, NOW)
    run = services.purge_expired_feedback(now=NOW)
    assert remaining_times() == [CUTOFF, CUTOFF + US, NOW]
    assert (run.status, run.rows_deleted, run.cutoff, run.retention_years) == (RunStatus.SUCCEEDED, 4, CUTOFF, 5)
    assert run.finished_at >= run.started_at


def test_a_day_goes_whole_at_00_00_utc_and_not_a_microsecond_before():
    day_start, day_end = utc(2021, 3, 14), CUTOFF - US
    make_reports(day_start - US, day_start, day_end, CUTOFF)
    services.purge_expired_feedback(now=utc(2026, 3, 14) - US)
    assert remaining_times() == [day_start, day_end, CUTOFF]
    run = services.purge_expired_feedback(now=utc(2026, 3, 14))
    assert remaining_times() == [CUTOFF]
    assert run.rows_deleted == 2
    if partitions.is_partitioned():
        assert run.partitions_dropped == 1
        assert partitions.partition_name(dt.date(2021, 3, 14)) not in dict(map(reversed, partitions.list_day_partitions()))


def test_purge_works_in_batches_until_none_are_left():
    make_reports(*[CUTOFF - dt.timedelta(hours=h) for h in range(1, 8)], NOW, by_day=False)
    run = services.purge_expired_feedback(now=NOW, batch_size=3)
    assert (run.rows_deleted, run.batches, run.batch_size) == (7, 3, 3)
    assert remaining_times() == [NOW]
    assert RetentionRun.objects.filter(kind=RunKind.PURGE).count() == 1


def test_purge_deletes_daily_counts_of_days_before_the_cutoff_day(claude_org):
    for day in [dt.date(2021, 3, 13), dt.date(2021, 3, 14), dt.date(2021, 3, 15), dt.date(2025, 1, 1)]:
        DailyFeedbackCount.objects.create(organization=claude_org, day=day, surface="chat", rating="up", count=3)
    run = services.purge_expired_feedback(now=NOW, batch_size=1)
    assert sorted(DailyFeedbackCount.objects.values_list("day", flat=True)) == [dt.date(2021, 3, 15), dt.date(2025, 1, 1)]
    assert run.daily_counts_deleted == 2


def test_a_report_from_29_february_goes_on_28_february_with_that_day():
    later_28th, leap, first_of_march = utc(2024, 2, 28, 23, 0), utc(2024, 2, 29, 10, 0), utc(2024, 3, 1)
    make_reports(later_28th, leap, first_of_march)
    services.purge_expired_feedback(now=utc(2029, 2, 28) - US)
    assert remaining_times() == [later_28th, leap, first_of_march]
    services.purge_expired_feedback(now=utc(2029, 2, 28))
    assert remaining_times() == [first_of_march]
    services.purge_expired_feedback(now=utc(2029, 3, 1))
    assert remaining_times() == []


def test_purge_in_a_non_utc_time_zone_across_dst_uses_utc(settings):
    settings.TIME_ZONE = "America/New_York"
    from django.utils import timezone

    # 2026-03-08 03:30 EDT, just after the spring-forward gap: 07:30 UTC, so 8 March 2021 (UTC) is due.
    now = dt.datetime(2026, 3, 8, 3, 30, tzinfo=timezone.get_current_timezone())
    boundary = utc(2021, 3, 9)  # 19:00 on 8 March in New York: the UTC day decides
    make_reports(boundary - US, boundary, boundary + US)
    services.purge_expired_feedback(now=now)
    assert remaining_times() == [boundary, boundary + US]


def test_a_shortened_period_applies_to_existing_reports_on_the_next_run(settings):
    three_years_old = NOW - dt.timedelta(days=3 * 366)
    make_reports(three_years_old, NOW)
    assert services.purge_expired_feedback(now=NOW).rows_deleted == 0
    settings.FEEDBACK_RETENTION_YEARS = 2
    run = services.purge_expired_feedback(now=NOW)
    assert (run.rows_deleted, run.retention_years) == (1, 2)
    assert remaining_times() == [NOW]


report_times = st.datetimes(min_value=dt.datetime(2018, 1, 1), max_value=dt.datetime(2030, 12, 31),
                            timezones=st.just(dt.UTC))


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(times=st.lists(report_times, max_size=12), now=report_times, batch_size=st.integers(1, 4))
def test_after_a_purge_exactly_the_reports_not_yet_due_remain(times, now, batch_size):
    Feedback.objects.all().delete()
    make_reports(*times, by_day=False)
    services.purge_expired_feedback(now=now, batch_size=batch_size)
    assert remaining_times() == sorted(t for t in times if due_at(t, 5) > now)


def test_a_failing_batch_is_rolled_back_whole_and_the_run_is_marked_failed():
    make_reports(*[CUTOFF - dt.timedelta(hours=h) for h in range(1, 7)], NOW, by_day=False)
    poisoned = Feedback.objects.order_by("created_at")[3]
    Feedback.objects.filter(pk=poisoned.pk).update(comment="poison")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("""
                CREATE FUNCTION refuse_poison() RETURNS trigger AS $$
                BEGIN IF OLD.comment = 'poison' THEN RAISE EXCEPTION 'poisoned row'; END IF; RETURN OLD; END
                $$ LANGUAGE plpgsql""")
            cursor.execute("CREATE TRIGGER refuse_poison BEFORE DELETE ON feedback_feedback "
                           "FOR EACH ROW EXECUTE FUNCTION refuse_poison()")
        else:
            cursor.execute("CREATE TRIGGER refuse_poison BEFORE DELETE ON feedback_feedback "
                           "WHEN OLD.comment = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned row'); END")
    with pytest.raises(DatabaseError, match="poisoned row"):
        services.purge_expired_feedback(now=NOW, batch_size=3)
    # The first batch (3 oldest) committed; the second, holding the poisoned row, left no trace.
    assert Feedback.objects.count() == 4
    assert Feedback.objects.filter(pk=poisoned.pk).exists()
    run = RetentionRun.objects.get()
    assert (run.status, run.rows_deleted, run.batches) == (RunStatus.FAILED, 3, 1)
    assert "poisoned row" in run.error


def _hold_lock_elsewhere():
    """Take the purge lock the way another host would; returns a release function."""
    if connection.vendor == "postgresql":
        other = psycopg.connect(**_libpq_params(), autocommit=True)
        assert other.execute("SELECT pg_try_advisory_lock(%s)", [services.PURGE_ADVISORY_LOCK_ID]).fetchone()[0]

        def release():
            # Unlock before closing: a closed socket frees the lock only once the server notices,
            # which on a busy machine can be after the next purge already tried it.
            other.execute("SELECT pg_advisory_unlock(%s)", [services.PURGE_ADVISORY_LOCK_ID])
            other.close()

        return release
    assert cache.add(services.PURGE_CACHE_LOCK_KEY, "another-host", timeout=60)
    return lambda: cache.delete(services.PURGE_CACHE_LOCK_KEY)


def _libpq_params():
    db = connection.settings_dict
    return {k: v for k, v in {"dbname": db["NAME"], "user": db["USER"], "password": db["PASSWORD"],
                              "host": db["HOST"], "port": db["PORT"]}.items() if v}


def test_a_purge_finding_the_lock_taken_exits_cleanly_and_records_a_skipped_run():
    make_reports(CUTOFF - US)
    release = _hold_lock_elsewhere()
    try:
        run = services.purge_expired_feedback(now=NOW)
    finally:
        release()
    assert (run.status, run.rows_deleted, run.batches) == (RunStatus.SKIPPED, 0, 0)
    assert Feedback.objects.count() == 1
    assert services.purge_expired_feedback(now=NOW).rows_deleted == 1


def test_the_lock_is_released_after_a_run_even_a_failed_one():
    services.purge_expired_feedback(now=NOW)
    with services.purge_lock() as acquired:
        assert acquired


def test_a_run_left_running_by_a_killed_process_is_closed_by_the_next_run():
    stale = RetentionRun.objects.create(started_at=NOW, retention_years=5, cutoff=CUTOFF, status=RunStatus.RUNNING)
    services.purge_expired_feedback(now=NOW)
    stale.refresh_from_db()
    assert stale.status == RunStatus.FAILED
    assert "Interrupted" in stale.error


def test_invariant_check_passes_when_nothing_is_overdue(settings):
    settings.RETENTION_PURGE_SCHEDULE = 3600
    services.create_feedback_partitions(now=NOW)
    make_reports(PERIOD_START - dt.timedelta(minutes=30), NOW)
    run = services.check_retention_invariants(now=NOW)
    assert (run.kind, run.status, run.overdue_reports, run.identifying_columns) == (
        RunKind.INVARIANT_CHECK, RunStatus.SUCCEEDED, 0, [])


def test_invariant_check_fails_and_logs_when_a_report_outlived_the_period_by_an_interval(settings, caplog):
    settings.RETENTION_PURGE_SCHEDULE = 3600
    make_reports(PERIOD_START - dt.timedelta(minutes=61), NOW)
    with caplog.at_level(logging.ERROR, logger="retention.services"):
        run = services.check_retention_invariants(now=NOW)
    assert (run.status, run.overdue_reports) == (RunStatus.FAILED, 1)
    assert "1 feedback reports are older" in run.error
    assert any("Retention invariant violated" in r.message for r in caplog.records)


def test_invariant_check_fails_on_an_identifying_column_in_the_feedback_table(caplog):
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE feedback_feedback ADD COLUMN user_email varchar(200) NULL")
    with caplog.at_level(logging.ERROR, logger="retention.services"):
        run = services.check_retention_invariants(now=NOW)
    assert (run.status, run.identifying_columns) == (RunStatus.FAILED, ["user_email"])
    assert "identifying columns: user_email" in run.error


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_purges_started_together_one_works_the_other_finds_the_lock_and_exits():
    make_reports(*[CUTOFF - dt.timedelta(minutes=m) for m in range(1, 41)], NOW, by_day=False)
    first_in_progress, second_done = threading.Event(), threading.Event()
    results, errors = {}, []

    def first_progress(run, count):
        first_in_progress.set()
        second_done.wait(timeout=30)

    def purge(name, **kwargs):
        try:
            results[name] = services.purge_expired_feedback(now=NOW, batch_size=10, **kwargs)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    first = threading.Thread(target=purge, args=("first",), kwargs={"progress": first_progress})
    first.start()
    assert first_in_progress.wait(timeout=30)
    second = threading.Thread(target=purge, args=("second",))
    second.start()
    second.join(timeout=30)
    second_done.set()
    first.join(timeout=30)
    assert not errors
    assert results["second"].status == RunStatus.SKIPPED
    assert (results["first"].status, results["first"].rows_deleted) == (RunStatus.SUCCEEDED, 40)
    assert Feedback.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_purge_killed_after_some_batches_leaves_no_partial_batch_and_the_next_run_completes():
    batch, expired = 7, 3500
    start = CUTOFF - dt.timedelta(days=30)
    make_reports(*[start + dt.timedelta(seconds=s) for s in range(expired)], NOW, by_day=False)
    returncode = purge_killed_after(5, "batch ", "--batch-size", str(batch))
    assert returncode == -signal.SIGKILL
    deleted = expired + 1 - Feedback.objects.count()
    assert deleted >= 5 * batch
    assert deleted < expired, "the purge finished before it was killed; give it more rows"
    assert deleted % batch == 0
    killed_run = RetentionRun.objects.get()
    assert killed_run.status == RunStatus.RUNNING
    run = services.purge_expired_feedback(batch_size=500)
    assert run.status == RunStatus.SUCCEEDED
    assert run.rows_deleted == expired - deleted
    assert Feedback.objects.count() == 1
    killed_run.refresh_from_db()
    assert killed_run.status == RunStatus.FAILED


def test_more_reports_than_a_batch_sharing_one_time_are_all_deleted_and_the_purge_ends():
    same = CUTOFF - dt.timedelta(days=1)
    make_reports(*[same] * 5, same + US, CUTOFF, by_day=False)
    run = services.purge_expired_feedback(now=NOW, batch_size=2)
    assert remaining_times() == [CUTOFF]
    assert run.rows_deleted == 6
