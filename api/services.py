"""Making, revoking and using organization keys."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from audit.services import SYSTEM, record_audit_event
from console.refusals import CONFLICT, INVALID, Refusal
from orgs import permissions as org_permissions
from orgs.services import NotAllowed, ServiceError, lock_org, membership_of

from .audit import ACTION_KEY_CREATED, ACTION_KEY_REVOKED, key_target
from .keys import key_digest, key_hint, new_key
from .models import ApiKey, Scope

MAX_LIFETIME = timedelta(days=365)
# A key's last use is written at most this often (or when its address changes): checking a key
# stays one indexed read, not a write, on a busy key.
LAST_USE_PRECISION = timedelta(minutes=1)

ERR_SCOPES = Refusal("scopes", "Choose what the key may do: read, or read and write.", INVALID)
ERR_EXPIRY_PAST = Refusal("expiry_past", "The expiry must be in the future.", INVALID)
ERR_EXPIRY_TOO_FAR = Refusal("expiry_too_far", "A key expires at most one year after it is made.", INVALID)
ERR_KEY_NAME = Refusal("key_name", "Give the key a name, at most 100 characters.", INVALID)
ERR_KEY_GONE = Refusal("key_gone", "There is no such key in this organization.", CONFLICT)


def _check_can_manage(actor, org):
    if reason := org_permissions.why_cannot_manage_api_keys(membership_of(actor, org)):
        raise NotAllowed(reason)


def _audit_values(key):
    """A key as its events record it: name, scopes (codes) and expiry (ISO 8601, null for never), never the key."""
    return {
        "name": key.name,
        "scopes": list(key.scopes),
        "expires_at": key.expires_at.isoformat() if key.expires_at else None,
    }


def create_api_key(*, actor, organization, name, scopes, expires_at=None, request_meta=SYSTEM):
    """Make a key for the organization that acts with the actor's rights; returns (the key, its text, shown once)."""
    name = name.strip()
    scopes = sorted(set(scopes))
    if not name or len(name) > ApiKey._meta.get_field("name").max_length:
        raise ServiceError(ERR_KEY_NAME)
    if Scope.READ not in scopes or not set(scopes) <= set(Scope.values):
        raise ServiceError(ERR_SCOPES)
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ServiceError(ERR_EXPIRY_PAST)
    if expires_at is not None and expires_at > now + MAX_LIFETIME:
        raise ServiceError(ERR_EXPIRY_TOO_FAR)
    text = new_key()
    with transaction.atomic():
        org = lock_org(organization)
        _check_can_manage(actor, org)
        key = ApiKey.objects.create(
            organization=org, name=name, scopes=scopes, digest=key_digest(text), hint=key_hint(text),
            created_by=actor, created_by_email=actor.email, expires_at=expires_at,
        )
        record_audit_event(
            organization=org, actor=actor, action=ACTION_KEY_CREATED, target=key_target(key),
            new=_audit_values(key), request_meta=request_meta,
        )
    return key, text


def revoke_api_key(*, actor, key, request_meta=SYSTEM):
    """Revoke a key at once: the next request made with it is refused. Returns whether anything changed."""
    with transaction.atomic():
        org = lock_org(key.organization)
        _check_can_manage(actor, org)
        locked = ApiKey.objects.select_for_update().filter(pk=key.pk, organization=org).first()
        if locked is None:
            raise ServiceError(ERR_KEY_GONE)
        if locked.revoked_at is not None:
            return False
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        record_audit_event(
            organization=org, actor=actor, action=ACTION_KEY_REVOKED, target=key_target(locked),
            old=_audit_values(locked), request_meta=request_meta,
        )
    key.revoked_at = locked.revoked_at
    return True


def record_key_use(*, key, now, ip_address):
    """Note when and from where the key was last used (a write only when the minute or the address changed)."""
    if key.last_used_at is not None and now - key.last_used_at < LAST_USE_PRECISION and key.last_used_ip == ip_address:
        return False
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now, last_used_ip=ip_address)
    key.last_used_at, key.last_used_ip = now, ip_address
    return True
