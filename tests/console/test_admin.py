import pytest

from audit.models import AuditEvent
from console.models import User
from tests.audit.helpers import record_events
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def staff_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, email="root@example.test"))
    return client


@pytest.mark.django_db
def test_audit_events_cannot_be_added_changed_or_deleted_in_admin_even_by_superusers(staff_client, claude_org):
    [event] = record_events(claude_org, 1)
    assert staff_client.get("/admin/audit/auditevent/").status_code == 200
    assert staff_client.get("/admin/audit/auditevent/add/").status_code == 403
    detail = staff_client.get(f"/admin/audit/auditevent/{event.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    response = staff_client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"action": "forged"})
    assert response.status_code == 403
    assert staff_client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == "settings.thumbs_feedback.changed"


@pytest.mark.django_db
def test_admin_org_page_counts_members_by_role_and_links_to_their_list(staff_client, claude_members):
    assert staff_client.get("/admin/console/user/").status_code == 200
    org = claude_members["owner"].organization
    page = staff_client.get(f"/admin/orgs/organization/{org.pk}/change/").content.decode()
    assert "Primary Owner: 1, Owner: 1, Admin: 1, Member: 1" in page
    assert f"/admin/orgs/membership/?organization__id__exact={org.pk}" in page
    assert claude_members["owner"].user.email not in page  # members are listed on their own page
    listed = staff_client.get(f"/admin/orgs/membership/?organization__id__exact={org.pk}").content.decode()
    assert claude_members["owner"].user.email in listed


def _org_form(org, **overrides):
    data = {
        "name": org.name, "slug": org.slug, "plan": org.plan,
        "thumbs_feedback_enabled": "on" if org.thumbs_feedback_enabled else "",
        "workbench_feedback_enabled": "on" if org.workbench_feedback_enabled else "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


@pytest.mark.django_db
def test_admin_setting_change_goes_through_the_service_and_is_audited_with_staff_as_actor(staff_client, claude_members):
    org = claude_members["owner"].organization
    data = _org_form(org)
    data.pop("thumbs_feedback_enabled")
    response = staff_client.post(f"/admin/orgs/organization/{org.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    org.refresh_from_db()
    assert org.thumbs_feedback_enabled is False
    event = AuditEvent.objects.get(action="settings.thumbs_feedback.changed")
    assert event.actor_email == "root@example.test"
    assert (event.old_value, event.new_value) == (True, False)


@pytest.mark.django_db
def test_admin_role_change_is_audited_and_refusals_change_nothing(staff_client, console_org):
    admin = MembershipFactory(organization=console_org, role="admin")
    dev = MembershipFactory(organization=console_org, role="developer")
    response = staff_client.post(f"/admin/orgs/membership/{dev.pk}/change/", {"role": "billing"})
    assert response.status_code == 302
    dev.refresh_from_db()
    assert dev.role == "billing"
    assert AuditEvent.objects.filter(action="member.role.changed", actor_email="root@example.test").count() == 1

    # Demoting the last Org Admin is refused: the form comes back with the reason beside the role.
    response = staff_client.post(f"/admin/orgs/membership/{admin.pk}/change/", {"role": "user"})
    assert response.status_code == 200
    assert "at least one Org Admin" in str(response.context["adminform"].form.errors["role"])
    admin.refresh_from_db()
    assert admin.role == "admin"
    assert AuditEvent.objects.filter(action="member.role.changed").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("admın@example.test", "look-alikes"),  # Django's own check lets a dotless ı through
        ("owner@exａmple.test", "looks like a plain letter"),
        ("OWNER@Example.TEST", "already exists"),  # a spelling of an existing account
    ],
)
def test_staff_cannot_add_a_look_alike_or_a_second_spelling_of_an_account(staff_client, typed, error):
    UserFactory(email="owner@example.test")
    response = staff_client.post(
        "/admin/console/user/add/",
        {"email": typed, "usable_password": "false", "password1": "", "password2": ""},
    )
    assert response.status_code == 200
    assert error in str(response.context["adminform"].form.errors["email"])
    assert sorted(User.objects.values_list("email", flat=True)) == ["owner@example.test", "root@example.test"]


@pytest.mark.django_db
def test_staff_add_an_account_in_its_normal_form_and_find_it_by_any_spelling(staff_client):
    response = staff_client.post(
        "/admin/console/user/add/", {"email": "Kate@BÜCHER.example", "usable_password": "false"}
    )
    assert response.status_code == 302
    assert User.objects.filter(email="kate@bücher.example").exists()
    for spelling in ["KATE@xn--bcher-kva.example", " kate@Bücher.example "]:
        listed = staff_client.get("/admin/console/user/", {"q": spelling}).context["cl"].result_list
        assert [user.email for user in listed] == ["kate@bücher.example"]
    assert list(staff_client.get("/admin/console/user/", {"q": "katе@bücher.example"}).context["cl"].result_list) == []
