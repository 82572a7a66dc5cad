"""The API's one error shape, and the error handlers that answer it for every path under /api/.

Pages keep Django's HTML error pages; under /api/ every answer that is not 2xx is JSON
``{"error": code, "detail": text}``, whichever layer produced it (URL resolver, a decorator,
the CSRF middleware, a request Django could not parse, an unhandled exception). The 500 handler,
which must first tell an outage from a bug, is console.outage.server_error.
"""

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults
from django.views.csrf import csrf_failure as html_csrf_failure

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"

ERR_NOT_FOUND = "There is no such resource."
ERR_METHOD = "This method is not allowed here."
ERR_BAD_REQUEST = "The request could not be read."
ERR_TOO_LARGE = "The request body is too large."
ERR_FORBIDDEN = "You may not do this."
ERR_CSRF = "CSRF check failed: send the X-CSRFToken header with the csrftoken cookie's value."
ERR_SIGN_IN = "Sign in to use the API."
ERR_SERVER = "Something went wrong on our side; nothing was stored. Try again later."

# The code answered for a status when the layer that refused did not name one.
CODE_BY_STATUS = {
    400: ("invalid", ERR_BAD_REQUEST),
    401: ("not_authenticated", ERR_SIGN_IN),
    403: ("forbidden", ERR_FORBIDDEN),
    404: ("not_found", ERR_NOT_FOUND),
    405: ("method_not_allowed", ERR_METHOD),
    413: ("too_large", ERR_TOO_LARGE),
    415: ("unsupported_media_type", "Send the body as application/json."),
    429: ("rate_limited", "Too many requests: wait a moment and try again."),
    500: ("server_error", ERR_SERVER),
    503: ("unavailable", "The service is unavailable for a moment; nothing was stored. Try again later."),
}


def api_error(status, code, detail):
    """A JSON error in the API's one shape."""
    return JsonResponse({"error": code, "detail": detail}, status=status)


def is_api_request(request):
    """Whether the request is for the JSON API (answered in JSON whatever goes wrong)."""
    return request.path_info.startswith(API_PREFIX)


def api_error_for_status(status):
    """The API's JSON error for a bare status, with the code and text it usually carries."""
    code, detail = CODE_BY_STATUS.get(status, ("invalid" if status < 500 else "server_error", ERR_BAD_REQUEST))
    return api_error(status, code, detail)


def bad_request(request, exception, template_name=defaults.ERROR_400_TEMPLATE_NAME):
    """400 page, or JSON under /api/ (413 for a body past Django's upload limits)."""
    if not is_api_request(request):
        return defaults.bad_request(request, exception, template_name)
    if isinstance(exception, RequestDataTooBig):
        return api_error(413, "too_large", ERR_TOO_LARGE)
    return api_error(400, "invalid", ERR_BAD_REQUEST)


# Other protocols served under a path of their own answer errors in their own shape (SCIM's error body
# under /scim/): prefix -> answer(status, detail). Registered by the app that serves them (apps above console).
_ERROR_ANSWERS = {}


def register_error_answer(prefix, answer):
    """Let the app serving paths under ``prefix`` shape the errors this module answers there."""
    _ERROR_ANSWERS[prefix] = answer


def _protocol_answer(request):
    return next((answer for prefix, answer in _ERROR_ANSWERS.items() if request.path_info.startswith(prefix)), None)


def unreadable_request(request, detail):
    """400 for input that cannot be read as text: the 400 page naming the part, JSON ``invalid`` under /api/,
    or the error shape of the protocol registered for the path."""
    if answer := _protocol_answer(request):
        return answer(400, detail)
    if is_api_request(request):
        return api_error(400, "invalid", detail)
    return HttpResponseBadRequest(render_to_string(defaults.ERROR_400_TEMPLATE_NAME, {"detail": detail}))


def permission_denied(request, exception, template_name=defaults.ERROR_403_TEMPLATE_NAME):
    """403 page, or JSON under /api/."""
    if not is_api_request(request):
        return defaults.permission_denied(request, exception, template_name)
    return api_error(403, "forbidden", ERR_FORBIDDEN)


def page_not_found(request, exception, template_name=defaults.ERROR_404_TEMPLATE_NAME):
    """404 page, or JSON under /api/ (an unknown path and a malformed slug alike)."""
    if not is_api_request(request):
        return defaults.page_not_found(request, exception, template_name)
    return api_error(404, "not_found", ERR_NOT_FOUND)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: Django's page, or 403 ``csrf_failed`` under /api/."""
    if not is_api_request(request):
        return html_csrf_failure(request, reason)
    return api_error(403, "csrf_failed", ERR_CSRF)


class ApiErrorMiddleware:
    """Turn any non-JSON error answer under /api/ into the API's JSON error of the same status.

    Views answer JSON themselves; this catches what other layers produce as HTML or empty
    bodies (``require_GET``'s bare 405, the debug 404 page), so clients never parse HTML.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not is_api_request(request):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        replacement = api_error_for_status(response.status_code)
        for header in ("Allow", "Retry-After"):
            if response.has_header(header):
                replacement[header] = response[header]
        return replacement
