"""Headers every answer carries, and outages answered as 503 instead of 500."""

from django.conf import settings
from django.utils.cache import add_never_cache_headers

from .outage import outage_response


class SecurityHeadersMiddleware:
    """Permissions-Policy on every answer; ``Cache-Control: no-store`` on every answer the app makes.

    Pages, CSV exports and API answers may hold an organization's members, audit trail or settings,
    so no browser or proxy may keep them. Static files (served before this, by WhiteNoise) and
    answers that chose their own caching keep theirs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


class OutageMiddleware:
    """A view that finds the database or the broker gone answers 503 (the 500 handler covers the rest)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return outage_response(request, exception)
