"""The OpenAPI document's words: what each error status means, and the feedback report's schema.

ninja generates the document from the endpoints; ``described`` gives each operation its error
responses (all in the one Error shape) and ``complete_document`` adds what ninja cannot see (the
feedback report, which feedback.schema validates itself).
"""

import copy

from feedback.samples import CODE_SAMPLE
from feedback.schema import MAX_BODY_BYTES, MAX_DEPTH, FeedbackReport

from .schemas import Error
from .transport import ADMIN_MAX_BODY_BYTES

FEEDBACK_REPORT_REF = {"$ref": "#/components/schemas/FeedbackReport"}
EXAMPLE_REPORT = {
    "surface": "chat",
    "rating": "up",
    "comment": "Clear and correct.",
    "conversation": {
        "messages": [
            {"role": "user", "content": [
                {"type": "text", "text": "Summarise the Q3 plan."},
                {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "…"},
                 "origin": {"type": "connector", "name": "google_drive"}},
            ]},
            {"role": "assistant", "content": "Here is the summary…"},
        ],
        "style": {"name": "Concise"},
        "preferences": {"language": "en"},
        "model_settings": {"model": "claude-sonnet", "temperature": 0.7, "max_tokens": 1024},
    },
}

# A bug report on a Claude Code session: no rating, a description, the session's transcript.
EXAMPLE_BUG_REPORT = {
    "surface": "code",
    "kind": "bug",
    "comment": "It said the tests pass, but it never ran them after the last edit.",
    "conversation": CODE_SAMPLE,
}

ERROR_TEXT = {
    400: "`invalid`: the request is not valid; `detail` lists `{field, message}` items (also: a body that is not "
         f"UTF-8 JSON, nested deeper than {MAX_DEPTH} levels, or holding a NUL or a lone surrogate); "
         "`duplicate_key`: a key given twice in one object (`field` names the object).",
    401: "`not_authenticated`: no credentials were sent; `invalid_api_key`: the key is unknown, mistyped, expired or "
         "revoked (one answer for all).",
    403: "The caller may not do this: `error` names the rule (`insufficient_scope`, `primary_by_transfer`, "
         "`role_above_own`, …) and `detail` says it in words, as the pages do.",
    404: "`not_found`: no such organization, one the caller does not belong to, or another organization than the "
         "key's (the same answer); or no such item.",
    405: "`method_not_allowed`: see the Allow header.",
    409: "The organization's present state refuses the change: `last_admin`, `already_member`, `already_invited`, "
         "`invitation_closed`, `member_gone`, `daily_cap`.",
    411: "`length_required`: the body has no Content-Length (chunked bodies are not accepted).",
    413: f"`too_large`: the body is larger than {ADMIN_MAX_BODY_BYTES // 1024} KiB ({MAX_BODY_BYTES // 1024} KiB for a "
         "feedback report), whatever its type.",
    415: "`unsupported_media_type`: the body is not sent as application/json (UTF-8).",
    429: "`rate_limited`: too many requests; see the Retry-After header.",
    500: "`server_error`: something went wrong on the server; nothing was changed.",
    503: "`unavailable`: a service the API needs is down for a moment; nothing was changed (see Retry-After).",
}
# Every operation can answer these.
ALWAYS = (405, 500, 503)


def described(ok, *errors, notes=None, extra=None):
    """ninja's ``response`` and ``openapi_extra`` for an operation: its success bodies and its errors, in words."""
    statuses = sorted({*errors, *ALWAYS})
    descriptions = {status: {"description": (notes or {}).get(status, ERROR_TEXT[status])} for status in statuses}
    return {
        "response": {**ok, **dict.fromkeys(statuses, Error)},
        "openapi_extra": {**(extra or {}), "responses": descriptions},
    }


def complete_document(document):
    """Add the feedback report's schema (and its parts) to a document ninja generated."""
    document = copy.deepcopy(document)
    report = FeedbackReport.model_json_schema(ref_template="#/components/schemas/{model}")
    parts = report.pop("$defs", {})
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    clashes = set(schemas) & {"FeedbackReport", *parts}
    if clashes:
        raise ValueError(f"schema names used twice in the OpenAPI document: {sorted(clashes)}")
    schemas.update({"FeedbackReport": report, **parts})
    return document
