"""The organization's data settings as the API answers them."""


def settings_payload(organization):
    """The org's data settings as the API returns them: the one setting of its kind."""
    return {organization.profile.setting_field: organization.feedback_enabled}
