"""What a SCIM token changes: people provisioned, updated, deactivated and deleted; groups and their members.

Every change is audited with the token named as the actor. Deactivating or deleting a person removes
their membership through orgs.services.remove_member, under the Members page's rules: the Primary
Owner and the last Org Admin are never removed (a 409 saying why, nothing changed).
"""

from django.db import IntegrityError, transaction
from django.db.models import Q

from console.models import User
from orgs.models import Membership
from orgs.services import ServiceError, add_member, lock_org, remove_member

from .. import audit, permissions, selectors
from ..addresses import normalize_email
from ..directory import apply_directory_roles, directory_role
from ..models import SCIMGroup, SCIMUser
from ..sso import jit_role
from .protocol import SCIMError, boolean, not_found, text

ERR_NOT_ON_DOMAIN = "userName must be an address on one of the organization's verified domains."
ERR_USERNAME_TAKEN = "A user with this userName already exists in the organization."
ERR_USERNAME_CHANGE = "userName can change only to a free address on the organization's verified domains."
ERR_GROUP_TAKEN = "A group with this displayName already exists in the organization."
ERR_UNKNOWN_MEMBER = "A member is not a user of this organization: {value}."


def users_of(organization):
    """The people a token of this organization sees: its members and those its directory provisioned."""
    return User.objects.filter(
        Q(memberships__organization=organization) | Q(scim_records__organization=organization)
    ).distinct()


def is_id(value):
    """Whether a SCIM id is one of ours: ASCII digits that fit a database id."""
    return isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18


def get_user(organization, user_id):
    """One person the token may see, by SCIM id, else a 404."""
    if not is_id(user_id):
        raise not_found("user")
    user = users_of(organization).filter(pk=int(user_id)).first()
    if user is None:
        raise not_found("user")
    return user


def get_group(organization, group_id):
    if not is_id(group_id):
        raise not_found("group")
    group = SCIMGroup.objects.filter(organization=organization, pk=int(group_id)).first()
    if group is None:
        raise not_found("group")
    return group


def _record(organization, user):
    return SCIMUser.objects.filter(organization=organization, user=user).first()


def _membership(organization, user):
    return Membership.objects.filter(organization=organization, user=user).first()


# Users


def _parse_user(data):
    """The attributes of a User body this console keeps, checked."""
    if not isinstance(data, dict):
        raise SCIMError(400, "The body is a User object.", "invalidSyntax")
    lowered = {key.lower(): value for key, value in data.items()}
    name = lowered.get("name") if isinstance(lowered.get("name"), dict) else {}
    name = {key.lower(): value for key, value in name.items()}
    parsed = {
        "userName": normalize_email(text(lowered.get("username"), "userName", max_length=254)),
        "givenName": text(name.get("givenname"), "name.givenName", max_length=150),
        "familyName": text(name.get("familyname"), "name.familyName", max_length=150),
        "formatted": text(name.get("formatted"), "name.formatted", max_length=150),
        "displayName": text(lowered.get("displayname"), "displayName", max_length=150),
        "externalId": text(lowered.get("externalid"), "externalId"),
    }
    if "active" in lowered:
        parsed["active"] = boolean(lowered["active"])
    return parsed


def _full_name(parsed):
    return (
        parsed["displayName"] or parsed["formatted"]
        or " ".join(filter(None, (parsed["givenName"], parsed["familyName"])))
    )[:150]


def provision_user(*, token, data, request_meta=audit.SYSTEM):
    """POST /Users: a new person (or an existing account linked) on a verified domain; returns the user."""
    org = token.organization
    parsed = _parse_user(data)
    email = parsed["userName"]
    if not email:
        raise SCIMError(400, "userName is required.", "invalidValue")
    if not selectors.is_verified_domain_of(org, email):
        raise SCIMError(400, ERR_NOT_ON_DOMAIN, "invalidValue")
    with transaction.atomic():
        lock_org(org)
        user = User.objects.filter(email=email).first()
        if user is not None and users_of(org).filter(pk=user.pk).exists():
            raise SCIMError(409, ERR_USERNAME_TAKEN, "uniqueness")
        if user is None:
            user = User.objects.create_user(email=email, password=None, full_name=_full_name(parsed))
        SCIMUser.objects.create(
            organization=org, user=user, external_id=parsed["externalId"],
            given_name=parsed["givenName"], family_name=parsed["familyName"],
        )
        if parsed.get("active", True):
            _activate(token, user, request_meta)
    return user


def _activate(token, user, request_meta):
    org = token.organization
    if _membership(org, user) is not None:
        return
    connection = selectors.get_connection(org)
    fallback = jit_role(connection) if connection else permissions.default_jit_role(org.kind)
    add_member(actor=None, organization=org, user=user, role=directory_role(org, user, fallback),
               request_meta=request_meta, via=token.actor)


def _deactivate(token, user, request_meta):
    membership = _membership(token.organization, user)
    if membership is None:
        return
    try:
        remove_member(actor=None, membership=membership, request_meta=request_meta, via=token.actor)
    except ServiceError as error:
        raise SCIMError(409, error.message) from error


def _apply_user(token, user, changes, request_meta):
    """Apply checked attribute changes to a person: names, externalId, userName, then active."""
    org = token.organization
    record, _ = SCIMUser.objects.get_or_create(organization=org, user=user)
    old = _audited(user, record)
    if "userName" in changes and changes["userName"] and changes["userName"] != user.email:
        _change_username(org, user, changes["userName"])
    for key, field in (("givenName", "given_name"), ("familyName", "family_name"), ("externalId", "external_id")):
        if key in changes:
            setattr(record, field, changes[key])
    record.save()
    if "fullName" in changes and changes["fullName"] != user.full_name:
        user.full_name = changes["fullName"]
        user.save(update_fields=["full_name"])
    new = _audited(user, record)
    if new != old:
        audit.record(
            organization=org, action=audit.ACTION_SCIM_USER_UPDATED, target=f"member:{user.email}", via=token.actor,
            old={k: v for k, v in old.items() if new[k] != v}, new={k: v for k, v in new.items() if old[k] != v},
            request_meta=request_meta,
        )
    if "active" in changes:
        (_activate if changes["active"] else _deactivate)(token, user, request_meta)


def _audited(user, record):
    return {"userName": user.email, "name": user.full_name, "givenName": record.given_name,
            "familyName": record.family_name, "externalId": record.external_id}


def _change_username(org, user, email):
    # The account's address changes everywhere: only between addresses this organization's domains vouch
    # for, and never a staff account's.
    if user.is_staff or user.is_superuser or not (
        selectors.is_verified_domain_of(org, user.email) and selectors.is_verified_domain_of(org, email)
    ):
        raise SCIMError(400, ERR_USERNAME_CHANGE, "mutability")
    if User.objects.filter(email=email).exclude(pk=user.pk).exists():
        raise SCIMError(409, ERR_USERNAME_CHANGE, "uniqueness")
    user.email = email
    user.save(update_fields=["email"])


def replace_user(*, token, user, data, request_meta=audit.SYSTEM):
    """PUT /Users/<id>: the person's attributes replaced (an absent ``active`` leaves it as it is)."""
    parsed = _parse_user(data)
    changes = {
        "userName": parsed["userName"], "givenName": parsed["givenName"], "familyName": parsed["familyName"],
        "externalId": parsed["externalId"], "fullName": _full_name(parsed) or user.full_name,
    }
    if "active" in parsed:
        changes["active"] = parsed["active"]
    with transaction.atomic():
        lock_org(token.organization)
        _apply_user(token, user, changes, request_meta)


USER_PATHS = {
    "active": "active", "username": "userName", "externalid": "externalId", "displayname": "fullName",
    "name.givenname": "givenName", "name.familyname": "familyName", "name.formatted": "fullName",
}


def patch_user(*, token, user, operations, request_meta=audit.SYSTEM):
    """PATCH /Users/<id>: Okta's and Entra ID's operations on the attributes kept; others are ignored."""
    changes = {}
    for op, path, value in operations:
        if path == "name" and isinstance(value, dict):
            inner = {key.lower(): item for key, item in value.items()}
            for key in ("givenname", "familyname", "formatted"):
                if key in inner:
                    changes[USER_PATHS[f"name.{key}"]] = text(inner[key], f"name.{key}", max_length=150)
            continue
        attribute = USER_PATHS.get(path)
        if attribute is None:
            continue  # emails, title, locale, extension attributes…: not kept by this console
        if op == "remove":
            if attribute in ("active", "userName"):
                raise SCIMError(400, f"{attribute} cannot be removed.", "mutability")
            changes[attribute] = ""
        elif attribute == "active":
            changes["active"] = boolean(value)
        elif attribute == "userName":
            changes["userName"] = normalize_email(text(value, "userName", max_length=254))
        else:
            changes[attribute] = text(value, attribute, max_length=150 if attribute != "externalId" else 255)
    with transaction.atomic():
        lock_org(token.organization)
        _apply_user(token, user, changes, request_meta)


def delete_user(*, token, user, request_meta=audit.SYSTEM):
    """DELETE /Users/<id>: the membership removed and the directory's record of the person dropped."""
    with transaction.atomic():
        lock_org(token.organization)
        _deactivate(token, user, request_meta)
        SCIMUser.objects.filter(organization=token.organization, user=user).delete()
        for group in SCIMGroup.objects.filter(organization=token.organization, members=user):
            group.members.remove(user)


# Groups


def _parse_group(data):
    if not isinstance(data, dict):
        raise SCIMError(400, "The body is a Group object.", "invalidSyntax")
    lowered = {key.lower(): value for key, value in data.items()}
    name = text(lowered.get("displayname"), "displayName")
    if not name:
        raise SCIMError(400, "displayName is required.", "invalidValue")
    members = lowered.get("members") or []
    return {"displayName": name, "externalId": text(lowered.get("externalid"), "externalId"), "members": members}


def _member_users(organization, values):
    """The people named by a members list ([{"value": id}, …]); an unknown one is a 400."""
    if not isinstance(values, list):
        raise SCIMError(400, "members is a list.", "invalidValue")
    ids = []
    for item in values:
        value = item.get("value") if isinstance(item, dict) else None
        if not is_id(value):
            raise SCIMError(400, ERR_UNKNOWN_MEMBER.format(value=str(value)[:40]), "invalidValue")
        ids.append(int(value))
    users = list(users_of(organization).filter(pk__in=ids))
    if len(users) != len(set(ids)):
        missing = sorted(set(ids) - {user.pk for user in users})
        raise SCIMError(400, ERR_UNKNOWN_MEMBER.format(value=missing[0]), "invalidValue")
    return users


def _group_changed(token, group, action, old, new, request_meta):
    audit.record(organization=token.organization, action=action, target=f"group:{group.display_name}",
                 via=token.actor, old=old, new=new, request_meta=request_meta)


def _set_members(token, group, users, request_meta):
    before = set(group.members.all())
    after = set(users)
    if before == after:
        return
    group.members.set(users)
    # Who joined and who left, both on the new side: neither list is a value the group had before.
    change = {"members_added": sorted(u.email for u in after - before), "members_removed": sorted(u.email for u in before - after)}
    _group_changed(token, group, audit.ACTION_SCIM_GROUP_UPDATED, None, {k: v for k, v in change.items() if v}, request_meta)
    if group.role:
        _follow_mapped_group(token, joined=after - before, left=before - after)


def _follow_mapped_group(token, *, joined, left):
    """Roles follow a mapped group's membership; a group mapped to no role changes nobody's role.

    Those who joined take the highest role of their mapped groups; those who left fall back to the role
    of people in no mapped group only when no other mapped group holds them.
    """
    apply_directory_roles(organization=token.organization, users=list(joined), via=token.actor)
    apply_directory_roles(organization=token.organization, users=list(left), via=token.actor,
                          fallback=_fallback(token.organization))


def _fallback(organization):
    connection = selectors.get_connection(organization)
    return jit_role(connection) if connection else permissions.default_jit_role(organization.kind)


def create_group(*, token, data, request_meta=audit.SYSTEM):
    """POST /Groups: a new directory group (mapped to no role until the identity page maps it)."""
    parsed = _parse_group(data)
    org = token.organization
    with transaction.atomic():
        lock_org(org)
        users = _member_users(org, parsed["members"])
        try:
            with transaction.atomic():
                group = SCIMGroup.objects.create(organization=org, display_name=parsed["displayName"],
                                                 external_id=parsed["externalId"])
        except IntegrityError as error:
            raise SCIMError(409, ERR_GROUP_TAKEN, "uniqueness") from error
        _group_changed(token, group, audit.ACTION_SCIM_GROUP_CREATED, None, _group_names(group), request_meta)
        _set_members(token, group, users, request_meta)
    return group


def _group_names(group):
    """The group's names an event shows: its displayName, and its externalId where it has one."""
    return {"displayName": group.display_name, **({"externalId": group.external_id} if group.external_id else {})}


def _rename(token, group, name, external_id, request_meta):
    before = {"displayName": group.display_name, "externalId": group.external_id}
    group.display_name = name or group.display_name
    group.external_id = group.external_id if external_id is None else external_id
    after = {"displayName": group.display_name, "externalId": group.external_id}
    changed = [key for key in after if after[key] != before[key]]
    if not changed:
        return
    old, new = {key: before[key] for key in changed}, {key: after[key] for key in changed}
    try:
        with transaction.atomic():
            group.save(update_fields=["display_name", "external_id", "updated_at"])
    except IntegrityError as error:
        raise SCIMError(409, ERR_GROUP_TAKEN, "uniqueness") from error
    _group_changed(token, group, audit.ACTION_SCIM_GROUP_UPDATED, old, new, request_meta)


def replace_group(*, token, group, data, request_meta=audit.SYSTEM):
    """PUT /Groups/<id>: name and members replaced."""
    parsed = _parse_group(data)
    with transaction.atomic():
        lock_org(token.organization)
        users = _member_users(token.organization, parsed["members"])
        _rename(token, group, parsed["displayName"], parsed["externalId"], request_meta)
        _set_members(token, group, users, request_meta)


def _member_filter_value(path):
    # Okta removes one member with path members[value eq "<id>"].
    prefix, suffix = 'members[value eq "', '"]'
    if path.lower().startswith(prefix.lower()) and path.endswith(suffix):
        return path[len(prefix):-len(suffix)]
    return None


def patch_group(*, token, group, operations, request_meta=audit.SYSTEM):
    """PATCH /Groups/<id>: members added or removed (Okta and Entra ID shapes), displayName replaced."""
    org = token.organization
    with transaction.atomic():
        lock_org(org)
        members = set(group.members.all())
        for op, path, value in operations:
            single = _member_filter_value(path) if path and "[" in path else None
            if path == "members" or single is not None:
                named = set(_member_users(org, [{"value": single}] if single is not None else value or []))
                if op == "add":
                    members |= named
                elif op == "remove":
                    members = members - named if (single is not None or value) else set()
                else:
                    members = named
            elif path in ("displayname", "externalid"):
                name = text(value, "displayName") if path == "displayname" else None
                external = text(value, "externalId") if path == "externalid" else None
                if path == "displayname" and not name:
                    raise SCIMError(400, "displayName is required.", "invalidValue")
                _rename(token, group, name, external, request_meta)
            elif path == "id":
                continue  # Okta repeats the group's id beside its new name
            else:
                raise SCIMError(400, f"Unsupported path for a Group: {str(path)[:60]}.", "invalidPath")
        _set_members(token, group, list(members), request_meta)


def delete_group(*, token, group, request_meta=audit.SYSTEM):
    """DELETE /Groups/<id>: the group goes; its members' roles follow their remaining groups."""
    with transaction.atomic():
        lock_org(token.organization)
        users, mapped = list(group.members.all()), bool(group.role)
        _group_changed(token, group, audit.ACTION_SCIM_GROUP_DELETED, _group_names(group), None, request_meta)
        group.delete()
        if mapped:
            _follow_mapped_group(token, joined=(), left=users)
