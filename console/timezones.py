"""The viewer's time zone, as their browser reports it (static/js/timezone.js sets the cookie)."""

import zoneinfo

from django.utils import timezone

TIMEZONE_COOKIE = "tz"


def viewer_timezone(request):
    """The zone named by the request's time-zone cookie, or the site's default zone when absent or unknown."""
    name = request.COOKIES.get(TIMEZONE_COOKIE, "")
    if name and len(name) <= 64:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.get_default_timezone()
