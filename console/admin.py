from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group

from .addresses import clean_new_email, normalize_email
from .admin_mixins import CheckedSelectionMixin
from .forms import StaffSignInForm
from .models import User


class ConsoleUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self):
        """A new address is checked like any new identity's (console.addresses); an unchanged one is kept."""
        email = self.cleaned_data["email"]
        return clean_new_email(email) if "email" in self.changed_data else self.initial.get("email", email)


class ConsoleUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self):
        return clean_new_email(self.cleaned_data["email"])


# The staff sign-in looks the address up in its normal form, as the console's does.
admin.site.login_form = StaffSignInForm


@admin.register(User)
class UserAdmin(CheckedSelectionMixin, BaseUserAdmin):
    form = ConsoleUserChangeForm
    add_form = ConsoleUserCreationForm
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal info", {"fields": ["full_name"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "usable_password", "password1", "password2"]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        """An address (with an @) is found by its normal form, exactly; other text as Django searches names and addresses."""
        term = search_term.strip()
        if "@" in term:
            return queryset.filter(email=normalize_email(term)), False
        return super().get_search_results(request, queryset, search_term)


# Other apps' lists with actions check their selection too (importing their admin modules above
# registered them): a malformed row id gets a message, never a 500.
for _model, _admin in (
    (Group, GroupAdmin),
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    admin.site.unregister(_model)
    admin.site.register(_model, type(_admin.__name__, (CheckedSelectionMixin, _admin), {}))
