"""Staff reads of reports are on the record: who, when, which report or range, from where; never a customer."""

import io
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from feedback.models import Feedback, StaffAccess
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    return Feedback.objects.create(surface="chat", rating="up", comment="fine", conversation={"messages": []},
                                   created_at=datetime(2026, 6, 1, tzinfo=UTC))


@pytest.fixture
def staff():
    return UserFactory(email="staff@acme.test", is_staff=True, is_superuser=True)


def test_opening_a_report_in_the_admin_writes_a_record_naming_staff_report_and_address(client, staff, report):
    MembershipFactory(role="owner")  # a customer exists; the record must not name anyone but staff
    client.force_login(staff)
    response = client.get(f"/admin/feedback/feedback/{report.pk}/change/", REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 200
    [record] = StaffAccess.objects.all()
    assert (record.kind, record.staff, record.staff_email, record.feedback_id, record.ip_address, record.origin) == (
        "report.viewed", staff, "staff@acme.test", report.pk, "192.0.2.44", "admin"
    )
    client.get(f"/admin/feedback/feedback/{report.pk}/change/")
    assert StaffAccess.objects.count() == 2


def test_the_report_list_and_a_missing_report_write_no_record(client, staff, report):
    client.force_login(staff)
    assert client.get("/admin/feedback/feedback/").status_code == 200
    client.get("/admin/feedback/feedback/00000000-0000-0000-0000-000000000000/change/")
    assert not StaffAccess.objects.exists()


def test_every_export_writes_a_record_with_its_date_range_and_count(staff, report):
    err = io.StringIO()
    call_command("export_feedback", "--since", "2026-05-01", "--staff", "STAFF@acme.test",
                 stdout=io.StringIO(), stderr=err)
    [record] = StaffAccess.objects.all()
    assert record.kind == "reports.exported" and record.staff == staff
    assert record.since == datetime(2026, 5, 1, tzinfo=UTC)
    assert record.until is not None and record.report_count == 1
    assert record.origin.startswith("export_feedback on ")


def test_an_export_without_a_staff_account_is_refused_and_writes_nothing(report):
    UserFactory(email="customer@acme.test")
    for who in ("customer@acme.test", "nobody@acme.test"):
        with pytest.raises(CommandError, match="--staff must be"):
            call_command("export_feedback", "--since", "2026-05-01", "--staff", who, stdout=io.StringIO())
    assert not StaffAccess.objects.exists()


def test_records_cannot_be_changed_or_deleted(staff, report):
    record = StaffAccess.objects.create(kind="report.viewed", staff=staff, staff_email=staff.email,
                                        feedback_id=report.pk, origin="admin")
    record.origin = "elsewhere"
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()
    assert StaffAccess.objects.get().origin == "admin"


def test_superusers_see_a_read_only_list_and_other_staff_do_not_see_it(client, staff, report):
    record = StaffAccess.objects.create(kind="report.viewed", staff=staff, staff_email=staff.email,
                                        feedback_id=report.pk, origin="admin")
    client.force_login(staff)
    listing = client.get("/admin/feedback/staffaccess/")
    assert listing.status_code == 200 and "staff@acme.test" in listing.content.decode()
    detail = client.get(f"/admin/feedback/staffaccess/{record.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.post(f"/admin/feedback/staffaccess/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"/admin/feedback/staffaccess/{record.pk}/change/", {"origin": "x"}).status_code == 403
    assert StaffAccess.objects.get().origin == "admin"

    from django.contrib.auth.models import Permission

    helper = UserFactory(email="helper@acme.test", is_staff=True)
    helper.user_permissions.add(*Permission.objects.filter(codename__endswith="staffaccess"))
    client.force_login(helper)
    assert client.get("/admin/feedback/staffaccess/").status_code == 403


@pytest.mark.postgres
def test_the_database_refuses_to_change_or_delete_a_record_but_keeps_it_when_the_staff_account_goes(staff, report):
    from django.db import DatabaseError, transaction

    StaffAccess.objects.create(kind="report.viewed", staff=staff, staff_email=staff.email,
                               feedback_id=report.pk, origin="admin")
    for attempt in (lambda: StaffAccess.objects.update(origin="elsewhere"), lambda: StaffAccess.objects.all().delete()):
        with pytest.raises(DatabaseError, match="never changed or deleted"), transaction.atomic():
            attempt()
    staff.delete()
    record = StaffAccess.objects.get()
    assert (record.staff, record.staff_email, record.origin) == (None, "staff@acme.test", "admin")
