import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from retention.models import RetentionRun, RunStatus
from tests.factories import UserFactory

LIST = "/admin/retention/retentionrun/"
RUN_PURGE = "/admin/retention/retentionrun/run-purge/"


def staff_with(*codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="retention", codename__in=codenames))
    return user


def make_run(started, seconds, rows):
    return RetentionRun.objects.create(started_at=started, finished_at=started + dt.timedelta(seconds=seconds),
                                       retention_years=5, cutoff=started, rows_deleted=rows,
                                       status=RunStatus.SUCCEEDED)


@pytest.mark.django_db
def test_history_is_read_only_newest_first_with_duration_and_rate(client):
    client.force_login(staff_with("view_retentionrun"))
    now = timezone.now()
    older, newer = make_run(now - dt.timedelta(hours=2), 4, 1000), make_run(now - dt.timedelta(hours=1), 2, 5000)
    page = client.get(LIST).content.decode()
    assert page.index(f"/{newer.pk}/change/") < page.index(f"/{older.pk}/change/")
    assert "4.0 s" in page and "2.0 s" in page
    assert "2,500" in page and "250" in page
    assert "Run purge now" not in page
    assert client.get(f"{LIST}add/").status_code == 403
    assert 'name="_save"' not in client.get(f"{LIST}{newer.pk}/change/").content.decode()
    assert client.post(f"{LIST}{newer.pk}/change/", {"status": "failed"}).status_code == 403
    assert client.post(f"{LIST}{newer.pk}/delete/", {"post": "yes"}).status_code == 403
    assert RetentionRun.objects.count() == 2


@pytest.mark.django_db
def test_staff_without_the_permission_cannot_start_a_purge(client):
    client.force_login(staff_with("view_retentionrun"))
    assert client.post(RUN_PURGE).status_code == 403


@pytest.mark.django_db
def test_run_purge_only_accepts_post(client):
    client.force_login(staff_with("view_retentionrun", "run_purge"))
    assert client.get(RUN_PURGE).status_code == 405


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_run_purge_now_enqueues_the_task_and_shows_its_id(client, celery_worker_session):
    from celery.result import AsyncResult

    client.force_login(staff_with("view_retentionrun", "run_purge"))
    assert "Run purge now" in client.get(LIST).content.decode()
    response = client.post(RUN_PURGE, follow=True)
    assert response.redirect_chain[-1][0] == LIST
    message = [str(m) for m in response.context["messages"]][0]
    assert message.startswith("Purge queued as task ")
    task_id = message.removeprefix("Purge queued as task ").rstrip(".")
    assert AsyncResult(task_id).get(timeout=60) == 0
    assert RetentionRun.objects.get(task_id=task_id).status == RunStatus.SUCCEEDED
