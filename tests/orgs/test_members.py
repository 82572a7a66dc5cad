"""Members page and every role rule: refusals are clear messages, never a 500."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from audit.models import AuditEvent
from orgs import permissions, services
from orgs.models import Membership
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _role(membership):
    return Membership.objects.get(pk=membership.pk).role


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def _change(client, actor_m, target_m, role):
    """Change a role as the page does, confirming it as the confirmation page would for a demotion."""
    client.force_login(actor_m.user)
    url = reverse("orgs:member-role", args=[target_m.organization.slug, target_m.pk])
    return client.post(url, {"role": role, "confirmed": "yes", "from_role": target_m.role}, follow=True)


def _ask_to_change(client, actor_m, target_m, role):
    """Pick a role and press Change role on the Members page, without any confirmation."""
    client.force_login(actor_m.user)
    url = reverse("orgs:member-role", args=[target_m.organization.slug, target_m.pk])
    return client.post(url, {"role": role})


# Members page


@pytest.mark.parametrize("role", ["primary_owner", "owner", "admin", "member"])
def test_every_member_sees_the_list_with_names_emails_and_roles(client, claude_members, role):
    client.force_login(claude_members[role].user)
    response = client.get(reverse("orgs:members", args=["claude-ent"]))
    html = response.content.decode()
    assert response.status_code == 200
    for m in claude_members.values():
        assert m.user.email in html
        assert m.user.full_name in html
    assert "Primary Owner" in html


def test_members_list_is_paginated_at_50(client, claude_members):
    for _ in range(60):
        MembershipFactory(organization=claude_members["owner"].organization, role="member")
    client.force_login(claude_members["owner"].user)
    first = client.get(reverse("orgs:members", args=["claude-ent"]))
    second = client.get(reverse("orgs:members", args=["claude-ent"]), {"page": 2})
    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 14
    assert "Page 1 of 2" in first.content.decode()


def test_members_and_admins_see_no_role_controls(client, claude_members):
    client.force_login(claude_members["admin"].user)
    html = client.get(reverse("orgs:members", args=["claude-ent"])).content.decode()
    assert "Change role" not in html
    assert "Only the Primary Owner and Owners can change roles" in html


def test_owner_sees_controls_only_for_those_below_them(client, claude_members):
    client.force_login(claude_members["owner"].user)
    rows = {r["membership"].role: r for r in client.get(reverse("orgs:members", args=["claude-ent"])).context["rows"]}
    assert rows["primary_owner"]["assignable"] == []
    assert rows["owner"]["is_self"] and rows["owner"]["assignable"] == []
    assert [v for v, _ in rows["member"]["assignable"]] == ["owner", "admin", "member"]
    assert rows["member"]["can_remove"]
    assert not any(r["can_transfer"] for r in rows.values())


def test_only_the_primary_owner_sees_the_transfer_control(client, claude_members):
    client.force_login(claude_members["primary_owner"].user)
    rows = client.get(reverse("orgs:members", args=["claude-ent"])).context["rows"]
    assert sorted(r["membership"].role for r in rows if r["can_transfer"]) == ["admin", "member", "owner"]


# Role changes (claude)


@pytest.mark.parametrize(("actor", "target", "role"), [
    ("primary_owner", "owner", "admin"),
    ("primary_owner", "member", "owner"),
    ("owner", "member", "admin"),
    ("owner", "admin", "member"),
    ("owner", "member", "owner"),
])
def test_owners_change_roles_below_their_own(client, claude_members, actor, target, role):
    response = _change(client, claude_members[actor], claude_members[target], role)
    assert _role(claude_members[target]) == role
    assert any("is now" in m for m in _messages(response))
    event = AuditEvent.objects.get()
    assert (event.action, event.old_value, event.new_value) == ("member.role.changed", target, role)
    assert event.actor == claude_members[actor].user


# Demotions are confirmed first


@pytest.mark.parametrize(("kind", "actor", "target", "role"), [
    ("claude", "primary_owner", "owner", "admin"),
    ("claude", "primary_owner", "owner", "member"),
    ("claude", "owner", "admin", "member"),
    ("console", "admin", "developer", "user"),
    ("console", "admin", "billing", "user"),
])
def test_a_demotion_asks_for_confirmation_and_changes_nothing(
    client, claude_members, console_members, kind, actor, target, role
):
    members = claude_members if kind == "claude" else console_members
    target_m = members[target]
    response = _ask_to_change(client, members[actor], target_m, role)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Change {target_m.user.email} to " in html
    assert 'name="confirmed" value="yes"' in html
    assert f'name="role" value="{role}"' in html
    assert f'name="from_role" value="{target}"' in html
    assert f'action="{reverse("orgs:member-role", args=[target_m.organization.slug, target_m.pk])}"' in html
    assert _role(target_m) == target
    assert not AuditEvent.objects.exists()


def test_the_demotion_page_names_both_roles_and_what_a_decider_loses(client, claude_members):
    target = claude_members["owner"]
    html = _ask_to_change(client, claude_members["primary_owner"], target, "admin").content.decode()
    assert f"Change {target.user.email} to Admin?" in html
    assert f"will go from Owner to Admin in {target.organization.name} at once" in html
    assert "no longer be able to change Thumbs Feedback, manage members or read the audit log" in html


def test_the_demotion_page_does_not_claim_a_loss_of_powers_the_person_never_had(client, claude_members):
    html = _ask_to_change(client, claude_members["owner"], claude_members["admin"], "member").content.decode()
    assert "will go from Admin to Member" in html
    assert "no longer be able to" not in html


def test_posting_the_confirmation_page_makes_the_demotion(client, claude_members):
    target = claude_members["owner"]
    _ask_to_change(client, claude_members["primary_owner"], target, "member")
    url = reverse("orgs:member-role", args=["claude-ent", target.pk])
    response = client.post(url, {"role": "member", "from_role": "owner", "confirmed": "yes"}, follow=True)
    assert _role(target) == "member"
    assert f"{target.user.email} is now Member." in _messages(response)
    event = AuditEvent.objects.get()
    assert (event.action, event.old_value, event.new_value) == ("member.role.changed", "owner", "member")


def test_confirmed_without_the_role_it_was_confirmed_from_still_asks(client, claude_members):
    target = claude_members["admin"]
    client.force_login(claude_members["owner"].user)
    url = reverse("orgs:member-role", args=["claude-ent", target.pk])
    response = client.post(url, {"role": "member", "confirmed": "yes"})
    assert "Change " in response.content.decode() and response.status_code == 200
    assert _role(target) == "admin"
    assert not AuditEvent.objects.exists()


def test_a_demotion_confirmed_from_a_role_that_changed_meanwhile_changes_nothing(client, claude_members):
    target = claude_members["admin"]
    _ask_to_change(client, claude_members["primary_owner"], target, "member")
    services.change_member_role(actor=claude_members["primary_owner"].user, membership=target, role="owner")
    url = reverse("orgs:member-role", args=["claude-ent", target.pk])
    response = client.post(url, {"role": "member", "from_role": "admin", "confirmed": "yes"}, follow=True)
    assert _role(target) == "owner"
    assert _messages(response) == [
        permissions.ERR_ROLE_CHANGED_MEANWHILE.format(email=target.user.email, role="Owner")
    ]
    assert AuditEvent.objects.count() == 1


def test_a_change_decided_on_a_role_that_changed_before_the_lock_changes_nothing(client, console_members, monkeypatch):
    """The view reads the role, another Org Admin promotes the person, then the view's service call
    runs: what the view judged a promotion (no confirmation) would now be a demotion. Nothing changes."""
    from orgs import views

    target, other_admin = console_members["user"], MembershipFactory(organization=console_members["admin"].organization, role="admin")
    stale = Membership.objects.select_related("user", "organization").get(pk=target.pk)
    services.change_member_role(actor=other_admin.user, membership=target, role="admin")
    monkeypatch.setattr(views, "_target_or_404", lambda membership, member_id: stale)
    response = _ask_to_change(client, console_members["admin"], target, "developer")
    assert response.status_code == 302
    assert _role(target) == "admin"
    assert _messages(client.get(response["Location"])) == [
        permissions.ERR_ROLE_CHANGED_MEANWHILE.format(email=target.user.email, role="Org Admin")
    ]


@pytest.mark.parametrize("field", ["role", "from_role"])
@pytest.mark.parametrize(
    ("bad", "status"), [(b"member%00", 400), (b"%ED%A0%80", 400), (b"x" * 10_000, 200), (b"%FF%FE", 400), (b"member%01", 200)]
)
def test_the_worst_role_values_are_refused_with_a_message_and_change_nothing(client, claude_members, field, bad, status):
    """A NUL, a lone surrogate's bytes, bytes that are not UTF-8 (400, unreadable), 10,000 characters: refused, not a 500."""
    target = claude_members["admin"]
    client.force_login(claude_members["owner"].user)
    fields = {"role": b"member", "from_role": b"admin", "confirmed": b"yes", field: bad}
    body = b"&".join(name.encode() + b"=" + value for name, value in fields.items())
    url = reverse("orgs:member-role", args=["claude-ent", target.pk])
    response = client.post(url, body, content_type="application/x-www-form-urlencoded", follow=True)
    assert response.status_code == status
    if status == 200:
        assert _messages(response) == [permissions.ERR_ROLE_FOR_KIND]
    assert _role(target) == "admin"
    assert not AuditEvent.objects.exists()


def test_the_service_refuses_a_change_from_a_role_the_member_no_longer_has(claude_members):
    target = claude_members["member"]
    with pytest.raises(services.ServiceError):
        services.change_member_role(
            actor=claude_members["owner"].user, membership=target, role="member", expected_role="admin"
        )
    assert _role(target) == "member"
    assert not AuditEvent.objects.exists()


def test_a_confirmation_naming_a_role_of_the_other_kind_is_refused(client, claude_members):
    target = claude_members["admin"]
    client.force_login(claude_members["owner"].user)
    url = reverse("orgs:member-role", args=["claude-ent", target.pk])
    response = client.post(url, {"role": "member", "from_role": "developer", "confirmed": "yes"}, follow=True)
    assert _messages(response) == [permissions.ERR_ROLE_FOR_KIND]
    assert _role(target) == "admin"


@pytest.mark.parametrize(("kind", "actor", "target", "role"), [
    ("claude", "owner", "member", "admin"),
    ("claude", "primary_owner", "admin", "owner"),
    ("console", "admin", "user", "developer"),
    ("console", "admin", "developer", "billing"),
])
def test_promotions_and_moves_at_the_same_rank_take_effect_at_once(
    client, claude_members, console_members, kind, actor, target, role
):
    members = claude_members if kind == "claude" else console_members
    response = _ask_to_change(client, members[actor], members[target], role)
    assert response.status_code == 302
    assert _role(members[target]) == role


def test_a_refused_demotion_says_why_at_once_without_a_confirmation(client, claude_members):
    other = MembershipFactory(organization=claude_members["owner"].organization, role="owner")
    response = _ask_to_change(client, claude_members["owner"], other, "member")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert _messages(response) == [permissions.ERR_ROLE_ABOVE_OWN]
    assert _role(other) == "owner"


@pytest.mark.parametrize("actor", ["primary_owner", "owner"])
def test_nobody_changes_their_own_role(client, claude_members, actor):
    response = _change(client, claude_members[actor], claude_members[actor], "member")
    assert response.status_code == 200
    assert permissions.ERR_OWN_ROLE in _messages(response)
    assert _role(claude_members[actor]) == actor
    assert not AuditEvent.objects.exists()


def test_owner_cannot_change_another_owner(client, claude_members):
    other = MembershipFactory(organization=claude_members["owner"].organization, role="owner")
    response = _change(client, claude_members["owner"], other, "member")
    assert permissions.ERR_ROLE_ABOVE_OWN in _messages(response)
    assert _role(other) == "owner"


def test_owner_cannot_change_the_primary_owner(client, claude_members):
    response = _change(client, claude_members["owner"], claude_members["primary_owner"], "member")
    assert permissions.ERR_PRIMARY_BY_TRANSFER in _messages(response)
    assert _role(claude_members["primary_owner"]) == "primary_owner"
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("actor", ["primary_owner", "owner"])
def test_primary_owner_role_cannot_be_granted_by_a_role_change(client, claude_members, actor):
    response = _change(client, claude_members[actor], claude_members["member"], "primary_owner")
    assert permissions.ERR_PRIMARY_BY_TRANSFER in _messages(response)
    assert _role(claude_members["member"]) == "member"
    assert not AuditEvent.objects.exists()


def test_a_role_of_the_other_kind_is_refused_with_a_message(client, claude_members):
    response = _change(client, claude_members["owner"], claude_members["member"], "developer")
    assert response.status_code == 200
    assert permissions.ERR_ROLE_FOR_KIND in _messages(response)
    assert _role(claude_members["member"]) == "member"


def test_nobody_grants_a_role_above_their_own_in_the_service(claude_members):
    with pytest.raises(services.NotAllowed):
        services.change_member_role(
            actor=claude_members["admin"].user, membership=claude_members["member"], role="owner"
        )


def test_giving_the_role_someone_already_has_writes_nothing(client, claude_members):
    _change(client, claude_members["owner"], claude_members["member"], "member")
    assert not AuditEvent.objects.exists()


def test_member_of_another_org_is_404_to_the_role_endpoint(client, claude_members, console_members):
    client.force_login(claude_members["owner"].user)
    url = reverse("orgs:member-role", args=["claude-ent", console_members["user"].pk])
    assert client.post(url, {"role": "member"}).status_code == 404


# Primary Ownership transfer


def test_transfer_asks_for_confirmation_first_and_changes_nothing(client, claude_members):
    client.force_login(claude_members["primary_owner"].user)
    url = reverse("orgs:member-transfer", args=["claude-ent", claude_members["admin"].pk])
    response = client.post(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Transfer Primary Ownership?" in html
    assert f'action="{url}"' in html
    assert _role(claude_members["primary_owner"]) == "primary_owner"
    assert not AuditEvent.objects.exists()


def test_confirmed_transfer_makes_the_old_primary_owner_an_owner(client, claude_members):
    client.force_login(claude_members["primary_owner"].user)
    url = reverse("orgs:member-transfer", args=["claude-ent", claude_members["admin"].pk])
    response = client.post(url, {"confirmed": "yes"}, follow=True)
    assert _role(claude_members["admin"]) == "primary_owner"
    assert _role(claude_members["primary_owner"]) == "owner"
    assert Membership.objects.filter(organization__slug="claude-ent", role="primary_owner").count() == 1
    assert any("is now the Primary Owner" in m for m in _messages(response))
    event = AuditEvent.objects.get()
    assert event.action == "member.primary_owner.transferred"
    assert event.new_value["primary_owner"] == claude_members["admin"].user.email
    assert event.old_value["primary_owner"] == claude_members["primary_owner"].user.email


def test_owner_cannot_transfer_primary_ownership_and_is_told_why(client, claude_members):
    client.force_login(claude_members["owner"].user)
    url = reverse("orgs:member-transfer", args=["claude-ent", claude_members["member"].pk])
    response = client.post(url, follow=True)
    assert permissions.ERR_TRANSFER in _messages(response)
    assert _role(claude_members["primary_owner"]) == "primary_owner"
    assert not AuditEvent.objects.exists()


def test_transfer_to_a_person_outside_the_org_is_refused(claude_members, outsider):
    foreign = Membership.objects.get(user=outsider)
    with pytest.raises(services.ServiceError):
        services.transfer_primary_ownership(actor=claude_members["primary_owner"].user, membership=foreign)
    assert _role(claude_members["primary_owner"]) == "primary_owner"


def test_console_orgs_have_no_primary_ownership_to_transfer(client, console_members):
    client.force_login(console_members["admin"].user)
    url = reverse("orgs:member-transfer", args=["console-org", console_members["developer"].pk])
    response = client.post(url, {"confirmed": "yes"}, follow=True)
    assert response.status_code == 200
    assert permissions.ERR_WRONG_KIND in _messages(response)
    assert _role(console_members["developer"]) == "developer"


# Removal


def test_remove_asks_for_confirmation_then_removes_with_an_audit_event(client, claude_members):
    client.force_login(claude_members["owner"].user)
    target = claude_members["member"]
    url = reverse("orgs:member-remove", args=["claude-ent", target.pk])
    confirm = client.post(url)
    assert confirm.status_code == 200
    assert f"Remove {target.user.email}?" in confirm.content.decode()
    assert Membership.objects.filter(pk=target.pk).exists()
    response = client.post(url, {"confirmed": "yes"}, follow=True)
    assert not Membership.objects.filter(pk=target.pk).exists()
    assert any("was removed" in m for m in _messages(response))
    event = AuditEvent.objects.get()
    assert (event.action, event.target, event.old_value) == ("member.removed", f"member:{target.user.email}", "member")


def test_owner_cannot_remove_the_primary_owner_and_is_told_why(client, claude_members):
    client.force_login(claude_members["owner"].user)
    url = reverse("orgs:member-remove", args=["claude-ent", claude_members["primary_owner"].pk])
    response = client.post(url, follow=True)
    assert permissions.ERR_REMOVE_PRIMARY in _messages(response)
    assert Membership.objects.filter(pk=claude_members["primary_owner"].pk).exists()


def test_nobody_removes_themselves_here(client, claude_members):
    client.force_login(claude_members["owner"].user)
    url = reverse("orgs:member-remove", args=["claude-ent", claude_members["owner"].pk])
    response = client.post(url, {"confirmed": "yes"}, follow=True)
    assert permissions.ERR_REMOVE_SELF in _messages(response)
    assert Membership.objects.filter(pk=claude_members["owner"].pk).exists()


# Console orgs


@pytest.mark.parametrize(("target", "role"), [("developer", "billing"), ("user", "admin"), ("billing", "user")])
def test_org_admins_manage_console_members(client, console_members, target, role):
    _change(client, console_members["admin"], console_members[target], role)
    assert _role(console_members[target]) == role


def test_org_admin_manages_another_org_admin(client, console_members):
    other = MembershipFactory(organization=console_members["admin"].organization, role="admin")
    _change(client, console_members["admin"], other, "developer")
    assert _role(other) == "developer"


def test_the_last_org_admin_cannot_demote_themselves(client, console_members):
    response = _change(client, console_members["admin"], console_members["admin"], "developer")
    assert permissions.ERR_OWN_ROLE in _messages(response)
    assert _role(console_members["admin"]) == "admin"


@pytest.fixture
def operator():
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_membership", "delete_membership"])
    )
    return staff


def test_the_last_org_admin_cannot_be_demoted(console_members, operator):
    with pytest.raises(services.ServiceError) as refused:
        services.change_member_role(actor=operator, membership=console_members["admin"], role="developer")
    assert refused.value.message == permissions.ERR_LAST_ADMIN
    assert _role(console_members["admin"]) == "admin"
    assert not AuditEvent.objects.exists()


def test_the_last_org_admin_cannot_be_removed(console_members, operator):
    with pytest.raises(services.ServiceError) as refused:
        services.remove_member(actor=operator, membership=console_members["admin"])
    assert refused.value.message == permissions.ERR_LAST_ADMIN
    assert Membership.objects.filter(pk=console_members["admin"].pk).exists()


def test_an_org_admin_can_be_demoted_while_another_remains(client, console_members):
    other = MembershipFactory(organization=console_members["admin"].organization, role="admin")
    services.change_member_role(actor=other.user, membership=console_members["admin"], role="user")
    assert _role(console_members["admin"]) == "user"
    # Now `other` is the last one: the demoted admin can no longer act, and `other` cannot demote themselves.
    with pytest.raises(services.NotAllowed):
        services.change_member_role(actor=console_members["admin"].user, membership=other, role="user")
    assert _role(other) == "admin"


def test_removing_a_console_admin_when_two_remain_is_allowed_in_the_page(client, console_members):
    other = MembershipFactory(organization=console_members["admin"].organization, role="admin")
    client.force_login(console_members["admin"].user)
    client.post(reverse("orgs:member-remove", args=["console-org", other.pk]), {"confirmed": "yes"})
    assert not Membership.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("role", ["developer", "billing", "user"])
def test_console_non_admins_cannot_change_roles(client, console_members, role):
    client.force_login(console_members[role].user)
    url = reverse("orgs:member-role", args=["console-org", console_members["user"].pk])
    response = client.post(url, {"role": "developer"})
    assert response.status_code == 403
    assert _role(console_members["user"]) == "user"


def test_changing_a_role_to_the_role_it_already_has_says_nothing_changed(client, claude_members):
    from django.contrib.messages import get_messages

    from audit.models import AuditEvent

    client.force_login(claude_members["owner"].user)
    target = claude_members["member"]
    response = client.post(f"/orgs/{target.organization.slug}/settings/members/{target.pk}/role/", {"role": "member"})
    assert response.status_code == 302
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts == [f"{target.user.email} is already Member: nothing changed."]
    assert AuditEvent.objects.count() == 0
