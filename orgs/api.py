"""JSON reads of an organization's data settings."""

from datetime import UTC

from django.http import JsonResponse

from console.errors import api_error

from .access import resolve_api_membership
from .kinds import MODEL_TRAINING_FIELD
from .selectors import get_model_training_state


def settings_payload(organization):
    """The org's data settings as the API returns them: its kind's feedback setting and the model training choice."""
    training = get_model_training_state(organization)
    return {
        organization.profile.setting_field: organization.feedback_enabled,
        MODEL_TRAINING_FIELD: training.enabled,
        "model_training_since": _utc_instant(training.since),
        "model_training_terms_version": training.terms_version or None,
    }


def _utc_instant(moment):
    """An instant as ISO 8601 in UTC to the microsecond ("…Z"), or None."""
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


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
