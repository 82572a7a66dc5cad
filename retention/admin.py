from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from console.admin_lists import DateRangeFilter, LargeTableAdminMixin
from console.admin_mixins import ReadOnlyAdminMixin

from . import selectors, services, tasks
from .models import RetentionRun

RUN_PURGE_PERMISSION = "retention.run_purge"


@admin.register(RetentionRun)
class RetentionRunAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only run history, newest first, with a "Run purge now" button for permitted staff."""

    change_list_template = "admin/retention/retentionrun/change_list.html"
    list_display = ["started_at", "kind", "status", "cutoff", "rows_deleted", "partitions_dropped",
                    "daily_counts_deleted", "batches", "duration_display", "rows_per_second_display", "short_error"]
    list_filter = ["kind", "status", ("started_at", DateRangeFilter)]
    ordering = ["-started_at"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields] + ["duration_display", "rows_per_second_display"]

    @admin.display(description="duration")
    def duration_display(self, run):
        return f"{run.duration.total_seconds():.1f} s" if run.duration is not None else "—"

    @admin.display(description="rows/s")
    def rows_per_second_display(self, run):
        return f"{run.rows_per_second:,.0f}" if run.rows_per_second is not None else "—"

    @admin.display(description="error")
    def short_error(self, run):
        return run.error[:80]

    def get_urls(self):
        run_purge = self.admin_site.admin_view(require_POST(self.run_purge_view))
        return [path("run-purge/", run_purge, name="retention_retentionrun_run_purge"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        # Where reports are stored right now: strays outside daily partitions, missing coming days.
        storage = selectors.get_storage_state(stray_limit=services.STRAY_COUNT_LIMIT,
                                              required_ahead=services.PARTITIONS_REQUIRED_AHEAD)
        extra_context = {**(extra_context or {}), "can_run_purge": request.user.has_perm(RUN_PURGE_PERMISSION),
                         "storage": storage}
        return super().changelist_view(request, extra_context=extra_context)

    def run_purge_view(self, request):
        """Enqueue one purge task now and say which task id it has."""
        if not request.user.has_perm(RUN_PURGE_PERMISSION):
            raise PermissionDenied
        result = tasks.purge_expired_feedback.delay()
        self.message_user(request, f"Purge queued as task {result.id}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:retention_retentionrun_changelist"))
