"""The daily verification: recorded, mailed to staff when a chain breaks, and shown on the Audit log page."""

import pytest
from django.core import mail
from django.urls import reverse

from audit import services
from audit.models import AuditChain, AuditEvent, VerificationRun
from audit.tasks import verify_audit_chains
from tests.audit.helpers import record_events, tampering


@pytest.fixture
def owner_client(client, claude_members):
    client.force_login(claude_members["owner"].user)
    return client


def _page(client):
    return client.get(reverse("orgs:audit-log", args=["claude-ent"])).content.decode()


@pytest.mark.django_db
def test_the_page_shows_the_head_and_says_when_it_is_not_verified_yet(owner_client, claude_org):
    assert 'data-testid="chain-state"' not in _page(owner_client)  # no event, no chain yet
    *_, last = record_events(claude_org, 2)
    html = _page(owner_client)
    assert 'data-testid="chain-unverified"' in html
    assert 'data-testid="head-seq">2<' in html and f'data-testid="head-hash">{last.hash}<' in html


@pytest.mark.django_db
def test_an_intact_run_is_recorded_and_the_page_says_verified_intact_through_event_n(owner_client, claude_org, settings):
    settings.ADMINS = [("", "ops@example.test")]
    record_events(claude_org, 3)
    assert services.verify_and_alert() == 0
    run = VerificationRun.objects.get()
    assert (run.chains, run.events, run.broken) == (1, 3, 0) and run.finished_at is not None
    assert "claude-ent: intact through event 3" in run.report
    chain = AuditChain.objects.get(organization=claude_org)
    assert (chain.verified_seq, chain.broken_seq) == (3, None)
    html = _page(owner_client)
    assert "Verified intact through event 3, at <time" in html and 'data-testid="chain-broken"' not in html
    assert mail.outbox == []


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_broken_chain_is_mailed_to_staff_and_the_page_warns(owner_client, claude_org, settings):
    settings.ADMINS = [("", "ops@example.test")]
    events = record_events(claude_org, 3)
    with tampering() as cursor:
        cursor.execute(f"UPDATE {AuditEvent._meta.db_table} SET actor_email = 'x@example.test' WHERE id = %s",  # noqa: S608
                       [events[1].pk])
    assert services.verify_and_alert() == 1
    [alert] = mail.outbox
    assert alert.to == ["ops@example.test"]
    assert "claude-ent: BROKEN at seq 2: changed" in alert.body
    html = _page(owner_client)
    assert 'data-testid="chain-broken"' in html and "Event 2 and later ones" in html
    assert "Verified intact" not in html


def test_the_task_is_a_thin_wrapper_with_a_time_limit_and_beat_runs_it_daily(settings):
    assert verify_audit_chains.acks_late and 0 < verify_audit_chains.soft_time_limit < verify_audit_chains.time_limit
    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == verify_audit_chains.name]
    assert entry["schedule"] == 24 * 60 * 60
