"""Staff views of identity: invitations (revoked through the service), and read-only lists of the rest.

Changes to domains, SSO and SCIM go through the organization's identity page.
"""

from django.contrib import admin, messages
from django.db import models
from django.utils import timezone

from audit.services import RequestMeta
from console.addresses import normalize_email
from console.admin_lists import LargeTableAdminMixin
from console.admin_mixins import CheckedSelectionMixin, ReadOnlyAdminMixin
from orgs.services import ServiceError

from . import invitations
from .invitation_status import InvitationStatus, filter_by_status, invitation_status
from .models import Domain, Invitation, SCIMGroup, SCIMToken, SSOConnection


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


class InvitationStatusFilter(admin.SimpleListFilter):
    """By invitation_status, in one query (identity.invitation_status.filter_by_status)."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return InvitationStatus.choices

    def queryset(self, request, queryset):
        if self.value() not in InvitationStatus.values:
            return queryset
        return filter_by_status(queryset, self.value(), timezone.now())


@admin.register(Invitation)
class InvitationAdmin(CheckedSelectionMixin, LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Invitations to every organization, read-only but for revoking, which goes through the service.

    The link's token is never shown: only its hash is stored, and that is left out too.
    """

    list_display = ["email", "organization", "role_name", "status", "invited_by_email", "sent_at", "expires_at"]
    list_filter = [InvitationStatusFilter]
    list_select_related = ["organization"]
    search_fields = ["email"]  # replaced by get_search_results: indexed columns only
    search_help_text = "An exact e-mail address, or an organization's slug."
    fields = [
        "organization", "email", "role", "invited_by_email", "created_at", "sent_at", "expires_at",
        "accepted_at", "revoked_at",
    ]
    actions = ["revoke_selected"]

    @admin.display(description="role", ordering="role")
    def role_name(self, obj):
        return obj.role_label

    @admin.display(description="status")
    def status(self, obj):
        return invitation_status(obj, timezone.now()).label

    def get_queryset(self, request):
        # The sender's role comes with each row: the status costs no query per invitation.
        return super().get_queryset(request).with_sender_role()

    def get_search_results(self, request, queryset, search_term):
        """An exact address (in its normal form) or an organization's slug: each answered by an index."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if "@" in term:
            return queryset.filter(email=normalize_email(term)), False
        return queryset.filter(organization__slug=term.lower()), False

    def has_revoke_permission(self, request):
        return request.user.has_perm(invitations.STAFF_PERMISSION)

    @admin.action(description="Revoke the selected open invitations", permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        revoked, meta = 0, RequestMeta.from_request(request)
        for invitation in queryset.select_related("organization"):
            try:
                invitations.revoke_invitation(actor=request.user, invitation=invitation, request_meta=meta)
            except ServiceError as error:
                self.message_user(request, f"{invitation.email} ({invitation.organization}): {error.message}", messages.ERROR)
            else:
                revoked += 1
        if revoked:
            self.message_user(request, f"Revoked {revoked} invitation{'s' if revoked != 1 else ''}.", messages.SUCCESS)
