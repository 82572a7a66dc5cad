"""Every permission predicate for every role of both kinds (and non-members)."""

import pytest

from orgs import permissions

CLAUDE = ["primary_owner", "owner", "admin", "member"]
CONSOLE = ["admin", "developer", "billing", "user"]

# predicate → (claude enterprise roles allowed, claude team roles allowed, console roles allowed)
SINGLE_MEMBER_RULES = {
    "can_open_feedback_settings": ({"primary_owner", "owner"}, {"primary_owner", "owner"}, {"admin"}),
    "can_change_feedback_setting": ({"primary_owner", "owner"}, set(), {"admin"}),
    "can_manage_data_settings": ({"primary_owner", "owner"}, {"primary_owner", "owner"}, {"admin"}),
    "can_view_audit_log": ({"primary_owner", "owner"}, {"primary_owner", "owner"}, {"admin"}),
    "can_view_members": (set(CLAUDE), set(CLAUDE), set(CONSOLE)),
    "can_manage_members": ({"primary_owner", "owner"}, {"primary_owner", "owner"}, {"admin"}),
    "is_member": (set(CLAUDE), set(CLAUDE), set(CONSOLE)),
}

CASES = [
    (name, org_key, role)
    for name in SINGLE_MEMBER_RULES
    for org_key, roles in (("claude", CLAUDE), ("team", CLAUDE), ("console", CONSOLE))
    for role in roles
]


@pytest.mark.django_db
@pytest.mark.parametrize(("predicate", "org_key", "role"), CASES)
def test_single_member_predicate(predicate, org_key, role, claude_members, team_members, console_members):
    members = {"claude": claude_members, "team": team_members, "console": console_members}[org_key]
    allowed = SINGLE_MEMBER_RULES[predicate][("claude", "team", "console").index(org_key)]
    assert getattr(permissions, predicate)(members[role]) is (role in allowed)


@pytest.mark.parametrize("predicate", list(SINGLE_MEMBER_RULES))
def test_non_member_may_do_nothing(predicate):
    assert getattr(permissions, predicate)(None) is False


# (actor, target, new role) → allowed, for claude orgs
CLAUDE_ASSIGN = {
    ("primary_owner", "owner", "admin"): True,
    ("primary_owner", "owner", "member"): True,
    ("primary_owner", "admin", "owner"): True,
    ("primary_owner", "member", "owner"): True,
    ("primary_owner", "member", "primary_owner"): False,  # only by transfer
    ("owner", "admin", "member"): True,
    ("owner", "member", "admin"): True,
    ("owner", "member", "owner"): True,  # not above their own
    ("owner", "admin", "primary_owner"): False,
    ("owner", "primary_owner", "member"): False,  # not at or above their own
    ("admin", "member", "admin"): False,  # admins do not manage members
    ("member", "admin", "member"): False,
    ("admin", "member", "developer"): False,
}
CONSOLE_ASSIGN = {
    ("admin", "developer", "billing"): True,
    ("admin", "user", "admin"): True,
    ("admin", "billing", "user"): True,
    ("admin", "user", "owner"): False,  # not a console role
    ("developer", "user", "billing"): False,
    ("billing", "user", "developer"): False,
    ("user", "developer", "user"): False,
}


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "allowed"), list(CLAUDE_ASSIGN.items()))
def test_can_assign_role_in_claude_org(case, allowed, claude_members):
    actor, target, role = case
    assert permissions.can_assign_role(claude_members[actor], claude_members[target], role) is allowed


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "allowed"), list(CONSOLE_ASSIGN.items()))
def test_can_assign_role_in_console_org(case, allowed, console_members):
    actor, target, role = case
    assert permissions.can_assign_role(console_members[actor], console_members[target], role) is allowed


@pytest.mark.django_db
def test_console_admins_manage_other_admins(console_org, console_members):
    from tests.factories import MembershipFactory

    other_admin = MembershipFactory(organization=console_org, role="admin")
    assert permissions.can_assign_role(console_members["admin"], other_admin, "developer")
    assert permissions.can_remove_member(console_members["admin"], other_admin)


@pytest.mark.django_db
@pytest.mark.parametrize("role", CLAUDE)
def test_nobody_changes_their_own_role(role, claude_members):
    me = claude_members[role]
    assert not any(permissions.can_assign_role(me, me, r) for r in CLAUDE)
    assert not permissions.can_remove_member(me, me)


@pytest.mark.django_db
def test_nobody_acts_on_another_orgs_member(claude_members, team_members):
    assert not permissions.can_assign_role(claude_members["primary_owner"], team_members["member"], "admin")
    assert not permissions.can_remove_member(claude_members["primary_owner"], team_members["member"])
    assert not permissions.can_transfer_primary_ownership(claude_members["primary_owner"], team_members["member"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("actor", "target", "allowed"),
    [
        ("primary_owner", "owner", True),
        ("primary_owner", "member", True),
        ("owner", "admin", True),
        ("owner", "member", True),
        ("owner", "owner", False),
        ("owner", "primary_owner", False),
        ("admin", "member", False),
        ("member", "admin", False),
    ],
)
def test_can_remove_member_in_claude_org(actor, target, allowed, claude_org, claude_members):
    from tests.factories import MembershipFactory

    target_m = claude_members[target] if actor != target else MembershipFactory(organization=claude_org, role=target)
    assert permissions.can_remove_member(claude_members[actor], target_m) is allowed


@pytest.mark.django_db
@pytest.mark.parametrize(("actor", "allowed"), [("primary_owner", True), ("owner", False), ("admin", False), ("member", False)])
def test_only_primary_owner_transfers_primary_ownership(actor, allowed, claude_members):
    target = claude_members["member"] if actor != "member" else claude_members["admin"]
    assert permissions.can_transfer_primary_ownership(claude_members[actor], target) is allowed


@pytest.mark.django_db
def test_last_console_admin_rule(console_members):
    admin = console_members["admin"]
    assert permissions.would_leave_no_admin(admin, "developer", admin_count=1)
    assert permissions.would_leave_no_admin(admin, None, admin_count=1)
    assert not permissions.would_leave_no_admin(admin, "developer", admin_count=2)
    assert not permissions.would_leave_no_admin(admin, "admin", admin_count=1)
    assert not permissions.would_leave_no_admin(console_members["user"], None, admin_count=1)
