"""The roles the directory's groups give: a member in mapped groups gets the highest mapped role.

Only roles up to Admin are the directory's to set: an Owner or the Primary Owner is never changed
by a group, and the last Org Admin is kept (orgs' rule, through orgs.services).
"""

import logging

from orgs.models import Membership
from orgs.roles import rank
from orgs.services import ServiceError, change_member_role

from . import permissions
from .models import SCIMGroup

logger = logging.getLogger(__name__)


def directory_role(organization, user, fallback):
    """The highest role of the mapped groups the person is in (``fallback`` when they are in none)."""
    roles = SCIMGroup.objects.filter(organization=organization, members=user).exclude(role="").values_list("role", flat=True)
    roles = [role for role in roles if permissions.why_cannot_provision_role(organization.kind, role) is None]
    return max(roles, key=lambda role: rank(organization.kind, role)) if roles else fallback


def apply_directory_roles(*, organization, users, via, fallback=None):
    """Bring each member's role in line with their groups; returns how many changed.

    ``fallback`` is the role for a member in no mapped group (None: leave their role as it is).
    """
    changed = 0
    memberships = Membership.objects.filter(organization=organization, user__in=users).select_related("user")
    for membership in memberships:
        membership.organization = organization
        if not permissions.is_managed_by_directory(organization.kind, membership.role):
            continue
        role = directory_role(organization, membership.user, fallback)
        if role is None or role == membership.role:
            continue
        try:
            changed += change_member_role(actor=None, membership=membership, role=role, via=via)
        except ServiceError as error:
            # The last Org Admin stays an Org Admin: the directory cannot demote them.
            logger.info("Directory role for %s in %s not applied: %s", membership.user.email, organization.slug, error)
    return changed
