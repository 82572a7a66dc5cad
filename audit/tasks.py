"""Celery tasks of the audit app: the daily verification of every chain."""

from celery import shared_task

from . import services


@shared_task(name="audit.tasks.verify_audit_chains", acks_late=True, soft_time_limit=3 * 3600, time_limit=3 * 3600 + 60)
def verify_audit_chains():
    """Verify every audit chain, record the result, mail ADMINS if one is broken; returns the number broken."""
    return services.verify_and_alert()
