"""Headers every answer carries, outages answered as 503 instead of 500, unreadable input as 400."""

from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.utils.cache import add_never_cache_headers

from .errors import unreadable_request
from .outage import outage_response

ERR_UNREADABLE = (
    "The {part} holds a NUL character, a lone surrogate or bytes that are not UTF-8 "
    "(raw or percent-encoded): nothing was read. Check the link or the form and try again."
)


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


def _raw_bytes(text):
    """The bytes a WSGI server gave as a latin-1 string; text an ASGI server already decoded, as UTF-8."""
    try:
        return text.encode("iso-8859-1")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def _is_readable_text(text):
    return "\x00" not in text and not any("\ud800" <= char <= "\udfff" for char in text)


def _is_readable(raw):
    """Whether these bytes, percent-decoded, are UTF-8 without a NUL.

    Strict UTF-8 refuses the encodings of lone surrogates (ED A0 80…) and overlong forms (C0 80) too.
    """
    try:
        return "\x00" not in unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False


class UnreadableInputMiddleware:
    """A NUL, a lone surrogate or invalid UTF-8 in the path, the query string, a form field or a cookie: 400.

    Django passes such values on (PostgreSQL then refuses a NUL in any string: a 500 from every
    lookup, filter and search that meets one), so they are refused here, before anything reads them.
    Pages get the 400 page, /api/ the JSON ``invalid`` error (console.errors.unreadable_request).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        part = self._unreadable_part(request)
        if part is not None:
            return unreadable_request(request, ERR_UNREADABLE.format(part=part))
        return self.get_response(request)

    @staticmethod
    def _unreadable_part(request):
        # Django's path_info is text with any bytes that were not UTF-8 written back as %XX: decode it again.
        if not _is_readable(request.path_info.encode("utf-8", "surrogatepass")):
            return "address"
        if not _is_readable(_raw_bytes(request.META.get("QUERY_STRING", ""))):
            return "query string"
        if not all(_is_readable_text(name) and _is_readable_text(value) for name, value in request.COOKIES.items()):
            return "cookie"
        if request.method == "POST":
            if request.content_type == "application/x-www-form-urlencoded":
                if not _is_readable(request.body):
                    return "form"
            elif request.content_type == "multipart/form-data" and "boundary" in request.content_params:
                # A multipart body Django cannot parse raises here as it would in the view: a 400.
                fields = [(name, value) for name, values in request.POST.lists() for value in values]
                if not all(_is_readable_text(name) and _is_readable_text(value) for name, value in fields):
                    return "form"
        return None
