import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from feedback.models import Feedback
from retention import policy
from tests.retention.helpers import make_reports

pytestmark = pytest.mark.django_db


def run(*args, **kwargs):
    out = StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


def test_dry_run_prints_count_oldest_and_cutoff_and_deletes_nothing():
    now = timezone.now()
    make_reports(now - dt.timedelta(days=6 * 366), now - dt.timedelta(days=5 * 366 + 3), now)
    out = run("purge_expired_feedback", "--dry-run")
    assert Feedback.objects.count() == 3
    assert "Reports that would be deleted: 2" in out
    oldest = (now - dt.timedelta(days=6 * 366)).date().isoformat()
    assert f"Oldest of them submitted: {oldest}" in out
    assert f"cutoff {policy.get_cutoff(now=now).date().isoformat()}" in out
    assert "nothing is deleted" in out


def test_real_run_prints_a_line_per_batch_and_the_totals():
    now = timezone.now()
    make_reports(*[now - dt.timedelta(days=6 * 366, hours=h) for h in range(5)], now, by_day=False)
    out = run("purge_expired_feedback", "--batch-size", "2")
    assert [line.split(":")[0] for line in out.splitlines() if line.startswith("batch ")] == ["batch 1", "batch 2", "batch 3"]
    assert "Deleted 5 reports and 0 daily counts in 3 batches" in out
    assert Feedback.objects.count() == 1


@pytest.mark.parametrize("value", ["0", "-5", "abc", "2.5", "1000001", ""])
def test_bad_batch_sizes_are_refused_with_a_clear_error(value):
    make_reports(timezone.now() - dt.timedelta(days=7 * 366))
    with pytest.raises(CommandError, match="batch size must be a whole number from 1 to 100000"):
        run("purge_expired_feedback", f"--batch-size={value}")
    assert Feedback.objects.count() == 1


def test_bad_batch_size_passed_as_an_option_is_refused_too():
    with pytest.raises(CommandError, match="batch size must be a whole number"):
        run("purge_expired_feedback", batch_size=0)


def test_retention_preview_counts_reports_falling_due_on_each_coming_day():
    now = timezone.now()
    in_two_days = policy.get_cutoff(now=now) + dt.timedelta(days=2)
    make_reports(in_two_days, in_two_days + dt.timedelta(minutes=1), now - dt.timedelta(days=7 * 366))
    out = run("retention_preview", "--days", "5")
    due_day = policy.get_due_at(in_two_days).date().isoformat()
    assert f"{due_day}   2" in out
    assert "Already due, waiting for the next purge: 1" in out
    assert "Total over the next 5 days: 2" in out
    assert len([line for line in out.splitlines() if line[:4].isdigit()]) == 5


def test_retention_preview_refuses_a_bad_number_of_days():
    with pytest.raises(CommandError, match="--days must be a whole number"):
        run("retention_preview", "--days", "0")
