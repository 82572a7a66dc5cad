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
from tests.retention.helpers import due_at, utc

ROOT = Path(__file__).resolve().parents[2]
US = dt.timedelta(microseconds=1)


def is_expired(submitted, now, years=5):
    return any((start is None or start <= submitted) and submitted < end
               for start, end in policy.get_expired_ranges(now=now, years=years))


def test_report_is_kept_until_its_fifth_anniversary_and_expired_one_microsecond_after():
    submitted = utc(2021, 3, 14, 10, 0)
    assert policy.get_due_at(submitted, years=5) == utc(2026, 3, 14, 10, 0)
    assert not is_expired(submitted, utc(2026, 3, 14, 10, 0))
    assert is_expired(submitted, utc(2026, 3, 14, 10, 0) + US)
    assert policy.get_cutoff(now=utc(2026, 3, 14, 10, 0), years=5) == submitted


def test_cutoff_boundary_one_microsecond_either_side():
    now = utc(2026, 3, 14, 10, 0, 0, 500)
    cutoff = policy.get_cutoff(now=now, years=5)
    assert cutoff == utc(2021, 3, 14, 10, 0, 0, 500)
    assert is_expired(cutoff - US, now)
    assert not is_expired(cutoff, now)
    assert not is_expired(cutoff + US, now)


def test_report_from_29_february_is_due_on_28_february_of_the_due_year():
    leap_report = utc(2024, 2, 29, 10, 0)
    assert policy.get_due_at(leap_report, years=5) == utc(2029, 2, 28, 10, 0)
    assert not is_expired(leap_report, utc(2029, 2, 28, 10, 0))
    assert is_expired(leap_report, utc(2029, 2, 28, 10, 0) + US)
    # ...without taking a report from later on 28 February with it, which is due later that day.
    assert not is_expired(utc(2024, 2, 28, 23, 0), utc(2029, 2, 28, 10, 0) + US)
    assert is_expired(utc(2024, 2, 28, 23, 0), utc(2029, 2, 28, 23, 0) + US)


def test_on_29_february_every_report_from_28_february_five_years_back_is_due():
    assert policy.get_cutoff(now=utc(2028, 2, 29, 0, 0, 1), years=5) == utc(2023, 3, 1)
    assert is_expired(utc(2023, 2, 28, 23, 59, 59, 999999), utc(2028, 2, 29, 0, 0, 1))
    assert not is_expired(utc(2023, 3, 1), utc(2028, 2, 29, 23, 59))


def test_leap_year_to_leap_year_keeps_29_february(settings):
    assert policy.get_due_at(utc(2024, 2, 29, 10), years=4) == utc(2028, 2, 29, 10)
    assert policy.get_cutoff(now=utc(2028, 2, 29, 10), years=4) == utc(2024, 2, 29, 10)


def test_cutoff_is_computed_in_utc_across_a_dst_change_in_a_non_utc_time_zone(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    from django.utils import timezone

    berlin = timezone.get_current_timezone()
    # 03:30 local on the night clocks jump from 02:00 to 03:00: 01:30 UTC.
    now = dt.datetime(2026, 3, 29, 3, 30, tzinfo=berlin)
    assert now.astimezone(dt.UTC) == utc(2026, 3, 29, 1, 30)
    assert policy.get_cutoff(now=now, years=5) == utc(2021, 3, 29, 1, 30)
    assert policy.get_cutoff(now=now, years=5).tzinfo == dt.UTC
    # The autumn change repeats 02:30 local; each instant still maps to its own UTC cutoff.
    first = dt.datetime(2026, 10, 25, 2, 30, fold=0, tzinfo=berlin)
    second = dt.datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=berlin)
    assert policy.get_cutoff(now=second, years=5) - policy.get_cutoff(now=first, years=5) == dt.timedelta(hours=1)


def test_shortened_period_is_read_at_run_time(settings):
    now = utc(2026, 6, 1)
    assert policy.get_cutoff(now=now) == utc(2021, 6, 1)
    settings.FEEDBACK_RETENTION_YEARS = 2
    assert policy.get_cutoff(now=now) == utc(2024, 6, 1)


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
def test_expired_exactly_when_the_due_instant_has_passed(submitted, now, years):
    assert is_expired(submitted, now, years) == (due_at(submitted, years) < now)
