"""Mail through the real path: a service queues a task after commit, a real Celery worker takes it from
the broker and sends it over SMTP to a real server (aiosmtpd) started by the test."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from console import outbox
from console.models import OutboxMessage
from console.tasks import ping
from identity.models import Invitation
from orgs import services
from orgs.models import Membership, Organization
from tests.factories import MembershipFactory, OrganizationFactory
from tests.smtp import LINK, body

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _settle():
    """Wait until the worker has run every task queued before now (it takes them one at a time, in order)."""
    assert ping.delay().get(timeout=60) == "pong"


def _invite(client, owner_m, email, role):
    client.force_login(owner_m.user)
    return client.post(reverse("identity:invite", args=[owner_m.organization.slug]), {"email": email, "role": role})


def test_an_owners_invitation_reaches_the_invitee_who_joins_with_the_role_once(
    client, celery_worker_session, smtp_server, claude_members
):
    owner = claude_members["owner"]
    org = owner.organization
    response = _invite(client, owner, "New.Person@Example.test", "admin")
    assert response.status_code == 302

    [(recipients, message)] = smtp_server.wait_for(1)
    assert recipients == ["new.person@example.test"]
    assert org.name in message["Subject"] and owner.user.email in message["Subject"]
    text, html = body(message), body(message, "html")
    for part in (text, html):
        assert org.name in part and owner.user.email in part and "Admin" in part
    token = LINK.search(text).group(1)
    assert LINK.search(html).group(1) == token
    assert not Invitation.objects.filter(token_hash__contains=token).exists()  # only the hash is stored

    invitee = client.__class__()
    link = f"/invitations/{token}/"
    assert invitee.get(link).status_code == 200
    joined = invitee.post(link, {"full_name": "New Person", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"})
    assert joined.status_code == 302 and joined["Location"] == reverse("orgs:overview", args=[org.slug])
    membership = Membership.objects.get(organization=org, user__email="new.person@example.test")
    assert membership.role == "admin"
    assert invitee.get(joined["Location"]).status_code == 200  # signed in as the new member

    members_page = client.get(reverse("orgs:members", args=[org.slug])).content.decode()
    assert 'data-member="new.person@example.test"' in members_page
    assert 'data-invitation="new.person@example.test"' not in members_page
    assert list(AuditEvent.objects.filter(organization=org).order_by("pk").values_list("action", "actor_email")) == [
        ("member.invited", owner.user.email), ("member.added", "new.person@example.test"),
    ]

    # The link works once: a second use, signed out or in, says so and changes nothing.
    again = client.__class__().get(link)
    assert again.status_code == 410 and "already been used" in again.content.decode()
    assert invitee.post(link).status_code == 410
    assert Membership.objects.filter(organization=org).count() == 5


def test_a_change_of_thumbs_feedback_notifies_exactly_the_other_deciders(client, celery_worker_session, smtp_server):
    org = OrganizationFactory(plan="enterprise", name="Notice Corp")
    deciders = {role: MembershipFactory(organization=org, role=role) for role in ("primary_owner", "owner")}
    other_owner = MembershipFactory(organization=org, role="owner")
    for role in ("admin", "member"):
        MembershipFactory(organization=org, role=role)
    elsewhere = MembershipFactory(organization=OrganizationFactory(plan="enterprise"), role="owner")
    actor = deciders["owner"]

    client.force_login(actor.user)
    url = reverse("orgs:data-management-confirm", args=[org.slug])
    assert client.post(url, {"confirmed": "yes"}).status_code == 302

    messages = smtp_server.wait_for(2)
    _settle()
    assert len(smtp_server.messages) == 2
    expected = {deciders["primary_owner"].user.email, other_owner.user.email}
    assert {rcpt for rcpts, _ in messages for rcpt in rcpts} == expected
    assert actor.user.email not in expected and elsewhere.user.email not in expected
    for _, message in messages:
        assert message["Subject"] == f"Notice Corp: Thumbs Feedback was turned off by {actor.user.email}"
        text = body(message)
        assert "on → off" in text and actor.user.email in text and " UTC" in text
        assert f"http://testserver/orgs/{org.slug}/settings/data-management/" in text
        assert "on → <strong>off</strong>" in body(message, "html")


def test_a_change_of_workbench_feedback_notifies_the_other_org_admins_only(client, celery_worker_session, smtp_server):
    console_org = OrganizationFactory(kind="console", plan="")
    admins = [MembershipFactory(organization=console_org, role="admin") for _ in range(3)]
    for role in ("developer", "billing", "user"):
        MembershipFactory(organization=console_org, role=role)
    services.set_feedback_setting(actor=admins[0].user, organization=console_org, enabled=False)

    messages = smtp_server.wait_for(2)
    _settle()
    assert len(smtp_server.messages) == 2
    assert sorted(r for rcpts, _ in messages for r in rcpts) == sorted(a.user.email for a in admins[1:])
    assert "Workbench feedback" in messages[0][1]["Subject"]
    assert f"/orgs/{console_org.slug}/settings/privacy/" in body(messages[0][1])


def test_a_failed_send_keeps_the_change_and_is_tried_again_until_the_server_is_back(
    celery_worker_session, smtp_server_down, claude_members
):
    org = claude_members["owner"].organization
    assert services.set_feedback_setting(actor=claude_members["owner"].user, organization=org, enabled=False)
    _settle()  # the worker has tried once, and the server refused the connection
    [message] = OutboxMessage.objects.all()
    assert (message.attempts, message.sent_at) == (1, None) and "Connection" in message.last_error
    assert message.next_attempt_at > message.created_at  # tried again later, not at once
    # The change stands while the mail waits.
    assert Organization.objects.get(pk=org.pk).thumbs_feedback_enabled is False
    assert AuditEvent.objects.filter(organization=org, action="settings.thumbs_feedback.changed").count() == 1

    smtp_server_down.start()
    assert outbox.deliver_due(now=message.next_attempt_at) == 1  # the beat's sweep, when the next try is due
    [(recipients, sent)] = smtp_server_down.wait_for(1)
    assert recipients == [claude_members["primary_owner"].user.email]
    assert "turned off" in sent["Subject"]
    message.refresh_from_db()
    assert message.sent_at is not None and message.payload == {}
    assert outbox.deliver_due(now=message.next_attempt_at) == 0  # sent once
    assert len(smtp_server_down.messages) == 1
