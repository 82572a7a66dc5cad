"""The daily re-check of verified domains, scheduled by beat and run by a real worker."""

from datetime import timedelta

import pytest
from django.utils import timezone

from console.celery import app
from identity import tasks
from identity.models import Domain
from tests.factories import OrganizationFactory


def test_beat_rechecks_domains_daily():
    schedule = {entry["task"]: entry for entry in app.conf.beat_schedule.values()}
    assert schedule["identity.tasks.recheck_verified_domains"]["schedule"] == 24 * 60 * 60


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_unverifies_a_domain_whose_record_is_gone_for_seven_days(celery_worker_session, dns):
    org = OrganizationFactory()
    long_gone = Domain.objects.create(organization=org, name="gone.test", verified_at=timezone.now() - timedelta(days=30),
                                      failing_since=timezone.now() - timedelta(days=8))
    kept = Domain.objects.create(organization=org, name="kept.test", verified_at=timezone.now() - timedelta(days=30))
    dns.publish(kept.record_name, kept.record_value)
    assert tasks.recheck_verified_domains.delay().get(timeout=60) == 1
    long_gone.refresh_from_db()
    kept.refresh_from_db()
    assert not long_gone.is_verified and kept.is_verified and kept.last_checked_at is not None
