"""JSON reads of an organization's data settings."""

from django.http import JsonResponse

from .access import ERR_NO_ORG, ERR_NOT_MEMBER
from .selectors import get_membership, get_organization


def settings_payload(organization):
    """The org's data settings as the API returns them: the one setting of its kind."""
    return {organization.feedback_setting: organization.feedback_enabled}


def api_error(status, code, detail):
    """A JSON error in the API's one shape."""
    return JsonResponse({"error": code, "detail": detail}, status=status)


def resolve_api_membership(request, slug):
    """(membership, None) for a signed-in member, else (None, the JSON error to answer)."""
    if not request.user.is_authenticated:
        return None, api_error(401, "not_authenticated", "Sign in to use the API.")
    membership = get_membership(request.user, slug)
    if membership is not None:
        return membership, None
    if get_organization(slug) is None:
        return None, api_error(404, "not_found", ERR_NO_ORG)
    return None, api_error(403, "not_a_member", ERR_NOT_MEMBER)


def org_settings(request, slug):
    """GET /api/v1/orgs/<slug>/settings: the data settings, for any member."""
    membership, error = resolve_api_membership(request, slug)
    if error:
        return error
    if request.method != "GET":
        # Changing the settings stays in the pages, where it is confirmed and audited.
        response = api_error(405, "method_not_allowed", "This resource is read-only: use GET.")
        response["Allow"] = "GET"
        return response
    return JsonResponse(settings_payload(membership.organization))
