"""POST /api/v1/orgs/<slug>/feedback, its OpenAPI document and docs page."""

import json

from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError

from orgs.api import api_error

from . import openapi
from .ratelimit import take_report_slot
from .schema import MAX_BODY_BYTES, parse_report, validation_details
from .services import FeedbackRefused, record_feedback

ERR_TOO_LARGE = f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB."
ERR_TOO_MANY = "Too many reports: wait a moment and try again."
ERR_NOT_JSON = "The body is not valid JSON."
ERR_CSRF = "CSRF check failed: send the X-CSRFToken header with the csrftoken cookie's value."


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason


def _csrf_failure(request):
    """The reason the request fails Django's CSRF check, or None when it passes."""
    return _CsrfCheck(lambda r: None).process_view(request, None, (), {})


def _content_length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _read_json(request):
    """The decoded body, or raise FeedbackRefused with the right status and code."""
    if _content_length(request) > MAX_BODY_BYTES:
        raise FeedbackRefused(413, "too_large", ERR_TOO_LARGE)
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise FeedbackRefused(413, "too_large", ERR_TOO_LARGE)
    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        raise FeedbackRefused(400, "invalid_json", ERR_NOT_JSON) from error


@csrf_exempt  # checked below, after authentication, so signed-out clients get 401 first
def submit_feedback(request, slug):
    """Store one thumbs-up / thumbs-down report for a member of the organization."""
    if request.method != "POST":
        response = api_error(405, "method_not_allowed", "Use POST.")
        response["Allow"] = "POST"
        return response
    if not request.user.is_authenticated:
        return api_error(401, "not_authenticated", "Sign in to use the API.")
    if _csrf_failure(request):
        return api_error(403, "csrf_failed", ERR_CSRF)
    retry_after = take_report_slot(request.user.pk)
    if retry_after:
        response = api_error(429, "rate_limited", ERR_TOO_MANY)
        response["Retry-After"] = str(retry_after)
        return response
    try:
        data = _read_json(request)
        try:
            report = parse_report(data)
        except ValidationError as invalid:
            return api_error(400, "invalid", validation_details(invalid))
        # Membership, surface and the org's setting are checked where the report is written.
        feedback = record_feedback(user=request.user, slug=slug, report=report)
    except FeedbackRefused as refused:
        return api_error(refused.status, refused.code, refused.detail)
    return JsonResponse({"id": str(feedback.id)}, status=201)


def openapi_document(request):
    """The OpenAPI 3.1 description of the JSON API."""
    return JsonResponse(openapi.build_document(), json_dumps_params={"indent": 2})


def api_docs(request):
    """A readable page describing the API, from the same OpenAPI document."""
    document = openapi.build_document()
    return render(request, "feedback/api_docs.html", {
        "document": document,
        "operations": openapi.list_operations(document),
        "report_schema": json.dumps(document["components"]["schemas"]["FeedbackReport"], indent=2),
        "example": json.dumps(openapi.EXAMPLE_REPORT, indent=2),
    })
