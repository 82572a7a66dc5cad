"""A report racing the switch-off on PostgreSQL: the switch-off that commits first wins."""

import threading

import pytest
from django.db import connection, connections, transaction

from feedback.models import Feedback
from feedback.schema import parse_report
from feedback.services import FeedbackRefused, record_feedback
from orgs import services as org_services


def _wait_until_blocked_on_a_lock(timeout=10.0):
    """Poll pg_stat_activity until another backend waits on a lock (no fixed sleep)."""
    import time

    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.01)
    return False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_report_that_races_the_switch_off_is_refused_and_writes_nothing(claude_org, claude_members, chat_report):
    owner, member = claude_members["owner"].user, claude_members["member"].user
    report = parse_report(chat_report)
    locked, release, outcome = threading.Event(), threading.Event(), {}

    def switch_off():
        try:
            with transaction.atomic():
                # Hold the switch-off uncommitted until the report is waiting on it.
                org_services.set_feedback_setting(actor=owner, organization=claude_org, enabled=False)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    def submit():
        try:
            record_feedback(user=member, slug=claude_org.slug, report=report)
            outcome["result"] = "stored"
        except FeedbackRefused as refused:
            outcome["result"] = refused.code
        finally:
            connections.close_all()

    switcher = threading.Thread(target=switch_off)
    switcher.start()
    assert locked.wait(10)
    submitter = threading.Thread(target=submit)
    submitter.start()
    try:
        assert _wait_until_blocked_on_a_lock(), "the report did not wait for the switch-off's row lock"
    finally:
        release.set()
        switcher.join(15)
        submitter.join(15)
    assert outcome["result"] == "feedback_disabled"
    assert not Feedback.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_report_that_took_its_lock_first_is_stored_before_the_switch_off(claude_org, claude_members, chat_report):
    report, member = parse_report(chat_report), claude_members["member"].user
    feedback = record_feedback(user=member, slug=claude_org.slug, report=report)
    org_services.set_feedback_setting(actor=claude_members["owner"].user, organization=claude_org, enabled=False)
    assert Feedback.objects.filter(pk=feedback.pk).exists()
    with pytest.raises(FeedbackRefused):
        record_feedback(user=member, slug=claude_org.slug, report=report)
