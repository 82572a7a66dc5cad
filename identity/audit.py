"""Identity's audit events: its actions (registered in audit.actions) and the non-person actors it names."""

from audit import actions
from audit.services import SYSTEM, Actor, RequestMeta, record_audit_event

ACTION_DOMAIN_ADDED = actions.DOMAIN_ADDED
ACTION_DOMAIN_VERIFIED = actions.DOMAIN_VERIFIED
ACTION_DOMAIN_UNVERIFIED = actions.DOMAIN_UNVERIFIED
ACTION_DOMAIN_REMOVED = actions.DOMAIN_REMOVED
ACTION_SSO_CONFIGURED = actions.SSO_CONFIGURED
ACTION_SSO_ENFORCED = actions.SSO_ENFORCED
ACTION_BREAK_GLASS = actions.BREAK_GLASS_CHANGED
ACTION_SCIM_TOKEN_CREATED = actions.SCIM_TOKEN_CREATED
ACTION_SCIM_TOKEN_REVOKED = actions.SCIM_TOKEN_REVOKED
ACTION_SCIM_USER_UPDATED = actions.SCIM_USER_UPDATED
ACTION_SCIM_GROUP_CREATED = actions.SCIM_GROUP_CREATED
ACTION_SCIM_GROUP_UPDATED = actions.SCIM_GROUP_UPDATED
ACTION_SCIM_GROUP_DELETED = actions.SCIM_GROUP_DELETED
ACTION_GROUP_ROLE = actions.GROUP_ROLE_CHANGED

# Single sign-on acting for nobody in particular: the accounts it creates and the members it adds.
VIA_SSO = Actor.sso()

__all__ = ["SYSTEM", "Actor", "RequestMeta", "record"]


def record(*, organization, action, target, actor=None, via=None, old=None, new=None, request_meta=SYSTEM):
    """Append one identity event inside the caller's transaction; ``via`` is the non-person Actor that acted."""
    return record_audit_event(
        organization=organization, actor=via or actor, action=action, target=target, old=old, new=new,
        request_meta=request_meta,
    )
