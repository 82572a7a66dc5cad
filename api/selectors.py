"""Reads of organization keys, and the Admin API's lists of other apps' records."""

import hmac

from django.db.models import OuterRef, Subquery

from orgs.models import Invitation, Membership

from .models import ApiKey


def _with_makers(keys):
    """Keys with their maker's present membership in the key's organization read in by subqueries."""
    maker = Membership.objects.filter(organization=OuterRef("organization"), user=OuterRef("created_by"))
    return keys.select_related("organization", "created_by").annotate(
        maker_membership_id=Subquery(maker.values("id")[:1]), maker_role=Subquery(maker.values("role")[:1])
    )


def _attach_maker(key):
    """Set ``key.creator_membership``: the maker's Membership in the key's organization now, or None."""
    key.creator_membership = None
    if key.maker_membership_id is not None:
        membership = Membership(
            id=key.maker_membership_id, user_id=key.created_by_id, organization_id=key.organization_id, role=key.maker_role
        )
        membership.user, membership.organization = key.created_by, key.organization
        key.creator_membership = membership
    return key


def get_key_for_check(digest):
    """The key with this digest, with its organization, its maker and the maker's membership there; or None.

    One query, on the digest's unique index: the organization and the maker are joined in, the
    maker's membership read by subqueries on the (user, organization) unique index.
    """
    key = _with_makers(ApiKey.objects.filter(digest=digest)).first()
    # The index found the row; the comparison that decides is made in constant time.
    if key is None or not hmac.compare_digest(key.digest, digest):
        return None
    return _attach_maker(key)


def list_keys(organization):
    """The organization's keys, newest first, revoked ones too, each with its maker's membership (one query)."""
    keys = _with_makers(ApiKey.objects.filter(organization=organization)).order_by("-created_at", "-id")
    return [_attach_maker(key) for key in keys]


def get_key(organization, key_id):
    """One key of the organization by id, or None."""
    return ApiKey.objects.filter(organization=organization, pk=key_id).first()


def list_members(organization):
    """The organization's memberships with their people, for the API's cursor pages (ordered there)."""
    return Membership.objects.filter(organization=organization).select_related("user").only(
        "id", "role", "created_at", "organization_id", "user__id", "user__email", "user__full_name"
    )


def list_invitations(organization):
    """Every invitation of the organization, whatever its state, for the API's cursor pages."""
    return Invitation.objects.filter(organization=organization)
