"""Who may open and change an organization's identity settings, and which roles SSO and SCIM may give.

Like orgs.permissions, a refusing predicate says why: ``why_cannot_…`` returns an ``ERR_*`` message
or None. The deciders are orgs' (Primary Owner and Owners; Org Admins); the plan rule is the kind
profile's ``identity_plans``.
"""

from console.refusals import FORBIDDEN, INVALID, ROLE, Refusal
from orgs.permissions import is_decider, is_member
from orgs.roles import Plan, Role, rank, roles_for_kind

ERR_IDENTITY_PAGE = Refusal("identity_page", "Only {deciders} of this organization can open its identity settings.", FORBIDDEN)
ERR_IDENTITY_PLAN = Refusal("identity_plan", "Verified domains, single sign-on and SCIM are available on the {plans} plan only.", FORBIDDEN)
ERR_NOT_ALLOWED = Refusal("not_allowed", "You do not have permission to make this change.", ROLE)
ERR_JIT_ROLE = Refusal("jit_role", "People who come in by single sign-on or SCIM get at most the Admin role.", INVALID)
ERR_BREAK_GLASS = Refusal("break_glass", "The break-glass account must be one of {deciders}.", INVALID)


def why_cannot_open_identity_page(membership):
    """Why the person may not see the identity page (deciders see it, read-only on other plans)."""
    if is_decider(membership):
        return None
    if not is_member(membership):
        return ERR_NOT_ALLOWED
    return ERR_IDENTITY_PAGE.format(deciders=membership.organization.profile.deciders_label)


def can_open_identity_page(membership):
    """The deciders open the identity page."""
    return why_cannot_open_identity_page(membership) is None


def identity_plan_refusal(organization):
    """Why the organization's plan offers no verified domains, SSO or SCIM (None when it does)."""
    profile = organization.profile
    if organization.plan in profile.identity_plans:
        return None
    return ERR_IDENTITY_PLAN.format(plans=" or ".join(Plan(plan).label for plan in profile.identity_plans if plan))


def why_cannot_manage_identity(membership):
    """Why the person may not change domains, SSO or SCIM: deciders only, on the plans that have them."""
    if not is_decider(membership):
        return ERR_NOT_ALLOWED
    return identity_plan_refusal(membership.organization)


def can_manage_identity(membership):
    """Deciders change the identity settings on the plans that offer them."""
    return why_cannot_manage_identity(membership) is None


def provisioned_roles(kind):
    """The roles SSO and SCIM may give in an organization of this kind (never above Admin), highest first."""
    ceiling = rank(kind, Role.ADMIN)
    return [role for role in roles_for_kind(kind) if role != Role.PRIMARY_OWNER and rank(kind, role) <= ceiling]


def default_jit_role(kind):
    """The role a person gets at their first SSO sign-in unless the organization chose another: the lowest."""
    return roles_for_kind(kind)[-1]


def jit_role_for(kind, chosen):
    """The role a first SSO sign-in gives: the one chosen where SSO may give it, else the default."""
    return chosen if chosen and why_cannot_provision_role(kind, chosen) is None else default_jit_role(kind)


def why_cannot_provision_role(kind, role):
    """Why SSO or SCIM may not give this role (None when it may)."""
    return None if role in provisioned_roles(kind) else ERR_JIT_ROLE


def is_managed_by_directory(kind, role):
    """Whether a member's role may be set by the directory's groups: up to Admin, never an Owner's."""
    return role in provisioned_roles(kind)


def why_cannot_be_break_glass(membership):
    """Why this member may not be the break-glass account (a password kept under enforced SSO)."""
    if is_decider(membership):
        return None
    return ERR_BREAK_GLASS.format(deciders=membership.organization.profile.deciders_label)
