"""Celery tasks of the retention app: thin wrappers over retention.services."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services

# A lost database connection is worth a retry: the batches already committed stay done.
RETRY = {"autoretry_for": (OperationalError, InterfaceError), "retry_backoff": 30, "max_retries": 3}


@shared_task(name="retention.tasks.purge_expired_feedback", bind=True, acks_late=True,
             soft_time_limit=services.PURGE_SOFT_TIME_LIMIT, time_limit=services.PURGE_TIME_LIMIT, **RETRY)
def purge_expired_feedback(self):
    """Delete every feedback report past the retention period; returns how many were deleted."""
    return services.purge_expired_feedback(task_id=self.request.id or "").rows_deleted


@shared_task(name="retention.tasks.check_retention_invariants", acks_late=True, soft_time_limit=300, time_limit=360,
             **RETRY)
def check_retention_invariants():
    """Check that no report outlived the period and none can be linked; returns the problem count."""
    run = services.check_retention_invariants()
    return (run.overdue_reports or 0) + len(run.identifying_columns)


@shared_task(name="retention.tasks.create_feedback_partitions", acks_late=True, soft_time_limit=300, time_limit=360,
             **RETRY)
def create_feedback_partitions():
    """Make the coming days' partitions of the feedback table; returns how many were created."""
    return len(services.create_feedback_partitions())
