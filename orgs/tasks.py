"""Celery tasks of the orgs app, kept for mails queued by the version before the outbox.

Mails are now delivered from the outbox (console.outbox, console.tasks); this name only drains
messages that an earlier version left in the broker (identity.tasks keeps the invitation mail's).
"""

from celery import shared_task

from console.mail import MAIL_TASK_OPTIONS

from . import notices


@shared_task(name="orgs.tasks.send_setting_notice", **MAIL_TASK_OPTIONS)
def send_setting_notice(event_id, user_id):
    """Tell one decider about a data-setting change; returns how many messages were sent."""
    return notices.send_setting_notice(event_id=event_id, user_id=user_id)
