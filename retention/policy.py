"""The retention policy: which days of feedback reports go when.

The rule, in UTC whatever TIME_ZONE says: the reports submitted on one UTC day are deleted together
at 00:00 UTC on the day that day turns `years` old (the same month and day `years` later; a
29 February goes on 28 February when the due year has none). Each report therefore goes between
24 hours early and exactly on time, never later than `years` after it was submitted.
"""

import datetime as dt

from django.utils import timezone

# The period itself is the feedback report's promise (feedback.policy); this module applies it.
from feedback.policy import get_retention_years

ONE_DAY = dt.timedelta(days=1)


def _utc(moment):
    if timezone.is_naive(moment):
        raise ValueError("retention times must be timezone-aware")
    return moment.astimezone(dt.UTC)


def _years_later(day, years):
    """The same month and day `years` later; 29 February becomes 28 February in a year without one."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def midnight(day):
    """00:00 UTC at the start of a date."""
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def get_due_day(day, *, years=None):
    """The UTC date at whose 00:00 the reports submitted on UTC date `day` are deleted."""
    return _years_later(day, get_retention_years() if years is None else years)


def get_due_at(submitted_at, *, years=None):
    """The instant a report submitted at `submitted_at` is deleted: 00:00 UTC of its day's due day."""
    return midnight(get_due_day(_utc(submitted_at).date(), years=years))


def get_last_due_day(*, now=None, years=None):
    """The latest submission day (UTC) whose reports are due at `now`: every earlier day is due too."""
    today = _utc(now or timezone.now()).date()
    years = get_retention_years() if years is None else years
    # Due days never decrease with the submission day, so step from just before the answer to it.
    day = dt.date(today.year - years, today.month, min(today.day, 28)) - ONE_DAY
    while get_due_day(day + ONE_DAY, years=years) <= today:
        day += ONE_DAY
    return day


def get_cutoff(*, now=None, years=None):
    """Reports submitted strictly before the returned instant (a UTC midnight) are due at `now`."""
    return midnight(get_last_due_day(now=now, years=years) + ONE_DAY)


def get_oldest_allowed(*, now=None, years=None):
    """Reports submitted before this instant have been kept longer than the period at `now`.

    The period itself, to the microsecond (what the invariant check proves nobody exceeds): `now`
    moved back `years` calendar years in UTC; on a 29 February whose year `years` back has none,
    1 March 00:00 of that year (reports of that 28 February are all past their period).
    """
    now = _utc(now or timezone.now())
    years = get_retention_years() if years is None else years
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return dt.datetime(now.year - years, 3, 1, tzinfo=dt.UTC)
