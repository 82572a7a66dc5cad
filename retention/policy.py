"""The retention policy: how long feedback reports are kept, and which are due for deletion."""

import datetime as dt

from django.utils import timezone

# The period itself is the feedback report's promise (feedback.policy); this module applies it.
from feedback.policy import get_retention_years


def _utc(moment):
    if timezone.is_naive(moment):
        raise ValueError("retention times must be timezone-aware")
    return moment.astimezone(dt.UTC)


def _is_leap(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def get_due_at(submitted_at, *, years=None):
    """The instant after which a report submitted at `submitted_at` must be gone (see get_cutoff)."""
    submitted = _utc(submitted_at)
    years = get_retention_years() if years is None else years
    if (submitted.month, submitted.day) == (2, 29) and not _is_leap(submitted.year + years):
        return submitted.replace(year=submitted.year + years, day=28)
    return submitted.replace(year=submitted.year + years)


def get_cutoff(*, now=None, years=None):
    """Reports submitted strictly before the returned instant are expired at `now`.

    The rule, in calendar years in UTC whatever TIME_ZONE says: a report submitted at T is kept
    until the same month, day and time `years` later and is deleted after that instant; a report
    from 29 February is due on 28 February of the due year when that year has no 29 February.
    So the cutoff is `now` moved back `years` calendar years, except on a 29 February whose year
    `years` back has none: then every report from that 28 February is already due and the cutoff
    is 1 March 00:00 of that year. The one case a single cutoff cannot express (a 28 February
    whose year `years` back is a leap year) is completed by get_expired_ranges().
    """
    now = _utc(now or timezone.now())
    years = get_retention_years() if years is None else years
    year = now.year - years
    if (now.month, now.day) == (2, 29) and not _is_leap(year):
        return dt.datetime(year, 3, 1, tzinfo=dt.UTC)
    return now.replace(year=year)


def get_expired_ranges(*, now=None, years=None):
    """The half-open ranges [start, end) of submission times expired at `now`; start None is open."""
    now = _utc(now or timezone.now())
    years = get_retention_years() if years is None else years
    ranges = [(None, get_cutoff(now=now, years=years))]
    year = now.year - years
    if (now.month, now.day) == (2, 28) and _is_leap(year) and not _is_leap(now.year):
        # Reports from 29 February of that leap year fall due today, at their own time of day.
        leap_day = dt.datetime(year, 2, 29, tzinfo=dt.UTC)
        ranges.append((leap_day, leap_day + (now - now.replace(hour=0, minute=0, second=0, microsecond=0))))
    return ranges
