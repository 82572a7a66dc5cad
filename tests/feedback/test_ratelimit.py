"""The per-person rate limit, on the real store CI gives it (Redis, or the Django cache on the
development defaults), at chosen moments: where a burst falls in the minute must not matter."""

import itertools

import pytest

from feedback.ratelimit import WINDOW_SECONDS, take_report_slot

LIMIT = 5
# A minute boundary well in the past; the keys it makes expire on their own within two minutes.
BOUNDARY = 1_700_000_040.0
assert BOUNDARY % WINDOW_SECONDS == 0

_people = itertools.count(10**9)


@pytest.fixture
def person(settings):
    # A fresh id per test, under this run's key prefix: no count left from another test or run.
    return next(_people)


def _send(person, count, at):
    return [take_report_slot(person, limit=LIMIT, now=at) for _ in range(count)]


def test_a_burst_just_before_and_after_a_minute_starts_is_limited_like_any_other(person):
    assert _send(person, LIMIT, BOUNDARY - 0.5) == [0] * LIMIT
    assert take_report_slot(person, limit=LIMIT, now=BOUNDARY + 0.5) > 0


def test_the_limit_allows_exactly_limit_reports_in_a_burst_anywhere_in_the_minute(person):
    for offset in (0.0, 17.3, 59.9):
        who = next(_people)
        assert _send(who, LIMIT, BOUNDARY + offset) == [0] * LIMIT
        assert take_report_slot(who, limit=LIMIT, now=BOUNDARY + offset) > 0


def test_the_last_minutes_reports_count_less_as_this_minute_goes_on(person):
    assert _send(person, LIMIT, BOUNDARY + 1) == [0] * LIMIT
    # 48 s into the next minute a fifth of the last minute's five reports still counts: one.
    later = BOUNDARY + WINDOW_SECONDS + 48
    assert _send(person, LIMIT - 1, later) == [0] * (LIMIT - 1)
    assert take_report_slot(person, limit=LIMIT, now=later) > 0
    # Two minutes on, the burst no longer counts at all.
    assert _send(next(_people), LIMIT, BOUNDARY + 2 * WINDOW_SECONDS) == [0] * LIMIT
    assert _send(person, LIMIT, BOUNDARY + 3 * WINDOW_SECONDS) == [0] * LIMIT


def test_refused_attempts_do_not_push_the_wait_further_out(person):
    _send(person, LIMIT, BOUNDARY + 10)
    first_wait = take_report_slot(person, limit=LIMIT, now=BOUNDARY + 10)
    for _ in range(20):
        take_report_slot(person, limit=LIMIT, now=BOUNDARY + 10)
    assert take_report_slot(person, limit=LIMIT, now=BOUNDARY + 10) == first_wait


@pytest.mark.parametrize(("burst_at", "retry_from"), [
    (0.0, 0.0),     # a burst at the start of a minute: the wait runs into the next minute
    (30.0, 30.0),   # mid-minute
    (59.0, 59.5),   # late in a minute, asked again just after the next one starts
    (-2.0, 1.0),    # the burst was in the last minute; its share shrinks during this one
])
def test_retry_after_is_the_first_whole_second_a_report_is_let_through(person, burst_at, retry_from):
    _send(person, LIMIT, BOUNDARY + burst_at)
    asked_at = BOUNDARY + retry_from
    wait = take_report_slot(person, limit=LIMIT, now=asked_at)
    assert 1 <= wait <= 2 * WINDOW_SECONDS
    assert take_report_slot(person, limit=LIMIT, now=asked_at + wait - 1) > 0
    assert take_report_slot(person, limit=LIMIT, now=asked_at + wait) == 0


def test_one_persons_reports_do_not_limit_another(person):
    _send(person, LIMIT + 3, BOUNDARY + 5)
    assert take_report_slot(next(_people), limit=LIMIT, now=BOUNDARY + 5) == 0
