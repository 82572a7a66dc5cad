"""The console's e-mail: messages rendered from templates (plain text and HTML), sent by Celery tasks.

Services never send: they queue a task with `transaction.on_commit`, so a message goes out only
for a change that was saved, and a slow or absent mail server never holds up a request.
"""

import smtplib
import socket

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


class TemporaryMailFailure(Exception):
    """The mail server refused for now (a 4xx answer): the same message may go through later."""


# Worth another try: the server could not be reached, dropped the connection or said "later".
# A permanent refusal (a 5xx answer, an address the server rejects) would only fail again.
RETRYABLE_MAIL_ERRORS = (
    ConnectionError,
    TimeoutError,
    socket.gaierror,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    TemporaryMailFailure,
)

# Celery options of every mail task: retried with exponential back-off (with jitter, capped at
# 30 minutes; about two and a half hours in all), acknowledged only once done so a worker
# lost mid-send leaves the message to another.
MAIL_TASK_OPTIONS = {
    "acks_late": True,
    "autoretry_for": RETRYABLE_MAIL_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": 1800,
    "retry_jitter": True,
    "max_retries": 15,
    "soft_time_limit": 60,
    "time_limit": 90,
}


def absolute_url(path):
    """The address of a console page as a link in an e-mail: SITE_URL followed by the path."""
    return settings.SITE_URL + path


def render_mail(template, context):
    """The subject, plain text and HTML of mail/<template>: three templates, one content."""
    subject = render_to_string(f"mail/{template}_subject.txt", context)
    # A header holds one line.
    subject = " ".join(subject.split())
    text = render_to_string(f"mail/{template}.txt", context)
    html = render_to_string(f"mail/{template}.html", context)
    return subject, text, html


def send_templated_mail(*, to, template, context):
    """Render mail/<template> and send it to one address; a 4xx refusal raises TemporaryMailFailure."""
    subject, text, html = render_mail(template, context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as error:
        if all(400 <= code < 500 for code, _ in error.recipients.values()):
            raise TemporaryMailFailure(str(error)) from error
        raise
    except smtplib.SMTPResponseException as error:
        if 400 <= error.smtp_code < 500:
            raise TemporaryMailFailure(str(error)) from error
        raise
