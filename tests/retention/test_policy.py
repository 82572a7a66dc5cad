import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from retention import policy
from tests.retention.helpers import due_at, period_end, utc

ROOT = Path(__file__).resolve().parents[2]
US = dt.timedelta(microseconds=1)


def is_expired(submitted, now, years=5):
    return submitted < policy.get_cutoff(now=now, years=years)


def test_a_days_reports_go_together_at_00_00_utc_on_the_day_it_turns_five_years_old():
    exactly, almost = utc(2021, 3, 14, 10, 0), utc(2021, 3, 14, 10, 0, 1)  # 5 years, and 5 years minus 1 s, at NOW
    now = utc(2026, 3, 14, 10, 0)
    assert policy.get_due_at(exactly, years=5) == policy.get_due_at(almost, years=5) == utc(2026, 3, 14)
    assert is_expired(exactly, now) and is_expired(almost, now)
    assert policy.get_cutoff(now=now, years=5) == utc(2021, 3, 15)
    # Up to a day early, never late: kept until 00:00, gone at 00:00.
    assert not is_expired(exactly, utc(2026, 3, 14) - US)
    assert is_expired(exactly, utc(2026, 3, 14))


def test_cutoff_boundary_across_00_00_utc():
    now = utc(2026, 3, 14, 0, 0)
    assert policy.get_cutoff(now=now, years=5) == utc(2021, 3, 15)
    assert is_expired(utc(2021, 3, 14, 23, 59, 59, 999999), now)
    assert not is_expired(utc(2021, 3, 15), now)
    assert not is_expired(utc(2021, 3, 14), now - US)
    assert policy.get_cutoff(now=now - US, years=5) == utc(2021, 3, 14)


def test_reports_of_29_february_go_on_28_february_with_those_of_28_february():
    assert policy.get_due_at(utc(2024, 2, 29, 10, 0), years=5) == utc(2029, 2, 28)
    assert policy.get_due_at(utc(2024, 2, 28, 23, 0), years=5) == utc(2029, 2, 28)
    assert policy.get_due_at(utc(2024, 3, 1), years=5) == utc(2029, 3, 1)
    assert policy.get_cutoff(now=utc(2029, 2, 28), years=5) == utc(2024, 3, 1)
    assert policy.get_cutoff(now=utc(2029, 2, 28) - US, years=5) == utc(2024, 2, 28)


def test_on_29_february_nothing_more_is_due_than_on_28_february():
    # 28 February 2023 went on 28 February 2028; 1 March 2023 goes on 1 March 2028.
    assert policy.get_cutoff(now=utc(2028, 2, 29, 12), years=5) == utc(2023, 3, 1)
    assert policy.get_cutoff(now=utc(2028, 2, 28), years=5) == utc(2023, 3, 1)


def test_leap_year_to_leap_year_keeps_29_february(settings):
    assert policy.get_due_at(utc(2024, 2, 29, 10), years=4) == utc(2028, 2, 29)
    assert policy.get_cutoff(now=utc(2028, 2, 29, 10), years=4) == utc(2024, 3, 1)
    assert policy.get_cutoff(now=utc(2028, 2, 28, 10), years=4) == utc(2024, 2, 29)


def test_the_period_itself_to_the_microsecond_for_the_invariant_check():
    assert policy.get_oldest_allowed(now=utc(2026, 3, 14, 10, 0), years=5) == utc(2021, 3, 14, 10, 0)
    assert policy.get_oldest_allowed(now=utc(2028, 2, 29, 0, 0, 1), years=5) == utc(2023, 3, 1)
    assert policy.get_oldest_allowed(now=utc(2028, 2, 29, 10), years=4) == utc(2024, 2, 29, 10)


def test_cutoff_is_computed_in_utc_across_a_dst_change_in_a_non_utc_time_zone(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    from django.utils import timezone

    berlin = timezone.get_current_timezone()
    # 00:30 local on 29 March is still 28 March in UTC: the UTC day decides.
    assert policy.get_cutoff(now=dt.datetime(2026, 3, 29, 0, 30, tzinfo=berlin), years=5) == utc(2021, 3, 29)
    # 03:30 local on the night clocks jump from 02:00 to 03:00: 01:30 UTC on 29 March.
    now = dt.datetime(2026, 3, 29, 3, 30, tzinfo=berlin)
    assert now.astimezone(dt.UTC) == utc(2026, 3, 29, 1, 30)
    assert policy.get_cutoff(now=now, years=5) == utc(2021, 3, 30)
    assert policy.get_cutoff(now=now, years=5).tzinfo == dt.UTC
    assert policy.get_oldest_allowed(now=now, years=5) == utc(2021, 3, 29, 1, 30)
    # The autumn change repeats 02:30 local; each instant still maps to its own UTC instant.
    first = dt.datetime(2026, 10, 25, 2, 30, fold=0, tzinfo=berlin)
    second = dt.datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=berlin)
    assert policy.get_oldest_allowed(now=second, years=5) - policy.get_oldest_allowed(now=first, years=5) == dt.timedelta(hours=1)


def test_shortened_period_is_read_at_run_time(settings):
    now = utc(2026, 6, 1)
    assert policy.get_cutoff(now=now) == utc(2021, 6, 2)
    settings.FEEDBACK_RETENTION_YEARS = 2
    assert policy.get_cutoff(now=now) == utc(2024, 6, 2)


@pytest.mark.parametrize("value", [0, -1, "5", 2.5, True, 101])
def test_invalid_retention_years_in_settings_fail_at_run_time(settings, value):
    settings.FEEDBACK_RETENTION_YEARS = value
    with pytest.raises(ImproperlyConfigured, match="positive whole number"):
        policy.get_retention_years()


@pytest.mark.parametrize("value", ["abc", "0", "-3", "2.5", ""])
def test_start_up_fails_with_a_clear_message_for_a_bad_retention_period(value):
    env = {**os.environ, "FEEDBACK_RETENTION_YEARS": value, "DJANGO_SETTINGS_MODULE": "console.settings.test"}
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "FEEDBACK_RETENTION_YEARS must be a positive whole number of years" in result.stderr


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        policy.get_cutoff(now=dt.datetime(2026, 1, 1), years=5)


moments = st.datetimes(min_value=dt.datetime(2015, 1, 1), max_value=dt.datetime(2035, 12, 31), timezones=st.just(dt.UTC))
near_february = st.builds(
    lambda year, day, micro: utc(year, 2, 26) + dt.timedelta(days=day, microseconds=micro),
    st.integers(2015, 2035), st.integers(0, 4), st.integers(0, 86_400 * 10**6 - 1),
)


@hsettings(max_examples=400, deadline=None)
@given(submitted=st.one_of(moments, near_february), now=st.one_of(moments, near_february), years=st.integers(1, 8))
def test_expired_from_00_00_utc_of_the_due_day_up_to_a_day_early_never_late(submitted, now, years):
    assert is_expired(submitted, now, years) == (due_at(submitted, years) <= now)
    if period_end(submitted, years) < now:  # never late
        assert is_expired(submitted, now, years)
    if is_expired(submitted, now, years):  # at most a day early
        assert now > period_end(submitted, years) - dt.timedelta(days=1)
