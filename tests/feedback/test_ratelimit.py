"""The per-person rate limit, on the real store CI gives it (Redis, or the Django cache on the
development defaults), at chosen moments: no 60 seconds may hold more than the limit, wherever a
burst falls on the clock, and a report is let through as soon as one fewer are kept."""

import itertools
import random
import secrets

import pytest

from feedback.ratelimit import WINDOW_SECONDS, give_back_report_slot, take_report_slot

LIMIT = 5
# A minute boundary well in the past; what the tests keep expires on its own within 65 seconds.
BOUNDARY = 1_700_000_040.0
assert BOUNDARY % WINDOW_SECONDS == 0

_run = secrets.token_hex(4)
_people = (f"ratelimit-test-{_run}-{n}" for n in itertools.count())


@pytest.fixture
def person():
    # A fresh person per test: nothing kept from another test or run.
    return next(_people)


def _send(person, count, at, limit=LIMIT):
    return [take_report_slot(person, limit=limit, now=at) for _ in range(count)]


def test_a_burst_just_before_and_after_a_minute_starts_is_limited_like_any_other(person):
    assert _send(person, LIMIT, BOUNDARY - 0.5) == [0] * LIMIT
    assert take_report_slot(person, limit=LIMIT, now=BOUNDARY + 0.5) > 0


@pytest.mark.parametrize("offset", [0.0, 17.3, 59.9])
def test_exactly_the_limit_is_let_through_in_a_burst_anywhere_in_the_minute(person, offset):
    assert _send(person, LIMIT, BOUNDARY + offset) == [0] * LIMIT
    assert take_report_slot(person, limit=LIMIT, now=BOUNDARY + offset) > 0


def test_a_report_counts_for_exactly_sixty_seconds(person):
    assert _send(person, LIMIT, BOUNDARY + 1) == [0] * LIMIT
    assert take_report_slot(person, limit=LIMIT, now=BOUNDARY + 60.5) > 0
    assert _send(person, LIMIT, BOUNDARY + 61) == [0] * LIMIT


@pytest.mark.parametrize("seed", range(4))
def test_no_sixty_seconds_ever_hold_more_than_the_limit_and_none_is_refused_below_it(seed):
    """Attempts at random moments (bursts and trickles, across minute boundaries), checked against the
    rule itself: let through exactly when fewer than the limit were let through in the last 60 s."""
    rng = random.Random(seed)
    person, limit = next(_people), rng.choice([1, 3, 10, 60])
    now, let_through = BOUNDARY - 30, []
    for _ in range(400):
        now += rng.choice([0.0, 0.05, 0.1, 0.5, 1.0, 7.3, 30.0])
        recent = [t for t in let_through if t > now - WINDOW_SECONDS]
        allowed = take_report_slot(person, limit=limit, now=now) == 0
        assert allowed == (len(recent) < limit), (now, len(recent), limit)
        if allowed:
            let_through.append(now)
    assert len(let_through) > limit  # the walk did reach past the limit and back


def test_refused_attempts_do_not_push_the_wait_further_out(person):
    _send(person, LIMIT, BOUNDARY + 10)
    first_wait = take_report_slot(person, limit=LIMIT, now=BOUNDARY + 10)
    for _ in range(20):
        take_report_slot(person, limit=LIMIT, now=BOUNDARY + 10)
    assert take_report_slot(person, limit=LIMIT, now=BOUNDARY + 10) == first_wait


@pytest.mark.parametrize(("burst_at", "asked_at"), [(0.0, 0.0), (30.0, 30.0), (59.0, 59.5), (-2.0, 1.0), (10.2, 40.7)])
def test_retry_after_is_the_first_whole_second_a_report_is_let_through(person, burst_at, asked_at):
    _send(person, LIMIT, BOUNDARY + burst_at)
    asked_at = BOUNDARY + asked_at
    wait = take_report_slot(person, limit=LIMIT, now=asked_at)
    assert 1 <= wait <= WINDOW_SECONDS
    assert take_report_slot(person, limit=LIMIT, now=asked_at + wait - 1) > 0
    assert take_report_slot(person, limit=LIMIT, now=asked_at + wait) == 0


def test_a_place_given_back_is_free_again_and_only_that_one(person):
    assert _send(person, 1, BOUNDARY + 1) == [0]
    assert _send(person, 1, BOUNDARY + 2) == [0]
    assert take_report_slot(person, limit=2, now=BOUNDARY + 3) > 0
    give_back_report_slot(person, BOUNDARY + 2)
    assert take_report_slot(person, limit=2, now=BOUNDARY + 3) == 0
    assert take_report_slot(person, limit=2, now=BOUNDARY + 3) > 0
    give_back_report_slot(person, BOUNDARY + 99)  # nothing taken then: nothing changes
    assert take_report_slot(person, limit=2, now=BOUNDARY + 4) > 0


def test_one_persons_reports_do_not_limit_another(person):
    _send(person, LIMIT + 3, BOUNDARY + 5)
    assert take_report_slot(next(_people), limit=LIMIT, now=BOUNDARY + 5) == 0
