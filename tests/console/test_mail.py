"""console.mail against a real SMTP server: what is retried and what is not."""

import smtplib

import pytest

from console.mail import RETRYABLE_MAIL_ERRORS, TemporaryMailFailure, send_templated_mail
from identity import tasks as identity_tasks
from orgs import tasks
from tests.factories import InvitationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation():
    owner = MembershipFactory(role="owner")
    return InvitationFactory(organization=owner.organization, invited_by=owner.user)


def _send(invitation):
    from identity.invitations import invitation_mail_context

    send_templated_mail(to=invitation.email, template="invitation", context=invitation_mail_context(invitation, "t0ken"))


def test_a_server_that_is_down_raises_an_error_the_tasks_retry(smtp_server_down, invitation):
    with pytest.raises(RETRYABLE_MAIL_ERRORS):
        _send(invitation)


@pytest.mark.parametrize("hook", ["handle_RCPT", "handle_DATA"])
def test_a_temporary_refusal_is_retried_and_a_permanent_one_is_not(smtp_server, invitation, hook):
    async def refuse_for_now(*args):
        return "451 Try again later"

    async def refuse(*args):
        return "550 No such mailbox"

    setattr(smtp_server, hook, refuse_for_now)
    with pytest.raises(TemporaryMailFailure):
        _send(invitation)
    setattr(smtp_server, hook, refuse)
    with pytest.raises(smtplib.SMTPException) as error:
        _send(invitation)
    assert not isinstance(error.value, RETRYABLE_MAIL_ERRORS)
    assert smtp_server.messages == []


def test_mail_tasks_are_late_acked_time_limited_and_retried_with_back_off():
    for task in (identity_tasks.send_invitation_email, tasks.send_setting_notice):
        assert task.acks_late and task.retry_backoff and task.max_retries >= 10
        assert 0 < task.soft_time_limit < task.time_limit
        assert {ConnectionError, TimeoutError, smtplib.SMTPServerDisconnected, TemporaryMailFailure} <= set(task.autoretry_for)
