"""Reads of identity: invitations, domains, the SSO connection and its break-glass account, SCIM tokens and groups."""

from django.db.models import Count

from orgs.models import Membership
from orgs.roles import Role

from .addresses import email_domain
from .invitation_status import OPEN
from .models import Domain, Invitation, SCIMGroup, SCIMToken, SSOConnection, hash_invitation_token


def list_domains(organization):
    """The organization's domains, by name."""
    return list(Domain.objects.filter(organization=organization).order_by("name"))


def get_connection(organization):
    """The organization's SSO connection, or None when it has none yet."""
    connection = SSOConnection.objects.filter(organization=organization).first()
    if connection is not None:
        connection.organization = organization
    return connection


def get_connection_by_public_id(public_id):
    """The SSO connection whose URLs carry this id, with its organization, or None."""
    return SSOConnection.objects.select_related("organization").filter(public_id=public_id).first()


def get_connection_for_address(email):
    """The SSO connection of the organization that verified the address's domain, or None."""
    domain = email_domain(email)
    if not domain:
        return None
    verified = Domain.objects.filter(name=domain, verified_at__isnull=False).values("organization_id")
    return SSOConnection.objects.select_related("organization").filter(organization_id__in=verified).first()


def is_verified_domain_of(organization, email):
    """Whether the address's domain is one the organization verified."""
    domain = email_domain(email)
    return bool(domain) and Domain.objects.filter(organization=organization, name=domain, verified_at__isnull=False).exists()


def list_deciders(organization):
    """The organization's deciders with their people, oldest membership first."""
    return list(
        Membership.objects.filter(organization=organization, role__in=list(organization.profile.deciding_roles))
        .select_related("user").order_by("created_at", "pk")
    )


def get_break_glass_membership(organization, connection):
    """The decider who keeps a password under enforced SSO: the one chosen while still a decider,
    else the Primary Owner, else the oldest decider (a console org's oldest Org Admin)."""
    deciders = list_deciders(organization)
    chosen = connection.break_glass_user_id if connection is not None else None
    for membership in deciders:
        if membership.user_id == chosen:
            return membership
    primary = [m for m in deciders if m.role == Role.PRIMARY_OWNER]
    return (primary or deciders or [None])[0]


def get_password_gate(email):
    """For an address on the verified domain of an organization enforcing SSO: (connection, the
    break-glass user's id); None when a password may be used."""
    connection = get_connection_for_address(email)
    if connection is None or not connection.enforced:
        return None
    break_glass = get_break_glass_membership(connection.organization, connection)
    return connection, break_glass.user_id if break_glass else None


def list_scim_tokens(organization):
    """The organization's active SCIM tokens, newest first."""
    return list(SCIMToken.objects.filter(organization=organization, revoked_at=None).order_by("-created_at", "-id"))


def list_scim_groups(organization):
    """The organization's SCIM groups with their member counts, by name."""
    return list(SCIMGroup.objects.filter(organization=organization).annotate(member_count=Count("members")))


OPEN_INVITATIONS_SHOWN = 100


def list_open_invitations(organization):
    """The organization's invitations neither accepted nor revoked (expired and lapsed too), newest first, at most 100.

    Each is read with its sender's role, so invitation_status answers without another query.
    """
    invitations = list(
        Invitation.objects.filter(OPEN, organization=organization).with_sender_role()
        .order_by("-sent_at", "-id")[:OPEN_INVITATIONS_SHOWN]
    )
    for invitation in invitations:
        invitation.organization = organization
    return invitations


def get_open_invitation(organization, invitation_id):
    """One open invitation of the organization by id, or None."""
    invitation = Invitation.objects.filter(OPEN, organization=organization, pk=invitation_id).first()
    if invitation is not None:
        invitation.organization = organization
    return invitation


def get_invitation_by_token(token):
    """The invitation whose link carries this token, with its organization, or None."""
    return Invitation.objects.select_related("organization").filter(token_hash=hash_invitation_token(token)).first()
