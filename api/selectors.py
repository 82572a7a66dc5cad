"""Reads of organization keys, and the Admin API's lists of other apps' records."""

import hmac

from django.db import connection
from django.db.models import OuterRef, Subquery

from console.models import User
from identity.models import Invitation
from orgs.models import Membership, Organization

from .models import ApiKey


def _with_makers(keys):
    """Keys with their maker's present membership in the key's organization read in by subqueries."""
    maker = Membership.objects.filter(organization_id=OuterRef("organization_id"), user_id=OuterRef("created_by_id"))
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


# The columns read for each model of the key check (the user's few the services use; the rest load on demand).
_KEY_COLUMNS = [field.attname for field in ApiKey._meta.concrete_fields]
_ORG_COLUMNS = [field.attname for field in Organization._meta.concrete_fields]
_USER_COLUMNS = ["id", "email", "full_name", "is_active", "is_staff", "is_superuser"]


def _select(alias, columns):
    return ", ".join(f'{alias}."{column}"' for column in columns)


# Every API request with a key starts here, so it is one hand-written statement, as
# orgs.selectors.get_membership is: building the ORM's query cost more than running it.
KEY_CHECK_SQL = (
    f"SELECT {_select('k', _KEY_COLUMNS)}, {_select('o', _ORG_COLUMNS)}, {_select('u', _USER_COLUMNS)}, "  # noqa: S608
    f"m.id, m.role FROM {ApiKey._meta.db_table} k "
    f"JOIN {Organization._meta.db_table} o ON o.id = k.organization_id "
    f"LEFT JOIN {User._meta.db_table} u ON u.id = k.created_by_id "
    f"LEFT JOIN {Membership._meta.db_table} m ON m.organization_id = k.organization_id AND m.user_id = k.created_by_id "
    "WHERE k.digest = %s"
)


def get_key_for_check(digest):
    """The key with this digest, with its organization, its maker and the maker's membership there; or None.

    One query, on the digest's unique index; the organization, the maker and the maker's
    membership (the (user, organization) unique index) are joined in.
    """
    with connection.cursor() as cursor:
        cursor.execute(KEY_CHECK_SQL, [digest])
        row = cursor.fetchone()
    # The index found the row; the comparison that decides is made in constant time.
    if row is None or not hmac.compare_digest(row[_KEY_COLUMNS.index("digest")], digest):
        return None
    db = connection.alias
    key_end, org_end = len(_KEY_COLUMNS), len(_KEY_COLUMNS) + len(_ORG_COLUMNS)
    user_end = org_end + len(_USER_COLUMNS)
    key = ApiKey.from_db(db, _KEY_COLUMNS, _converted(ApiKey, _KEY_COLUMNS, row[:key_end]))
    key.organization = Organization.from_db(db, _ORG_COLUMNS, _converted(Organization, _ORG_COLUMNS, row[key_end:org_end]))
    key.created_by = (
        User.from_db(db, _USER_COLUMNS, _converted(User, _USER_COLUMNS, row[org_end:user_end])) if row[org_end] is not None else None
    )
    membership_id, role = row[user_end:]
    key.creator_membership = None
    if membership_id is not None:
        membership = Membership.from_db(db, ["id", "user_id", "organization_id", "role"],
                                        [membership_id, key.created_by_id, key.organization_id, role])
        membership.user, membership.organization = key.created_by, key.organization
        key.creator_membership = membership
    return key


def _converted(model, columns, values):
    """Raw column values as the ORM would hand them over (JSON decoded, SQLite's dates and booleans typed)."""
    converted = []
    for column, value in zip(columns, values, strict=True):
        col = model._meta.get_field(column).get_col(model._meta.db_table)
        for convert in connection.ops.get_db_converters(col) + col.get_db_converters(connection):
            value = convert(value, col, connection)
        converted.append(value)
    return converted


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
    return Invitation.objects.filter(organization=organization).select_related("organization").with_sender_role()
