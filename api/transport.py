"""What the API reads of a request before its body: length, size and type, then the CSRF check for browsers."""

from django.middleware.csrf import CsrfViewMiddleware
from ninja.parser import Parser

from console.errors import ERR_CSRF
from feedback.schema import InvalidBody, decode_body

from .exceptions import ApiError

# The Admin API's bodies are a few fields; the feedback report has its own, larger limit.
ADMIN_MAX_BODY_BYTES = 16 * 1024
JSON_CHARSETS = ("", "utf-8", "utf8")

ERR_TOO_LARGE = "The request body is larger than {kib} KiB."
ERR_LENGTH = "Send the body with a Content-Length header (chunked bodies are not accepted)."
ERR_MEDIA_TYPE = "Send the body as JSON, with Content-Type: application/json."


def check_transport(request, max_bytes):
    """Raise the error for a body the API will not read (no length, too large, not JSON)."""
    length = request.META.get("CONTENT_LENGTH") or ""
    if not length.isdigit() and (length or "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()):
        # Without a length (Transfer-Encoding: chunked) the WSGI server hands Django no body at all.
        raise ApiError(411, "length_required", ERR_LENGTH)
    if int(length or 0) > max_bytes:
        raise ApiError(413, "too_large", ERR_TOO_LARGE.format(kib=max_bytes // 1024))
    charset = (request.content_params.get("charset") or "").lower()
    if request.content_type != "application/json" or charset not in JSON_CHARSETS:
        raise ApiError(415, "unsupported_media_type", ERR_MEDIA_TYPE)


def read_json(request, max_bytes):
    """The request's body as JSON data that can be stored (feedback.schema's rules), or raise ApiError."""
    body = request.read(max_bytes + 1)
    if len(body) > max_bytes:  # a Content-Length that understated the body
        raise ApiError(413, "too_large", ERR_TOO_LARGE.format(kib=max_bytes // 1024))
    try:
        return decode_body(body)
    except InvalidBody as invalid:
        raise ApiError(400, invalid.code, invalid.details) from invalid


class JsonBodyParser(Parser):
    """ninja's body parser for the Admin API: the transport checks, then feedback.schema's JSON rules
    (no NUL or lone surrogate, bounded depth, finite numbers)."""

    def parse_body(self, request):
        check_transport(request, ADMIN_MAX_BODY_BYTES)
        return read_json(request, ADMIN_MAX_BODY_BYTES)


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason


def check_csrf(request):
    """Raise 403 ``csrf_failed`` unless the request passes Django's CSRF check (safe methods always do)."""
    if _CsrfCheck(lambda r: None).process_view(request, None, (), {}) is not None:
        raise ApiError(403, "csrf_failed", ERR_CSRF)
