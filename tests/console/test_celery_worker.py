import pytest
from django.conf import settings

from console.tasks import ping


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_through_the_configured_broker(celery_worker_session):
    result = ping.delay()
    assert result.get(timeout=30) == "pong"
    assert result.successful()
    expected_scheme = "redis" if settings.REDIS_URL else "filesystem"
    assert celery_worker_session.app.conf.broker_url.split(":")[0] == expected_scheme
