"""The organization's data settings as the API answers them."""

from datetime import UTC

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
