"""Organization pages: thin views that resolve the membership, check, call one service."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from audit import views as audit_views
from audit.services import RequestMeta

from . import permissions, selectors, services
from .access import ERR_PAGE_FOR_KIND, org_member_view, render_org_page
from .forms import DataSettingForm, ModelTrainingConfirmForm, RoleForm
from .kinds import MODEL_TRAINING_FIELD, MODEL_TRAINING_LABEL
from .roles import is_demotion, role_label, roles_for_kind, your_role_in

MEMBERS_PER_PAGE = 50
ERR_NO_TERMS_VERSION = "The confirmation did not say which terms version it accepts. Nothing was changed; confirm again."



@org_member_view()
@require_GET
def overview(request, membership):
    return render_org_page(
        request, membership, "orgs/overview.html", "overview",
        {
            "member_count": selectors.count_members(membership.organization),
            "your_role": your_role_in(membership.organization.kind, membership.role),
        },
    )


@login_required
@require_GET
def home(request):
    """The signed-in person's organizations, with their role in each."""
    return render(request, "console/home.html", {"memberships": selectors.list_memberships_for_user(request.user)})


@login_required
@require_GET
def switch(request):
    """The organization switcher's target: open the chosen organization."""
    slug = request.GET.get("slug", "")
    if not slug:
        return redirect("home")
    membership = selectors.get_membership_or_404(request.user, slug)
    return redirect("orgs:overview", membership.organization.slug)


# Settings → Data Management (claude) and Settings → Privacy (console): one view, the org's profile.


def _settings_profile(membership, page):
    """The org's profile when ``page`` is its settings page (else 404); 403 with the reason for others."""
    profile = membership.organization.profile
    if profile.settings_page != page:
        raise Http404(ERR_PAGE_FOR_KIND)
    if reason := permissions.why_cannot_open_feedback_settings(membership):
        raise PermissionDenied(reason)
    return profile


def _check_can_change(membership):
    if reason := permissions.why_cannot_change_feedback_setting(membership):
        raise PermissionDenied(reason)


def _setting_form(profile, *args, **kwargs):
    return DataSettingForm(*args, field_name=profile.setting_field, label=profile.setting_label, **kwargs)


def _render_setting_page(request, membership, form, status=200, confirming=False, training=None):
    org = membership.organization
    profile = org.profile
    context = {
        "profile": profile,
        "form": form,
        "enabled": org.feedback_enabled,
        "change_refusal": permissions.why_cannot_change_feedback_setting(membership),
        "confirming": confirming,
        "confirm_url": reverse(profile.settings_url_name + "-confirm", args=[org.slug]),
        **_training_context(membership, **(training or {})),
    }
    return render_org_page(
        request, membership, "orgs/data_setting.html", profile.settings_page, context, status=status
    )


def _apply_setting(request, membership, enabled):
    profile = membership.organization.profile
    try:
        changed = services.set_feedback_setting(
            actor=request.user,
            organization=membership.organization,
            enabled=enabled,
            request_meta=RequestMeta.from_request(request),
        )
    except services.NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except services.ServiceError as error:
        messages.error(request, error.message)
        return redirect(profile.settings_url_name, membership.organization.slug)
    state = "on" if enabled else "off"
    if changed:
        messages.success(request, f"{profile.setting_label} is now {state}.")
    else:
        messages.info(request, f"{profile.setting_label} was already {state}; nothing changed.")
    return redirect(profile.settings_url_name, membership.organization.slug)


@org_member_view()
def feedback_settings(request, membership, page):
    """The org's feedback setting: shown to its deciders, switched on the plans that allow it."""
    profile = _settings_profile(membership, page)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    org = membership.organization
    if request.method == "GET":
        form = _setting_form(profile, initial={profile.setting_field: org.feedback_enabled})
        return _render_setting_page(request, membership, form)
    _check_can_change(membership)
    form = _setting_form(profile, request.POST)
    if not form.is_valid():
        return _render_setting_page(request, membership, form, status=400)
    if not form.enabled and org.feedback_enabled:
        # Turning feedback off stops every report from the organization: ask first.
        return _render_setting_page(request, membership, form, confirming=True)
    return _apply_setting(request, membership, form.enabled)


@org_member_view()
def feedback_settings_confirm(request, membership, page):
    """The confirmation of turning the org's feedback setting off."""
    # Who may see the page is answered before the method, so a page of the wrong kind
    # is 404 and a refused role 403 whatever the method.
    profile = _settings_profile(membership, page)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _check_can_change(membership)
    if request.POST.get("confirmed") != "yes":
        form = _setting_form(profile, initial={profile.setting_field: False})
        return _render_setting_page(request, membership, form, confirming=True)
    return _apply_setting(request, membership, False)


# The model training choice, on the same settings page: its own form posting `model_training_enabled`;
# turning it on is confirmed first (naming the terms version), turning it off applies at once.


def _training_context(membership, confirming=False, error=""):
    org = membership.organization
    url_name = org.profile.settings_url_name
    return {
        "training_refusal": permissions.why_cannot_change_model_training(membership),
        "training_confirming": confirming,
        "training_error": error,
        "terms_version": selectors.get_training_terms_version(),
        "training_url": reverse(url_name + "-model-training", args=[org.slug]),
        "training_confirm_url": reverse(url_name + "-model-training-confirm", args=[org.slug]),
    }


def _check_can_change_training(membership):
    if reason := permissions.why_cannot_change_model_training(membership):
        raise PermissionDenied(reason)


def _render_training_confirmation(request, membership, status=200, error=""):
    org = membership.organization
    form = _setting_form(org.profile, initial={org.profile.setting_field: org.feedback_enabled})
    return _render_setting_page(request, membership, form, status=status, training={"confirming": True, "error": error})


def _apply_training(request, membership, enabled, terms_version=None):
    org = membership.organization
    try:
        changed = services.set_model_training(
            actor=request.user, organization=org, enabled=enabled, terms_version=terms_version,
            request_meta=RequestMeta.from_request(request),
        )
    except services.NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except services.ServiceError as error:
        # The terms changed since the confirmation was shown: show the current one, nothing changed.
        return _render_training_confirmation(request, membership, status=409, error=error.message)
    state = "on" if enabled else "off"
    if changed:
        messages.success(request, f"{MODEL_TRAINING_LABEL} is now {state}.")
    else:
        messages.info(request, f"{MODEL_TRAINING_LABEL} was already {state}; nothing changed.")
    return redirect(org.profile.settings_url_name, org.slug)


@org_member_view()
def model_training(request, membership, page):
    """The model training form: on answers the confirmation (200, nothing changed), off applies at once."""
    profile = _settings_profile(membership, page)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _check_can_change_training(membership)
    form = DataSettingForm(request.POST, field_name=MODEL_TRAINING_FIELD, label=MODEL_TRAINING_LABEL)
    if not form.is_valid():
        return _render_setting_page(request, membership, _setting_form(profile), status=400)
    if form.enabled and not membership.organization.model_training_enabled:
        return _render_training_confirmation(request, membership)
    return _apply_training(request, membership, form.enabled)


@org_member_view()
def model_training_confirm(request, membership, page):
    """The confirmation of allowing model training, naming the terms version it was shown with."""
    _settings_profile(membership, page)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _check_can_change_training(membership)
    if request.POST.get("confirmed") != "yes":
        return _render_training_confirmation(request, membership)
    form = ModelTrainingConfirmForm(request.POST)
    if not form.is_valid():
        return _render_training_confirmation(request, membership, status=400, error=ERR_NO_TERMS_VERSION)
    return _apply_training(request, membership, True, terms_version=form.cleaned_data["terms_version"])


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


# Sections apps above orgs add to the Members page (identity's invitations), registered from their
# AppConfig.ready(): each is (template, context function). The function takes the viewer's membership
# and what the request that renders the page hands on (a refused form, bound), and returns the
# section's context, or None to leave the section out.
_members_page_sections = []


def register_members_page_section(template, context):
    """Show a section of another app on the Members page, above the member list (once per template)."""
    if all(section[0] != template for section in _members_page_sections):
        _members_page_sections.append((template, context))


def render_members_page(request, membership, *, status=200, **section_input):
    """The Members page; `section_input` reaches every registered section (a form refused elsewhere)."""
    paginator = Paginator(selectors.list_members(membership.organization), MEMBERS_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    sections, section_context = [], {}
    for template, context_for in _members_page_sections:
        if (extra := context_for(membership, **section_input)) is not None:
            sections.append(template)
            section_context.update(extra)
    context = {
        "page_obj": page_obj,
        "rows": _member_rows(membership, page_obj),
        "can_manage": permissions.can_manage_members(membership),
        "sections": sections,
        **section_context,
    }
    return render_org_page(request, membership, "orgs/members.html", "members", context, status=status)


@org_member_view()
@require_GET
def members(request, membership):
    return render_members_page(request, membership)


def _target_or_404(membership, member_id):
    target = selectors.get_member(membership.organization, member_id)
    if target is None:
        raise Http404("No such member.")
    return target


def _run_member_service(request, membership, call, success, unchanged=""):
    try:
        changed = call()
    except services.ServiceError as error:
        messages.error(request, error.message)
    else:
        if changed is not False:
            messages.success(request, success)
        elif unchanged:
            messages.info(request, unchanged)
    return HttpResponseRedirect(reverse("orgs:members", args=[membership.organization.slug]))


@org_member_view(permissions.why_cannot_manage_members)
@require_POST
def member_role(request, membership, member_id):
    """Change a member's role; a demotion asks for confirmation first."""
    target = _target_or_404(membership, member_id)
    org = membership.organization
    form = RoleForm(request.POST, organization=org)
    if not form.is_valid():
        messages.error(request, permissions.ERR_ROLE_FOR_KIND)
        return redirect("orgs:members", org.slug)
    role, from_role = form.cleaned_data["role"], form.cleaned_data["from_role"] or None
    confirmed = request.POST.get("confirmed") == "yes" and from_role is not None
    if (
        not confirmed
        and is_demotion(org.kind, target.role, role)
        and permissions.why_cannot_assign_role(membership, target, role) is None
    ):
        return _render_member_confirm(request, membership, target, "demote", {
            "old_role_label": role_label(org.kind, target.role),
            "new_role_label": role_label(org.kind, role),
            "hidden": {"role": role, "from_role": target.role},
            "loses_deciding": permissions.role_decides(org, target.role) and not permissions.role_decides(org, role),
        })
    return _run_member_service(
        request, membership,
        lambda: services.change_member_role(
            # The change is from the role this request saw (and, for a demotion, confirmed): if another
            # change got in first, the service changes nothing rather than a demotion nobody confirmed.
            actor=request.user, membership=target, role=role, expected_role=from_role if confirmed else target.role,
            request_meta=RequestMeta.from_request(request),
        ),
        f"{target.user.email} is now {role_label(org.kind, role)}.",
        unchanged=f"{target.user.email} is already {role_label(org.kind, role)}: nothing changed.",
    )


# The changes to a member that are confirmed first, and the view each confirmation posts to.
CONFIRMED_MEMBER_ACTIONS = {"demote": "orgs:member-role", "remove": "orgs:member-remove", "transfer": "orgs:member-transfer"}


def _render_member_confirm(request, membership, target, action, extra=None):
    """The page that asks an owner to confirm a change to one member before it is made."""
    return render_org_page(request, membership, "orgs/member_confirm.html", "members", {
        "target": target, "action": action,
        "post_url": reverse(CONFIRMED_MEMBER_ACTIONS[action], args=[membership.organization.slug, target.pk]),
        **(extra or {}),
    })


def _confirmed_member_change(request, membership, member_id, *, action, why_cannot, service, success):
    target = _target_or_404(membership, member_id)
    # Ask for confirmation only for a change the rules allow; otherwise the service refuses
    # straight away with its own message, and nothing changes.
    if request.POST.get("confirmed") != "yes" and why_cannot(membership, target) is None:
        return _render_member_confirm(request, membership, target, action)
    return _run_member_service(
        request, membership,
        lambda: service(actor=request.user, membership=target, request_meta=RequestMeta.from_request(request)),
        success.format(email=target.user.email),
    )


@org_member_view(permissions.why_cannot_manage_members)
@require_POST
def member_remove(request, membership, member_id):
    """Remove a member, after confirming."""
    return _confirmed_member_change(
        request, membership, member_id, action="remove", why_cannot=permissions.why_cannot_remove_member,
        service=services.remove_member, success="{email} was removed from the organization.",
    )


@org_member_view(permissions.why_cannot_manage_members)
@require_POST
def member_transfer(request, membership, member_id):
    """Make a member the Primary Owner, after confirming."""
    return _confirmed_member_change(
        request, membership, member_id, action="transfer",
        why_cannot=permissions.why_cannot_transfer_primary_ownership,
        service=services.transfer_primary_ownership, success="{email} is now the Primary Owner; you are an Owner.",
    )


# Audit log: audit's views, given the organization this layer resolved and its page frame.


def _audit_view(view):
    @org_member_view(permissions.why_cannot_view_audit_log)
    @require_GET
    @wraps(view)
    def wrapper(request, membership):
        def render(template, context, status=200):
            return render_org_page(request, membership, template, "audit-log", context, status=status)

        return view(request, membership.organization, render)

    return wrapper


audit_log = _audit_view(audit_views.audit_log)
audit_log_csv = _audit_view(audit_views.audit_log_csv)
audit_log_export = _audit_view(audit_views.audit_log_export)
