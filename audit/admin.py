"""Staff screens of the audit trail: every event, each chain's head and last check, the verification runs; read-only."""

from django.contrib import admin

from console.addresses import normalize_email
from console.admin_lists import DateRangeFilter, LargeTableAdminMixin
from console.admin_mixins import ReadOnlyAdminMixin

from .actions import group_choices
from .models import AuditChain, AuditEvent, VerificationRun, organization_model


class ActionGroupFilter(admin.SimpleListFilter):
    """Actions by their first word, a prefix the index answers; choices come from the registry, so nothing is scanned."""

    title = "action"
    parameter_name = "action_group"

    def lookups(self, request, model_admin):
        return group_choices()

    def queryset(self, request, queryset):
        prefix = self.value()
        return queryset.filter(action__startswith=prefix) if prefix in dict(group_choices()) else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only for everyone, superusers included: the audit log is append-only."""

    list_display = [
        "created_at", "organization", "seq", "actor_label", "action", "target", "old_value", "new_value", "ip_address",
    ]
    list_filter = [ActionGroupFilter, ("created_at", DateRangeFilter)]
    list_select_related = ["organization"]
    search_fields = ["actor_email"]  # replaced by get_search_results: indexed columns only
    search_help_text = "An exact e-mail address, the start of an action (member.role), or an organization's slug."

    @admin.display(description="actor", ordering="actor_email")
    def actor_label(self, obj):
        return obj.actor_label

    def get_search_results(self, request, queryset, search_term):
        """Exact e-mail, action prefix or organization slug: each answered by an index, never a scan."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if "@" in term:
            return queryset.filter(actor_email=normalize_email(term)), False
        organization = organization_model().objects.filter(slug=term).first()
        if organization is not None:
            return queryset.filter(organization=organization), False
        return queryset.filter(action__startswith=term), False


@admin.register(AuditChain)
class AuditChainAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Each chain's head (what customers keep) and what its last verification found."""

    list_display = ["organization", "head_seq", "head_hash", "verified_seq", "verified_at", "broken_seq", "problem"]
    list_select_related = ["organization"]
    list_filter = [("broken_seq", admin.EmptyFieldListFilter)]


@admin.register(VerificationRun)
class VerificationRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["started_at", "finished_at", "chains", "events", "broken"]
