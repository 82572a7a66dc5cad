"""The audit trail: append-only events, hash-chained per organization, and each chain's head and last check."""

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce

from .chain import GENESIS

ERR_AUDIT_APPEND_ONLY = "Audit events are append-only: they cannot be changed or deleted."


class ActorKind(models.TextChoices):
    """Who acted: a person (by their account and e-mail), the system, or a named non-person actor."""

    PERSON = "person", "Person"
    SYSTEM = "system", "System"
    API_KEY = "api_key", "Admin API key"
    SCIM = "scim", "SCIM token"
    SSO = "sso", "Single sign-on"


# How each non-person actor reads, with its name (a key's, a token's, a connection's).
ACTOR_LABELS = {
    ActorKind.SYSTEM: "System",
    ActorKind.API_KEY: "API key “{name}”",
    ActorKind.SCIM: "SCIM token “{name}”",
    ActorKind.SSO: "Single sign-on {name}",
}


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError(ERR_AUDIT_APPEND_ONLY)

    def delete(self):
        raise PermissionError(ERR_AUDIT_APPEND_ONLY)


class AuditEvent(models.Model):
    """One recorded change; written only by audit.services.record_audit_event, never changed (a trigger refuses)."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="audit_events", null=True, blank=True
    )
    # The chain: 1, 2, 3 … per organization (events with none form their own chain); hash covers
    # the fields in audit.chain.HASHED_FIELDS, prev_hash among them.
    seq = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The person's account; empty for the system and other actors, or once the account is deleted.",
    )
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices, default=ActorKind.PERSON)
    # Kept beside the foreign key so the log still names the person if the account goes.
    actor_email = models.EmailField(blank=True)
    actor_name = models.CharField(
        max_length=200, blank=True, help_text="A non-person actor's name: the API key's, the SCIM token's."
    )
    action = models.CharField(max_length=100, db_index=True)
    target = models.CharField(max_length=255, blank=True)
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    created_at = models.DateTimeField(db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-created_at", "-id"], name="audit_org_newest"),
            # The staff search: an exact e-mail, or the start of an action (LIKE 'x%' needs the pattern opclass).
            models.Index(fields=["actor_email", "-created_at", "-id"], name="audit_actor_email"),
            models.Index(fields=["organization", "action"], name="audit_org_action"),  # the owners' action filter
            models.Index(fields=["action"], name="audit_action_prefix", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            # One event per number in a chain: no fork can be stored, even by a writer that skipped the lock.
            models.UniqueConstraint(fields=["organization", "seq"], name="audit_one_event_per_org_seq"),
            models.UniqueConstraint(
                fields=["seq"], condition=Q(organization__isnull=True), name="audit_one_event_per_system_seq"
            ),
        ]

    def __str__(self):
        return f"{self.action} on {self.target or self.organization}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError(ERR_AUDIT_APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(ERR_AUDIT_APPEND_ONLY)

    @property
    def actor_label(self):
        """Who acted, as people read it: the person's e-mail, "System", or the named actor."""
        if self.actor_kind == ActorKind.PERSON:
            return self.actor_email or "System"
        return ACTOR_LABELS.get(self.actor_kind, "{name}").format(name=self.actor_name).strip()


def organization_model():
    """The organization model, as audit's own foreign keys name it (audit imports no app above it)."""
    return AuditEvent._meta.get_field("organization").related_model


class AuditChain(models.Model):
    """The head of one chain (an organization's, or that of events with none), and its last verification.

    Its row is the chain's lock: recording an event takes it FOR UPDATE in the event's transaction.
    """

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    head_seq = models.PositiveBigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default=GENESIS)
    head_at = models.DateTimeField(null=True, blank=True)
    # The last verification: intact through verified_seq (whose hash it then had), or broken at broken_seq.
    checked_at = models.DateTimeField(null=True, blank=True)
    verified_seq = models.PositiveBigIntegerField(default=0)
    verified_hash = models.CharField(max_length=64, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    broken_seq = models.PositiveBigIntegerField(null=True, blank=True)
    problem = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Coalesce("organization", Value(0)), name="audit_one_chain_per_org"),
        ]

    def __str__(self):
        return f"chain of {self.organization or 'events without organization'} through {self.head_seq}"

    @property
    def is_broken(self):
        return self.broken_seq is not None


class VerificationRun(models.Model):
    """One run of verify_audit (the daily task's or a command's): what it checked and what it found."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    chains = models.PositiveIntegerField(default=0)
    events = models.PositiveBigIntegerField(default=0)
    broken = models.PositiveIntegerField(default=0)
    report = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"verification of {self.started_at:%Y-%m-%d %H:%M}: {self.broken} broken of {self.chains}"
