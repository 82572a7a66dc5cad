"""Behaviour shared by the staff screens."""

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect


class ReadOnlyAdminMixin:
    """A record nobody adds, changes or deletes in the admin, superusers included: view only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The largest primary key a PostgreSQL bigint holds: a selection past it is not a row.
MAX_PK = 2**63 - 1


class CheckedSelectionMixin:
    """An action posted with a selection that is not a list of row ids is answered with a message.

    Django would pass such values straight to the query (a 500 on "abc" or on 2**70).
    """

    def _is_row_id(self, value):
        try:
            key = self.model._meta.pk.to_python(value)
        except ValidationError:
            return False
        if isinstance(key, int):
            return value.isascii() and value.isdigit() and key <= MAX_PK
        return "\x00" not in value

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(self._is_row_id(value) for value in selected):
            self.message_user(request, "The selection was not understood: choose the rows again.", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)
