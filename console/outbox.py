"""The outbox: mails written as rows in the transaction of the change they tell of, delivered by the worker.

A service calls ``enqueue(kind, payloads)`` inside its transaction; after the commit the worker is
nudged to deliver the new rows, and the beat's sweep (``deliver_due``, every minute) delivers
whatever is still due: a broker that was down at the commit, a worker lost mid-send, a mail server
that said "later". Each delivery first claims its row, so the nudge and the sweep never both send a
message; a message is sent again only if a worker dies between sending it and marking it sent.

Apps register the function that sends each kind of message: ``@sender("orgs.setting_notice")``,
called with the payload as keyword arguments, returning how many messages it sent (0 when there was
nothing to send any more). A connection error or a temporary refusal is tried again with back-off
(about two and a half hours in all); anything else marks the message failed.
"""

import logging
from datetime import timedelta

from celery import current_app
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .mail import RETRYABLE_MAIL_ERRORS
from .models import OutboxMessage

logger = logging.getLogger(__name__)

ERR_OUTSIDE_TRANSACTION = "Outbox messages are written inside the change's own transaction."
ERR_UNKNOWN_KIND = "No sender is registered for outbox messages of kind “{kind}”."

# Longer than a send may take (the delivery task's time limit), so a live delivery is never taken over.
CLAIM = timedelta(minutes=5)
MAX_ATTEMPTS = 10
SWEEP_BATCH = 50
KEEP_SENT = timedelta(days=30)
DELIVER_TASK = "console.tasks.deliver_outbox_messages"
RETRYABLE_ERRORS = (*RETRYABLE_MAIL_ERRORS, OperationalError, InterfaceError)

_SENDERS = {}


def sender(kind):
    """Register the function that delivers outbox messages of this kind."""

    def register(function):
        _SENDERS[kind] = function
        return function

    return register


def retry_delay(attempts):
    """How long to wait after this many failed attempts: 1, 2, 4, 8, 16, then 30 minutes."""
    return timedelta(minutes=min(30, 2 ** (attempts - 1)))


def _nudge_after_commit(ids):
    def nudge():
        # By name: console.tasks wraps this module, which must not import it back.
        current_app.send_task(DELIVER_TASK, args=[ids], ignore_result=True)

    # robust: a broker that cannot take the nudge loses nothing, the sweep delivers the rows.
    transaction.on_commit(nudge, robust=True)


def enqueue(kind, payloads):
    """Write one message of this kind per payload, in the caller's transaction; the worker is nudged after commit."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(ERR_OUTSIDE_TRANSACTION)
    if kind not in _SENDERS:
        raise ValueError(ERR_UNKNOWN_KIND.format(kind=kind))
    messages = OutboxMessage.objects.bulk_create(OutboxMessage(kind=kind, payload=p) for p in payloads)
    if messages:
        _nudge_after_commit([m.pk for m in messages])
    return messages


def _claim(message_id, now):
    return OutboxMessage.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        pk=message_id, sent_at=None, failed_at=None, next_attempt_at__lte=now,
    ).update(claimed_until=now + CLAIM, attempts=F("attempts") + 1)


def deliver(message_id, now=None):
    """Deliver one message if it is due and nobody else is delivering it; returns how many mails were sent."""
    now = now or timezone.now()
    if not _claim(message_id, now):
        return 0
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        sent = _SENDERS[message.kind](**message.payload)
    except RETRYABLE_ERRORS as error:
        gave_up = message.attempts >= MAX_ATTEMPTS
        logger.warning("Outbox message %s (%s) not sent, attempt %s: %r", message.pk, message.kind, message.attempts, error)
        OutboxMessage.objects.filter(pk=message.pk).update(
            claimed_until=None, next_attempt_at=now + retry_delay(message.attempts), last_error=repr(error)[:500],
            failed_at=now if gave_up else None,
        )
        return 0
    except Exception as error:
        OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=None, failed_at=now, last_error=repr(error)[:500])
        raise
    # Sent: the payload (an invitation's nonce, say) is not kept any longer than needed.
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=None, sent_at=timezone.now(), payload={})
    return sent


def deliver_due(now=None):
    """Deliver the messages that are due (a batch at a time) and forget those sent long ago; returns mails sent."""
    now = now or timezone.now()
    due = list(
        OutboxMessage.objects.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
                                     sent_at=None, failed_at=None, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id").values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    sent = sum(deliver(pk, now) for pk in due)
    old = OutboxMessage.objects.filter(sent_at__lt=now - KEEP_SENT).values_list("pk", flat=True)[:1000]
    OutboxMessage.objects.filter(pk__in=list(old)).delete()
    return sent
