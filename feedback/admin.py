"""Staff view of feedback reports: read-only, for staff holding the view permission."""

import json

from django.contrib import admin
from django.utils.html import format_html

from audit.services import RequestMeta
from console.admin_lists import DateRangeFilter, LargeTableAdminMixin
from console.admin_mixins import ReadOnlyAdminMixin

from .models import Feedback, StaffAccess
from .services import record_report_viewed


@admin.register(Feedback)
class FeedbackAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Reports leave only through the retention purge, which records every run."""

    list_display = ["id", "surface", "kind", "rating", "message_index", "short_comment", "created_at"]
    list_filter = ["kind", "surface", "rating", ("created_at", DateRangeFilter)]
    fields = ["id", "surface", "kind", "rating", "comment", "created_at", "message_index", "rated_message",
              "conversation_pretty"]
    readonly_fields = fields

    class Media:
        css = {"all": ["css/admin.css"]}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The report's detail; each opening by staff is put on the record (StaffAccess)."""
        response = super().change_view(request, object_id, form_url, extra_context)
        # Only a report actually shown counts: not a 404, a refusal or a redirect.
        if request.method == "GET" and response.status_code == 200:
            record_report_viewed(
                staff=request.user, feedback_id=self.get_object(request, object_id).pk,
                request_meta=RequestMeta.from_request(request),
            )
        return response

    @admin.display(description="comment")
    def short_comment(self, obj):
        return (obj.comment[:80] + "…") if len(obj.comment) > 80 else obj.comment

    @admin.display(description="rated response")
    def rated_message(self, obj):
        """The assistant message the person rated, as stored (markers in place of connector content)."""
        messages = obj.conversation.get("messages") if isinstance(obj.conversation, dict) else None
        if obj.message_index is None or not isinstance(messages, list) or obj.message_index >= len(messages):
            return "— (not recorded: the report predates the rated-message field)" if obj.message_index is None else "—"
        text = json.dumps(messages[obj.message_index], indent=2, ensure_ascii=False, sort_keys=True)
        return format_html('<pre class="report-json">{}</pre>', text)

    @admin.display(description="conversation")
    def conversation_pretty(self, obj):
        text = json.dumps(obj.conversation, indent=2, ensure_ascii=False, sort_keys=True)
        return format_html('<pre class="report-json tall">{}</pre>', text)


@admin.register(StaffAccess)
class StaffAccessAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who among staff read which reports: superusers only, and nobody changes or deletes a record."""

    list_display = ["created_at", "staff_email", "kind", "feedback_id", "since", "until", "report_count", "ip_address", "origin"]
    list_filter = ["kind", "created_at"]
    search_fields = ["staff_email"]
    readonly_fields = list_display

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self.has_view_permission(request)
