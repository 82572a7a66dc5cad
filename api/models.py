"""Organization keys for the Admin API: a keyed hash, never the key itself."""

from django.conf import settings
from django.db import models

from .keys import masked


class Scope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Write"


class ApiKey(models.Model):
    """A key one of an organization's deciders made; it acts for them, within its scopes, until revoked or expired."""

    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    # The scopes granted, e.g. ["read"] or ["read", "write"].
    scopes = models.JSONField(default=list)
    # HMAC-SHA256 of the key under API_KEY_SECRET (api.keys.key_digest); the key is shown once and never kept.
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8, help_text="The key's last characters.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at", "-id"], name="api_key_org_newest")]

    def __str__(self):
        return f"{self.name} ({self.masked})"

    @property
    def masked(self):
        return masked(self.hint)

    def has_scope(self, scope):
        return scope in self.scopes

    def is_expired(self, now):
        return self.expires_at is not None and now >= self.expires_at

    def is_usable(self, now):
        """Neither revoked nor expired."""
        return self.revoked_at is None and not self.is_expired(now)
