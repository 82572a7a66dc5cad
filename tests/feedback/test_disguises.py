"""Disguised connector content through the API, as a hostile client sends it: every probe's shape is
refused or left out, and no planted secret reaches any table."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback.models import DailyFeedbackCount, Feedback
from feedback.schema import InvalidBody, decode_body
from tests.feedback.tables import tables_holding

URL = "/api/v1/orgs/claude-ent/feedback"
PLANTED = "PLANTED-SECRET"


@pytest.fixture
def member(client, claude_members):
    client.force_login(claude_members["member"].user)
    return claude_members["member"]


def report(*user_blocks, assistant=None, surface="chat"):
    messages = [{"role": "user", "content": list(user_blocks)},
                {"role": "assistant", "content": assistant or [{"type": "text", "text": "Done."}]}]
    return {"surface": surface, "rating": "up", "conversation": {"messages": messages}}


def post(client, body):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json")


# --- duplicate keys -------------------------------------------------------------------------------

VALID = json.dumps(report({"type": "text", "text": "hi"}))


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "field", "key"), [
    # The probe: read as the last one by json, the origin was null and the content stored.
    ('{"surface": "chat", "rating": "up", "conversation": {"messages": [{"role": "user", "content": [{"type": "text", '
     f'"text": "{PLANTED}", "origin": {{"type": "mcp", "server": "jira"}}, "origin": null}}]}}, '
     '{"role": "assistant", "content": "ok"}]}}', "conversation.messages.0.content.0", "origin"),
    ('{"surface": "chat", "rating": "down", "rating": "up", "conversation": {"messages": [{"role": "assistant", '
     '"content": "ok"}]}}', "__all__", "rating"),
    ('{"surface": "chat", "rating": "up", "conversation": {"messages": [{"role": "assistant", "content": "ok"}], '
     f'"style": {{"name": "{PLANTED}", "\\u006eame": "x"}}}}}}', "conversation.style", "name"),
    ('{"surface": "chat", "rating": "up", "conversation": {"messages": [{"role": "assistant", "content": [{"type": '
     f'"tool_use", "id": "t", "name": "Read", "input": {{"a": {{"b": [{{"c": 1, "c": "{PLANTED}"}}]}}}}}}]}}]}}}}',
     "conversation.messages.0.content.0.input.a.b.0", "c"),
    ('{"surface": "chat", "rating": "up", "conversation": {"messages": [{"role": "assistant", "content": "ok", '
     '"content": "again"}]}}', "conversation.messages.0", "content"),
])
def test_a_key_given_twice_anywhere_is_a_400_naming_where(member, client, body, field, key):
    json.loads(body)  # well-formed JSON: only the duplicate is wrong

    response = post(client, body)

    assert response.status_code == 400
    assert response.json() == {"error": "duplicate_key", "detail": [
        {"field": field, "message": f'The key "{key}" is given more than once in this object.'}]}
    assert not Feedback.objects.exists() and not DailyFeedbackCount.objects.exists()
    assert tables_holding(PLANTED) == []


def test_keys_that_only_look_alike_are_not_duplicates():
    data = decode_body('{"origin": 1, "Origin": 2, "οrigin": 3, "origin\\u200b": 4}'.encode())

    assert len(data) == 4


def pairs_json(value):
    """JSON text of a value whose objects are lists of (key, value) pairs, keys possibly repeated."""
    if isinstance(value, list) and value and all(isinstance(item, tuple) for item in value):
        return "{" + ", ".join(f"{json.dumps(key)}: {pairs_json(item)}" for key, item in value) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(pairs_json(item) for item in value) + "]"
    return json.dumps(value)


def as_pairs(value):
    if isinstance(value, dict):
        return [(key, as_pairs(item)) for key, item in value.items()] or [("_", None)]
    if isinstance(value, list):
        return [as_pairs(item) for item in value]
    return value


def objects_in(value, path=()):
    """(path, pairs) of every object, as lists of pairs."""
    if isinstance(value, list) and value and all(isinstance(item, tuple) for item in value):
        yield path, value
        for key, item in value:
            yield from objects_in(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from objects_in(item, (*path, index))


@st.composite
def bodies_with_a_duplicate_key(draw):
    """A valid report's JSON text with one key of one object given twice (the second time with any value)."""
    pairs = as_pairs(report({"type": "text", "text": "typed"}, {"type": "document", "title": "t", "source": {
        "type": "text", "media_type": "text/plain", "data": "d"}, "origin": {"type": "connector", "name": "drive"}},
        assistant=[{"type": "text", "text": "ok", "citations": [{"type": "char_location", "document_index": 0}]}]))
    path, target = draw(st.sampled_from(list(objects_in(pairs))))
    key = draw(st.sampled_from([key for key, _ in target]))
    spelled = draw(st.sampled_from([key, "".join(f"\\u{ord(ch):04x}" for ch in key)]))
    value = draw(st.one_of(st.none(), st.just(PLANTED), st.just({"type": "mcp"}), st.integers()))
    at = draw(st.integers(0, len(target)))
    target.insert(at, ("\x00dup", value))
    text = pairs_json(pairs).replace(json.dumps("\x00dup"), '"' + spelled + '"')
    return text, ".".join(str(part) for part in path) or "__all__", key


@settings(max_examples=200, deadline=None)
@given(bodies_with_a_duplicate_key())
def test_any_duplicate_key_is_refused_naming_its_object(generated):
    text, field, key = generated

    with pytest.raises(InvalidBody) as refused:
        decode_body(text.encode())

    assert refused.value.code == "duplicate_key"
    assert refused.value.details == [{"field": field, "message": f'The key "{key}" is given more than once in this object.'}]


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(generated=bodies_with_a_duplicate_key())
def test_through_the_api_a_duplicate_key_stores_nothing(member, client, generated):
    text, field, _ = generated

    response = post(client, text)

    assert (response.status_code, response.json()["error"]) == (400, "duplicate_key")
    assert response.json()["detail"][0]["field"] == field
    assert not Feedback.objects.exists()


# --- the probe's other shapes, end to end ------------------------------------------------------------

DRIVE = {"type": "connector", "name": "google_drive"}


def drive_document(text=PLANTED):
    return {"type": "document", "title": "Minutes", "source": {"type": "text", "media_type": "text/plain", "data": text},
            "origin": DRIVE}


PROBES = {
    "cited connector document": report(drive_document(), assistant=[{"type": "text", "text": f"It says {PLANTED}.", "citations": [
        {"type": "char_location", "cited_text": PLANTED, "document_index": 0, "document_title": "Minutes",
         "start_char_index": 0, "end_char_index": 14}]}]),
    "tool_result answering an mcp_tool_use": {"surface": "chat", "rating": "up", "conversation": {"messages": [
        {"role": "user", "content": "Find the ticket."},
        {"role": "assistant", "content": [{"type": "mcp_tool_use", "id": "mcptoolu_1", "name": "get", "server_name": "jira",
                                           "input": {}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "mcptoolu_1", "content": PLANTED}]},
        {"role": "assistant", "content": "Found it."},
    ]}},
    "block type in full-width letters": report({"type": "ｄｏｃｕｍｅｎｔ", "source": {"type": "text", "data": PLANTED}}),
    "block type with a zero-width space": report({"type": "mcp_tool_\u200bresult", "content": PLANTED}),
    "block type with a Cyrillic letter": report({"type": "tеxt", "text": PLANTED, "origin": DRIVE}),
    "origin type in full-width letters": report({"type": "text", "text": PLANTED, "origin": {"type": "ｍｃｐ", "server": "jira"}}),
    "origin type with a zero-width space": report({"type": "text", "text": PLANTED, "origin": {"type": "connector\u200b"}}),
    "origin type with a Cyrillic letter": report({"type": "text", "text": PLANTED, "origin": {"type": "соnnector"}}),
    "origin type in capitals": report({"type": "text", "text": PLANTED, "origin": {"type": "MCP"}}),
    "origin key with a Greek letter": report({"type": "text", "text": PLANTED, "οrigin": DRIVE}),
    "unreadable source": report({"type": "document", "source": {"type": "gdrive", "data": PLANTED}}),
    "source as a string": report({"type": "document", "source": PLANTED}),
    "source type look-alike": report({"type": "document", "source": {"type": "ｔｅｘｔ", "data": PLANTED}}),
    "tool_result without its call": report({"type": "tool_result", "tool_use_id": "toolu_gone", "content": PLANTED}),
    "result of a Claude Code MCP tool": {"surface": "code", "kind": "bug", "comment": "Wrong issue.", "conversation": {
        "messages": [
            {"role": "user", "content": "Look at PROJ-1."},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "mcp__linear__get_issue",
                                               "input": {"id": "PROJ-1"}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1",
                                          "content": [{"type": "text", "text": PLANTED}]}]},
            {"role": "assistant", "content": "It is about billing."},
        ]}},
}


@pytest.mark.django_db
@pytest.mark.parametrize("probe", list(PROBES))
def test_the_probes_shapes_are_stored_without_their_secret(member, client, probe):
    response = post(client, PROBES[probe])

    assert response.status_code == 201, response.content
    stored = Feedback.objects.get()
    assert PLANTED not in json.dumps(stored.conversation)
    assert "omitted" in json.dumps(stored.conversation)
    assert tables_holding(PLANTED) == []


# --- property test through the API: look-alikes and citations with planted secrets -----------------

LOOK_ALIKE = {
    "full-width": lambda name: "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in name),
    "zero-width space": lambda name: name[:1] + "\u200b" + name[1:],
    "Cyrillic": lambda name: name.replace("c", "с").replace("o", "о").replace("e", "е").replace("p", "р").replace("a", "а"),
    "upper case": str.upper,
    "trailing space": lambda name: name + " ",
}


@st.composite
def disguised_reports(draw):
    """A report whose planted secret sits in connector content disguised one or more ways."""
    alike = st.sampled_from(list(LOOK_ALIKE.values()))
    blocks, assistant = [{"type": "text", "text": "typed by the person"}], []
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(["block type", "origin type", "origin key", "source type", "cited", "mcp result",
                                    "orphan result", "plain connector"]))
        if how == "block type":
            blocks.append({"type": draw(alike)(draw(st.sampled_from(["text", "document", "mcp_tool_result"]))), "text": PLANTED,
                           "origin": DRIVE})
        elif how == "origin type":
            blocks.append({"type": "text", "text": PLANTED, "origin": {"type": draw(alike)(draw(st.sampled_from(["mcp", "connector"])))}})
        elif how == "origin key":
            blocks.append({"type": "text", "text": PLANTED, draw(alike)("origin"): DRIVE})
        elif how == "source type":
            blocks.append({"type": "document", "source": {"type": draw(alike)("text"), "data": PLANTED}})
        elif how == "cited":
            blocks.append(drive_document())
            index = sum(block.get("type") == "document" for block in blocks) - 1
            assistant.append({"type": "text", "text": PLANTED, "citations": [
                {"type": draw(st.sampled_from(["char_location", "page_location", "content_block_location"])),
                 "cited_text": PLANTED, "document_index": index}]})
        elif how == "mcp result":
            blocks.append({"type": "mcp_tool_result", "tool_use_id": "x", "content": PLANTED})
        elif how == "orphan result":
            blocks.append({"type": "tool_result", "tool_use_id": draw(st.sampled_from(["gone", "toolu_1\u200b"])), "content": PLANTED})
        else:
            blocks.append(drive_document())
    return report(*blocks, assistant=assistant or None)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=disguised_reports())
def test_no_planted_secret_reaches_the_table_however_it_is_disguised(member, client, body):
    response = post(client, body)

    assert response.status_code == 201, response.content
    assert tables_holding(PLANTED) == []
    assert tables_holding("typed by the person") == [(Feedback._meta.db_table, "conversation")]
    Feedback.objects.all().delete()
