"""Console-wide tasks."""

from celery import shared_task

from . import outbox


@shared_task(name="console.tasks.ping", time_limit=10, soft_time_limit=5)
def ping():
    """Answer "pong": proves a worker takes tasks from the broker and returns results."""
    return "pong"


# The outbox's tasks: a nudge for the rows a transaction just wrote, and the beat's sweep.
OUTBOX_OPTIONS = {"acks_late": True, "soft_time_limit": 240, "time_limit": 270}


@shared_task(name="console.tasks.deliver_outbox_messages", **OUTBOX_OPTIONS)
def deliver_outbox_messages(message_ids):
    """Deliver these outbox messages (those still due); returns how many mails were sent."""
    return sum(outbox.deliver(message_id) for message_id in message_ids)


@shared_task(name="console.tasks.deliver_due_outbox", **OUTBOX_OPTIONS)
def deliver_due_outbox():
    """Deliver every outbox message that is due (beat, every minute); returns how many mails were sent."""
    return outbox.deliver_due()
