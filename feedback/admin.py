"""Staff view of feedback reports: read-only, for staff holding the view permission."""

import json

from django.contrib import admin
from django.utils.html import format_html

from console.admin_lists import LargeTableAdminMixin
from console.admin_mixins import ReadOnlyAdminMixin

from .models import Feedback


@admin.register(Feedback)
class FeedbackAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Reports leave only through the retention purge, which records every run."""

    list_display = ["id", "surface", "rating", "message_index", "short_comment", "created_at"]
    list_filter = ["surface", "rating", "created_at"]
    fields = ["id", "surface", "rating", "comment", "created_at", "message_index", "rated_message", "conversation_pretty"]
    readonly_fields = fields

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
        return format_html('<pre style="white-space:pre-wrap;max-height:20rem;overflow:auto">{}</pre>', text)

    @admin.display(description="conversation")
    def conversation_pretty(self, obj):
        text = json.dumps(obj.conversation, indent=2, ensure_ascii=False, sort_keys=True)
        return format_html('<pre style="white-space:pre-wrap;max-height:40rem;overflow:auto">{}</pre>', text)
