"""Reads of the audit trail."""

from .models import AuditChain, AuditEvent

PAGE_FIELDS = (
    "id", "organization_id", "actor_kind", "actor_email", "actor_name", "action", "target", "old_value", "new_value",
    "ip_address", "user_agent", "created_at",
)


def list_audit_events(organization, action="", actor_email="", since=None, until=None):
    """The organization's audit events, newest first; optionally of one action, by one person, in [since, until)."""
    events = AuditEvent.objects.filter(organization=organization).only(*PAGE_FIELDS).order_by("-created_at", "-id")
    if action:
        events = events.filter(action=action)
    if actor_email:
        # Addresses are stored lower-cased: an exact match walks the actor_email index, where a
        # case-insensitive one would read every event of the organization.
        events = events.filter(actor_email=actor_email.lower())
    if since is not None:
        events = events.filter(created_at__gte=since)
    if until is not None:
        events = events.filter(created_at__lt=until)
    return events


def list_chain_events(organization, since=None, until=None):
    """The organization's events in chain order (oldest first), every field; optionally those in [since, until).

    An event's time never goes back along its chain, so a range of days is one unbroken piece of it.
    """
    events = AuditEvent.objects.filter(organization=organization).order_by("seq")
    if since is not None:
        events = events.filter(created_at__gte=since)
    if until is not None:
        events = events.filter(created_at__lt=until)
    return events


def get_chain(organization):
    """The organization's chain head and last verification, or None before its first event."""
    return AuditChain.objects.filter(organization=organization).first()


def count_events(organization, actions, since):
    """How many events of these actions the organization has recorded since a moment."""
    return AuditEvent.objects.filter(
        organization=organization, action__in=[a.code for a in actions], created_at__gt=since
    ).count()
