"""Celery tasks of identity: thin wrappers over identity.services."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services


# Each domain is re-checked in its own transaction: a retry after a lost connection repeats only look-ups.
@shared_task(name="identity.tasks.recheck_verified_domains", acks_late=True, soft_time_limit=1800, time_limit=1900,
             autoretry_for=(OperationalError, InterfaceError), retry_backoff=30, max_retries=3)
def recheck_verified_domains():
    """Daily: re-check every verified domain's TXT record; returns how many were un-verified."""
    return services.recheck_verified_domains()
