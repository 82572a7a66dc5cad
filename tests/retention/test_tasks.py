import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from console.celery import app
from feedback.models import Feedback
from retention import services, tasks
from retention.models import RetentionRun, RunKind, RunStatus
from tests.retention.helpers import make_reports

ROOT = Path(__file__).resolve().parents[2]


def test_beat_schedule_runs_the_purge_at_the_configured_interval_and_the_invariant_check_daily():
    schedule = {entry["task"]: entry for entry in app.conf.beat_schedule.values()}
    assert schedule["retention.tasks.purge_expired_feedback"]["schedule"] == settings.RETENTION_PURGE_SCHEDULE == 3600
    assert schedule["retention.tasks.check_retention_invariants"]["schedule"] == 24 * 60 * 60


def test_beat_also_purges_at_00_00_utc_when_a_day_falls_due_and_makes_partitions_ahead():
    assert app.conf.timezone == "UTC"
    midnight = app.conf.beat_schedule["retention-purge-at-midnight-utc"]
    assert midnight["task"] == "retention.tasks.purge_expired_feedback"
    assert (midnight["schedule"].hour, midnight["schedule"].minute) == ({0}, {0})
    ahead = app.conf.beat_schedule["retention-create-feedback-partitions"]
    assert (ahead["task"], ahead["schedule"]) == ("retention.tasks.create_feedback_partitions", 6 * 60 * 60)


def test_the_purge_interval_comes_from_the_environment():
    env = {**os.environ, "RETENTION_PURGE_SCHEDULE": "900", "DJANGO_SETTINGS_MODULE": "console.settings.test"}
    code = ("import django; django.setup(); from console.celery import app; "
            "print({e['task']: e['schedule'] for e in app.conf.beat_schedule.values()})")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert "'retention.tasks.purge_expired_feedback': 900" in out.stdout, out.stderr
    bad = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env={**env, "RETENTION_PURGE_SCHEDULE": "hourly"})
    assert bad.returncode != 0
    assert "RETENTION_PURGE_SCHEDULE must be a whole number of seconds" in bad.stderr


def test_tasks_are_late_acked_time_limited_and_retried_on_a_lost_database_connection():
    for task in (tasks.purge_expired_feedback, tasks.check_retention_invariants):
        assert task.acks_late
        assert 0 < task.soft_time_limit < task.time_limit
        assert set(task.autoretry_for) == {OperationalError, InterfaceError}
    assert tasks.purge_expired_feedback.time_limit == services.PURGE_TIME_LIMIT


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_purges_exactly_the_expired_reports_and_records_one_run(celery_worker_session):
    now = timezone.now()
    expired = make_reports(now - dt.timedelta(days=6 * 366), now - dt.timedelta(days=5 * 366 + 1))
    kept = make_reports(now - dt.timedelta(days=5 * 365 - 2), now)
    result = tasks.purge_expired_feedback.delay()
    assert result.get(timeout=60) == len(expired)
    assert set(Feedback.objects.values_list("pk", flat=True)) == {r.pk for r in kept}
    run = RetentionRun.objects.get(task_id=result.id)
    assert (run.kind, run.status, run.rows_deleted) == (RunKind.PURGE, RunStatus.SUCCEEDED, 2)
    assert RetentionRun.objects.filter(kind=RunKind.PURGE).count() == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_invariant_check_and_records_its_result(celery_worker_session):
    make_reports(timezone.now() - dt.timedelta(days=7 * 366))
    result = tasks.check_retention_invariants.delay()
    assert result.get(timeout=60) == 1
    run = RetentionRun.objects.get(kind=RunKind.INVARIANT_CHECK)
    assert (run.status, run.overdue_reports) == (RunStatus.FAILED, 1)


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_makes_the_missing_partitions_ahead(celery_worker_session):
    from feedback import partitions

    today = timezone.now().astimezone(dt.UTC).date()
    missing = [today + dt.timedelta(days=n) for n in (3, 9)]
    for day in missing:
        partitions.detach_partition(partitions.partition_name(day))
        partitions.drop_detached_partition(partitions.partition_name(day))
    assert tasks.create_feedback_partitions.delay().get(timeout=60) == 2
    assert set(missing) <= {day for day, _ in partitions.list_day_partitions()}
