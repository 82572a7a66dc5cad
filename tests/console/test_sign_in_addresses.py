"""Sign-in by address: every spelling that folds onto an account is that account, for the password and the lock-out alike.

The lock-out once counted the address lower-cased by Python while PostgreSQL matched the account
with UPPER(), so after ten failures a dotless ı or a long ſ still signed in. Now both look up the
one normal form (console.addresses), so a spelling that folds onto the account is locked with it,
and a look-alike that does not fold (ı, Cyrillic о) is no account at all.
"""

import sys
import unicodedata
from functools import cache

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from console.addresses import ERR_EMAIL_TOO_LONG
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOME = "198.51.100.7"
ACCOUNT = "kiss.office@acme.test"  # k (Kelvin sign), s (long s, ß for "ss"), "ffi" (a ligature), i (dotless ı)


def _fold(text):
    """The test's own statement of "one address": NFKC, then Unicode case folding, then NFKC again."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold()).strip()


@cache
def _spellings():
    """For each character of ACCOUNT: every code point that folds onto it, and look-alikes that do not."""
    wanted = set(ACCOUNT)
    folds = {char: [char] for char in wanted}
    lookalikes = {char: [] for char in wanted}
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        folded = _fold(char)
        if folded in wanted and char != folded:
            folds[folded].append(char)
        elif char.upper() in {w.upper() for w in wanted} and folded not in wanted:
            # PostgreSQL's UPPER() matches these with an ASCII letter (ı → I), a fold does not.
            lookalikes[next(w for w in wanted if w.upper() == char.upper())].append(char)
    for ascii_char, other in {"i": "İі", "o": "оο", "e": "е", "a": "а", "c": "с", "s": "ѕ"}.items():
        lookalikes[ascii_char].extend(other)  # a dotted capital I, Cyrillic and Greek look-alikes
    return {char: sorted(set(chars)) for char, chars in folds.items()}, {c: sorted(set(v)) for c, v in lookalikes.items()}


# ACCOUNT in pieces: "ss" and "ffi" may also be typed as one character that folds onto them.
TOKENS = ["k", "i", "ss", ".", "o", "ffi", "c", "e", "@", "a", "c", "m", "e", ".", "t", "e", "s", "t"]
WHOLE = {"ss": ["ß", "ẞ"], "ffi": ["ﬃ", "ﬀi"]}
assert "".join(TOKENS) == ACCOUNT


def _char(draw, char):
    """The character itself, its capital, or (as often) any other code point that folds onto it."""
    folds, _ = _spellings()
    return draw(st.one_of(st.sampled_from([char, char.upper()]), st.sampled_from(folds[char])))


def _token(draw, token):
    if token in WHOLE and draw(st.booleans()):
        return draw(st.sampled_from(WHOLE[token]))
    return "".join(_char(draw, char) for char in token)


@st.composite
def folding_spelling(draw):
    """A spelling of ACCOUNT that folds onto it: any mix of case, compatibility forms, ß and ligatures."""
    padding = draw(st.sampled_from(["", " ", "\u00a0", "\u3000"]))
    spelled = padding + "".join(_token(draw, token) for token in TOKENS) + padding
    assert _fold(spelled) == ACCOUNT
    return spelled


@st.composite
def lookalike_spelling(draw):
    """A spelling of ACCOUNT with one or two look-alikes that do not fold onto it (a dotless ı above all)."""
    _, lookalikes = _spellings()
    spots = [n for n, token in enumerate(TOKENS) if len(token) == 1 and lookalikes[token]]
    chosen = draw(st.lists(st.sampled_from(spots), min_size=1, max_size=2, unique=True))
    spelled = "".join(
        draw(st.sampled_from(lookalikes[token])) if n in chosen else _token(draw, token) for n, token in enumerate(TOKENS)
    )
    assert _fold(spelled) != ACCOUNT
    return spelled


def _sign_in(email, password, url="/accounts/login/"):
    client = Client(REMOTE_ADDR=HOME)
    response = client.post(url, {"username": email, "password": password})
    return response.status_code, SESSION_KEY in client.session


@pytest.fixture
def account(settings):
    # The property does not depend on the limit; a small one keeps each example short.
    settings.AXES_FAILURE_LIMIT = 2
    return UserFactory(email=ACCOUNT, is_staff=True)


@pytest.mark.postgres
@hsettings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    spelled=folding_spelling(),
    lookalike=lookalike_spelling(),
    failures=st.lists(st.tuples(folding_spelling(), st.sampled_from(["/accounts/login/", "/admin/login/"])), min_size=2, max_size=2),
    then=folding_spelling(),
)
def test_the_lock_out_holds_for_every_spelling_that_folds_onto_the_account(account, password, spelled, lookalike, failures, then):
    AccessAttempt.objects.all().delete()
    # A spelling that folds onto the account is the account; a look-alike that does not is nobody.
    assert _sign_in(spelled, password) == (302, True)
    assert _sign_in(lookalike, password) == (200, False)
    # Failures typed in any folding spelling, on either sign-in page, count for the one account...
    for spelled_again, url in failures:
        assert _sign_in(spelled_again, "not-the-password", url) == (200, False)
    # ...so every spelling of it is then refused, the right password included.
    assert _sign_in(then, password) == (429, False)


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
@pytest.mark.parametrize("length", [255, 256, 10_000])
def test_an_over_long_address_is_a_form_error_and_counts_nothing(url, length, password):
    address = "a" * (length - len("@acme.test")) + "@acme.test"
    client = Client(REMOTE_ADDR=HOME)
    response = client.post(url, {"username": address, "password": password})
    assert response.status_code == 200
    assert ERR_EMAIL_TOO_LONG in response.context["form"].errors["username"]
    assert not AccessAttempt.objects.exists()


def test_an_address_that_expands_past_the_limit_when_normalised_is_a_form_error(password):
    # U+FDFA is one character that NFKC writes as 18: short as typed, too long once normalised.
    response = Client(REMOTE_ADDR=HOME).post("/accounts/login/", {"username": "\ufdfa" * 20 + "@acme.test", "password": password})
    assert response.status_code == 200
    assert ERR_EMAIL_TOO_LONG in response.context["form"].errors["username"]
