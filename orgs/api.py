"""JSON reads of an organization's data settings."""

from django.http import JsonResponse

from console.errors import api_error

from .access import resolve_api_membership


def settings_payload(organization):
    """The org's data settings as the API returns them: the one setting of its kind."""
    return {organization.profile.setting_field: organization.feedback_enabled}


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
