"""Staff screens: organizations, their members (a list of their own) and model training periods.

Every change goes through orgs.staff, which calls orgs.services; a refusal is shown on the form.
"""

from datetime import UTC

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import TO_FIELD_VAR
from django.contrib.admin.utils import unquote
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from audit.services import RequestMeta
from console.addresses import normalize_email
from console.admin import UserAdmin
from console.admin_lists import LargeTableAdminMixin
from console.admin_mixins import ReadOnlyAdminMixin
from console.models import User

from . import staff
from .models import Membership, ModelTrainingPeriod, Organization
from .roles import Role, is_role_valid_for_kind
from .selectors import list_model_training_periods


class StaffServiceAdminMixin:
    """A refusal from orgs.staff re-shows the form with the posted values and the reason beside its field."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except staff.StaffError as error:
            # The admin's transaction has rolled back; validate the same post again, now with the refusal.
            request._staff_errors = error.errors
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_staff_errors", None)
        if not refusal:
            return form

        class RefusedForm(form):
            def clean(self):
                cleaned = super().clean()
                for field, reasons in refusal.items():
                    for reason in reasons:
                        self.add_error(field if field in self.fields else None, reason)
                return cleaned

        return RefusedForm


def _members_url(organization, action="changelist"):
    url = reverse(f"admin:orgs_membership_{action}")
    key = "organization__id__exact" if action == "changelist" else "organization"
    return f"{url}?{key}={organization.pk}"


MODEL_TRAINING_FIELDS = ["model_training_enabled", "model_training_periods"]
TRAINING_PERIODS_SHOWN = 20


def _utc(moment):
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S.%f} UTC"


@admin.register(Organization)
class OrganizationAdmin(StaffServiceAdminMixin, admin.ModelAdmin):
    list_display = [
        "name", "slug", "kind", "plan", "thumbs_feedback_enabled", "workbench_feedback_enabled", "model_training_enabled",
    ]
    list_filter = ["kind", "plan", "thumbs_feedback_enabled", "workbench_feedback_enabled", "model_training_enabled"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_fields(self, request, obj=None):
        fields = staff.organization_fields(obj.kind if obj else None)
        return [*fields, *MODEL_TRAINING_FIELDS, "members"] if obj else fields

    def get_readonly_fields(self, request, obj=None):
        # The kind decides which roles exist: it is fixed once the organization exists. Model training
        # is the customer's consent to give or withdraw: staff see it and its periods, never change them.
        return ["kind", "created_at", *MODEL_TRAINING_FIELDS, "members"] if obj else []

    @admin.display(description="model training periods")
    def model_training_periods(self, obj):
        """The latest periods in which the organization allowed model training, and a link to all of them."""
        periods = list_model_training_periods(obj, limit=TRAINING_PERIODS_SHOWN)
        if not periods:
            return "None: model training has never been allowed."
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
            (_utc(p.started_at), p.started_by_email or "—", p.terms_version,
             _utc(p.ended_at) if p.ended_at else "still on", p.ended_by_email or "—")
            for p in periods
        ))
        url = reverse("admin:orgs_modeltrainingperiod_changelist") + f"?organization__id__exact={obj.pk}"
        return format_html(
            # A region that scrolls sideways on its own at phone width, reachable by keyboard.
            '<div class="wide-table" role="region" aria-label="Model training periods" tabindex="0">'
            "<table><thead><tr><th>From</th><th>Allowed by</th><th>Terms version</th><th>To</th><th>Withdrawn by</th>"
            '</tr></thead><tbody>{}</tbody></table></div><a href="{}">All periods of this organization</a>',
            rows, url,
        )

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else self.prepopulated_fields

    def has_delete_permission(self, request, obj=None):
        # An organization is not deleted from the console: its members would go with no audit
        # event, past the rules; its audit log is kept (the database protects it too).
        return False

    @admin.display(description="members")
    def members(self, obj):
        """Counts by role and links to the organization's member list: the same cost for any size."""
        counts = format_html_join(", ", "{}: {}", ((label, f"{n:,}") for label, n in staff.count_members_by_role(obj)))
        return format_html(
            '{} — <a href="{}">see and change the members</a> · <a href="{}">add a member</a>',
            counts, _members_url(obj), _members_url(obj, "add"),
        )

    def save_model(self, request, obj, form, change):
        meta = RequestMeta.from_request(request)
        if change:
            staff.change_organization(
                actor=request.user, organization=obj, values=form.cleaned_data, changed=form.changed_data,
                request_meta=meta,
            )
            return
        created = staff.create_organization(actor=request.user, values=form.cleaned_data, request_meta=meta)
        obj.pk, obj.created_at, obj._state.adding = created.pk, created.created_at, False


@admin.register(ModelTrainingPeriod)
class ModelTrainingPeriodAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every period in which an organization allowed model training: read-only, consent is the customer's to give."""

    # One organization's periods: ?organization__id__exact=<id>, linked from its page.
    list_display = ["organization", "started_at", "started_by_email", "terms_version", "ended_at", "ended_by_email"]
    list_select_related = ["organization"]
    fields = list_display
    ordering = ["-started_at", "-id"]


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["organization", "user", "role"]

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        # On a member, the one-Primary-Owner rule is the transfer service's to apply, not the form's.
        return {*exclude, "role"} if self.instance.pk else exclude


class OrganizationSearchFilter(admin.ListFilter):
    """"By organization" as a search by exact slug, never a list of every organization (there may be 100,000).

    `?organization__id__exact=<id>` (the organization page's link) and `?organization=<slug>` both
    narrow the list to one organization: one lookup on a unique index; the filter shows only that one.
    """

    title = "organization"
    template = "admin/organization_filter.html"
    id_parameter, slug_parameter = "organization__id__exact", "organization"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        org_id = self._last(params.pop(self.id_parameter, None))
        self.slug_value = self._last(params.pop(self.slug_parameter, None)).strip().lower()
        self.used = bool(org_id or self.slug_value)
        if org_id:
            lookup = {"pk": int(org_id)} if org_id.isdigit() and len(org_id) < 19 else None
        else:
            lookup = {"slug": self.slug_value} if self.slug_value else None
        self.organization = Organization.objects.filter(**lookup).only("pk", "name", "slug").first() if lookup else None
        if self.organization is not None:
            self.slug_value = self.organization.slug

    @staticmethod
    def _last(values):
        return (values[-1] if isinstance(values, list) else values or "") if values else ""

    def has_output(self):
        return True

    def expected_parameters(self):
        return [self.id_parameter, self.slug_parameter]

    def queryset(self, request, queryset):
        if not self.used:
            return queryset
        return queryset.filter(organization=self.organization) if self.organization else queryset.none()

    def choices(self, changelist):
        # The form keeps the list's other filters and search as hidden fields.
        self.other_params = [
            (name, value) for name, values in changelist.params.items() if name not in self.expected_parameters()
            for value in (values if isinstance(values, list) else [values])
        ]
        yield {"selected": not self.used, "display": "All",
               "query_string": changelist.get_query_string(remove=self.expected_parameters())}
        if self.used:
            yield {"selected": True, "query_string": changelist.get_query_string(),
                   "display": self.organization.name if self.organization else f"No organization “{self.slug_value}”"}


@admin.register(Membership)
class MembershipAdmin(StaffServiceAdminMixin, LargeTableAdminMixin, admin.ModelAdmin):
    """One organization's members, paginated and searchable; opened from the organization's page."""

    form = MembershipForm

    list_display = ["user", "organization", "role_name", "created_at"]
    list_filter = [OrganizationSearchFilter, "role"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__email"]  # replaced by get_search_results: the unique e-mail index only
    search_help_text = "A person's exact e-mail address."
    raw_id_fields = ["user", "organization"]
    ordering = ["organization__name", "user__email"]

    @admin.display(description="role", ordering="role")
    def role_name(self, obj):
        return obj.role_label

    def get_search_results(self, request, queryset, search_term):
        """An exact e-mail address (stored in its normal form): one index lookup, never a scan."""
        term = search_term.strip()
        return (queryset.filter(user__email=normalize_email(term)) if term else queryset), False

    def get_actions(self, request):
        # Removing a member is one service call each, with its checks: no bulk delete.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_fields(self, request, obj=None):
        return ["organization", "user", "role", "created_at"] if obj else ["organization", "user", "role"]

    def get_readonly_fields(self, request, obj=None):
        # A membership is one person in one organization: to move it, remove it and add another.
        return ["organization", "user", "created_at"] if obj else []

    def _organization_for(self, request, obj):
        if obj is not None:
            return obj.organization
        pk = request.POST.get("organization") or request.GET.get("organization")
        return Organization.objects.filter(pk=pk).first() if pk and str(pk).isdigit() else None

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        organization = self._organization_for(request, obj)
        if organization is not None and "role" in form.base_fields:
            # Only the roles of this organization's kind; Primary Owner on a member means a transfer.
            form.base_fields["role"].choices = [("", "---------"), *staff.role_choices(organization.kind)]
            if obj is not None:
                form.base_fields["role"].help_text = (
                    "Choosing Primary Owner transfers Primary Ownership; the current Primary Owner becomes an Owner."
                    if is_role_valid_for_kind(organization.kind, Role.PRIMARY_OWNER) else ""
                )
        return form

    def save_model(self, request, obj, form, change):
        meta = RequestMeta.from_request(request)
        if change:
            if "role" in form.changed_data:
                staff.change_member(actor=request.user, membership=obj, role=form.cleaned_data["role"], request_meta=meta)
            return
        created = staff.add_member(
            actor=request.user, organization=form.cleaned_data["organization"], user=form.cleaned_data["user"],
            role=form.cleaned_data["role"], request_meta=meta,
        )
        obj.pk, obj.created_at, obj._state.adding = created.pk, created.created_at, False

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except staff.StaffError as error:
            for reasons in error.errors.values():
                for reason in reasons:
                    self.message_user(request, reason, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:orgs_membership_change", args=[object_id]))

    def delete_model(self, request, obj):
        staff.remove_member(actor=request.user, membership=obj, request_meta=RequestMeta.from_request(request))


SHOWN_ORGS = 5
ERR_DELETE_MEMBER = (
    "{email} still belongs to {where}. Remove them from each organization on its member list first "
    "(a Primary Owner transfers Primary Ownership first), or deactivate the account instead."
)


class MemberAwareUserAdmin(UserAdmin):
    """The people list, where deleting someone who still belongs to an organization is refused.

    Their memberships would go with no audit event and past the rules (the Primary Owner, the last
    Org Admin). The database refuses it too (Membership.user is PROTECT); this page says why and
    what to do instead: remove them on each member list, or deactivate the account.
    """

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        # The same lookup as Django's delete_view (quoted ids, to_field), so the check sees its person.
        to_field = request.POST.get(TO_FIELD_VAR, request.GET.get(TO_FIELD_VAR))
        user = self.get_object(request, unquote(object_id), to_field)
        if user is not None and (refusal := _still_a_member(user)):
            self.message_user(request, refusal, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:console_user_change", args=[user.pk]))
        return super().delete_view(request, object_id, extra_context)


def _still_a_member(user):
    """Why this person cannot be deleted (the organizations they still belong to), or None."""
    memberships = Membership.objects.filter(user=user).select_related("organization").order_by("organization__name")
    count = memberships.count()
    if not count:
        return None
    where = ", ".join(f"{m.organization.name} ({m.role_label})" for m in memberships[:SHOWN_ORGS])
    where += f" and {count - SHOWN_ORGS:,} more organizations" if count > SHOWN_ORGS else ""
    return ERR_DELETE_MEMBER.format(email=user.email, where=where)


admin.site.unregister(User)
admin.site.register(User, MemberAwareUserAdmin)
