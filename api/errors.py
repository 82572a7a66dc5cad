"""The Admin API's refusals as exceptions, and the handlers that answer each as the API's one JSON error."""

from django.http import Http404
from ninja.errors import AuthenticationError, HttpError, ValidationError

from console.errors import CODE_BY_STATUS, ERR_NOT_FOUND, ERR_SIGN_IN, api_error
from feedback.schema import NON_FIELD
from feedback.services import FeedbackRefused
from orgs.services import ServiceError

from .exceptions import ApiError
from .refusals import refusal


def error_response(error):
    """The JSON answer of an ApiError."""
    response = api_error(error.status, error.code, error.detail)
    for header, value in error.headers.items():
        response[header] = value
    return response


def _field(location):
    # ninja names where a value came from first ("query", "path", "body") and, for a body, the
    # parameter it fills: clients see the field they sent, as the feedback endpoint reports it.
    source, *path = location
    if source == "body":
        path = path[1:]
    return ".".join(str(part) for part in path) or NON_FIELD


def _message(error):
    return "Input should be an object" if error["type"] == "model_type" else str(error["msg"])


def invalid_details(errors):
    """ninja's validation errors as the API's ``{"field", "message"}`` items."""
    return [{"field": _field(error["loc"]), "message": _message(error)} for error in errors]


def _invalid(request, exc):
    return api_error(400, "invalid", invalid_details(exc.errors))


def _not_authenticated(request, exc):
    return api_error(401, "not_authenticated", ERR_SIGN_IN)


def _http_error(request, exc):
    code, _ = CODE_BY_STATUS.get(exc.status_code, ("invalid", ""))
    return api_error(exc.status_code, code, exc.message)


def _not_found(request, exc):
    return api_error(404, "not_found", ERR_NOT_FOUND)


def _refused(request, exc):
    return error_response(refusal(exc))


def _feedback_refused(request, exc):
    return api_error(exc.status, exc.code, exc.detail)


def _unhandled(request, exc):
    # Django's own handling answers it: a 503 for an outage (console.outage), else the JSON 500.
    raise exc


def install_error_handlers(api):
    """Answer every error raised under the API in its one JSON shape."""
    api.add_exception_handler(ApiError, lambda request, exc: error_response(exc))
    api.add_exception_handler(ValidationError, _invalid)
    api.add_exception_handler(AuthenticationError, _not_authenticated)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(ServiceError, _refused)
    api.add_exception_handler(FeedbackRefused, _feedback_refused)
    api.add_exception_handler(Exception, _unhandled)
