"""How long a feedback report is kept: the period every page states and the retention job applies."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

RETENTION_RULE = ("Feedback reports are stored by day and deleted at 00:00 UTC on the day they turn {years} "
                  "year{plural} old: up to a day early, never later.")
ERR_RETENTION_YEARS = "FEEDBACK_RETENTION_YEARS must be a positive whole number of years from 1 to 100, not {value!r}."
MAX_RETENTION_YEARS = 100


def get_retention_years():
    """The retention period in whole years, read from settings each time it is needed."""
    years = settings.FEEDBACK_RETENTION_YEARS
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= MAX_RETENTION_YEARS:
        raise ImproperlyConfigured(ERR_RETENTION_YEARS.format(value=years))
    return years


def describe_retention():
    """The retention rule in one sentence, as the pages and the README state it."""
    years = get_retention_years()
    return RETENTION_RULE.format(years=years, plural="" if years == 1 else "s")
