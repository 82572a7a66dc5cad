"""POST /api/v1/orgs/<slug>/feedback, its OpenAPI document and docs page."""

import json
import time

from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from pydantic import ValidationError

from console.errors import ERR_CSRF, ERR_SIGN_IN, api_error

from . import openapi
from .ratelimit import give_back_report_slot, take_report_slot
from .schema import MAX_BODY_BYTES, InvalidBody, decode_body, parse_report, validation_details
from .services import FeedbackRefused, record_feedback

ERR_TOO_LARGE = f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB."
ERR_TOO_MANY = "Too many reports: wait a moment and try again."
ERR_LENGTH = "Send the body with a Content-Length header (chunked bodies are not accepted)."
ERR_MEDIA_TYPE = "Send the report as JSON, with Content-Type: application/json."
JSON_CHARSETS = ("", "utf-8", "utf8")


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason


def _csrf_failure(request):
    """The reason the request fails Django's CSRF check, or None when it passes."""
    return _CsrfCheck(lambda r: None).process_view(request, None, (), {})


def _refuse_transport(request):
    """The error for a body the API will not read (no length, too large, not JSON), or None."""
    length = request.META.get("CONTENT_LENGTH") or ""
    if not length.isdigit() and (length or "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()):
        # Without a length (Transfer-Encoding: chunked) the WSGI server hands Django no body at all.
        return api_error(411, "length_required", ERR_LENGTH)
    if int(length or 0) > MAX_BODY_BYTES:
        return api_error(413, "too_large", ERR_TOO_LARGE)
    charset = (request.content_params.get("charset") or "").lower()
    if request.content_type != "application/json" or charset not in JSON_CHARSETS:
        return api_error(415, "unsupported_media_type", ERR_MEDIA_TYPE)
    return None


def _read_report(request):
    """The validated report, or raise InvalidBody / pydantic's ValidationError."""
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:  # a Content-Length that understated the body
        raise FeedbackRefused(413, "too_large", ERR_TOO_LARGE)
    return parse_report(decode_body(body))


@csrf_exempt  # checked below, after authentication, so signed-out clients get 401 first
def submit_feedback(request, slug):
    """Store one report (a thumbs rating or a bug report) for a member of the organization."""
    if request.method != "POST":
        response = api_error(405, "method_not_allowed", "Use POST.")
        response["Allow"] = "POST"
        return response
    if not request.user.is_authenticated:
        return api_error(401, "not_authenticated", ERR_SIGN_IN)
    refused = _refuse_transport(request)
    if refused:
        return refused
    if _csrf_failure(request):
        return api_error(403, "csrf_failed", ERR_CSRF)
    try:
        report = _read_report(request)
    except InvalidBody as invalid:
        return api_error(400, invalid.code, invalid.details)
    except ValidationError as invalid:
        return api_error(400, "invalid", validation_details(invalid))
    # Only a report that is stored keeps one of the person's places: a client's mistakes (an invalid
    # body, an org they are not in, feedback turned off) do not lock them out.
    now = time.time()
    retry_after = take_report_slot(request.user.pk, now=now)
    if retry_after:
        response = api_error(429, "rate_limited", ERR_TOO_MANY)
        response["Retry-After"] = str(retry_after)
        return response
    try:
        # Membership, surface and the org's setting are checked where the report is written.
        feedback = record_feedback(user=request.user, slug=slug, report=report)
    except FeedbackRefused as refused:
        give_back_report_slot(request.user.pk, now)
        return api_error(refused.status, refused.code, refused.detail)
    except Exception:
        give_back_report_slot(request.user.pk, now)  # not stored (say the database is down): 503 follows
        raise
    return JsonResponse({"id": str(feedback.id)}, status=201)


@require_safe
def openapi_document(request):
    """The OpenAPI 3.1 description of the JSON API."""
    return JsonResponse(openapi.build_document(), json_dumps_params={"indent": 2})


@require_safe
def api_docs(request):
    """A readable page describing the API, from the same OpenAPI document."""
    document = openapi.build_document()
    return render(request, "feedback/api_docs.html", {
        "document": document,
        "operations": openapi.list_operations(document),
        "report_schema": json.dumps(document["components"]["schemas"]["FeedbackReport"], indent=2),
        "example": json.dumps(openapi.EXAMPLE_REPORT, indent=2),
        "bug_example": json.dumps(openapi.EXAMPLE_BUG_REPORT, indent=2, ensure_ascii=False),
    })
