"""Validation of the feedback API's request body: from raw bytes to a FeedbackReport."""

import json
import math
import re
from itertools import accumulate
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError

MAX_COMMENT_LENGTH = 5000
MAX_MESSAGES = 500
MAX_BODY_BYTES = 256 * 1024
# Deepest nesting of objects and arrays a body may have, checked on the raw bytes before parsing.
MAX_DEPTH = 64

# Whole-request error (e.g. the body is not an object), in Django's spelling for non-field errors.
NON_FIELD = "__all__"


def _variant(value: Any) -> str | None:
    """Name the one union variant a JSON value can match, so errors describe that variant only."""
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dict):
        return "object"
    return None


# Tags show up in error locations; _field_path drops them so clients see the field they sent.
_VARIANT_TAGS = frozenset({"string", "list", "boolean", "object"})


class ContentBlock(BaseModel):
    """One Messages API content block: a string ``type``, every other key kept as given."""

    model_config = ConfigDict(extra="allow", strict=True)

    type: str


MessageContent = Annotated[
    Annotated[str, Tag("string")] | Annotated[list[ContentBlock], Tag("list")],
    Discriminator(
        _variant,
        custom_error_type="content_type",
        custom_error_message="Input should be a string or a list of content blocks",
    ),
]

ExtendedThinking = Annotated[
    Annotated[bool, Tag("boolean")] | Annotated[dict[str, Any], Tag("object")],
    Discriminator(
        _variant,
        custom_error_type="extended_thinking_type",
        custom_error_message="Input should be a boolean or an object",
    ),
]


class Message(BaseModel):
    """One turn of the conversation."""

    model_config = ConfigDict(extra="forbid", strict=True)

    role: Literal["user", "assistant"]
    content: MessageContent


class ModelSettings(BaseModel):
    """Model settings in effect for the conversation; unknown settings are kept as given."""

    model_config = ConfigDict(extra="allow", strict=True)

    model: str | None = None
    temperature: Annotated[float, Field(ge=0, le=2, allow_inf_nan=False)] | None = None
    max_tokens: Annotated[int, Field(gt=0)] | None = None
    extended_thinking: ExtendedThinking | None = None


class Conversation(BaseModel):
    """The rated conversation together with the style, preferences and settings it ran with."""

    model_config = ConfigDict(extra="forbid", strict=True)

    messages: list[Message] = Field(min_length=1, max_length=MAX_MESSAGES)
    style: dict[str, Any] = Field(default_factory=dict)
    preferences: dict[str, Any] = Field(default_factory=dict)
    model_settings: ModelSettings = Field(default_factory=ModelSettings)


def _kind_rules(schema: dict) -> None:
    """The JSON Schema form of check_kind's rules: a rating needs one of the two ratings, a bug report none and a description."""
    schema["oneOf"] = [
        {"title": "Rating", "properties": {"kind": {"const": "rating"}, "rating": {"enum": ["up", "down"]}},
         "required": ["rating"]},
        {"title": "Bug report", "properties": {"kind": {"const": "bug"}, "comment": {"minLength": 1}},
         "required": ["kind", "comment"], "not": {"required": ["rating"]}},
    ]


class FeedbackReport(BaseModel):
    """The body of a feedback POST: a thumbs rating or a bug report on a conversation."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_kind_rules)

    surface: Literal["chat", "workbench", "code"]
    kind: Literal["rating", "bug"] = "rating"
    # Required on a rating, absent on a bug report (check_kind; the schema says so in oneOf).
    rating: Literal["up", "down"] | None = None
    comment: str = Field(default="", max_length=MAX_COMMENT_LENGTH)
    conversation: Conversation
    # Which assistant message of conversation.messages was rated; absent, the last one (filled in by parse_report).
    message_index: Annotated[int, Field(ge=0, le=MAX_MESSAGES - 1)] | None = None

    def conversation_json(self) -> dict:
        """Return the conversation as plain JSON data, blocks and settings exactly as they were sent."""
        # exclude_unset keeps optional settings the client left out from coming back as nulls.
        data = self.conversation.model_dump(mode="json", exclude_unset=True)
        data.setdefault("style", {})
        data.setdefault("preferences", {})
        data.setdefault("model_settings", {})
        return data


ERR_EMPTY = "The body is empty: send the report as a JSON object."
ERR_NOT_UTF8 = "The body is not UTF-8 text."
ERR_NOT_JSON = "The body is not valid JSON ({reason})."
ERR_TOO_DEEP = f"The body is nested more than {MAX_DEPTH} levels deep."
ERR_NOT_FINITE = "Numbers must be finite: NaN, Infinity and numbers too large for a double are not allowed."
ERR_TOO_LONG = "A number in the body has too many digits."
ERR_NUL = "Text must not contain the NUL character (\\u0000)."
ERR_SURROGATE = "Text must not contain a lone UTF-16 surrogate (\\ud800–\\udfff)."
ERR_NO_ASSISTANT = "The conversation has no assistant message to rate."
ERR_INDEX_RANGE = "Must be the index of a message in conversation.messages (0 to {last})."
ERR_INDEX_ROLE = "Must point at an assistant message: message {index} is the user's."
ERR_KEY = "A key in this object is not allowed: {reason}"
ERR_DUPLICATE_KEY = "The key \"{key}\" is given more than once in this object."
ERR_RATING_REQUIRED = "Choose a rating: \"up\" or \"down\"."
ERR_BUG_RATING = "A bug report has no rating: leave it out."
ERR_BUG_COMMENT = "Describe the bug: a bug report needs a comment that is not blank."


class InvalidBody(Exception):
    """A body that is not a storable JSON document; ``code`` is the API's error code, ``details`` its field-level errors."""

    def __init__(self, field: str, message: str, *, code: str = "invalid", more: tuple = ()):
        super().__init__(message)
        self.code = code
        self.details = [{"field": field, "message": message}, *({"field": f, "message": m} for f, m in more)]


class _DuplicateKey:
    """Stands, in the decoded data, for an object that gave a key twice, until its path is found."""

    def __init__(self, key: str):
        self.key = key


def _objects_without_duplicates(found: list):
    """A json object hook: each object, or a _DuplicateKey (noted in ``found``) when a key is given twice."""

    def hook(pairs: list) -> dict | _DuplicateKey:
        data = dict(pairs)
        if len(data) == len(pairs):
            return data
        seen = set()
        found.append(_DuplicateKey(next(key for key, _ in pairs if key in seen or seen.add(key))))
        return found[-1]

    return hook


def _duplicate_key_path(value: object, path: tuple) -> tuple | None:
    """The path of the first key given twice, or None."""
    if isinstance(value, _DuplicateKey):
        return (*path, value.key)
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _duplicate_key_path(item, (*path, key))
        if found:
            return found
    return None


def _dotted(path: tuple) -> str:
    return ".".join(str(part) for part in path) or NON_FIELD


# A JSON string token: what json.loads reads as one string, so brackets inside it are text.
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_A_BRACKET = bytes(sorted(set(range(256)) - set(b"[]{}")))
# Escapes that can decode to text PostgreSQL refuses (NUL) or that is not Unicode (a lone surrogate).
_RISKY_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


def nesting_depth(body: bytes) -> int:
    """The deepest nesting of objects and arrays in a JSON body, counted without parsing it."""
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:
        return 0  # too few brackets to go past the limit: skip the scan on the common, shallow body
    brackets = _JSON_STRING.sub(b"", body).translate(None, _NOT_A_BRACKET)
    return max(accumulate(1 if byte in b"[{" else -1 for byte in brackets), default=0)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(ERR_NOT_FINITE)
    return value


def _no_constants(name: str) -> object:
    raise ValueError(ERR_NOT_FINITE)


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return ERR_NUL
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return ERR_SURROGATE
    return None


def _unstorable(value: object, path: tuple) -> tuple[tuple, str] | None:
    """The path and reason of the first string or key that cannot be stored, or None."""
    if isinstance(value, str):
        problem = _text_problem(value)
        return (path, problem) if problem else None
    if isinstance(value, dict):
        for key, item in value.items():
            problem = _text_problem(key)
            if problem:
                return path, ERR_KEY.format(reason=problem)
            found = _unstorable(item, (*path, key))
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _unstorable(item, (*path, index))
            if found:
                return found
    return None


def decode_body(body: bytes) -> object:
    """Decode a request body into JSON data that can be stored, or raise InvalidBody naming the problem."""
    if not body.strip():
        raise InvalidBody(NON_FIELD, ERR_EMPTY)
    if nesting_depth(body) > MAX_DEPTH:
        raise InvalidBody(NON_FIELD, ERR_TOO_DEEP)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidBody(NON_FIELD, ERR_NOT_UTF8) from error
    duplicates = []
    try:
        data = json.loads(text, parse_float=_finite_float, parse_constant=_no_constants,
                          object_pairs_hook=_objects_without_duplicates(duplicates))
    except json.JSONDecodeError as error:
        raise InvalidBody(NON_FIELD, ERR_NOT_JSON.format(reason=f"{error.msg} at line {error.lineno} column {error.colno}")) from error
    except ValueError as error:  # a non-finite number (ours above), or an integer with thousands of digits
        raise InvalidBody(NON_FIELD, ERR_NOT_FINITE if str(error) == ERR_NOT_FINITE else ERR_TOO_LONG) from error
    except RecursionError as error:  # the depth scan makes this unreachable; never a 500 if it is not
        raise InvalidBody(NON_FIELD, ERR_TOO_DEEP) from error
    if duplicates:
        # Which of two values counts is each reader's guess (json keeps the last): neither is stored.
        path = _duplicate_key_path(data, ())
        raise InvalidBody(_dotted(path[:-1]), ERR_DUPLICATE_KEY.format(key=path[-1]), code="duplicate_key")
    # Walking the whole document costs time on every report: only do it when an escape could need it.
    if _RISKY_ESCAPE.search(text):
        found = _unstorable(data, ())
        if found:
            path, message = found
            raise InvalidBody(_dotted(path), message)
    return data


def rated_message_index(report: FeedbackReport) -> int:
    """The index of the assistant message the report rates, or raise InvalidBody on ``message_index``."""
    messages = report.conversation.messages
    if report.message_index is None:
        for index in range(len(messages) - 1, -1, -1):
            if messages[index].role == "assistant":
                return index
        raise InvalidBody("message_index", ERR_NO_ASSISTANT)
    if report.message_index >= len(messages):
        raise InvalidBody("message_index", ERR_INDEX_RANGE.format(last=len(messages) - 1))
    if messages[report.message_index].role != "assistant":
        raise InvalidBody("message_index", ERR_INDEX_ROLE.format(index=report.message_index))
    return report.message_index


def check_kind(report: FeedbackReport) -> None:
    """Raise InvalidBody unless a rating has one and a bug report has none, with a description."""
    if report.kind == "bug":
        problems = [("rating", ERR_BUG_RATING)] if "rating" in report.model_fields_set else []
        if not report.comment.strip():
            problems.append(("comment", ERR_BUG_COMMENT))
        if problems:
            raise InvalidBody(*problems[0], more=tuple(problems[1:]))
    elif report.rating is None:
        raise InvalidBody("rating", ERR_RATING_REQUIRED)


def parse_report(data: object) -> FeedbackReport:
    """Validate a decoded JSON body into a report whose message_index is set; ValidationError or InvalidBody if invalid."""
    report = FeedbackReport.model_validate(data)
    check_kind(report)
    report.message_index = rated_message_index(report)
    return report


def _field_path(loc: tuple[int | str, ...]) -> str:
    """Return an error location as a dotted path, leaving out union variant tags."""
    # A tag is never the last segment, so a field that happens to be named like one is still reported.
    kept = [part for part in loc[:-1] if part not in _VARIANT_TAGS] + list(loc[-1:])
    return ".".join(str(part) for part in kept) or NON_FIELD


def _message(error: dict) -> str:
    """Return an error's message, without naming the Python classes behind the schema."""
    if error["type"] == "model_type":
        return "Input should be an object"
    return str(error["msg"])


def validation_details(exc: ValidationError) -> list[dict[str, str]]:
    """Return a ValidationError's errors as JSON-ready ``{"field", "message"}`` dicts."""
    return [
        {"field": _field_path(error["loc"]), "message": _message(error)}
        for error in exc.errors(include_url=False, include_context=False, include_input=False)
    ]

