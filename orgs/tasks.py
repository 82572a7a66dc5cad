"""Celery tasks of the orgs app: the e-mails its services queue after their transactions commit."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from console.mail import MAIL_TASK_OPTIONS, RETRYABLE_MAIL_ERRORS

from . import notices

# A database that went away is worth another try too.
OPTIONS = {**MAIL_TASK_OPTIONS, "autoretry_for": (*RETRYABLE_MAIL_ERRORS, OperationalError, InterfaceError)}


@shared_task(name="orgs.tasks.send_invitation_email", **OPTIONS)
def send_invitation_email(invitation_id, nonce):
    """Mail an invitation's link (made here from the nonce); returns how many messages were sent (0 if resent or closed meanwhile)."""
    return notices.send_invitation_email(invitation_id=invitation_id, nonce=nonce)


@shared_task(name="orgs.tasks.send_setting_notice", **OPTIONS)
def send_setting_notice(event_id, user_id):
    """Tell one decider about a data-setting change; returns how many messages were sent."""
    return notices.send_setting_notice(event_id=event_id, user_id=user_id)
