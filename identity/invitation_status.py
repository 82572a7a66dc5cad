"""The one rule of an invitation's status, and the same rule said in SQL for lists and filters.

Whether an invitation is pending, expired, lapsed, accepted or revoked is ``invitation_status``'s
answer alone: the Members page, the staff admin, the Admin API, the mail sender and the acceptance
all read it; ``filter_by_status`` selects by it in one query (tests hold the two equal).
"""

from django.db import models
from django.db.models import Q

from orgs import permissions
from orgs.models import Membership, Organization
from orgs.roles import OrgKind, roles_for_kind
from orgs.services import membership_of

# Neither accepted nor revoked: what the Members page lists, and what may be resent or revoked.
OPEN = Q(accepted_at=None, revoked_at=None)


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    EXPIRED = "expired", "Expired"
    LAPSED = "lapsed", "Lapsed"  # its sender can no longer give its role (demoted, or gone)
    ACCEPTED = "accepted", "Accepted"
    REVOKED = "revoked", "Revoked"


# The statuses of the invitations OPEN selects.
OPEN_STATUSES = frozenset({InvitationStatus.PENDING, InvitationStatus.EXPIRED, InvitationStatus.LAPSED})


def _sender_membership(invitation):
    if hasattr(invitation, "sender_role"):  # read with the row (Invitation.objects.with_sender_role())
        if invitation.sender_role is None:
            return None
        return Membership(organization=invitation.organization, user_id=invitation.invited_by_id, role=invitation.sender_role)
    return membership_of(invitation.invited_by, invitation.organization)


def invitation_status(invitation, now):
    """The one rule of an invitation's status: accepted, revoked, expired, lapsed or pending.

    Lapsed: still within its week, but its sender may no longer give its role (orgs.permissions'
    can_invite_member on their present membership): a demoted or departed sender's invitations lapse
    with their rights, and a resend by someone who may give the role revives it.
    """
    if invitation.accepted_at is not None:
        return InvitationStatus.ACCEPTED
    if invitation.revoked_at is not None:
        return InvitationStatus.REVOKED
    if now >= invitation.expires_at:
        return InvitationStatus.EXPIRED
    if not permissions.can_invite_member(_sender_membership(invitation), invitation.role):
        return InvitationStatus.LAPSED
    return InvitationStatus.PENDING


def _sender_may_give_role():
    """invitation_status's sender rule in SQL: each (kind, role, sender's role) that can_invite_member allows."""
    allowed = Q(pk__in=[])
    for kind in OrgKind.values:
        organization = Organization(kind=kind)
        roles = roles_for_kind(kind)
        for role in roles:
            senders = [r for r in roles if permissions.can_invite_member(Membership(organization=organization, role=r), role)]
            if senders:
                allowed |= Q(organization__kind=kind, role=role, sender_role__in=senders)
    return allowed


def filter_by_status(queryset, status, now):
    """The invitations of the queryset whose invitation_status is `status` (one query; tests hold the two equal)."""
    queryset = queryset.with_sender_role()
    live = OPEN & Q(expires_at__gt=now)
    return {
        InvitationStatus.ACCEPTED: lambda: queryset.filter(accepted_at__isnull=False),
        InvitationStatus.REVOKED: lambda: queryset.filter(revoked_at__isnull=False),
        InvitationStatus.EXPIRED: lambda: queryset.filter(OPEN, expires_at__lte=now),
        # A sender who left has no role (NULL): lapsed, whatever the pairs say.
        InvitationStatus.LAPSED: lambda: queryset.filter(live & (Q(sender_role=None) | ~_sender_may_give_role())),
        InvitationStatus.PENDING: lambda: queryset.filter(live & _sender_may_give_role()),
    }[InvitationStatus(status)]()
