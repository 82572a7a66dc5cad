"""Staff views of identity: read-only lists (changes go through the organization's identity page)."""

from django.contrib import admin
from django.db import models

from console.admin_mixins import ReadOnlyAdminMixin

from .models import Domain, SCIMGroup, SCIMToken, SSOConnection


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


@admin.register(Domain)
class DomainAdmin(ReadOnlyAdmin):
    list_display = ["name", "organization", "verified_at", "last_checked_at", "failing_since"]
    list_select_related = ["organization"]
    search_fields = ["=name", "=organization__slug"]


@admin.register(SSOConnection)
class SSOConnectionAdmin(ReadOnlyAdmin):
    list_display = ["organization", "protocol", "issuer", "idp_entity_id", "enforced", "first_success_at"]
    list_select_related = ["organization"]
    exclude = ["client_secret_encrypted"]
    # Identity providers are reached over HTTPS (identity.forms does the same).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(SCIMToken)
class SCIMTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "organization", "hint", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["organization"]
    exclude = ["token_hash"]


@admin.register(SCIMGroup)
class SCIMGroupAdmin(ReadOnlyAdmin):
    list_display = ["display_name", "organization", "role"]
    list_select_related = ["organization"]
    exclude = ["members"]
