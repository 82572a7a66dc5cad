"""Console-wide tasks."""

from celery import shared_task


@shared_task(name="console.tasks.ping", time_limit=10, soft_time_limit=5)
def ping():
    """Answer "pong": proves a worker takes tasks from the broker and returns results."""
    return "pong"
