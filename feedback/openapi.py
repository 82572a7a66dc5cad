"""The OpenAPI document of the JSON API, built from the same pydantic schema that validates."""

import functools

from .samples import CODE_SAMPLE
from .schema import MAX_BODY_BYTES, MAX_DEPTH, FeedbackReport

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

ERROR_CODES = {
    "400": ("invalid / duplicate_key", "The body is not a valid report; `detail` lists `{field, message}` items. Also: "
                                       f"not UTF-8 JSON, nested deeper than {MAX_DEPTH} levels, a NUL or lone surrogate in "
                                       "any string or key, a non-finite number, a surface the organization's kind does "
                                       "not accept, a rating on a bug report or a bug report without a description. "
                                       "`duplicate_key`: a key given twice in one object (`field` names the object)."),
    "401": ("not_authenticated", "Not signed in."),
    "403": ("feedback_disabled / csrf_failed", "Feedback is turned off for the organization, or the CSRF check failed."),
    "404": ("not_found", "No such organization, or one you are not a member of (the same answer)."),
    "405": ("method_not_allowed", "Wrong method; see the Allow header."),
    "411": ("length_required", "The body has no Content-Length (chunked bodies are not accepted)."),
    "413": ("too_large", f"The body is larger than {MAX_BODY_BYTES // 1024} KiB, whatever its type."),
    "415": ("unsupported_media_type", "The body is not sent as application/json (UTF-8)."),
    "429": ("rate_limited", "Too many reports; see the Retry-After header."),
    "500": ("server_error", "Something went wrong on the server; nothing was stored."),
    "503": ("unavailable", "A service the API needs is down for a moment; nothing was stored."),
}
# GET /api/v1/orgs/{slug}/settings: its kind's feedback setting (one of the two) and the model training choice.
SETTINGS_SCHEMA = {
    "type": "object",
    "properties": {
        "thumbs_feedback_enabled": {"type": "boolean", "description": "Claude organizations only."},
        "workbench_feedback_enabled": {"type": "boolean", "description": "API Console organizations only."},
        "model_training_enabled": {"type": "boolean"},
        "model_training_since": {
            "type": ["string", "null"], "format": "date-time",
            "description": "When model training was allowed (UTC, to the microsecond); null while it is off.",
        },
        "model_training_terms_version": {
            "type": ["string", "null"], "description": "The terms version it was allowed under; null while it is off.",
        },
    },
    "required": ["model_training_enabled", "model_training_since", "model_training_terms_version"],
    "oneOf": [{"required": ["thumbs_feedback_enabled"]}, {"required": ["workbench_feedback_enabled"]}],
    "additionalProperties": False,
}
# The errors a read-only endpoint can answer.
READ_ERRORS = ("401", "404", "405", "500", "503")


def _error_response(description):
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _report_schema():
    schema = FeedbackReport.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    return schema, defs


@functools.cache
def build_document():
    """The whole OpenAPI 3.1 document (built once per process: it depends only on code)."""
    report, defs = _report_schema()
    errors = {status: _error_response(f"`{code}`: {text}") for status, (code, text) in ERROR_CODES.items()}
    slug = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}, "example": "acme"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Data Management Console API",
            "version": "1",
            "description": "Session-authenticated JSON API. Send the `csrftoken` cookie's value in the "
                           "`X-CSRFToken` header with every POST.",
        },
        "paths": {
            "/api/v1/orgs/{slug}/feedback": {
                "post": {
                    "operationId": "submitFeedback",
                    "summary": "Submit a thumbs rating or a bug report on a conversation",
                    "description": "Stores the whole conversation de-linked from the person and the organization; "
                                   "content from connectors and MCP servers is replaced by a marker naming its origin, "
                                   "and content that cannot be classified (an unknown block type, a tool result "
                                   "without its call, an unresolvable citation) is left out the same way. "
                                   "`kind` is `rating` (the default; `rating` required) or `bug` (no `rating`; a "
                                   "`comment` describing the bug required). `surface` is the organization's own "
                                   "(`chat` or `workbench`) or `code` for a Claude Code session, whose transcript "
                                   "is in the Messages API shape (`tool_use` / `tool_result` blocks). The "
                                   "organization's feedback setting governs both kinds.",
                    "parameters": [slug],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/FeedbackReport"},
                            "examples": {
                                "rating": {"summary": "A thumbs rating on a chat", "value": EXAMPLE_REPORT},
                                "bug": {"summary": "A bug report on a Claude Code session", "value": EXAMPLE_BUG_REPORT},
                            },
                        }},
                    },
                    "responses": {
                        "201": {"description": "Stored", "content": {"application/json": {"schema": {
                            "type": "object", "properties": {"id": {"type": "string", "format": "uuid"}},
                            "required": ["id"],
                        }}}},
                        **errors,
                    },
                }
            },
            "/api/v1/me": {
                "get": {
                    "operationId": "getMe",
                    "summary": "Who is signed in",
                    "responses": {
                        "200": {"description": "The signed-in person", "content": {"application/json": {"schema": {
                            "type": "object", "properties": {"email": {"type": "string"}}, "required": ["email"],
                        }}}},
                        **{k: v for k, v in errors.items() if k in READ_ERRORS},
                    },
                }
            },
            "/api/v1/orgs/{slug}/settings": {
                "get": {
                    "operationId": "getOrganizationSettings",
                    "summary": "Read the organization's data settings",
                    "description": "`thumbs_feedback_enabled` for Claude organizations, "
                                   "`workbench_feedback_enabled` for API Console organizations; for both, "
                                   "`model_training_enabled` (off unless the organization allowed it), with "
                                   "`model_training_since` and `model_training_terms_version`: the instant and the "
                                   "terms it was allowed under (null while off).",
                    "parameters": [slug],
                    "responses": {
                        "200": {"description": "The settings", "content": {"application/json": {
                            "schema": SETTINGS_SCHEMA,
                            "example": {"thumbs_feedback_enabled": True, "model_training_enabled": True,
                                        "model_training_since": "2025-10-01T09:30:00.123456Z",
                                        "model_training_terms_version": "2025-10-01"},
                        }}},
                        **{k: v for k, v in errors.items() if k in READ_ERRORS},
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "FeedbackReport": report,
                **defs,
                "Error": {
                    "type": "object",
                    "properties": {"error": {"type": "string"}, "detail": {}},
                    "required": ["error", "detail"],
                },
            },
        },
    }


def list_operations(document):
    """(method, path, operation) for each operation, for the docs page."""
    return [
        {"method": method.upper(), "path": path, **operation}
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
