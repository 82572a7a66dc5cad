"""A careless client and an attacker: every bad body is a JSON 4xx with a stable code, and nothing is stored."""

import copy
import json

import pytest

from feedback.models import DailyFeedbackCount, Feedback
from feedback.schema import MAX_BODY_BYTES, MAX_DEPTH

URL = "/api/v1/orgs/claude-ent/feedback"

VALID = {
    "surface": "chat",
    "rating": "up",
    "comment": "ok",
    "conversation": {
        "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": [{"type": "text", "text": "hello"}]}],
        "style": {"name": "Concise"},
        "preferences": {"language": "en"},
        "model_settings": {"model": "claude", "temperature": 0.5},
    },
}
CODES = {400: {"invalid"}, 411: {"length_required"}, 413: {"too_large"}, 415: {"unsupported_media_type"}}


def body_with(path, value):
    """The valid body with the value at a dotted path replaced (list indexes as digits)."""
    body = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    target = body
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return json.dumps(body)


def body_without(path):
    body = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    target = body
    for part in parents:
        target = target[part]
    del target[last]
    return json.dumps(body)


def nested(depth):
    return "[" * depth + "]" * depth


VALID_TEXT = json.dumps(VALID)
JSON = "application/json"

# (name, body, content type, expected status, field named in the detail or None)
BAD_BODIES = [
    # Not JSON at all
    ("empty object text", "{", JSON, 400, "__all__"),
    ("truncated", VALID_TEXT[:-1], JSON, 400, "__all__"),
    ("trailing garbage", VALID_TEXT + "x", JSON, 400, "__all__"),
    ("two documents", VALID_TEXT + VALID_TEXT, JSON, 400, "__all__"),
    ("single quotes", VALID_TEXT.replace('"', "'"), JSON, 400, "__all__"),
    ("trailing comma", VALID_TEXT[:-1] + ",}", JSON, 400, "__all__"),
    ("comment in json", "/* hi */" + VALID_TEXT, JSON, 400, "__all__"),
    ("whitespace only", "   \n ", JSON, 400, "__all__"),
    ("bare word", "hello", JSON, 400, "__all__"),
    ("latin-1 bytes", VALID_TEXT.replace("hello", "h\xe9llo").encode("latin-1"), JSON, 400, "__all__"),
    ("utf-16", VALID_TEXT.encode("utf-16"), JSON, 400, "__all__"),
    ("raw surrogate bytes", VALID_TEXT.encode().replace(b"hello", b"h\xed\xbf\xbfllo"), JSON, 400, "__all__"),
    ("raw NUL byte in a string", VALID_TEXT.replace("hello", "he\x00llo"), JSON, 400, "__all__"),
    ("raw control character in a string", VALID_TEXT.replace("hello", "he\x07llo"), JSON, 400, "__all__"),
    ("NaN", VALID_TEXT.replace("0.5", "NaN"), JSON, 400, "__all__"),
    ("Infinity", VALID_TEXT.replace("0.5", "Infinity"), JSON, 400, "__all__"),
    ("-Infinity in style", body_with("conversation.style.size", 1).replace(": 1}", ": -Infinity}"), JSON, 400, "__all__"),
    ("float overflowing to inf", body_with("conversation.preferences.big", 1).replace(": 1}", ": 1e400}"), JSON, 400, "__all__"),
    ("integer of 5000 digits", body_with("conversation.preferences.big", 1).replace(": 1}", ": " + "9" * 5000 + "}"), JSON, 400,
     "__all__"),
    # Not a report
    ("null", "null", JSON, 400, "__all__"),
    ("array", "[1, 2]", JSON, 400, "__all__"),
    ("string", '"report"', JSON, 400, "__all__"),
    ("number", "42", JSON, 400, "__all__"),
    ("empty object", "{}", JSON, 400, "surface"),
    ("missing surface", body_without("surface"), JSON, 400, "surface"),
    ("missing rating", body_without("rating"), JSON, 400, "rating"),
    ("missing conversation", body_without("conversation"), JSON, 400, "conversation"),
    ("missing messages", body_without("conversation.messages"), JSON, 400, "conversation.messages"),
    ("unknown surface", body_with("surface", "email"), JSON, 400, "surface"),
    ("surface of the other kind", body_with("surface", "workbench"), JSON, 400, "surface"),
    ("surface in capitals", body_with("surface", "CHAT"), JSON, 400, "surface"),
    ("rating sideways", body_with("rating", "sideways"), JSON, 400, "rating"),
    ("rating as boolean", body_with("rating", True), JSON, 400, "rating"),
    ("rating as number", body_with("rating", 1), JSON, 400, "rating"),
    ("comment as number", body_with("comment", 5), JSON, 400, "comment"),
    ("comment as null", body_with("comment", None), JSON, 400, "comment"),
    ("comment too long", body_with("comment", "x" * 5001), JSON, 400, "comment"),
    ("extra top-level key", body_with("user_id", 7), JSON, 400, "user_id"),
    ("conversation as string", body_with("conversation", "hi"), JSON, 400, "conversation"),
    ("conversation as list", body_with("conversation", []), JSON, 400, "conversation"),
    ("messages empty", body_with("conversation.messages", []), JSON, 400, "conversation.messages"),
    ("messages as object", body_with("conversation.messages", {}), JSON, 400, "conversation.messages"),
    ("too many messages", body_with("conversation.messages", [{"role": "assistant", "content": "x"}] * 501), JSON, 400,
     "conversation.messages"),
    ("message as string", body_with("conversation.messages.0", "hi"), JSON, 400, "conversation.messages.0"),
    ("message without role", body_with("conversation.messages.0", {"content": "hi"}), JSON, 400, "conversation.messages.0.role"),
    ("system role", body_with("conversation.messages.0", {"role": "system", "content": "hi"}), JSON, 400,
     "conversation.messages.0.role"),
    ("message with extra key", body_with("conversation.messages.0", {"role": "user", "content": "hi", "user": "me"}), JSON, 400,
     "conversation.messages.0.user"),
    ("content as number", body_with("conversation.messages.0.content", 3), JSON, 400, "conversation.messages.0.content"),
    ("content as null", body_with("conversation.messages.0.content", None), JSON, 400, "conversation.messages.0.content"),
    ("block without type", body_with("conversation.messages.0.content", [{"text": "x"}]), JSON, 400,
     "conversation.messages.0.content.0.type"),
    ("block type as number", body_with("conversation.messages.0.content", [{"type": 1}]), JSON, 400,
     "conversation.messages.0.content.0.type"),
    ("block as string", body_with("conversation.messages.0.content", ["x"]), JSON, 400, "conversation.messages.0.content.0"),
    ("style as list", body_with("conversation.style", []), JSON, 400, "conversation.style"),
    ("preferences as string", body_with("conversation.preferences", "en"), JSON, 400, "conversation.preferences"),
    ("model_settings as list", body_with("conversation.model_settings", [1]), JSON, 400, "conversation.model_settings"),
    ("temperature too high", body_with("conversation.model_settings.temperature", 3), JSON, 400,
     "conversation.model_settings.temperature"),
    ("temperature as string", body_with("conversation.model_settings.temperature", "hot"), JSON, 400,
     "conversation.model_settings.temperature"),
    ("max_tokens zero", body_with("conversation.model_settings.max_tokens", 0), JSON, 400, "conversation.model_settings.max_tokens"),
    ("max_tokens as float", body_with("conversation.model_settings.max_tokens", 1.5), JSON, 400,
     "conversation.model_settings.max_tokens"),
    ("extended_thinking as string", body_with("conversation.model_settings.extended_thinking", "on"), JSON, 400,
     "conversation.model_settings.extended_thinking"),
    ("unknown conversation key", body_with("conversation.user_id", "u1"), JSON, 400, "conversation.user_id"),
    # Text PostgreSQL cannot store, or that is not Unicode
    ("NUL in the comment", body_with("comment", "a\u0000b"), JSON, 400, "comment"),
    ("NUL in message text", body_with("conversation.messages.0.content", "a\u0000b"), JSON, 400, "conversation.messages.0.content"),
    ("NUL in a block", body_with("conversation.messages.1.content", [{"type": "text", "text": "\u0000"}]), JSON, 400,
     "conversation.messages.1.content.0.text"),
    ("NUL in a key", body_with("conversation.style", {"na\u0000me": "x"}), JSON, 400, "conversation.style"),
    ("NUL in a top-level key", VALID_TEXT[:-1] + ', "\\u0000": 1}', JSON, 400, "__all__"),
    ("NUL in the block type", body_with("conversation.messages.1.content", [{"type": "te\u0000xt"}]), JSON, 400,
     "conversation.messages.1.content.0.type"),
    ("lone low surrogate in message text", VALID_TEXT.replace("hello", "hel\\udfff"), JSON, 400,
     "conversation.messages.1.content.0.text"),
    ("lone high surrogate in the comment", body_with("comment", "x").replace('"x"', '"\\ud83d"'), JSON, 400, "comment"),
    ("reversed surrogate pair", body_with("comment", "x").replace('"x"', '"\\ude80\\ud83d"'), JSON, 400, "comment"),
    ("lone surrogate in a key", VALID_TEXT.replace('"language"', '"\\udc00"'), JSON, 400, "conversation.preferences"),
    ("lone surrogate in model settings", VALID_TEXT.replace('"claude"', '"\\ud800"'), JSON, 400, "conversation.model_settings.model"),
    # Too deep, too large, wrong type
    ("nesting one past the limit", nested(MAX_DEPTH + 1), JSON, 400, "__all__"),
    ("nesting of 256 levels in style", body_with("conversation.style.deep", 1).replace(": 1}", ": " + nested(256) + "}"), JSON, 400,
     "__all__"),
    ("nesting of 1000 levels", nested(1000), JSON, 400, "__all__"),
    ("nesting of 40000 objects", '{"a":' * 40000 + "1" + "}" * 40000, JSON, 400, "__all__"),
    ("unclosed nesting", "[" * 5000, JSON, 400, "__all__"),
    ("body over the limit", body_with("comment", "x" * MAX_BODY_BYTES), JSON, 413, None),
    ("form body over the limit", "a=" + "x" * (MAX_BODY_BYTES + 10), "application/x-www-form-urlencoded", 413, None),
    ("form body", "surface=chat&rating=up", "application/x-www-form-urlencoded", 415, None),
    ("multipart without boundary", "--x\r\n", "multipart/form-data", 415, None),
    ("multipart with boundary", "--x\r\nContent-Disposition: form-data; name=a\r\n\r\nb\r\n--x--\r\n", "multipart/form-data; boundary=x",
     415, None),
    ("text/plain", VALID_TEXT, "text/plain", 415, None),
    ("json with latin-1 charset", VALID_TEXT, "application/json; charset=latin-1", 415, None),
    ("xml", "<report/>", "application/xml", 415, None),
    ("json-lines", VALID_TEXT, "application/x-ndjson", 415, None),
]


def test_the_list_holds_at_least_sixty_bad_bodies():
    assert len(BAD_BODIES) >= 60
    assert len({name for name, *_ in BAD_BODIES}) == len(BAD_BODIES)


@pytest.fixture
def member(client, claude_members):
    client.force_login(claude_members["member"].user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "body", "content_type", "status", "field"), BAD_BODIES, ids=[case[0] for case in BAD_BODIES])
def test_bad_body_is_a_json_4xx_and_stores_nothing(member, name, body, content_type, status, field):
    response = member.post(URL, data=body, content_type=content_type)

    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    payload = response.json()
    assert payload["error"] in CODES[status]
    assert payload["detail"]
    if field is not None:
        assert field in [item["field"] for item in payload["detail"]], payload["detail"]
    assert not Feedback.objects.exists()
    assert not DailyFeedbackCount.objects.exists()


@pytest.mark.django_db
def test_the_valid_body_of_the_list_is_stored(member):
    assert member.post(URL, data=VALID_TEXT, content_type=JSON).status_code == 201


@pytest.mark.django_db
def test_nesting_up_to_the_limit_is_accepted(member):
    deep = nested(MAX_DEPTH - 3)  # the body itself, conversation and style take three levels
    response = member.post(URL, data=body_with("conversation.style.deep", 1).replace(": 1}", ": " + deep + "}"), content_type=JSON)
    assert response.status_code == 201


@pytest.mark.django_db
def test_valid_surrogate_pairs_and_escaped_backslashes_are_kept(member):
    body = body_with("comment", "x").replace('"x"', '"\\ud83d\\ude80 \\\\u0000 \\\\udfff"')
    assert member.post(URL, data=body, content_type=JSON).status_code == 201
    assert Feedback.objects.get().comment == "🚀 \\u0000 \\udfff"


@pytest.mark.django_db
def test_empty_body_is_400_saying_so(member):
    response = member.post(URL, data=b"", content_type=JSON, CONTENT_TYPE=JSON, CONTENT_LENGTH="0")
    assert (response.status_code, response.json()["error"]) == (400, "invalid")
    assert "empty" in response.json()["detail"][0]["message"]


@pytest.mark.django_db
def test_chunked_body_without_length_is_411(member):
    response = member.post(URL, data=VALID_TEXT, content_type=JSON, CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked")
    assert (response.status_code, response.json()["error"]) == (411, "length_required")
    assert "Content-Length" in response.json()["detail"]
    assert not Feedback.objects.exists()


@pytest.mark.django_db
def test_invalid_bodies_do_not_use_up_the_rate_limit(member, settings):
    settings.FEEDBACK_RATE_LIMIT_PER_MINUTE = 2
    for name, body, content_type, _, _ in BAD_BODIES[:20]:
        assert member.post(URL, data=body, content_type=content_type).status_code == 400, name
    assert [member.post(URL, data=VALID_TEXT, content_type=JSON).status_code for _ in range(3)] == [201, 201, 429]
