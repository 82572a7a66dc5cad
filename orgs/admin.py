"""Staff screens: every change to organizations and memberships goes through orgs.services."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from console.admin_mixins import ReadOnlyAdminMixin

from . import services
from .audit import RequestMeta
from .models import AuditEvent, Membership, Organization
from .roles import Role

ERR_MOVE_MEMBERSHIP = "A membership cannot be moved to another person: remove it and add a new one."


class MembershipInlineForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "role"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        if self.instance.pk and user.pk != self.instance.user_id:
            raise forms.ValidationError(ERR_MOVE_MEMBERSHIP)
        return user


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipInlineForm
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "plan", "thumbs_feedback_enabled", "workbench_feedback_enabled"]
    list_filter = ["kind", "plan", "thumbs_feedback_enabled", "workbench_feedback_enabled"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        # The kind decides which roles exist: it is fixed once the organization exists.
        return ["kind", "created_at"] if obj else ["created_at"]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.ServiceError as error:
            # The admin's transaction has rolled back: nothing of this save was kept.
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        meta = RequestMeta.from_request(request)
        if not change:
            created = services.create_organization(
                actor=request.user, name=obj.name, slug=obj.slug, kind=obj.kind, plan=obj.plan, request_meta=meta
            )
            obj.pk, obj.created_at, obj._state.adding = created.pk, created.created_at, False
            changed = [obj.profile.setting_field] if not obj.feedback_enabled else []
        else:
            changed = form.changed_data
            details = {f: form.cleaned_data[f] for f in services.DETAIL_FIELDS if f in changed}
            if details:
                services.update_organization_details(
                    actor=request.user, organization=obj, changes=details, request_meta=meta
                )
        # Only the setting of the org's own kind exists for it; the other field is left alone.
        setting = obj.profile.setting_field
        if setting in changed:
            services.set_feedback_setting(
                actor=request.user, organization=obj, enabled=form.cleaned_data[setting], request_meta=meta,
            )

    def save_formset(self, request, form, formset, change):
        meta = RequestMeta.from_request(request)
        org = form.instance
        deleted = set(formset.deleted_forms)
        # The admin's change message reads these lists; services fill them instead of formset.save().
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            membership = inline_form.instance
            if inline_form in deleted:
                if membership.pk:
                    services.remove_member(actor=request.user, membership=membership, request_meta=meta)
                    formset.deleted_objects.append(membership)
            elif membership.pk is None and inline_form.has_changed():
                created = services.add_member(
                    actor=request.user, organization=org, user=inline_form.cleaned_data["user"],
                    role=inline_form.cleaned_data["role"], request_meta=meta,
                )
                formset.new_objects.append(created)
            elif membership.pk and "role" in inline_form.changed_data:
                role = inline_form.cleaned_data["role"]
                if role == Role.PRIMARY_OWNER:
                    services.transfer_primary_ownership(actor=request.user, membership=membership, request_meta=meta)
                else:
                    services.change_member_role(actor=request.user, membership=membership, role=role, request_meta=meta)
                formset.changed_objects.append((membership, ["role"]))


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only for everyone, superusers included: the audit log is append-only."""

    list_display = ["created_at", "organization", "actor_email", "action", "target", "old_value", "new_value", "ip_address"]
    list_filter = ["action", "created_at"]
    search_fields = ["action", "target", "actor_email", "organization__slug"]
    list_select_related = ["organization"]
    date_hierarchy = "created_at"
