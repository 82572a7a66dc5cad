"""How people get into an organization: invitations, verified domains, its SSO connection, SCIM tokens and groups."""

import base64
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Lower
from django.utils.crypto import salted_hmac

from audit.services import Actor
from console.refusals import CONFLICT, Refusal
from orgs.models import Membership, Organization
from orgs.roles import Role, role_label

ERR_DOMAIN_TAKEN = Refusal("domain_taken", "Another organization has already verified this domain.", CONFLICT)


def new_verification_token():
    """The value an organization publishes in DNS to prove it holds a domain (160 bits)."""
    return secrets.token_hex(20)


def new_public_id():
    """The stable, unguessable part of an SSO connection's URLs (redirect URI, ACS, entity ID)."""
    return secrets.token_hex(12)


def new_invitation_nonce():
    """A fresh random value from which an invitation's link token is made (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def invitation_link_token(nonce):
    """The link token made from a nonce with the server's SECRET_KEY (HMAC-SHA256, 256 bits, URL-safe).

    The mail task is given the nonce, never the token: what sits in the broker opens nothing
    without the key, and the database keeps only the token's hash.
    """
    # The salt keeps the name it had in the orgs app: links mailed before the move still open.
    digest = salted_hmac("orgs.invitation-link", nonce, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def hash_invitation_token(token):
    """The stored form of an invitation link's token."""
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def with_sender_role(self):
        """Each invitation with ``sender_role``: its sender's present role in the organization (None once they left).

        What identity.invitation_status.invitation_status needs besides the row, read in the same query.
        """
        # One membership per person and organization: no ordering needed (and none joined in).
        sender = Membership.objects.filter(user=OuterRef("invited_by"), organization=OuterRef("organization")).order_by()
        return self.annotate(sender_role=Subquery(sender.values("role")[:1]))


class Invitation(models.Model):
    """An e-mailed offer to join an organization with a role: single use, valid for a week.

    Its status (pending, accepted, revoked, expired, lapsed) is identity.invitation_status.invitation_status's
    answer alone.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices)
    # Only the SHA-256 of the link's token is kept: a copy of the database opens no invitation.
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_by_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(help_text="When the latest link was issued; it is valid for a week from then.")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            # The staff list: newest first, and searched by an exact address.
            models.Index(fields=["-sent_at", "-id"], name="invitation_newest"),
            models.Index(fields=["email"], name="invitation_email"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_email_and_org",
                violation_error_message="This address already has an open invitation to the organization.",
            ),
            models.CheckConstraint(
                name="invitation_accepted_or_revoked_not_both",
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
            ),
            models.CheckConstraint(name="invitation_email_lowercase", condition=Q(email=Lower("email"))),
        ]

    def __str__(self):
        return f"{self.email} to {self.organization} ({self.role})"

    @property
    def role_label(self):
        return role_label(self.organization.kind, self.role)


class Domain(models.Model):
    """A domain an organization claims; verified once its TXT record is found, by one organization at most."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="domains")
    # The domain in its ASCII (IDNA) form, lower case, no trailing dot.
    name = models.CharField(max_length=253)
    token = models.CharField(max_length=64, default=new_verification_token)
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    # When the re-check first failed for a verified domain; cleared by the next success.
    failing_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="one_claim_per_domain_and_org"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(verified_at__isnull=False), name="one_org_verifies_a_domain",
                violation_error_message=ERR_DOMAIN_TAKEN,
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_verified(self):
        return self.verified_at is not None

    @property
    def record_name(self):
        """The DNS name of the TXT record to publish."""
        return f"_dmc-challenge.{self.name}"

    @property
    def record_value(self):
        """The TXT record's value."""
        return f"dmc-verification={self.token}"


class Protocol(models.TextChoices):
    OIDC = "oidc", "OpenID Connect"
    SAML = "saml", "SAML 2.0"


class SSOConnection(models.Model):
    """An organization's identity provider, its just-in-time role, and whether SSO is enforced."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="sso_connection")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id)
    protocol = models.CharField(max_length=8, choices=Protocol.choices, default=Protocol.OIDC)
    # OpenID Connect: the issuer (discovery at <issuer>/.well-known/openid-configuration), the client.
    issuer = models.URLField(max_length=500, blank=True)
    client_id = models.CharField(max_length=255, blank=True)
    # Fernet ciphertext of the client secret (identity.crypto); never the secret itself.
    client_secret_encrypted = models.TextField(blank=True)
    # SAML: the IdP's metadata, pasted (XML) or fetched from a URL; the entity ID read from it.
    idp_metadata_xml = models.TextField(blank=True)
    idp_metadata_url = models.URLField(max_length=500, blank=True)
    idp_entity_id = models.CharField(max_length=500, blank=True)
    jit_role = models.CharField(max_length=16, choices=Role.choices, blank=True)
    enforced = models.BooleanField(default=False)
    break_glass_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_success_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name, verbose_name_plural = "SSO connection", "SSO connections"

    def __str__(self):
        return f"{self.get_protocol_display()} for {self.organization}"

    @property
    def is_configured(self):
        """Whether it has what a sign-in needs."""
        if self.protocol == Protocol.OIDC:
            return bool(self.issuer and self.client_id and self.client_secret_encrypted)
        return bool(self.idp_metadata_xml and self.idp_entity_id)


class UsedAssertion(models.Model):
    """A SAML assertion already consumed: the same assertion ID is refused until it would have expired."""

    connection = models.ForeignKey(SSOConnection, on_delete=models.CASCADE, related_name="+")
    assertion_id = models.CharField(max_length=255)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "assertion_id"], name="assertion_used_once"),
        ]

    def __str__(self):
        return self.assertion_id


class SCIMToken(models.Model):
    """An organization's SCIM bearer token: shown once, kept as a keyed hash, revocable at once."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="scim_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    # The token's last four characters, so people can tell their tokens apart.
    hint = models.CharField(max_length=8)
    created_by_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name, verbose_name_plural = "SCIM token", "SCIM tokens"

    def __str__(self):
        return f"{self.name} ({self.organization})"

    @property
    def actor(self):
        """The token as the actor of the audit events it causes."""
        return Actor.scim_token(self.name)


class SCIMUser(models.Model):
    """A person as the organization's directory provisioned them: their directory id and name, and
    whether they are active (an inactive person keeps this record but no membership)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="scim_users")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim_records")
    external_id = models.CharField(max_length=255, blank=True)
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name, verbose_name_plural = "SCIM user", "SCIM users"
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="one_scim_record_per_person_and_org"),
        ]

    def __str__(self):
        return f"{self.user} in {self.organization}"


class SCIMGroup(models.Model):
    """A directory group pushed by SCIM; the identity page maps it to a role (at most Admin)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="scim_groups")
    display_name = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="scim_groups", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name"]
        verbose_name, verbose_name_plural = "SCIM group", "SCIM groups"
        constraints = [
            models.UniqueConstraint(fields=["organization", "display_name"], name="one_scim_group_per_name_and_org"),
        ]

    def __str__(self):
        return self.display_name
