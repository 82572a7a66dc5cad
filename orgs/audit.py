"""Recording audit events: one helper, used inside the caller's transaction."""

from dataclasses import dataclass

from django.db import transaction

from .models import AuditEvent

ERR_AUDIT_OUTSIDE_TRANSACTION = "Audit events are written inside the change's own transaction."
USER_AGENT_MAX = 512


@dataclass(frozen=True)
class RequestMeta:
    """Where a change came from: the client's address and user agent (empty for jobs)."""

    ip_address: str | None = None
    user_agent: str = ""
    # Set when something other than a person acts for the actor (an organization API key): the
    # event names it instead of the person, whose rights it used (until the audit app records such
    # actors in their own right).
    actor_name: str = ""

    @classmethod
    def from_request(cls, request):
        """Read the client's address and user agent from a Django request."""
        return cls(
            ip_address=request.META.get("REMOTE_ADDR") or None,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX],
        )


SYSTEM = RequestMeta()


def record_audit_event(*, organization, actor, action, target="", old=None, new=None, request_meta=SYSTEM):
    """Append one audit event; must run inside the transaction of the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(ERR_AUDIT_OUTSIDE_TRANSACTION)
    actor_email = actor.email if actor else ""
    if request_meta.actor_name:
        actor, actor_email = None, request_meta.actor_name
    return AuditEvent.objects.create(
        organization=organization,
        actor=actor,
        actor_email=actor_email,
        action=action,
        target=target,
        old_value=old,
        new_value=new,
        ip_address=request_meta.ip_address,
        user_agent=request_meta.user_agent,
    )
