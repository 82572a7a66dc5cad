"""Identity's audit events: the action codes and the one place that records them.

The audit trail is moving to its own app (with a registry and named non-person actors); until then
events go through orgs.audit, and a non-person actor (a SCIM token, single sign-on, the daily
re-check) is named in the event's target. Swapping this module is the whole change later.
"""

from orgs.audit import SYSTEM, RequestMeta, record_audit_event

ACTION_DOMAIN_ADDED = "identity.domain.added"
ACTION_DOMAIN_VERIFIED = "identity.domain.verified"
ACTION_DOMAIN_UNVERIFIED = "identity.domain.unverified"
ACTION_DOMAIN_REMOVED = "identity.domain.removed"
ACTION_SSO_CONFIGURED = "identity.sso.configured"
ACTION_SSO_ENFORCED = "identity.sso.enforced"
ACTION_BREAK_GLASS = "identity.sso.break_glass.changed"
ACTION_SCIM_TOKEN_CREATED = "identity.scim_token.created"  # noqa: S105 - an action code
ACTION_SCIM_TOKEN_REVOKED = "identity.scim_token.revoked"  # noqa: S105 - an action code
ACTION_SCIM_USER_UPDATED = "identity.scim.user.updated"
ACTION_SCIM_GROUP_CREATED = "identity.scim.group.created"
ACTION_SCIM_GROUP_UPDATED = "identity.scim.group.updated"
ACTION_SCIM_GROUP_DELETED = "identity.scim.group.deleted"
ACTION_GROUP_ROLE = "identity.scim.group.role.changed"

# The names of the non-person actors, as the events show them.
VIA_SSO = "single sign-on"
VIA_DAILY_CHECK = "daily domain check"

__all__ = ["SYSTEM", "RequestMeta", "record"]


def record(*, organization, action, target, actor=None, via="", old=None, new=None, request_meta=SYSTEM):
    """Append one identity event inside the caller's transaction; ``via`` names a non-person actor."""
    return record_audit_event(
        organization=organization, actor=actor, action=action,
        target=f"{target} ({via})" if via else target, old=old, new=new, request_meta=request_meta,
    )
