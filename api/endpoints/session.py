"""The endpoints a signed-in browser calls: who is signed in, and the feedback submission."""

import time

from ninja import Router
from ninja.responses import Status
from pydantic import ValidationError

from feedback.ratelimit import give_back_report_slot, take_report_slot
from feedback.schema import MAX_BODY_BYTES, InvalidBody, parse_report, validation_details
from feedback.services import record_feedback

from ..auth import SESSION_AUTH
from ..exceptions import ApiError
from ..openapi import EXAMPLE_BUG_REPORT, EXAMPLE_REPORT, FEEDBACK_REPORT_REF, described
from ..schemas import Created, Me
from ..transport import check_csrf, check_transport, read_json

router = Router(tags=["Session"])

# The URL names whose views check CSRF themselves, later than the other endpoints do (api.urls).
CSRF_CHECKED_IN_VIEW = frozenset({"feedback-submit"})

ERR_TOO_MANY_REPORTS = "Too many reports: wait a moment and try again."


@router.get("/me", auth=SESSION_AUTH, url_name="me", operation_id="getMe", summary="Who is signed in",
            **described({200: Me}, 401))
def me(request):
    """The signed-in person (also the baseline of the submission benchmark: keep it trivial)."""
    return {"email": request.auth.email}


def _read_report(request):
    """The validated report, or raise ApiError (the body's transport, then its JSON, then the schema)."""
    check_transport(request, MAX_BODY_BYTES)
    # CSRF after authentication and the transport checks, as the endpoint always answered.
    check_csrf(request)
    try:
        return parse_report(read_json(request, MAX_BODY_BYTES))
    except InvalidBody as invalid:
        raise ApiError(400, invalid.code, invalid.details) from invalid
    except ValidationError as invalid:
        raise ApiError(400, "invalid", validation_details(invalid)) from invalid


@router.post(
    "/orgs/{slug:slug}/feedback", auth=SESSION_AUTH, url_name="feedback-submit", operation_id="submitFeedback",
    summary="Submit a thumbs rating or a bug report on a conversation",
    **described({201: Created}, 400, 401, 403, 404, 411, 413, 415, 429, notes={
        403: "`feedback_disabled`: feedback is turned off for the organization; `csrf_failed`: the CSRF check failed.",
    }, extra={"requestBody": {"required": True, "content": {"application/json": {
        "schema": FEEDBACK_REPORT_REF,
        "examples": {
            "rating": {"summary": "A thumbs rating on a chat", "value": EXAMPLE_REPORT},
            "bug": {"summary": "A bug report on a Claude Code session", "value": EXAMPLE_BUG_REPORT},
        },
    }}}}),
)
def submit_feedback(request, slug: str):
    """Stores the whole conversation de-linked from the person and the organization; content from connectors
    and MCP servers is replaced by a marker naming its origin, and content that cannot be classified (an
    unknown block type, a tool result without its call, an unresolvable citation) is left out the same way.
    `kind` is `rating` (the default; `rating` required) or `bug` (no `rating`; a `comment` describing the bug
    required). `surface` is the organization's own (`chat` or `workbench`) or `code` for a Claude Code session,
    whose transcript is in the Messages API shape (`tool_use` / `tool_result` blocks). The organization's
    feedback setting governs both kinds."""
    report = _read_report(request)
    # Only a report that is stored keeps one of the person's places: a client's mistakes (an invalid
    # body, an org they are not in, feedback turned off) do not lock them out.
    now = time.time()
    retry_after = take_report_slot(request.auth.pk, now=now)
    if retry_after:
        raise ApiError(429, "rate_limited", ERR_TOO_MANY_REPORTS, headers={"Retry-After": str(retry_after)})
    try:
        # Membership, surface and the org's setting are checked where the report is written.
        feedback = record_feedback(user=request.auth, slug=slug, report=report)
    except Exception:
        give_back_report_slot(request.auth.pk, now)  # refused, or not stored (say the database is down)
        raise
    return Status(201, {"id": feedback.id})
