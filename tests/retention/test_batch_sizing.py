"""The scheduled purge sizes its row batches by time; a size the operator gives is kept."""

import datetime as dt

import pytest

from retention import services
from tests.retention.helpers import make_reports, remaining_times, utc

NOW = utc(2026, 3, 14, 10, 0)
CUTOFF = utc(2021, 3, 15)  # at NOW every day up to 14 March 2021 is due


@pytest.mark.parametrize(
    ("size", "seconds", "expected"),
    [
        (5_000, 0.05, 10_000),  # quick: at most doubled
        (5_000, 0.1, 10_000),  # half the target: doubled
        (5_000, 0.2, 5_000),  # on target: kept
        (20_000, 0.3, 13_333),  # a little long: toward the target
        (20_000, 2.0, 10_000),  # very long (a busy server): at most halved
        (1, 5.0, 1),  # never below one row
        (80_000, 0.01, services.MAX_BATCH_SIZE),  # never above the maximum
    ],
)
def test_the_next_batch_aims_at_the_target_time_within_a_factor_of_two(size, seconds, expected):
    assert services.next_batch_size(size, seconds) == expected


def test_a_zero_duration_does_not_divide_by_zero():
    assert services.next_batch_size(5_000, 0.0) == 10_000


@pytest.mark.django_db
def test_without_a_size_the_batches_grow_while_they_are_quick_and_every_due_row_goes(monkeypatch):
    monkeypatch.setattr(services, "DEFAULT_BATCH_SIZE", 2)
    make_reports(*[CUTOFF - dt.timedelta(minutes=m) for m in range(1, 31)], NOW, by_day=False)
    run = services.purge_expired_feedback(now=NOW)
    assert remaining_times() == [NOW] and run.rows_deleted == 30 and run.batch_size == 2
    # Fixed batches of 2 would take 15; batches of a few rows finish far inside the target and double.
    assert run.batches < 15


@pytest.mark.django_db
def test_a_size_the_operator_gives_is_kept_for_every_batch():
    make_reports(*[CUTOFF - dt.timedelta(minutes=m) for m in range(1, 31)], NOW, by_day=False)
    run = services.purge_expired_feedback(now=NOW, batch_size=2)
    assert (run.rows_deleted, run.batches) == (30, 15)
