"""Celery tasks of the orgs app, kept for mails queued by the version before the outbox.

Mails are now delivered from the outbox (console.outbox, console.tasks); these two names only
drain messages that an earlier version left in the broker.
"""

from celery import shared_task

from console.mail import MAIL_TASK_OPTIONS

from . import invitations, notices


@shared_task(name="orgs.tasks.send_invitation_email", **MAIL_TASK_OPTIONS)
def send_invitation_email(invitation_id, nonce):
    """Mail an invitation's link; returns how many messages were sent (0 if resent or closed meanwhile)."""
    return invitations.send_invitation_email(invitation_id=invitation_id, nonce=nonce)


@shared_task(name="orgs.tasks.send_setting_notice", **MAIL_TASK_OPTIONS)
def send_setting_notice(event_id, user_id):
    """Tell one decider about a data-setting change; returns how many messages were sent."""
    return notices.send_setting_notice(event_id=event_id, user_id=user_id)
