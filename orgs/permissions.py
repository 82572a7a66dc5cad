"""Who may do what in an organization: the single source of truth for every rule and its refusal.

A predicate that refuses says why: ``why_cannot_…`` returns one of the ``ERR_*`` refusals below
(or None), and ``can_…`` is "the reason is None". Each is a console.refusals.Refusal: the sentence a
person reads, with the stable code and kind that decide its status (code compares those, never the
words). Services raise the reason, views and templates show it; nobody re-derives it. Every
predicate takes the acting person's Membership (None when they are not a member). What varies by
kind comes from the organization's profile (orgs.kinds).
"""

from console.refusals import CONFLICT, FORBIDDEN, INVALID, ROLE, Refusal

from .roles import Role, is_role_valid_for_kind, rank

ERR_NOT_ALLOWED = Refusal("not_allowed", "You do not have permission to make this change.", ROLE)
ERR_SETTINGS_PAGE = Refusal("settings_page", "Only {deciders} of this organization can open {page}.", FORBIDDEN)
ERR_SETTING_PLAN = Refusal("setting_plan", "{setting} can be changed on the {plans} plan only.", FORBIDDEN)
ERR_MODEL_TRAINING = Refusal("model_training", "Only {deciders} of this organization can change model training.", FORBIDDEN)
ERR_AUDIT_LOG = Refusal("audit_log", "Only the people who manage this organization's data settings can read its audit log.", FORBIDDEN)
ERR_MEMBERS = Refusal("members", "Your role does not allow changing members.", FORBIDDEN)
ERR_INVITE = Refusal("invite", "Your role does not allow inviting people.", FORBIDDEN)
ERR_WRONG_KIND = Refusal("wrong_kind", "This setting does not exist for this kind of organization.", INVALID)
ERR_OWN_ROLE = Refusal("own_role", "You cannot change your own role.", FORBIDDEN)
ERR_ROLE_ABOVE_OWN = Refusal(
    "role_above_own",
    "You cannot give a role above your own, or change the role of someone at or above yours.",
    ROLE,
)
ERR_ROLE_FOR_KIND = Refusal("role_for_kind", "That role does not exist in this organization.", INVALID)
ERR_ROLE_CHANGED_MEANWHILE = Refusal(
    "role_changed_meanwhile",
    "{email}'s role changed meanwhile: they are now {role}. Nothing was changed; choose again.",
    CONFLICT,
)
ERR_PRIMARY_BY_TRANSFER = Refusal(
    "primary_by_transfer",
    "Primary Ownership moves only by a transfer from the current Primary Owner.",
    FORBIDDEN,
)
ERR_LAST_ADMIN = Refusal("last_admin", "An API Console organization needs at least one Org Admin: this is the last one.", CONFLICT)
ERR_REMOVE_PRIMARY = Refusal("remove_primary", "The Primary Owner cannot be removed; transfer Primary Ownership first.", FORBIDDEN)
ERR_REMOVE_SELF = Refusal("remove_self", "You cannot remove yourself from the organization here.", FORBIDDEN)
ERR_API_KEYS = Refusal("api_keys", "Only {deciders} of this organization manage its API keys.", FORBIDDEN)
ERR_TRANSFER = Refusal("transfer", "Only the Primary Owner can transfer Primary Ownership, to another member of the organization.", ROLE)


def _profile(membership):
    return membership.organization.profile


def is_member(membership):
    """Whether the person belongs to the organization at all."""
    return membership is not None


def role_decides(organization, role):
    """Whether this role decides the organization's data settings and members."""
    return role in organization.profile.deciding_roles


def is_decider(membership):
    """Whether the person is one of those who decide the org's data settings and members."""
    return is_member(membership) and role_decides(membership.organization, membership.role)


def why_cannot_open_feedback_settings(membership):
    """Why the person may not open their org's feedback settings page (Data Management / Privacy)."""
    if is_decider(membership):
        return None
    if not is_member(membership):
        return ERR_NOT_ALLOWED
    profile = _profile(membership)
    return ERR_SETTINGS_PAGE.format(deciders=profile.deciders_label, page=profile.settings_title)


def can_open_feedback_settings(membership):
    """The deciders of the org's kind open its feedback settings page."""
    return why_cannot_open_feedback_settings(membership) is None


def why_cannot_change_feedback_setting(membership):
    """Why the person may not switch their org's feedback setting: role, or a plan without the setting."""
    if not is_decider(membership):
        return ERR_NOT_ALLOWED
    return plan_refusal(membership.organization)


def can_change_feedback_setting(membership):
    """Deciders switch the feedback setting, on the plans where it can change."""
    return why_cannot_change_feedback_setting(membership) is None


def plan_refusal(organization):
    """Why the organization's plan does not let anyone change its feedback setting (None if it does)."""
    profile = organization.profile
    return None if profile.setting_changeable_on(organization.plan) else setting_plan_refusal(profile)


def setting_plan_refusal(profile):
    """The refusal for changing this kind's feedback setting on a plan without it."""
    return ERR_SETTING_PLAN.format(setting=profile.setting_label, plans=profile.setting_plans_label)


def why_cannot_change_model_training(membership):
    """Why the person may not allow or withdraw model training: the Primary Owner alone (claude), the Org Admins (console)."""
    if not is_member(membership):
        return ERR_NOT_ALLOWED
    profile = _profile(membership)
    if membership.role in profile.training_roles:
        return None
    return ERR_MODEL_TRAINING.format(deciders=profile.training_deciders_label)


def can_change_model_training(membership):
    """Whether the person allows or withdraws model training for their organization."""
    return why_cannot_change_model_training(membership) is None


def can_change_any_data_setting(membership):
    """Whether the person may change at least one data setting of the organization (feedback or model training)."""
    return can_change_feedback_setting(membership) or can_change_model_training(membership)


def can_manage_data_settings(membership):
    """Whether the person manages the organization's data settings (either kind)."""
    return is_decider(membership)


def why_cannot_view_audit_log(membership):
    """Why the person may not read the audit log: only those who manage the data settings do."""
    return None if is_decider(membership) else ERR_AUDIT_LOG


def can_view_audit_log(membership):
    """Those who manage the data settings read the audit log."""
    return why_cannot_view_audit_log(membership) is None


def why_cannot_manage_api_keys(membership):
    """Why the person may not make or revoke the organization's API keys: only its deciders do."""
    if is_decider(membership):
        return None
    if not is_member(membership):
        return ERR_NOT_ALLOWED
    return ERR_API_KEYS.format(deciders=_profile(membership).deciders_label)


def can_manage_api_keys(membership):
    """The deciders make and revoke the organization's API keys (a key acts with its maker's rights)."""
    return why_cannot_manage_api_keys(membership) is None


def can_view_members(membership):
    """Every member sees who else is in the organization."""
    return is_member(membership)


def why_cannot_manage_members(membership):
    """Why the person may not change roles or remove members: only the deciders of the org's kind do."""
    return None if is_decider(membership) else ERR_MEMBERS


def why_cannot_invite(membership):
    """Why the person may not invite people: only those who manage members do."""
    return None if is_decider(membership) else ERR_INVITE


def can_manage_members(membership):
    """Owners (claude) and Org Admins (console) change roles and remove members."""
    return why_cannot_manage_members(membership) is None


def _outranks(actor_membership, target_membership):
    kind = actor_membership.organization.kind
    actor_rank = rank(kind, actor_membership.role)
    target_rank = rank(kind, target_membership.role)
    if actor_membership.organization.profile.peers_manage_each_other:
        return target_rank <= actor_rank
    return target_rank < actor_rank


def _same_org(actor_membership, target_membership):
    return (
        is_member(actor_membership)
        and target_membership is not None
        and actor_membership.organization_id == target_membership.organization_id
    )


def why_cannot_grant_role(actor_membership, role):
    """Why the actor may not give this role to anyone, by a role change or an invitation (None if they may).

    Only a member manager; the role must exist in the org's kind, never be Primary Owner (that
    moves only by transfer) and not rank above the actor's own.
    """
    if not can_manage_members(actor_membership):
        return ERR_NOT_ALLOWED
    kind = actor_membership.organization.kind
    if not is_role_valid_for_kind(kind, role):
        return ERR_ROLE_FOR_KIND
    if role == Role.PRIMARY_OWNER:
        return ERR_PRIMARY_BY_TRANSFER
    if rank(kind, role) > rank(kind, actor_membership.role):
        return ERR_ROLE_ABOVE_OWN
    return None


def can_grant_role(actor_membership, role):
    """Whether the actor may give this role to anyone, by a role change or an invitation."""
    return why_cannot_grant_role(actor_membership, role) is None


def why_cannot_assign_role(actor_membership, target_membership, role, *, as_operator=False):
    """Why the actor may not give the target this role (None when they may).

    Nobody changes their own role; only a member manager acts; the new role must exist in the
    org's kind; Primary Owner moves only by transfer; the target must rank below the actor
    (peers too in console orgs) and the new role not above the actor's. Staff operators acting
    through the admin (``as_operator``) are held to the rules of the organization, not of rank.
    """
    if not as_operator:
        if not can_manage_members(actor_membership) or not _same_org(actor_membership, target_membership):
            return ERR_NOT_ALLOWED
        if actor_membership.pk == target_membership.pk:
            return ERR_OWN_ROLE
    kind = target_membership.organization.kind
    if not is_role_valid_for_kind(kind, role):
        return ERR_ROLE_FOR_KIND
    if Role.PRIMARY_OWNER in (role, target_membership.role):
        return ERR_PRIMARY_BY_TRANSFER
    if as_operator:
        return None
    if why_cannot_grant_role(actor_membership, role) or not _outranks(actor_membership, target_membership):
        return ERR_ROLE_ABOVE_OWN
    return None


def can_assign_role(actor_membership, target_membership, role):
    """Whether the actor may give the target this role."""
    return why_cannot_assign_role(actor_membership, target_membership, role) is None


def why_cannot_remove_member(actor_membership, target_membership, *, as_operator=False):
    """Why the actor may not remove the target from the organization (None when they may)."""
    if not as_operator:
        if not can_manage_members(actor_membership) or not _same_org(actor_membership, target_membership):
            return ERR_NOT_ALLOWED
        if actor_membership.pk == target_membership.pk:
            return ERR_REMOVE_SELF
    if target_membership.role == Role.PRIMARY_OWNER:
        return ERR_REMOVE_PRIMARY
    if not as_operator and not _outranks(actor_membership, target_membership):
        return ERR_ROLE_ABOVE_OWN
    return None


def can_invite_member(actor_membership, role):
    """Member managers invite people by e-mail with a role they may grant."""
    return can_grant_role(actor_membership, role)


def can_remove_member(actor_membership, target_membership):
    """Whether the actor may remove the target from the organization."""
    return why_cannot_remove_member(actor_membership, target_membership) is None


def why_cannot_transfer_primary_ownership(actor_membership, target_membership, *, as_operator=False):
    """Why the actor may not make the target the Primary Owner (None when they may)."""
    if not is_role_valid_for_kind(target_membership.organization.kind, Role.PRIMARY_OWNER):
        return ERR_WRONG_KIND
    if as_operator:
        return None
    if (
        not _same_org(actor_membership, target_membership)
        or actor_membership.pk == target_membership.pk
        or actor_membership.role != Role.PRIMARY_OWNER
    ):
        return ERR_TRANSFER
    return None


def can_transfer_primary_ownership(actor_membership, target_membership):
    """Only the Primary Owner hands Primary Ownership to another member of the same org."""
    return why_cannot_transfer_primary_ownership(actor_membership, target_membership) is None


def would_leave_no_admin(target_membership, new_role, admin_count):
    """Whether demoting or removing (new_role None) the target leaves an org that needs an admin without one."""
    return (
        target_membership.organization.profile.needs_admin
        and target_membership.role == Role.ADMIN
        and new_role != Role.ADMIN
        and admin_count <= 1
    )


def is_staff_operator(user, perm):
    """Staff acting through the Django admin, holding the model permission for the change."""
    return bool(user is not None and user.is_active and user.is_staff and user.has_perm(perm))
