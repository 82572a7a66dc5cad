import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from api.v1 import api
from feedback.schema import (
    MAX_BODY_BYTES,
    MAX_COMMENT_LENGTH,
    MAX_MESSAGES,
    FeedbackReport,
    InvalidBody,
    parse_report,
    validation_details,
)


def body(**overrides):
    data = {
        "surface": "chat",
        "rating": "up",
        "conversation": {"messages": [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hi"}]},
    }
    data.update(overrides)
    return data


def with_conversation(**conversation):
    return body(conversation={"messages": [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hi"}],
                              **conversation})


def with_messages(messages):
    return body(conversation={"messages": messages})


def error_fields(data):
    with pytest.raises((ValidationError, InvalidBody)) as caught:
        parse_report(data)
    if isinstance(caught.value, InvalidBody):
        return [detail["field"] for detail in caught.value.details]
    return [detail["field"] for detail in validation_details(caught.value)]


def test_limits_have_the_documented_values():
    assert (MAX_COMMENT_LENGTH, MAX_MESSAGES, MAX_BODY_BYTES) == (5000, 500, 262144)


def test_minimal_body_is_valid_with_defaults():
    report = parse_report(body())

    assert isinstance(report, FeedbackReport)
    assert (report.surface, report.rating, report.comment) == ("chat", "up", "")
    assert report.conversation_json() == {
        "messages": [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hi"}],
        "style": {},
        "preferences": {},
        "model_settings": {},
    }


@pytest.mark.parametrize("surface", ["chat", "workbench"])
@pytest.mark.parametrize("rating", ["up", "down"])
def test_every_surface_and_rating_is_accepted(surface, rating):
    report = parse_report(body(surface=surface, rating=rating))

    assert (report.surface, report.rating) == (surface, rating)


def test_comment_of_maximum_length_is_accepted():
    assert parse_report(body(comment="é" * MAX_COMMENT_LENGTH)).comment == "é" * MAX_COMMENT_LENGTH


def test_500_messages_and_empty_block_list_are_accepted():
    messages = [{"role": "assistant", "content": []}] * MAX_MESSAGES

    assert len(parse_report(with_messages(messages)).conversation.messages) == MAX_MESSAGES


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (body(surface="api"), "surface"),
        (body(surface="Chat"), "surface"),
        (body(rating="sideways"), "rating"),
        (body(rating=1), "rating"),
        (body(comment="x" * (MAX_COMMENT_LENGTH + 1)), "comment"),
        (body(comment=5), "comment"),
        (body(comment=None), "comment"),
        (body(surface=None), "surface"),
        (body(conversation=None), "conversation"),
        (body(conversation=[]), "conversation"),
        (body(typo_field=1), "typo_field"),
        (with_messages([]), "conversation.messages"),
        (with_messages([{"role": "user", "content": "x"}] * (MAX_MESSAGES + 1)), "conversation.messages"),
        (with_messages("not a list"), "conversation.messages"),
        (with_messages([{"role": "system", "content": "x"}]), "conversation.messages.0.role"),
        (with_messages([{"content": "x"}]), "conversation.messages.0.role"),
        (with_messages([{"role": "user"}]), "conversation.messages.0.content"),
        (with_messages([{"role": "user", "content": 5}]), "conversation.messages.0.content"),
        (with_messages([{"role": "user", "content": None}]), "conversation.messages.0.content"),
        (with_messages([{"role": "user", "content": {"type": "text"}}]), "conversation.messages.0.content"),
        (with_messages([{"role": "user", "content": "x", "extra": 1}]), "conversation.messages.0.extra"),
        (with_messages(["hello"]), "conversation.messages.0"),
        (with_messages([{"role": "user", "content": [{"text": "no type"}]}]), "conversation.messages.0.content.0.type"),
        (with_messages([{"role": "user", "content": [{"type": 3}]}]), "conversation.messages.0.content.0.type"),
        (with_messages([{"role": "user", "content": ["plain string"]}]), "conversation.messages.0.content.0"),
        (with_conversation(style=[]), "conversation.style"),
        (with_conversation(preferences="dark"), "conversation.preferences"),
        (with_conversation(model_settings=[]), "conversation.model_settings"),
        (with_conversation(system="You are"), "conversation.system"),
        (with_conversation(model_settings={"temperature": 2.01}), "conversation.model_settings.temperature"),
        (with_conversation(model_settings={"temperature": -0.1}), "conversation.model_settings.temperature"),
        (with_conversation(model_settings={"temperature": "0.5"}), "conversation.model_settings.temperature"),
        (with_conversation(model_settings={"temperature": True}), "conversation.model_settings.temperature"),
        (with_conversation(model_settings={"temperature": float("nan")}), "conversation.model_settings.temperature"),
        (with_conversation(model_settings={"max_tokens": 0}), "conversation.model_settings.max_tokens"),
        (with_conversation(model_settings={"max_tokens": 1.5}), "conversation.model_settings.max_tokens"),
        (with_conversation(model_settings={"max_tokens": "100"}), "conversation.model_settings.max_tokens"),
        (with_conversation(model_settings={"model": 4}), "conversation.model_settings.model"),
        (
            with_conversation(model_settings={"extended_thinking": "on"}),
            "conversation.model_settings.extended_thinking",
        ),
    ],
)
def test_invalid_body_is_rejected_with_the_field_path(data, field):
    assert field in error_fields(data)


@pytest.mark.parametrize("data", [None, [], "body", 3, b"{}"])
def test_body_that_is_not_an_object_is_a_non_field_error(data):
    assert error_fields(data) == ["__all__"]


@pytest.mark.parametrize("missing", ["surface", "rating", "conversation"])
def test_missing_required_field_is_reported(missing):
    data = body()
    del data[missing]

    assert error_fields(data) == [missing]


def test_every_error_in_a_body_is_reported():
    data = {
        "surface": "x",
        "rating": "x",
        "conversation": {"messages": [{"role": "bot", "content": [{"x": 1}]}]},
    }

    assert error_fields(data) == [
        "surface",
        "rating",
        "conversation.messages.0.role",
        "conversation.messages.0.content.0.type",
    ]


def test_validation_details_are_plain_json_with_field_and_message_only():
    data = with_conversation(model_settings={"temperature": 3, "max_tokens": -1})
    data["rating"] = object()
    with pytest.raises(ValidationError) as caught:
        parse_report(data)

    details = validation_details(caught.value)

    assert json.loads(json.dumps(details)) == details
    assert all(set(detail) == {"field", "message"} for detail in details)
    assert all(isinstance(detail["message"], str) and detail["message"] for detail in details)
    assert "errors.pydantic.dev" not in json.dumps(details)


def test_content_errors_name_neither_the_union_variant_nor_python_classes():
    data = with_messages([{"role": "user", "content": [3]}, {"role": "user", "content": 3}])
    with pytest.raises(ValidationError) as caught:
        parse_report(data)

    details = validation_details(caught.value)

    assert details == [
        {"field": "conversation.messages.0.content.0", "message": "Input should be an object"},
        {
            "field": "conversation.messages.1.content",
            "message": "Input should be a string or a list of content blocks",
        },
    ]


@pytest.mark.parametrize("value", ["on", 3, [True]])
def test_extended_thinking_of_another_type_names_both_allowed_types(value):
    data = with_conversation(model_settings={"extended_thinking": value})
    with pytest.raises(ValidationError) as caught:
        parse_report(data)

    assert validation_details(caught.value) == [
        {"field": "conversation.model_settings.extended_thinking", "message": "Input should be a boolean or an object"}
    ]


@pytest.mark.parametrize("key", ["list", "object", "string", "boolean"])
def test_extra_key_named_like_a_union_variant_is_still_reported(key):
    assert error_fields(body(**{key: 1})) == [key]


def test_temperature_bounds_are_inclusive():
    for temperature in (0, 2, 0.0, 2.0, 1.3):
        report = parse_report(with_conversation(model_settings={"temperature": temperature}))
        assert report.conversation.model_settings.temperature == temperature


def test_extended_thinking_accepts_bool_or_object():
    for value in (True, False, {"type": "enabled", "budget_tokens": 2048}):
        report = parse_report(with_conversation(model_settings={"extended_thinking": value}))
        assert report.conversation_json()["model_settings"]["extended_thinking"] == value


def test_conversation_round_trip_keeps_every_key_exactly():
    conversation = {
        "messages": [
            {"role": "user", "content": "plain string"},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "  naïve 🚀\n", "cache_control": {"type": "ephemeral"}, "citations": None},
                    {
                        "type": "document",
                        "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0x"},
                        "title": "Mine",
                        "context": None,
                    },
                    {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
                ],
            },
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "hmm", "signature": "c2ln"},
                    {"type": "tool_use", "id": "toolu_1", "name": "calc", "input": {"expr": "1+1", "n": [1, 2.5]}},
                    {"type": "omitted", "reason": "connector_content", "origin": {"type": "mcp", "name": "jira"}},
                ],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "toolu_1",
                        "is_error": False,
                        "content": [{"type": "text", "text": "2"}, {"type": "future", "x": {"y": None}}],
                    },
                ],
            },
        ],
        "style": {"name": "Concise", "prompt": "Be brief", "nested": {"a": [1, None, True]}},
        "preferences": {"language": "nl", "units": None},
        "model_settings": {
            "model": "claude-x",
            "temperature": 0.7,
            "max_tokens": 1024,
            "extended_thinking": {"budget_tokens": 2048},
            "top_k": 5,
            "stop_sequences": ["\n\nHuman:"],
        },
    }
    original = copy.deepcopy(conversation)

    result = parse_report(body(conversation=conversation)).conversation_json()

    assert result == original
    assert json.dumps(result, sort_keys=True) == json.dumps(original, sort_keys=True)
    assert conversation == original


def test_round_trip_does_not_add_absent_model_settings():
    result = parse_report(with_conversation(model_settings={"model": "m"})).conversation_json()

    assert result["model_settings"] == {"model": "m"}


def test_round_trip_keeps_explicit_null_settings():
    nulls = {"model": None, "temperature": None, "max_tokens": None, "extended_thinking": None}

    result = parse_report(with_conversation(model_settings=nulls)).conversation_json()

    assert result["model_settings"] == nulls


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
blocks = st.builds(
    lambda block_type, extra: {**extra, "type": block_type},
    st.text(max_size=12),
    st.dictionaries(st.text(max_size=8), json_values, max_size=4),
)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {"role": st.sampled_from(["user", "assistant"]), "content": st.text() | st.lists(blocks, max_size=4)}
        ),
        min_size=1,
        max_size=4,
    ),
    st.dictionaries(st.text(max_size=8), json_values, max_size=3),
)
def test_any_json_blocks_and_style_round_trip_unchanged(messages, style):
    conversation = {"messages": [*messages, {"role": "assistant", "content": "rated"}], "style": style, "preferences": {},
                    "model_settings": {}}

    result = parse_report(body(conversation=copy.deepcopy(conversation))).conversation_json()

    assert json.dumps(result, sort_keys=True) == json.dumps(conversation, sort_keys=True)


def test_openapi_document_describes_the_request_body():
    schemas = api.document()["components"]["schemas"]
    schema = {**schemas["FeedbackReport"], "$defs": schemas}

    assert set(schema["required"]) == {"surface", "conversation"}
    assert schema["additionalProperties"] is False
    assert schema["properties"]["surface"]["enum"] == ["chat", "workbench", "code"]
    assert schema["properties"]["kind"]["enum"] == ["rating", "bug"]
    assert schema["properties"]["kind"]["default"] == "rating"
    rating, bug = schema["oneOf"]
    assert rating["required"] == ["rating"] and rating["properties"]["rating"]["enum"] == ["up", "down"]
    assert bug["required"] == ["kind", "comment"] and bug["not"] == {"required": ["rating"]}
    assert schema["properties"]["comment"]["maxLength"] == MAX_COMMENT_LENGTH
    conversation = schema["$defs"]["Conversation"]
    assert conversation["properties"]["messages"]["maxItems"] == MAX_MESSAGES
    assert conversation["properties"]["messages"]["minItems"] == 1
    assert schema["$defs"]["ContentBlock"]["required"] == ["type"]
    json.dumps(schema)
