"""Every change to an organization's identity settings: permission, lock, save, audit, one transaction.

Domains (claimed, verified by DNS, re-checked daily), the SSO connection (its provider, just-in-time
role, enforcement and break-glass account), SCIM tokens and the roles of SCIM groups. The sign-in
itself is identity.sso; SCIM's changes are identity.scim.
"""

import re
from datetime import timedelta

import idna
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from console.refusals import CONFLICT, FORBIDDEN, INVALID, ROLE, Refusal, kind_of
from orgs.models import Membership
from orgs.services import FieldError, NotAllowed, ServiceError, lock_org, membership_of

from . import audit, crypto, dns_check, outbound, permissions, saml
from .directory import apply_directory_roles
from .models import ERR_DOMAIN_TAKEN, Domain, Protocol, SCIMGroup, SCIMToken, SSOConnection
from .permissions import ERR_NOT_ALLOWED
from .selectors import get_break_glass_membership

ERR_DOMAIN_INVALID = Refusal(
    "domain_invalid",
    "Enter a domain name such as example.com (letters, digits and hyphens, at least two labels).",
    INVALID,
)
ERR_DOMAIN_CLAIMED = Refusal("domain_claimed", "This organization has already added this domain.", CONFLICT)
ERR_DOMAIN_NOT_FOUND = Refusal(
    "domain_not_found",
    "The TXT record was not found at {name}. Publish it with the value shown, wait for DNS to update, then verify again.",
    FORBIDDEN,
)
ERR_DOMAIN_GONE = Refusal("domain_gone", "That domain is no longer on this organization's list.", CONFLICT)
ERR_ENFORCE_UNTESTED = Refusal("enforce_untested", "Sign in through your identity provider once before enforcing single sign-on.", CONFLICT)
ERR_ENFORCE_UNCONFIGURED = Refusal("enforce_unconfigured", "Set up an identity provider before enforcing single sign-on.", CONFLICT)
ERR_OIDC_FIELDS = Refusal("oidc_fields", "OpenID Connect needs the issuer, the client ID and the client secret.", INVALID)
ERR_HTTPS = Refusal("https", "Use an https:// address: the identity provider's answers must not travel in clear.", INVALID)
ERR_ADDRESS_INVALID = Refusal("address_invalid", "This is not a web address the console can reach.", INVALID)
ERR_PRIVATE_ADDRESS = Refusal(
    "private_address", "This address leads to a private or local network. Give the identity provider's public address.",
    INVALID)
ERR_TOKEN_NAME = Refusal("token_name", "Give the token a name of 1 to 100 characters.", INVALID)
ERR_TOKEN_GONE = Refusal("token_gone", "That token is no longer active.", CONFLICT)
ERR_GROUP_GONE = Refusal("group_gone", "That group no longer exists.", CONFLICT)

DOMAIN_GRACE = timedelta(days=7)
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _check_can_manage(actor, org):
    """The actor's membership, once identity.permissions lets them change the org's identity settings."""
    membership = membership_of(actor, org)
    if membership is not None:
        membership.organization = org
    reason = permissions.why_cannot_manage_identity(membership)
    if kind_of(reason) == ROLE:
        raise NotAllowed(reason)
    if reason:
        raise ServiceError(reason)
    return membership


def clean_domain_name(raw):
    """The domain in its stored form (ASCII, lower case, no trailing dot), or FieldError."""
    text = (raw or "").strip().rstrip(".").lower()
    try:
        ascii_name = idna.encode(text, uts46=True).decode("ascii") if text else ""
    except (idna.IDNAError, UnicodeError, ValueError):
        ascii_name = ""
    labels = ascii_name.split(".")
    if not ascii_name or len(ascii_name) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise FieldError(ERR_DOMAIN_INVALID, "domain")
    return ascii_name


# Domains


def add_domain(*, actor, organization, name, request_meta=audit.SYSTEM):
    """Claim a domain for the organization; it is verified later from its TXT record."""
    name = clean_domain_name(name)
    with transaction.atomic():
        org = lock_org(organization)
        _check_can_manage(actor, org)
        if Domain.objects.filter(organization=org, name=name).exists():
            raise FieldError(ERR_DOMAIN_CLAIMED, "domain")
        domain = Domain.objects.create(organization=org, name=name)
        audit.record(
            organization=org, actor=actor, action=audit.ACTION_DOMAIN_ADDED, target=f"domain:{name}",
            new=name, request_meta=request_meta,
        )
    return domain


def _lock_domain(org, domain_id):
    domain = Domain.objects.select_for_update().filter(organization=org, pk=domain_id).first()
    if domain is None:
        raise ServiceError(ERR_DOMAIN_GONE)
    return domain


def verify_domain(*, actor, organization, domain_id, request_meta=audit.SYSTEM):
    """Look the domain's TXT record up and mark it verified; returns whether it changed."""
    org = organization
    _check_can_manage(actor, org)
    domain = Domain.objects.filter(organization=org, pk=domain_id).first()
    if domain is None:
        raise ServiceError(ERR_DOMAIN_GONE)
    # The look-up happens outside any transaction: DNS may take seconds, locks must not.
    found = dns_check.has_verification_record(domain)
    now = timezone.now()
    with transaction.atomic():
        org = lock_org(organization)
        domain = _lock_domain(org, domain_id)
        domain.last_checked_at = now
        if not found:
            domain.save(update_fields=["last_checked_at"])
            raise ServiceError(ERR_DOMAIN_NOT_FOUND.format(name=domain.record_name))
        if domain.is_verified:
            domain.failing_since = None
            domain.save(update_fields=["last_checked_at", "failing_since"])
            return False
        if Domain.objects.filter(name=domain.name, verified_at__isnull=False).exclude(pk=domain.pk).exists():
            raise ServiceError(ERR_DOMAIN_TAKEN)
        domain.verified_at, domain.failing_since = now, None
        try:
            with transaction.atomic():
                domain.save(update_fields=["verified_at", "last_checked_at", "failing_since"])
        except IntegrityError as error:  # another organization verified it a moment ago
            raise ServiceError(ERR_DOMAIN_TAKEN) from error
        audit.record(
            organization=org, actor=actor, action=audit.ACTION_DOMAIN_VERIFIED, target=f"domain:{domain.name}",
            old=False, new=True, request_meta=request_meta,
        )
    return True


def remove_domain(*, actor, organization, domain_id, request_meta=audit.SYSTEM):
    """Drop a domain from the organization (its people can then sign in with a password again)."""
    with transaction.atomic():
        org = lock_org(organization)
        _check_can_manage(actor, org)
        domain = _lock_domain(org, domain_id)
        name, was_verified = domain.name, domain.is_verified
        domain.delete()
        audit.record(
            organization=org, actor=actor, action=audit.ACTION_DOMAIN_REMOVED, target=f"domain:{name}",
            old={"domain": name, "verified": was_verified}, new=None, request_meta=request_meta,
        )


def recheck_domain(*, domain_id, now=None):
    """The daily re-check of one verified domain: un-verify it after DOMAIN_GRACE of failures.

    Returns "ok", "failing" or "unverified".
    """
    now = now or timezone.now()
    domain = Domain.objects.filter(pk=domain_id, verified_at__isnull=False).first()
    if domain is None:
        return "gone"
    found = dns_check.has_verification_record(domain)
    with transaction.atomic():
        org = lock_org(domain.organization)
        domain = Domain.objects.select_for_update().filter(pk=domain_id, verified_at__isnull=False).first()
        if domain is None:
            return "gone"
        domain.last_checked_at = now
        if found:
            domain.failing_since = None
            domain.save(update_fields=["last_checked_at", "failing_since"])
            return "ok"
        domain.failing_since = domain.failing_since or now
        if now - domain.failing_since < DOMAIN_GRACE:
            domain.save(update_fields=["last_checked_at", "failing_since"])
            return "failing"
        domain.verified_at = None
        domain.save(update_fields=["verified_at", "last_checked_at", "failing_since"])
        audit.record(
            organization=org, action=audit.ACTION_DOMAIN_UNVERIFIED, target=f"domain:{domain.name}",
            old=True, new=False,
        )
    return "unverified"


def recheck_verified_domains(*, now=None):
    """Re-check every verified domain; returns how many were un-verified."""
    ids = list(Domain.objects.filter(verified_at__isnull=False).order_by("pk").values_list("pk", flat=True))
    return sum(recheck_domain(domain_id=pk, now=now) == "unverified" for pk in ids)


# The SSO connection


def _lock_connection(org):
    connection, _ = SSOConnection.objects.select_for_update().get_or_create(organization=org)
    connection.organization = org
    return connection


def _public_settings(connection):
    """What an audit event may show of a connection: never the secret or the metadata's text.

    The role is the one a first sign-in gives (none chosen reads as the default it stands for).
    """
    return {
        "protocol": connection.protocol, "issuer": connection.issuer, "client_id": connection.client_id,
        "idp_entity_id": connection.idp_entity_id, "idp_metadata_url": connection.idp_metadata_url,
        "jit_role": permissions.jit_role_for(connection.organization.kind, connection.jit_role),
    }


def _settings_changes(old, new, *, first):
    """The event's old and new values: every setting given on a first configuration, else those that changed."""
    if first:
        return None, {key: value for key, value in new.items() if value}
    changed = [key for key, value in new.items() if old.get(key) != value]
    return {key: old[key] for key in changed if key in old}, {key: new[key] for key in changed}


def check_provider_url(url, field):
    """Identity providers are reached over HTTPS (plain HTTP only where IDENTITY_ALLOW_HTTP is on: development),
    at a public address (outbound.py checks every connection; this says so when the address is saved)."""
    if url and not url.startswith("https://") and not (settings.IDENTITY_ALLOW_HTTP and url.startswith("http://")):
        raise FieldError(ERR_HTTPS, field)
    if url and not outbound.is_valid_address(url):
        raise FieldError(ERR_ADDRESS_INVALID, field)
    if url and outbound.leads_to_refused_address(url):
        raise FieldError(ERR_PRIVATE_ADDRESS, field)


def configure_oidc(*, actor, organization, issuer, client_id, client_secret, jit_role, request_meta=audit.SYSTEM):
    """Set the organization's provider to OpenID Connect; an empty secret keeps the stored one."""
    _check_jit_role(organization, jit_role)
    check_provider_url(issuer, "issuer")
    with transaction.atomic():
        org = lock_org(organization)
        _check_can_manage(actor, org)
        connection = _lock_connection(org)
        if not (issuer and client_id and (client_secret or connection.client_secret_encrypted)):
            raise FieldError(ERR_OIDC_FIELDS, "issuer")
        old, first = _public_settings(connection), not connection.is_configured
        # What the event says of the secret, never the secret: "" when the stored one is kept.
        secret = ("replaced" if connection.client_secret_encrypted else "set") if client_secret else ""
        connection.protocol, connection.issuer, connection.client_id = Protocol.OIDC, issuer.rstrip("/"), client_id
        if secret:
            connection.client_secret_encrypted = crypto.encrypt_secret(client_secret)
        connection.jit_role = jit_role
        _save_connection(org, actor, connection, old, request_meta, first=first, secret=secret)
    return connection


def configure_saml(*, actor, organization, metadata_xml, metadata_url, jit_role, request_meta=audit.SYSTEM):
    """Set the organization's provider to SAML from the IdP's metadata (pasted XML, or fetched from its URL)."""
    _check_jit_role(organization, jit_role)
    check_provider_url(metadata_url, "idp_metadata_url")
    _check_can_manage(actor, organization)
    # Fetching and reading the metadata happens before the transaction (it may take seconds).
    try:
        fetched = not metadata_xml
        metadata_xml = metadata_xml or saml.fetch_metadata(metadata_url)
        entity_id = saml.idp_entity_id(metadata_xml)
    except saml.SAMLError as error:
        # Beside what was given: the URL when it could not be read, else the metadata itself.
        field = "idp_metadata_url" if fetched and error.code in saml.FETCH_CODES else "idp_metadata_xml"
        raise FieldError(error.message, field) from error
    with transaction.atomic():
        org = lock_org(organization)
        _check_can_manage(actor, org)
        connection = _lock_connection(org)
        old, first = _public_settings(connection), not connection.is_configured
        connection.protocol = Protocol.SAML
        connection.idp_metadata_xml, connection.idp_metadata_url, connection.idp_entity_id = (
            metadata_xml, metadata_url, entity_id,
        )
        connection.jit_role = jit_role
        _save_connection(org, actor, connection, old, request_meta, first=first)
    return connection


def _check_jit_role(organization, role):
    if role and (reason := permissions.why_cannot_provision_role(organization.kind, role)):
        raise FieldError(reason, "jit_role")


def _save_connection(org, actor, connection, old, request_meta, *, first, secret=""):
    # A new provider has not proven itself: enforcement waits for its first successful sign-in.
    provider_changed = any(old[key] != value for key, value in _public_settings(connection).items() if key != "jit_role")
    if provider_changed or secret:
        connection.first_success_at = None
        was_enforced, connection.enforced = connection.enforced, False
    else:
        was_enforced = False
    connection.save()
    new = _public_settings(connection)
    if secret:
        new["client_secret"] = secret
    if new != old:
        before, after = _settings_changes(old, new, first=first)
        audit.record(
            organization=org, actor=actor, action=audit.ACTION_SSO_CONFIGURED, target=f"sso:{connection.protocol}",
            old=before, new=after, request_meta=request_meta,
        )
    if was_enforced:
        audit.record(
            organization=org, actor=actor, action=audit.ACTION_SSO_ENFORCED, target=f"sso:{connection.protocol}",
            old=True, new=False, request_meta=request_meta,
        )


def set_sso_enforced(*, actor, organization, enforced, request_meta=audit.SYSTEM):
    """Turn enforced SSO on or off; on only after one sign-in through the provider has succeeded."""
    enforced = bool(enforced)
    with transaction.atomic():
        org = lock_org(organization)
        _check_can_manage(actor, org)
        connection = _lock_connection(org)
        if connection.enforced == enforced:
            return False
        if enforced and not connection.is_configured:
            raise ServiceError(ERR_ENFORCE_UNCONFIGURED)
        if enforced and connection.first_success_at is None:
            raise ServiceError(ERR_ENFORCE_UNTESTED)
        connection.enforced = enforced
        connection.save(update_fields=["enforced", "updated_at"])
        audit.record(
            organization=org, actor=actor, action=audit.ACTION_SSO_ENFORCED, target=f"sso:{connection.protocol}",
            old=not enforced, new=enforced, request_meta=request_meta,
        )
    return True


def set_break_glass_account(*, actor, organization, membership_id, request_meta=audit.SYSTEM):
    """Choose the decider who keeps their password while SSO is enforced."""
    with transaction.atomic():
        org = lock_org(organization)
        _check_can_manage(actor, org)
        connection = _lock_connection(org)
        target = membership_of_id(org, membership_id)
        if target is None or (reason := permissions.why_cannot_be_break_glass(target)):
            raise FieldError(reason if target is not None else ERR_NOT_ALLOWED, "break_glass")
        current = get_break_glass_membership(org, connection)
        if current is not None and current.user_id == target.user_id and connection.break_glass_user_id:
            return False
        connection.break_glass_user = target.user
        connection.save(update_fields=["break_glass_user", "updated_at"])
        audit.record(
            organization=org, actor=actor, action=audit.ACTION_BREAK_GLASS, target=f"member:{target.user.email}",
            old=current.user.email if current else None, new=target.user.email, request_meta=request_meta,
        )
    return True


def membership_of_id(org, membership_id):
    """One membership of the organization by id, with its person (None when there is none)."""
    membership = Membership.objects.select_related("user").filter(organization=org, pk=membership_id).first()
    if membership is not None:
        membership.organization = org
    return membership


def record_sso_success(*, connection):
    """Remember the provider's first successful sign-in (enforcing SSO waits for it)."""
    if connection.first_success_at is None:
        SSOConnection.objects.filter(pk=connection.pk, first_success_at__isnull=True).update(
            first_success_at=timezone.now()
        )


# SCIM tokens


def create_scim_token(*, actor, organization, name, request_meta=audit.SYSTEM):
    """Create a SCIM token; returns (the record, the token), the token shown once and never stored."""
    name = (name or "").strip()
    if not 1 <= len(name) <= 100 or not name.isprintable():
        raise FieldError(ERR_TOKEN_NAME, "name")
    token = crypto.new_scim_token()
    with transaction.atomic():
        org = lock_org(organization)
        if actor is not None:
            _check_can_manage(actor, org)
        record = SCIMToken.objects.create(
            organization=org, name=name, token_hash=crypto.hash_scim_token(token), hint=token[-4:],
            created_by_email=actor.email if actor else "",
        )
        audit.record(
            organization=org, actor=actor, action=audit.ACTION_SCIM_TOKEN_CREATED, target=f"scim_token:{name}",
            new={"name": name, "hint": record.hint}, request_meta=request_meta,
        )
    return record, token


def revoke_scim_token(*, actor, organization, token_id, request_meta=audit.SYSTEM):
    """Revoke a SCIM token at once: its next request is refused."""
    with transaction.atomic():
        org = lock_org(organization)
        _check_can_manage(actor, org)
        record = SCIMToken.objects.select_for_update().filter(organization=org, pk=token_id, revoked_at=None).first()
        if record is None:
            raise ServiceError(ERR_TOKEN_GONE)
        record.revoked_at = timezone.now()
        record.save(update_fields=["revoked_at"])
        audit.record(
            organization=org, actor=actor, action=audit.ACTION_SCIM_TOKEN_REVOKED, target=f"scim_token:{record.name}",
            old={"name": record.name, "hint": record.hint}, new=None, request_meta=request_meta,
        )


def set_group_role(*, actor, organization, group_id, role, request_meta=audit.SYSTEM):
    """Map a SCIM group to a role (or none); its members' roles follow (identity.directory)."""
    if role and (reason := permissions.why_cannot_provision_role(organization.kind, role)):
        raise FieldError(reason, "role")
    with transaction.atomic():
        org = lock_org(organization)
        _check_can_manage(actor, org)
        group = SCIMGroup.objects.select_for_update().filter(organization=org, pk=group_id).first()
        if group is None:
            raise ServiceError(ERR_GROUP_GONE)
        if group.role == role:
            return False
        old, group.role = group.role, role
        group.save(update_fields=["role", "updated_at"])
        audit.record(
            organization=org, actor=actor, action=audit.ACTION_GROUP_ROLE, target=f"group:{group.display_name}",
            old=old or None, new=role or None, request_meta=request_meta,
        )
    # The members' roles change as the group's mapping now says, in the name of whoever mapped it.
    apply_directory_roles(organization=org, users=list(group.members.all()), via=audit.Actor.of(actor))
    return True
