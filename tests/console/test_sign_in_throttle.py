"""Sign-in throttling: 10 failures for one account at one address lock that pair for 15 minutes."""

import logging

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOME = "198.51.100.7"
ELSEWHERE = "203.0.113.99"


def _sign_in(email, password, *, address=HOME, url="/accounts/login/"):
    client = Client(REMOTE_ADDR=address)
    response = client.post(url, {"username": email, "password": password})
    return client, response


def _fail(email, times, *, address=HOME, url="/accounts/login/"):
    for _ in range(times):
        _, response = _sign_in(email, "not-the-password", address=address, url=url)
        assert response.status_code == 200


def test_ten_failures_lock_the_account_at_that_address_even_for_the_right_password(password):
    UserFactory(email="owner@acme.test")
    _fail("owner@acme.test", 10)
    client, response = _sign_in("owner@acme.test", "not-the-password")
    assert response.status_code == 429
    client, response = _sign_in("owner@acme.test", password)
    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    page = response.content.decode()
    assert "Too many failed sign-in attempts" in page
    assert 'role="alert"' in page and 'name="username"' in page and 'value="owner@acme.test"' in page


def test_nine_failures_then_the_right_password_signs_in_and_resets_the_count(password):
    UserFactory(email="owner@acme.test")
    _fail("owner@acme.test", 9)
    client, response = _sign_in("owner@acme.test", password)
    assert response.status_code == 302 and SESSION_KEY in client.session
    assert not AccessAttempt.objects.filter(username="owner@acme.test").exists()
    _fail("owner@acme.test", 9)
    assert _sign_in("owner@acme.test", password)[1].status_code == 302


def test_a_lock_out_blocks_neither_other_accounts_nor_other_addresses(password):
    UserFactory(email="owner@acme.test")
    UserFactory(email="member@acme.test")
    _fail("owner@acme.test", 10)
    assert _sign_in("owner@acme.test", password)[1].status_code == 429
    assert _sign_in("owner@acme.test", password, address=ELSEWHERE)[1].status_code == 302
    assert _sign_in("member@acme.test", password)[1].status_code == 302


def test_the_count_ignores_the_case_of_the_address_typed():
    UserFactory(email="owner@acme.test")
    for email in ["Owner@acme.test", " OWNER@acme.test", "owner@ACME.test"] * 3 + ["OWNER@ACME.TEST"]:
        assert _sign_in(email, "wrong")[1].status_code == 200
    assert _sign_in("owner@acme.test", "wrong")[1].status_code == 429


def test_an_address_failing_across_many_accounts_is_throttled_too(settings, password):
    UserFactory(email="owner@acme.test")
    for n in range(settings.SIGN_IN_ADDRESS_FAILURE_LIMIT):
        assert _sign_in(f"guess{n}@acme.test", "wrong")[1].status_code == 200
    assert _sign_in("owner@acme.test", password)[1].status_code == 429
    assert _sign_in("owner@acme.test", password, address=ELSEWHERE)[1].status_code == 302


def test_the_lock_out_ends_after_15_minutes(password):
    UserFactory(email="owner@acme.test")
    _fail("owner@acme.test", 10)
    assert _sign_in("owner@acme.test", password)[1].status_code == 429
    # The failures happened 15 minutes ago: move them back rather than wait.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(minutes=15, seconds=1))
    assert _sign_in("owner@acme.test", password)[1].status_code == 302


def test_attempts_while_locked_out_do_not_extend_the_lock_out(password):
    UserFactory(email="owner@acme.test")
    _fail("owner@acme.test", 10)
    locked_at = AccessAttempt.objects.get().attempt_time
    assert _sign_in("owner@acme.test", "still-wrong")[1].status_code == 429
    assert AccessAttempt.objects.get().attempt_time == locked_at


def test_the_admin_sign_in_is_throttled_the_same_way(password):
    UserFactory(email="staff@acme.test", is_staff=True, is_superuser=True)
    _fail("staff@acme.test", 10, url="/admin/login/")
    _, response = _sign_in("staff@acme.test", password, url="/admin/login/")
    assert response.status_code == 429
    # The same account and address are locked on the console's sign-in page too.
    assert _sign_in("staff@acme.test", password)[1].status_code == 429


def test_failures_are_logged_without_the_password(caplog):
    UserFactory(email="owner@acme.test")
    with caplog.at_level(logging.INFO):
        _sign_in("owner@acme.test", "hunter2-secret-typed")
    assert "owner@acme.test" in caplog.text
    assert "hunter2-secret-typed" not in caplog.text
    assert "hunter2-secret-typed" not in AccessAttempt.objects.get().post_data


def test_staff_see_and_clear_lock_outs_in_the_admin(admin_client, password):
    UserFactory(email="owner@acme.test")
    _fail("owner@acme.test", 10)
    response = admin_client.get("/admin/axes/accessattempt/")
    assert response.status_code == 200
    assert "owner@acme.test" in response.content.decode()
    attempt = AccessAttempt.objects.get()
    response = admin_client.post(
        "/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert _sign_in("owner@acme.test", password)[1].status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_client_address_counts(settings, password):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(email="owner@acme.test")
    proxy = "10.0.0.5"
    for _ in range(10):
        Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {HOME}").post(
            "/accounts/login/", {"username": "owner@acme.test", "password": "wrong"}
        )
    locked = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=HOME)
    assert locked.post("/accounts/login/", {"username": "owner@acme.test", "password": password}).status_code == 429
    # Another client behind the same proxy is not locked out by HOME's failures.
    other = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    assert other.post("/accounts/login/", {"username": "owner@acme.test", "password": password}).status_code == 302
