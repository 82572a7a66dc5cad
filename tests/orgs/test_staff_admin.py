"""Staff manage members on their own admin list, through the services, and no bad post breaks a form."""

import pytest
from django.contrib import admin
from django.db import connection
from django.urls import reverse

from audit import actions
from audit.models import AuditEvent
from feedback.models import Feedback
from orgs.models import Membership, Organization
from retention.models import RetentionRun
from tests.audit.helpers import record_events
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, email="root@example.test"))
    return client


def _events(action):
    return list(AuditEvent.objects.filter(action=action).values_list("target", "old_value", "new_value", "actor_email"))


def test_staff_add_a_member_with_the_roles_of_the_org_kind_only(staff_client, console_org):
    person = UserFactory(email="new@example.test")
    page = staff_client.get(f"/admin/orgs/membership/add/?organization={console_org.pk}")
    assert [c for c, _ in page.context["adminform"].form.fields["role"].choices if c] == [
        "admin", "developer", "billing", "user"]
    response = staff_client.post(
        "/admin/orgs/membership/add/", {"organization": console_org.pk, "user": person.pk, "role": "developer"})
    assert response.status_code == 302
    assert Membership.objects.get(organization=console_org, user=person).role == "developer"
    assert _events("member.added") == [("member:new@example.test", None, "developer", "root@example.test")]

    # A claude role in a console org, or the same person twice: a form error, nothing written.
    again = staff_client.post(
        "/admin/orgs/membership/add/", {"organization": console_org.pk, "user": person.pk, "role": "owner"})
    assert again.status_code == 200
    assert again.context["adminform"].form.errors
    assert Membership.objects.filter(user=person).count() == 1
    assert AuditEvent.objects.filter(action="member.added").count() == 1


def test_staff_transfer_primary_ownership_and_remove_members_with_their_audit_events(staff_client, claude_members):
    owner, primary = claude_members["owner"], claude_members["primary_owner"]
    page = staff_client.get(f"/admin/orgs/membership/{owner.pk}/change/")
    assert [c for c, _ in page.context["adminform"].form.fields["role"].choices if c] == [
        "primary_owner", "owner", "admin", "member"]
    assert staff_client.post(f"/admin/orgs/membership/{owner.pk}/change/", {"role": "primary_owner"}).status_code == 302
    owner.refresh_from_db()
    primary.refresh_from_db()
    assert (owner.role, primary.role) == ("primary_owner", "owner")
    assert len(_events("member.primary_owner.transferred")) == 1

    # The Primary Owner cannot be removed: the reason is shown, the membership stays.
    refused = staff_client.post(f"/admin/orgs/membership/{owner.pk}/delete/", {"post": "yes"}, follow=True)
    assert "transfer Primary Ownership first" in refused.content.decode()
    assert Membership.objects.filter(pk=owner.pk).exists()

    member = claude_members["member"]
    assert staff_client.post(f"/admin/orgs/membership/{member.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()
    assert _events("member.removed") == [(f"member:{member.user.email}", "member", None, "root@example.test")]


def test_membership_list_is_paginated_searchable_and_filtered_to_one_org(staff_client, claude_org):
    other = MembershipFactory(user__email="elsewhere@example.test")
    for i in range(120):
        MembershipFactory(organization=claude_org, user__email=f"p{i:03}@example.test")
    url = f"/admin/orgs/membership/?organization__id__exact={claude_org.pk}"
    page = staff_client.get(url)
    assert page.context["cl"].result_count == 120
    assert len(page.context["cl"].result_list) == 100
    assert other.user.email not in page.content.decode()
    found = staff_client.get(url + "&q=P011@example.test")
    assert [m.user.email for m in found.context["cl"].result_list] == ["p011@example.test"]
    # Part of an address finds nobody: the search is one lookup on the unique e-mail index.
    assert list(staff_client.get(url + "&q=p011").context["cl"].result_list) == []


def test_org_form_shows_only_the_fields_of_its_kind(staff_client, claude_org, console_org):
    claude = staff_client.get(f"/admin/orgs/organization/{claude_org.pk}/change/").context["adminform"].form
    console = staff_client.get(f"/admin/orgs/organization/{console_org.pk}/change/").context["adminform"].form
    assert "thumbs_feedback_enabled" in claude.fields and "workbench_feedback_enabled" not in claude.fields
    assert "workbench_feedback_enabled" in console.fields
    assert "thumbs_feedback_enabled" not in console.fields and "plan" not in console.fields


def test_refusals_and_model_errors_are_form_errors(staff_client, team_org, claude_org):
    # Thumbs Feedback on a Team plan: the service refuses; the reason sits beside the checkbox.
    response = staff_client.post(
        f"/admin/orgs/organization/{team_org.pk}/change/", {"name": team_org.name, "slug": team_org.slug, "plan": "team"})
    assert response.status_code == 200
    assert "Enterprise plan only" in str(response.context["adminform"].form.errors["thumbs_feedback_enabled"])
    team_org.refresh_from_db()
    assert team_org.thumbs_feedback_enabled is True

    # A claude org without a plan, a slug already taken: form errors, no organization created.
    response = staff_client.post(
        "/admin/orgs/organization/add/", {"name": "New", "slug": claude_org.slug, "kind": "claude", "plan": ""})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Organization.objects.filter(name="New").exists()
    assert not AuditEvent.objects.filter(action="org.created").exists()


BAD_VALUES = ["", "\x00", "x" * 5000, "-1", "99999999999999999999", "not a date", "<script>", "0"]


def _admin_forms(claude_org, console_org):
    """Every registered model's add form, and its change form for one stored object."""
    member = MembershipFactory(organization=claude_org, role="member")
    MembershipFactory(organization=console_org, role="admin")
    [event] = record_events(claude_org, 1, action=actions.ORG_CREATED)
    report = Feedback.objects.create(surface="chat", rating="up", conversation={"messages": []})
    run = RetentionRun.objects.create(started_at="2026-01-01T00:00:00Z", retention_years=5, cutoff="2021-01-01T00:00:00Z")
    objects = {Organization: [claude_org, console_org], Membership: [member], AuditEvent: [event],
               Feedback: [report], RetentionRun: [run]}
    for model, _model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        yield reverse("admin:{}_{}_add".format(*info))
        for obj in objects.get(model, [model.objects.order_by("pk").first()]):
            if obj is not None:
                yield reverse("admin:{}_{}_change".format(*info), args=[obj.pk])


def test_every_admin_form_answers_bad_values_without_a_500(staff_client, claude_org, console_org):
    for url in _admin_forms(claude_org, console_org):
        page = staff_client.get(url)
        if page.status_code != 200:
            assert page.status_code == 403, url
            continue
        fields = list(page.context["adminform"].form.fields)
        for bad in BAD_VALUES:
            if bad.isdigit() and len(bad) > 18 and connection.vendor == "sqlite":
                continue  # SQLite cannot bind integers past 64 bits (Django's own Group form fails); production is PostgreSQL
            query = f"?organization={bad}" if "membership/add" in url else ""
            response = staff_client.post(url + query, dict.fromkeys(fields, bad))
            # A NUL anywhere is refused before the admin reads it (console.middleware.UnreadableInputMiddleware).
            expected = (400,) if "\x00" in bad and fields else (200, 302, 403)
            assert response.status_code in expected, (url, bad, response.status_code)


def test_audit_search_answers_exact_email_action_prefix_and_org_slug(staff_client, claude_org, console_org):
    record_events(claude_org, 1, action=actions.ROLE_CHANGED, actor_email="a@example.test")
    record_events(console_org, 1, action=actions.WORKBENCH_FEEDBACK_CHANGED, actor_email="")

    def found(**params):
        cl = staff_client.get("/admin/audit/auditevent/", params).context["cl"]
        return sorted(e.action for e in cl.result_list)

    assert found(q="a@example.test") == ["member.role.changed"]
    assert found(q="example.test") == []  # not a part of an address: exact e-mail only
    assert found(q="settings.") == ["settings.workbench_feedback.changed"]
    assert found(q=console_org.slug) == ["settings.workbench_feedback.changed"]
    assert found(action_group="member.") == ["member.role.changed"]


def test_report_list_filters_any_date_range_and_refuses_a_bad_date_without_a_500(staff_client):
    for day in ("2025-12-31", "2026-01-15", "2026-02-01"):
        Feedback.objects.create(surface="chat", rating="up", conversation={"messages": []},
                                created_at=f"{day}T12:00:00Z")
    url = "/admin/feedback/feedback/"
    page = staff_client.get(url, {"created_at__gte": "2026-01-01", "created_at__lt": "2026-02-01", "rating__exact": "up"})
    assert [r.created_at.date().isoformat() for r in page.context["cl"].result_list] == ["2026-01-15"]
    html = page.content.decode()
    assert 'name="created_at__gte" value="2026-01-01"' in html
    assert 'type="hidden" name="rating__exact" value="up"' in html
    assert staff_client.get(url, {"created_at__gte": "not a date"}).status_code in (200, 302)


def test_membership_list_filters_by_organization_without_listing_every_organization(
        staff_client, claude_org, django_assert_max_num_queries):
    MembershipFactory(organization=claude_org, user__email="in@example.test")
    others = [MembershipFactory(user__email=f"o{i}@example.test").organization for i in range(30)]
    page = staff_client.get("/admin/orgs/membership/").content.decode()
    assert 'name="organization"' in page  # a search box by slug
    assert not any(org.name in page.split('id="changelist-filter"')[1] for org in others)
    by_slug = staff_client.get(f"/admin/orgs/membership/?organization={claude_org.slug.upper()}")
    assert [m.user.email for m in by_slug.context["cl"].result_list] == ["in@example.test"]
    assert claude_org.name in by_slug.content.decode().split('id="changelist-filter"')[1]
    by_id = staff_client.get(f"/admin/orgs/membership/?organization__id__exact={claude_org.pk}&role__exact=member")
    assert [m.user.email for m in by_id.context["cl"].result_list] == ["in@example.test"]
    unknown = staff_client.get("/admin/orgs/membership/?organization=no-such-org")
    assert unknown.status_code == 200
    assert list(unknown.context["cl"].result_list) == []
    assert "No organization “no-such-org”" in unknown.content.decode()
    for bad in ["abc", "99999999999999999999"]:
        assert staff_client.get(f"/admin/orgs/membership/?organization__id__exact={bad}").status_code == 200
    # A NUL is refused before any view reads it (console.middleware.UnreadableInputMiddleware).
    assert staff_client.get("/admin/orgs/membership/?organization__id__exact=%00").status_code == 400
    with django_assert_max_num_queries(12):
        staff_client.get(f"/admin/orgs/membership/?organization={others[0].slug}")
