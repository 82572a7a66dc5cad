"""Who may do what in an organization: the single source of truth for every rule.

Services enforce these predicates; views and templates call them only to hide controls.
Every predicate takes the acting person's Membership (None when they are not a member).
"""

from .roles import PEERS_MANAGE_EACH_OTHER, OrgKind, Plan, Role, is_role_valid_for_kind, rank

DATA_SETTINGS_ROLES = {
    OrgKind.CLAUDE: {Role.PRIMARY_OWNER, Role.OWNER},
    OrgKind.CONSOLE: {Role.ADMIN},
}
MEMBER_MANAGER_ROLES = {
    OrgKind.CLAUDE: {Role.PRIMARY_OWNER, Role.OWNER},
    OrgKind.CONSOLE: {Role.ADMIN},
}


def _kind(membership):
    return membership.organization.kind


def deciding_roles(kind):
    """The roles that decide an organization's data settings and members, highest first."""
    return sorted(DATA_SETTINGS_ROLES[OrgKind(kind)], key=lambda role: -rank(kind, role))


def deciding_roles_label(kind):
    """Those roles as people say them: "the Primary Owner and Owners", "the Org Admins"."""
    return {OrgKind.CLAUDE: "the Primary Owner and Owners", OrgKind.CONSOLE: "the Org Admins"}[OrgKind(kind)]


def is_member(membership):
    """Whether the person belongs to the organization at all."""
    return membership is not None


def can_open_data_management(membership):
    """Primary Owner and Owners of a claude org open Settings → Data Management."""
    return (
        is_member(membership)
        and _kind(membership) == OrgKind.CLAUDE
        and membership.role in DATA_SETTINGS_ROLES[OrgKind.CLAUDE]
    )


def can_change_thumbs_feedback(membership):
    """Thumbs Feedback can be switched by those who open Data Management, on Enterprise only."""
    return (
        can_open_data_management(membership)
        and membership.organization.plan == Plan.ENTERPRISE
    )


def can_open_privacy(membership):
    """Org Admins of a console org open Settings → Privacy."""
    return (
        is_member(membership)
        and _kind(membership) == OrgKind.CONSOLE
        and membership.role in DATA_SETTINGS_ROLES[OrgKind.CONSOLE]
    )


def can_change_workbench_feedback(membership):
    """Org Admins switch Workbench feedback."""
    return can_open_privacy(membership)


def can_manage_data_settings(membership):
    """Whether the person manages the organization's data settings (either kind)."""
    return can_open_data_management(membership) or can_open_privacy(membership)


def can_view_audit_log(membership):
    """Those who manage the data settings read the audit log."""
    return can_manage_data_settings(membership)


def can_view_members(membership):
    """Every member sees who else is in the organization."""
    return is_member(membership)


def can_manage_members(membership):
    """Owners (claude) and Org Admins (console) change roles and remove members."""
    return is_member(membership) and membership.role in MEMBER_MANAGER_ROLES[_kind(membership)]


def _outranks(actor_membership, target_membership):
    kind = _kind(actor_membership)
    actor_rank = rank(kind, actor_membership.role)
    target_rank = rank(kind, target_membership.role)
    if PEERS_MANAGE_EACH_OTHER[OrgKind(kind)]:
        return target_rank <= actor_rank
    return target_rank < actor_rank


def _same_org_other_person(actor_membership, target_membership):
    return (
        is_member(actor_membership)
        and target_membership is not None
        and actor_membership.organization_id == target_membership.organization_id
        and actor_membership.pk != target_membership.pk
    )


def can_assign_role(actor_membership, target_membership, role):
    """Whether the actor may give the target this role.

    Nobody changes their own role; only a member manager acts; the target must rank
    below the actor (peers too in console orgs); the new role must exist in the org's
    kind and not rank above the actor's; Primary Owner moves only by transfer.
    """
    if not can_manage_members(actor_membership):
        return False
    if not _same_org_other_person(actor_membership, target_membership):
        return False
    if not can_grant_role(actor_membership, role):
        return False
    if target_membership.role == Role.PRIMARY_OWNER:
        return False
    return _outranks(actor_membership, target_membership)


def can_grant_role(actor_membership, role):
    """Whether the actor may give this role to anyone, by a role change or an invitation.

    Only a member manager; the role must exist in the org's kind, not rank above the
    actor's own, and never be Primary Owner (that moves only by transfer).
    """
    if not can_manage_members(actor_membership):
        return False
    kind = _kind(actor_membership)
    if not is_role_valid_for_kind(kind, role) or role == Role.PRIMARY_OWNER:
        return False
    return rank(kind, role) <= rank(kind, actor_membership.role)


def can_invite_member(actor_membership, role):
    """Member managers invite people by e-mail with a role they may grant."""
    return can_grant_role(actor_membership, role)


def can_remove_member(actor_membership, target_membership):
    """Whether the actor may remove the target from the organization."""
    if not can_manage_members(actor_membership):
        return False
    if not _same_org_other_person(actor_membership, target_membership):
        return False
    if target_membership.role == Role.PRIMARY_OWNER:
        return False
    return _outranks(actor_membership, target_membership)


def can_transfer_primary_ownership(actor_membership, target_membership):
    """Only the Primary Owner hands Primary Ownership to another member of the same org."""
    return (
        _same_org_other_person(actor_membership, target_membership)
        and actor_membership.role == Role.PRIMARY_OWNER
    )


def would_leave_no_console_admin(target_membership, new_role, admin_count):
    """Whether demoting or removing (new_role None) the target leaves a console org no admin."""
    return (
        target_membership.organization.kind == OrgKind.CONSOLE
        and target_membership.role == Role.ADMIN
        and new_role != Role.ADMIN
        and admin_count <= 1
    )


def is_staff_operator(user, perm):
    """Staff acting through the Django admin, holding the model permission for the change."""
    return bool(user is not None and user.is_active and user.is_staff and user.has_perm(perm))
