"""JSON reads of an organization's data settings."""

from django.http import JsonResponse

from console.errors import api_error

from .access import ERR_NO_ORG
from .selectors import get_membership


def settings_payload(organization):
    """The org's data settings as the API returns them: the one setting of its kind."""
    return {organization.feedback_setting: organization.feedback_enabled}


def resolve_api_membership(request, slug):
    """(membership, None) for a signed-in member, else (None, the JSON error to answer)."""
    if not request.user.is_authenticated:
        return None, api_error(401, "not_authenticated", "Sign in to use the API.")
    membership = get_membership(request.user, slug)
    if membership is None:
        # The same answer as for an org that does not exist, so its existence does not leak.
        return None, api_error(404, "not_found", ERR_NO_ORG)
    return membership, None


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
