"""Celery tasks of identity: thin wrappers over identity.services."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from console.mail import MAIL_TASK_OPTIONS

from . import invitations, services


# Each domain is re-checked in its own transaction: a retry after a lost connection repeats only look-ups.
@shared_task(name="identity.tasks.recheck_verified_domains", acks_late=True, soft_time_limit=1800, time_limit=1900,
             autoretry_for=(OperationalError, InterfaceError), retry_backoff=30, max_retries=3)
def recheck_verified_domains():
    """Daily: re-check every verified domain's TXT record; returns how many were un-verified."""
    return services.recheck_verified_domains()


# Its name is the one the orgs app gave it: it drains invitation mails an earlier version left in
# the broker (mails are now delivered from the outbox).
@shared_task(name="orgs.tasks.send_invitation_email", **MAIL_TASK_OPTIONS)
def send_invitation_email(invitation_id, nonce):
    """Mail an invitation's link; returns how many messages were sent (0 if resent or closed meanwhile)."""
    return invitations.send_invitation_email(invitation_id=invitation_id, nonce=nonce)
