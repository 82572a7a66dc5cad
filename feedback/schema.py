"""Validation of the feedback API's request body."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError

MAX_COMMENT_LENGTH = 5000
MAX_MESSAGES = 500
MAX_BODY_BYTES = 256 * 1024

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


class FeedbackReport(BaseModel):
    """The body of a feedback POST."""

    model_config = ConfigDict(extra="forbid", strict=True)

    surface: Literal["chat", "workbench"]
    rating: Literal["up", "down"]
    comment: str = Field(default="", max_length=MAX_COMMENT_LENGTH)
    conversation: Conversation

    def conversation_json(self) -> dict:
        """Return the conversation as plain JSON data, blocks and settings exactly as they were sent."""
        # exclude_unset keeps optional settings the client left out from coming back as nulls.
        data = self.conversation.model_dump(mode="json", exclude_unset=True)
        data.setdefault("style", {})
        data.setdefault("preferences", {})
        data.setdefault("model_settings", {})
        return data


def parse_report(data: object) -> FeedbackReport:
    """Validate a decoded JSON body, raising pydantic's ValidationError when it is not a valid report."""
    return FeedbackReport.model_validate(data)


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


def openapi_schema() -> dict:
    """Return the JSON schema of the request body."""
    return FeedbackReport.model_json_schema()
