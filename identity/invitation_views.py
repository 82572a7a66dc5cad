"""Invitation pages: the Members page's invitation section and its own URLs, and the link a person opens to join.

The Members page (orgs) shows the section this module registers (identity.apps); the section's form
posts here, and a refused invitation renders the Members page again with the form beside its errors.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from audit.services import RequestMeta
from console.addresses import normalize_email, same_address
from console.models import User
from orgs import permissions
from orgs import services as org_services
from orgs.access import org_member_view
from orgs.roles import role_label, roles_for_kind
from orgs.views import render_members_page

from . import invitations, selectors
from .forms import InvitationForm, JoinForm
from .invitation_status import invitation_status

# The account a person creates from an invitation signs in with the console's usual password check.
SIGN_IN_BACKEND = "django.contrib.auth.backends.ModelBackend"
MEMBERS_SECTION = "identity/_invitations.html"


def _grantable_roles(membership):
    return [r for r in roles_for_kind(membership.organization.kind) if permissions.can_invite_member(membership, r)]


def invitation_form(membership, data=None):
    """The invitation form for this person (None when they may not invite)."""
    if permissions.why_cannot_invite(membership):
        return None
    return InvitationForm(data, organization=membership.organization, grantable=_grantable_roles(membership))


def members_page_section(membership, invite_form=None):
    """The Members page's invitation section: the form and the open invitations with their status (None: not shown)."""
    form = invite_form or invitation_form(membership)
    if form is None:
        return None
    now = timezone.now()
    rows = [(invitation, invitation_status(invitation, now)) for invitation in selectors.list_open_invitations(membership.organization)]
    return {"invite_form": form, "open_invitations": rows, "invitations_shown": selectors.OPEN_INVITATIONS_SHOWN}


@org_member_view(permissions.why_cannot_invite)
@require_http_methods(["GET", "POST"])
def invite(request, membership):
    """The invitation form (`email`, `role`): back to the Members page, which shows errors beside their fields (400).

    A refused invitation's page is rendered at this URL, so its relative links (the member list's
    pages) arrive here as GETs: they go on to the Members page with their query.
    """
    if request.method == "GET":
        query = request.GET.urlencode()
        return redirect(reverse("orgs:members", args=[membership.organization.slug]) + (f"?{query}" if query else ""))
    form = invitation_form(membership, request.POST)
    if form.is_valid():
        email, role = form.cleaned_data["email"], form.cleaned_data["role"]
        try:
            invitation = invitations.invite_member(
                actor=request.user, organization=membership.organization, email=email, role=role,
                request_meta=RequestMeta.from_request(request),
            )
        except org_services.FieldError as error:
            form.add_error(error.field, error.message)
        except org_services.NotAllowed as error:
            raise PermissionDenied(error.message) from error
        else:
            label = role_label(membership.organization.kind, role)
            messages.success(request, f"Invitation sent to {invitation.email} as {label}. The link is valid for 7 days.")
            return redirect("orgs:members", membership.organization.slug)
    return render_members_page(request, membership, status=400, invite_form=form)


def _invitation_action(request, membership, invitation_id, service, success):
    invitation = selectors.get_open_invitation(membership.organization, invitation_id)
    if invitation is None:
        raise Http404("No such open invitation.")
    try:
        service(actor=request.user, invitation=invitation, request_meta=RequestMeta.from_request(request))
    except org_services.NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except org_services.ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success.format(email=invitation.email))
    return redirect("orgs:members", membership.organization.slug)


@org_member_view(permissions.why_cannot_invite)
@require_POST
def invitation_resend(request, membership, invitation_id):
    return _invitation_action(
        request, membership, invitation_id, invitations.resend_invitation,
        "A new link was sent to {email}, valid for 7 days; the previous link no longer works.",
    )


@org_member_view(permissions.why_cannot_invite)
@require_POST
def invitation_revoke(request, membership, invitation_id):
    return _invitation_action(
        request, membership, invitation_id, invitations.revoke_invitation,
        "The invitation to {email} was revoked; its link no longer works.",
    )


# The link in the e-mail: /invitations/<token>/


def _page(request, invitation, state, status=200, **context):
    return render(request, "identity/invitation.html", {"invitation": invitation, "state": state, **context}, status=status)


def _joined(request, membership):
    org = membership.organization
    messages.success(request, f"Welcome to {org.name}: you joined as {role_label(org.kind, membership.role)}.")
    return redirect("orgs:overview", org.slug)


@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request, token):
    invitation = selectors.get_invitation_by_token(token)
    if problem := invitations.why_invitation_unusable(invitation, timezone.now()):
        # Unknown links are 404; known ones that were used, revoked or expired are gone (410).
        return _page(request, invitation, "problem", status=404 if invitation is None else 410, problem=problem)
    meta = RequestMeta.from_request(request)
    user = request.user
    if user.is_authenticated:
        if not same_address(user.email, invitation.email):
            return _page(request, invitation, "other-account", status=403)
        if request.method == "POST":
            try:
                return _joined(request, invitations.accept_invitation(token=token, user=user, request_meta=meta))
            except org_services.ServiceError as error:
                return _page(request, invitation, "problem", status=409, problem=error.message)
        return _page(request, invitation, "accept")
    if User.objects.filter(email=normalize_email(invitation.email)).exists():
        login_url = f"{reverse('login')}?{urlencode({'next': request.path})}"
        return _page(request, invitation, "sign-in", login_url=login_url)
    form = JoinForm(request.POST if request.method == "POST" else None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        account = {"password": form.cleaned_data["password1"], "full_name": form.cleaned_data["full_name"]}
        try:
            membership = invitations.accept_invitation(token=token, new_account=account, request_meta=meta)
        except org_services.ServiceError as error:
            return _page(request, invitation, "problem", status=409, problem=error.message)
        login(request, membership.user, backend=SIGN_IN_BACKEND)
        return _joined(request, membership)
    return _page(request, invitation, "join", status=400 if form.is_bound else 200, form=form)
