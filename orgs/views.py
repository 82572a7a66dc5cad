"""Organization pages: thin views that resolve the membership, check, call one service."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from console.timezones import viewer_timezone
from feedback.selectors import get_recent_counts
from retention.policy import get_retention_years

from . import permissions, selectors, services
from .access import org_member_view
from .audit import RequestMeta
from .audit_labels import action_choices
from .audit_log import csv_lines, event_row, list_filtered_events
from .forms import AuditFilterForm, DataSettingForm, RoleForm
from .models import FEEDBACK_SETTING_BY_KIND
from .navigation import org_navigation
from .roles import OrgKind, role_label, roles_for_kind

MEMBERS_PER_PAGE = 50
AUDIT_EVENTS_PER_PAGE = 50

DENIED_DATA_MANAGEMENT = "Only the Primary Owner and Owners of this organization can open Data Management."
DENIED_PRIVACY = "Only Org Admins of this organization can open the Privacy settings."
DENIED_AUDIT_LOG = "Only the people who manage this organization's data settings can read its audit log."
DENIED_MEMBERS = "Your role does not allow changing members."


def render_org_page(request, membership, template, current, context=None):
    """Render a page of an organization with its side navigation."""
    org = membership.organization
    base = {
        "org": org, "membership": membership, "current_org": org,
        "nav": org_navigation(membership), "nav_current": current,
    }
    return render(request, template, {**base, **(context or {})})


@org_member_view()
@require_GET
def overview(request, membership):
    return render_org_page(
        request, membership, "orgs/overview.html", "overview",
        {"member_count": selectors.count_members(membership.organization)},
    )


@login_required
@require_GET
def switch(request):
    """The organization switcher's target: open the chosen organization."""
    slug = request.GET.get("slug", "")
    if not slug:
        return redirect("home")
    membership = selectors.get_membership_or_404(request.user, slug)
    return redirect("orgs:overview", membership.organization.slug)


# Settings → Data Management and Settings → Privacy share one page pattern.


@dataclass(frozen=True)
class DataSettingPage:
    key: str
    url_name: str
    field: str
    title: str
    setting_label: str
    can_open: Callable
    can_change: Callable
    service: Callable
    denied: str
    kind: str


DATA_MANAGEMENT = DataSettingPage(
    key="data-management",
    url_name="orgs:data-management",
    field=FEEDBACK_SETTING_BY_KIND[OrgKind.CLAUDE],
    title="Data Management",
    setting_label="Thumbs Feedback",
    can_open=permissions.can_open_data_management,
    can_change=permissions.can_change_thumbs_feedback,
    service=services.set_thumbs_feedback,
    denied=DENIED_DATA_MANAGEMENT,
    kind=OrgKind.CLAUDE,
)
PRIVACY = DataSettingPage(
    key="privacy",
    url_name="orgs:privacy",
    field=FEEDBACK_SETTING_BY_KIND[OrgKind.CONSOLE],
    title="Privacy",
    setting_label="Workbench feedback",
    can_open=permissions.can_open_privacy,
    can_change=permissions.can_change_workbench_feedback,
    service=services.set_workbench_feedback,
    denied=DENIED_PRIVACY,
    kind=OrgKind.CONSOLE,
)


def _resolve_setting_page(page, membership):
    if membership.organization.kind != page.kind:
        raise Http404("This setting does not exist for this organization.")
    if not page.can_open(membership):
        raise PermissionDenied(page.denied)


def _render_setting_page(request, page, membership, form, status=200, confirming=False):
    org = membership.organization
    context = {
        "page": page,
        "form": form,
        "enabled": getattr(org, page.field),
        "can_change": page.can_change(membership),
        "confirming": confirming,
        "retention_years": get_retention_years(),
        "counts": get_recent_counts(org),
        "confirm_url": reverse(page.url_name + "-confirm", args=[org.slug]),
    }
    response = render_org_page(request, membership, "orgs/data_setting.html", page.key, context)
    response.status_code = status
    return response


def _apply_setting(request, page, membership, enabled):
    try:
        changed = page.service(
            actor=request.user,
            organization=membership.organization,
            enabled=enabled,
            request_meta=RequestMeta.from_request(request),
        )
    except services.NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except services.ServiceError as error:
        messages.error(request, error.message)
        return redirect(page.url_name, membership.organization.slug)
    state = "on" if enabled else "off"
    if changed:
        messages.success(request, f"{page.setting_label} is now {state}.")
    else:
        messages.info(request, f"{page.setting_label} was already {state}; nothing changed.")
    return redirect(page.url_name, membership.organization.slug)


def _setting_view(page):
    @org_member_view()
    def view(request, membership):
        _resolve_setting_page(page, membership)
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        org = membership.organization
        if request.method == "GET":
            form = DataSettingForm(
                initial={page.field: getattr(org, page.field)}, field_name=page.field, label=page.setting_label
            )
            return _render_setting_page(request, page, membership, form)
        _check_can_change(page, membership)
        form = DataSettingForm(request.POST, field_name=page.field, label=page.setting_label)
        if not form.is_valid():
            return _render_setting_page(request, page, membership, form, status=400)
        if not form.enabled and getattr(org, page.field):
            # Turning feedback off stops every report from the organization: ask first.
            return _render_setting_page(request, page, membership, form, confirming=True)
        return _apply_setting(request, page, membership, form.enabled)

    view.__name__ = page.key.replace("-", "_")
    return view


def _check_can_change(page, membership):
    if not page.can_change(membership):
        # Those who may open the page but not change it are on a plan without the setting.
        raise PermissionDenied(services.ERR_TEAM_PLAN if page.can_open(membership) else page.denied)


def _confirm_off_view(page):
    @org_member_view()
    def view(request, membership):
        # Who may see the page is answered before the method, so a page of the wrong kind
        # is 404 and a refused role 403 whatever the method.
        _resolve_setting_page(page, membership)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        _check_can_change(page, membership)
        if request.POST.get("confirmed") != "yes":
            form = DataSettingForm(
                initial={page.field: False}, field_name=page.field, label=page.setting_label
            )
            return _render_setting_page(request, page, membership, form, confirming=True)
        return _apply_setting(request, page, membership, False)

    view.__name__ = page.key.replace("-", "_") + "_confirm"
    return view


data_management = _setting_view(DATA_MANAGEMENT)
data_management_confirm = _confirm_off_view(DATA_MANAGEMENT)
privacy = _setting_view(PRIVACY)
privacy_confirm = _confirm_off_view(PRIVACY)


# Members


def _member_rows(membership, page_obj):
    org = membership.organization
    roles = roles_for_kind(org.kind)
    rows = []
    for target in page_obj:
        target.organization = org
        rows.append({
            "membership": target,
            "role_label": role_label(org.kind, target.role),
            "is_self": target.pk == membership.pk,
            "assignable": [
                (r.value, role_label(org.kind, r)) for r in roles if permissions.can_assign_role(membership, target, r)
            ],
            "can_remove": permissions.can_remove_member(membership, target),
            "can_transfer": permissions.can_transfer_primary_ownership(membership, target),
        })
    return rows


@org_member_view(permissions.can_view_members)
@require_GET
def members(request, membership):
    paginator = Paginator(selectors.list_members(membership.organization), MEMBERS_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    context = {
        "page_obj": page_obj,
        "rows": _member_rows(membership, page_obj),
        "can_manage": permissions.can_manage_members(membership),
    }
    return render_org_page(request, membership, "orgs/members.html", "members", context)


def _target_or_404(membership, member_id):
    target = selectors.get_member(membership.organization, member_id)
    if target is None:
        raise Http404("No such member.")
    return target


def _run_member_service(request, membership, call, success):
    try:
        changed = call()
    except services.ServiceError as error:
        messages.error(request, error.message)
    else:
        if changed is not False:
            messages.success(request, success)
    return HttpResponseRedirect(reverse("orgs:members", args=[membership.organization.slug]))


@org_member_view(permissions.can_manage_members, DENIED_MEMBERS)
@require_POST
def member_role(request, membership, member_id):
    target = _target_or_404(membership, member_id)
    form = RoleForm(request.POST, organization=membership.organization)
    if not form.is_valid():
        messages.error(request, services.ERR_ROLE_FOR_KIND)
        return redirect("orgs:members", membership.organization.slug)
    role = form.cleaned_data["role"]
    return _run_member_service(
        request, membership,
        lambda: services.change_member_role(
            actor=request.user, membership=target, role=role, request_meta=RequestMeta.from_request(request)
        ),
        f"{target.user.email} is now {role_label(membership.organization.kind, role)}.",
    )


@org_member_view(permissions.can_manage_members, DENIED_MEMBERS)
@require_POST
def member_remove(request, membership, member_id):
    target = _target_or_404(membership, member_id)
    # Ask for confirmation only for a removal the rules allow; otherwise the service refuses
    # straight away with its own message, and nothing changes.
    if request.POST.get("confirmed") != "yes" and permissions.can_remove_member(membership, target):
        return render_org_page(request, membership, "orgs/member_confirm.html", "members", {
            "target": target, "action": "remove",
            "post_url": reverse("orgs:member-remove", args=[membership.organization.slug, target.pk]),
        })
    return _run_member_service(
        request, membership,
        lambda: services.remove_member(
            actor=request.user, membership=target, request_meta=RequestMeta.from_request(request)
        ),
        f"{target.user.email} was removed from the organization.",
    )


@org_member_view(permissions.can_manage_members, DENIED_MEMBERS)
@require_POST
def member_transfer(request, membership, member_id):
    target = _target_or_404(membership, member_id)
    if request.POST.get("confirmed") != "yes" and permissions.can_transfer_primary_ownership(membership, target):
        return render_org_page(request, membership, "orgs/member_confirm.html", "members", {
            "target": target, "action": "transfer",
            "post_url": reverse("orgs:member-transfer", args=[membership.organization.slug, target.pk]),
        })
    return _run_member_service(
        request, membership,
        lambda: services.transfer_primary_ownership(
            actor=request.user, membership=target, request_meta=RequestMeta.from_request(request)
        ),
        f"{target.user.email} is now the Primary Owner; you are an Owner.",
    )


# Audit log


def _audit_filter(request):
    return AuditFilterForm(request.GET, actions=action_choices())


@org_member_view(permissions.can_view_audit_log, DENIED_AUDIT_LOG)
@require_GET
def audit_log(request, membership):
    return _render_audit_log(request, membership, _audit_filter(request), viewer_timezone(request))


def _render_audit_log(request, membership, form, tz):
    org = membership.organization
    context = {"form": form, "time_zone": tz, "rows": [], "page_obj": None}
    if form.is_valid():
        paginator = Paginator(list_filtered_events(org, form, tz), AUDIT_EVENTS_PER_PAGE)
        page_obj = paginator.get_page(request.GET.get("page"))
        context.update(page_obj=page_obj, rows=[event_row(e, org.kind) for e in page_obj])
    csv_query = request.GET.copy()
    csv_query.pop("page", None)
    context["csv_query"] = csv_query.urlencode()
    # Times on the page are in the viewer's zone, which the page names.
    with timezone.override(tz):
        response = render_org_page(request, membership, "orgs/audit_log.html", "audit-log", context)
    # A filter that cannot be applied shows its error and no events, never everything unfiltered.
    response.status_code = 200 if form.is_valid() else 400
    return response


@org_member_view(permissions.can_view_audit_log, DENIED_AUDIT_LOG)
@require_GET
def audit_log_csv(request, membership):
    org = membership.organization
    tz = viewer_timezone(request)
    form = _audit_filter(request)
    if not form.is_valid():
        return _render_audit_log(request, membership, form, tz)
    events = list_filtered_events(org, form, tz).iterator(chunk_size=2000)
    response = StreamingHttpResponse(csv_lines(events, org.kind, tz), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{org.slug}-audit-log.csv"'
    return response
