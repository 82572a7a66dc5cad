"""The retention policy: how long feedback reports are kept."""

from django.conf import settings


def get_retention_years():
    """The retention period in whole years, read from settings each time it is needed."""
    return settings.FEEDBACK_RETENTION_YEARS
