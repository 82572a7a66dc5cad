import io
import json
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from feedback.models import Feedback
from tests.factories import UserFactory


@pytest.fixture
def reports(db):
    old = Feedback.objects.create(surface="chat", rating="up", conversation={"messages": []},
                                  created_at=datetime(2026, 1, 1, tzinfo=UTC))
    new = Feedback.objects.create(surface="workbench", rating="down", comment="meh", message_index=1,
                                  conversation={"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "RATED"}]},
                                  created_at=datetime(2026, 6, 1, tzinfo=UTC))
    return old, new


def test_export_writes_one_delinked_report_per_line_since_the_date(reports):
    out = io.StringIO()
    UserFactory(email="staff@acme.test", is_staff=True)
    call_command("export_feedback", "--since", "2026-03-01", "--staff", "staff@acme.test", stdout=out, stderr=io.StringIO())
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert set(record) == {"id", "surface", "kind", "rating", "comment", "conversation", "message_index", "created_at"}
    assert record["id"] == str(reports[1].id)
    assert record["message_index"] == 1


def test_export_rejects_a_bad_date(reports):
    with pytest.raises(CommandError, match="--since must be a date"):
        call_command("export_feedback", "--since", "last tuesday", "--staff", "x@acme.test", stdout=io.StringIO())


@pytest.mark.django_db
def test_reports_are_read_only_in_admin(client, reports):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    report = reports[0]
    assert client.get("/admin/feedback/feedback/").status_code == 200
    assert client.get("/admin/feedback/feedback/add/").status_code == 403
    page = client.get(f"/admin/feedback/feedback/{report.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(f"/admin/feedback/feedback/{report.pk}/change/", {"comment": "forged"}).status_code == 403
    assert client.post(f"/admin/feedback/feedback/{report.pk}/delete/", {"post": "yes"}).status_code == 403


@pytest.mark.django_db
def test_admin_shows_which_response_was_rated(client, reports):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = client.get("/admin/feedback/feedback/").content.decode()
    assert "column-message_index" in listing
    page = client.get(f"/admin/feedback/feedback/{reports[1].pk}/change/").content.decode()
    assert "rated response" in page.lower()
    assert "RATED" in page
    older = client.get(f"/admin/feedback/feedback/{reports[0].pk}/change/").content.decode()
    assert "not recorded" in older


@pytest.mark.django_db
def test_staff_without_the_view_permission_cannot_see_reports(client, reports):
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/admin/feedback/feedback/").status_code == 403
