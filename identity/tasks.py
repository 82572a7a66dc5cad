"""Celery tasks of identity: thin wrappers over its services."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def recheck_verified_domains():
    """Daily: re-check every verified domain's TXT record; returns how many were un-verified."""
    return services.recheck_verified_domains()
