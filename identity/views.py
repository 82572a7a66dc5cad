"""The identity page (domains, SSO, SCIM) and the single sign-on pages: thin views over the services."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orgs.access import org_member_view, render_org_page
from orgs.services import NotAllowed, ServiceError

from . import oidc, permissions, saml, selectors, services, sso, throttle
from .audit import RequestMeta
from .forms import BreakGlassForm, DomainForm, EnforceForm, GroupRoleForm, SSOForm, SSOStartForm, TokenForm
from .models import Protocol

logger = logging.getLogger(__name__)

ERR_UNKNOWN_DOMAIN = "No organization has set up single sign-on for {domain}. Sign in with your password, or ask your administrator."
ERR_SSO_FAILED = "Single sign-on did not complete: {reason} Try again, or ask your administrator."
ERR_TOO_MANY = "Too many sign-ins for this organization right now: wait a minute and try again."
SIGN_IN_BACKEND = "django.contrib.auth.backends.ModelBackend"


# The identity page


def _page_context(request, membership, **forms):
    org = membership.organization
    connection = selectors.get_connection(org)
    deciders = selectors.list_deciders(org)
    break_glass = selectors.get_break_glass_membership(org, connection)
    initial = {"protocol": Protocol.OIDC, "jit_role": permissions.default_jit_role(org.kind)}
    if connection is not None:
        initial.update(protocol=connection.protocol, issuer=connection.issuer, client_id=connection.client_id,
                       idp_metadata_url=connection.idp_metadata_url, jit_role=connection.jit_role or initial["jit_role"])
    sp = {}
    if connection is not None:
        entity_id, acs, metadata = saml.sp_urls(connection)
        sp = {"redirect_uri": oidc.redirect_uri(connection), "entity_id": entity_id, "acs_url": acs, "metadata_url": metadata,
              "sign_in_url": settings.SITE_URL + reverse("identity:sso")}
    groups = selectors.list_scim_groups(org)
    return {
        "manage_refusal": permissions.why_cannot_manage_identity(membership),
        "domains": selectors.list_domains(org),
        "connection": connection,
        "sp": sp,
        "domain_form": forms.get("domain_form") or DomainForm(),
        "sso_form": forms.get("sso_form") or SSOForm(initial=initial, organization=org),
        "enforce_form": EnforceForm(initial={"enforced": bool(connection and connection.enforced)}),
        "break_glass": break_glass,
        "break_glass_form": BreakGlassForm(initial={"break_glass": break_glass.pk if break_glass else None}, deciders=deciders),
        "token_form": forms.get("token_form") or TokenForm(),
        "tokens": selectors.list_scim_tokens(org),
        "new_token": forms.get("new_token"),
        "scim_base_url": settings.SITE_URL + "/scim/v2/",
        "groups": [(group, GroupRoleForm(initial={"role": group.role}, organization=org, prefix=f"group-{group.pk}"))
                   for group in groups],
    }


def _render(request, membership, status=200, **forms):
    return render_org_page(request, membership, "identity/identity.html", "identity",
                           _page_context(request, membership, **forms), status=status)


@org_member_view(permissions.why_cannot_open_identity_page)
@require_GET
def page(request, membership):
    return _render(request, membership)


def _check_can_manage(membership):
    if reason := permissions.why_cannot_manage_identity(membership):
        raise PermissionDenied(reason)


def _run(request, membership, call, success, *, form=None, form_name=None):
    """Call one service: a field refusal re-renders the page with the error beside the field (400)."""
    _check_can_manage(membership)
    try:
        result = call()
    except services.FieldError as error:
        if form is not None and error.field in form.fields:
            form.add_error(error.field, error.message)
            return _render(request, membership, status=400, **{form_name: form})
        messages.error(request, error.message)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        if success and result is not False:
            messages.success(request, success)
    return redirect("identity:page", membership.organization.slug)


def _meta(request):
    return RequestMeta.from_request(request)


@org_member_view(permissions.why_cannot_open_identity_page)
@require_POST
def domain_add(request, membership):
    _check_can_manage(membership)
    form = DomainForm(request.POST)
    if not form.is_valid():
        return _render(request, membership, status=400, domain_form=form)
    name = form.cleaned_data["domain"]
    return _run(request, membership, lambda: services.add_domain(
        actor=request.user, organization=membership.organization, name=name, request_meta=_meta(request),
    ), "Domain added: publish its TXT record, then verify it.", form=form, form_name="domain_form")


@org_member_view(permissions.why_cannot_open_identity_page)
@require_POST
def domain_verify(request, membership, domain_id):
    return _run(request, membership, lambda: services.verify_domain(
        actor=request.user, organization=membership.organization, domain_id=domain_id, request_meta=_meta(request),
    ), "Domain verified.")


@org_member_view(permissions.why_cannot_open_identity_page)
@require_POST
def domain_remove(request, membership, domain_id):
    return _run(request, membership, lambda: services.remove_domain(
        actor=request.user, organization=membership.organization, domain_id=domain_id, request_meta=_meta(request),
    ), "Domain removed.")


@org_member_view(permissions.why_cannot_open_identity_page)
@require_POST
def sso_save(request, membership):
    _check_can_manage(membership)
    org = membership.organization
    form = SSOForm(request.POST, organization=org)
    if not form.is_valid():
        return _render(request, membership, status=400, sso_form=form)
    data = form.cleaned_data
    if data["protocol"] == Protocol.OIDC:
        def call():
            return services.configure_oidc(
                actor=request.user, organization=org, issuer=data["issuer"], client_id=data["client_id"].strip(),
                client_secret=data["client_secret"], jit_role=data["jit_role"], request_meta=_meta(request),
            )
    else:
        def call():
            return services.configure_saml(
                actor=request.user, organization=org, metadata_xml=data["idp_metadata_xml"].strip(),
                metadata_url=data["idp_metadata_url"], jit_role=data["jit_role"], request_meta=_meta(request),
            )
    return _run(request, membership, call, "Single sign-on saved. Sign in through it once before enforcing it.",
                form=form, form_name="sso_form")


@org_member_view(permissions.why_cannot_open_identity_page)
@require_POST
def sso_enforce(request, membership):
    form = EnforceForm(request.POST)
    enforced = form.is_valid() and form.cleaned_data["enforced"]
    return _run(request, membership, lambda: services.set_sso_enforced(
        actor=request.user, organization=membership.organization, enforced=enforced, request_meta=_meta(request),
    ), "Single sign-on is now required." if enforced else "Single sign-on is no longer required.")


@org_member_view(permissions.why_cannot_open_identity_page)
@require_POST
def break_glass(request, membership):
    _check_can_manage(membership)
    org = membership.organization
    form = BreakGlassForm(request.POST, deciders=selectors.list_deciders(org))
    if not form.is_valid():
        messages.error(request, permissions.ERR_BREAK_GLASS.format(deciders=org.profile.deciders_label))
        return redirect("identity:page", org.slug)
    return _run(request, membership, lambda: services.set_break_glass_account(
        actor=request.user, organization=org, membership_id=form.cleaned_data["break_glass"], request_meta=_meta(request),
    ), "Break-glass account changed.")


@org_member_view(permissions.why_cannot_open_identity_page)
@require_POST
def token_create(request, membership):
    _check_can_manage(membership)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _render(request, membership, status=400, token_form=form)
    try:
        _, token = services.create_scim_token(
            actor=request.user, organization=membership.organization, name=form.cleaned_data["name"],
            request_meta=_meta(request),
        )
    except services.FieldError as error:
        form.add_error("name", error.message)
        return _render(request, membership, status=400, token_form=form)
    # Shown once, on this answer only: it is stored as a keyed hash.
    return _render(request, membership, new_token=token)


@org_member_view(permissions.why_cannot_open_identity_page)
@require_POST
def token_revoke(request, membership, token_id):
    return _run(request, membership, lambda: services.revoke_scim_token(
        actor=request.user, organization=membership.organization, token_id=token_id, request_meta=_meta(request),
    ), "Token revoked: it no longer works.")


@org_member_view(permissions.why_cannot_open_identity_page)
@require_POST
def group_role(request, membership, group_id):
    _check_can_manage(membership)
    org = membership.organization
    form = GroupRoleForm(request.POST, organization=org, prefix=f"group-{group_id}")
    if not form.is_valid():
        messages.error(request, permissions.ERR_JIT_ROLE)
        return redirect("identity:page", org.slug)
    return _run(request, membership, lambda: services.set_group_role(
        actor=request.user, organization=org, group_id=group_id, role=form.cleaned_data["role"],
        request_meta=_meta(request),
    ), "Group role saved.")


# Single sign-on


@require_http_methods(["GET", "POST"])
def sso_start(request):
    """Ask for the e-mail address and send the browser to the provider of the organization that verified its domain.

    A GET with ?email= redirects at once. The form's POST answers a page that moves on by itself
    (meta refresh, and a link): the pages' Content-Security-Policy allows forms to post to this site
    only, and browsers apply that to a redirect after a form too.
    """
    source = request.POST if request.method == "POST" else request.GET
    if "email" not in source:
        return render(request, "identity/sso_start.html", {"form": SSOStartForm()})
    form = SSOStartForm(source)
    if not form.is_valid():
        return render(request, "identity/sso_start.html", {"form": form}, status=400)
    email = form.cleaned_data["email"]
    connection = selectors.get_connection_for_address(email)
    if connection is None or not connection.is_configured:
        form.add_error("email", ERR_UNKNOWN_DOMAIN.format(domain=email.rpartition("@")[2].lower()))
        return render(request, "identity/sso_start.html", {"form": form}, status=400)
    try:
        url = oidc.start(connection, request.session) if connection.protocol == Protocol.OIDC else saml.start(connection)
    except (oidc.OIDCError, saml.SAMLError) as error:
        logger.warning("SSO start for %s failed: %s", connection.organization.slug, error.code)
        form.add_error("email", ERR_SSO_FAILED.format(reason=error.message))
        return render(request, "identity/sso_start.html", {"form": form}, status=502)
    if request.method == "GET":
        return redirect(url)
    return render(request, "identity/sso_continue.html", {"url": url})


def _refused(request, error):
    messages.error(request, ERR_SSO_FAILED.format(reason=error.message))
    return redirect("identity:sso")


def _complete(request, connection, email, email_verified, full_name):
    try:
        user = sso.complete_sign_in(connection=connection, email=email, email_verified=email_verified,
                                    full_name=full_name, request_meta=_meta(request))
    except (sso.SignInRefused, ServiceError) as error:
        logger.warning("SSO sign-in refused for %s: %s", connection.organization.slug, getattr(error, "code", "refused"))
        return _refused(request, error)
    login(request, user, backend=SIGN_IN_BACKEND)
    return redirect("orgs:overview", connection.organization.slug)


def _throttled(connection):
    return not throttle.allow("sso", connection.organization_id, settings.SSO_CALLBACKS_PER_MINUTE)


def _connection_or_404(public_id, protocol):
    connection = selectors.get_connection_by_public_id(public_id)
    if connection is None or connection.protocol != protocol or not connection.is_configured:
        return None
    return connection


def _too_many():
    response = HttpResponse(ERR_TOO_MANY, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(throttle.retry_after())
    return response


@require_GET
def oidc_callback(request, public_id):
    connection = _connection_or_404(public_id, Protocol.OIDC)
    if connection is None:
        return _refused(request, sso.SignInRefused("this sign-in link is not set up.", "unknown_connection"))
    if _throttled(connection):
        return _too_many()
    try:
        claims = oidc.finish(connection, request.session, request.GET)
    except oidc.OIDCError as error:
        logger.warning("OIDC callback refused for %s: %s", connection.organization.slug, error.code)
        return _refused(request, error)
    return _complete(request, connection, claims.email, claims.email_verified, claims.full_name)


@csrf_exempt  # the IdP's browser POST comes from another site; the signed assertion is the proof
@require_POST
def saml_acs(request, public_id):
    connection = _connection_or_404(public_id, Protocol.SAML)
    if connection is None:
        return _refused(request, sso.SignInRefused("this sign-in link is not set up.", "unknown_connection"))
    if _throttled(connection):
        return _too_many()
    try:
        assertion = saml.finish(connection, request.POST.get("SAMLResponse"), request.POST.get("RelayState"))
        saml.consume_assertion(connection, assertion)
    except saml.SAMLError as error:
        logger.warning("SAML response refused for %s: %s", connection.organization.slug, error.code)
        return _refused(request, error)
    return _complete(request, connection, assertion.email, True, assertion.full_name)


@require_GET
def saml_metadata(request, public_id):
    connection = selectors.get_connection_by_public_id(public_id)
    if connection is None:
        return HttpResponse("No such service provider.", status=404, content_type="text/plain; charset=utf-8")
    return HttpResponse(saml.sp_metadata_xml(connection), content_type="application/samlmetadata+xml")
