"""feedback.redaction: connector and MCP content becomes a marker naming its origin; what cannot be classified is left out."""

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback.redaction import (
    BLOCK_TYPES,
    CITATION_TYPES,
    KNOWN_TYPES,
    OMITTED_REASON,
    ORIGIN_TYPES,
    SOURCE_TYPES,
    ConnectorOrigin,
    connector_origin,
    redact_conversation,
    skeleton,
)

DRIVE_ORIGIN = {
    "type": "connector",
    "name": "google_drive",
    "url": "https://drive.google.com/file/d/SECRET-FILE-ID/view",
    "file_id": "SECRET-FILE-ID",
    "title": "SECRET Q3 plan",
}
REMOTE_MCP_ORIGIN = {"type": "mcp", "server": "jira", "transport": "remote", "url": "https://SECRET.example/mcp"}
LOCAL_MCP_ORIGIN = {"type": "mcp", "server": "filesystem", "transport": "local", "command": "SECRET-npx"}


def marker(kind, name, replaces=None):
    block = {"type": "omitted", "reason": "connector_content", "origin": {"type": kind, "name": name}}
    return {**block, "replaces": replaces} if replaces else block


def drive_marker(replaces=None):
    return marker("connector", "google_drive", replaces)


def mcp_marker(server, replaces=None):
    return marker("mcp", server, replaces)


def unknown_marker(replaces=None):
    return marker("unknown", "unknown", replaces)


def conversation(*blocks, role="user", **extra):
    return {"messages": [{"role": role, "content": list(blocks)}], **extra}


def only_block(redacted):
    return redacted["messages"][0]["content"][0]


def redact_block(block, role="user"):
    return only_block(redact_conversation(conversation(block, role=role)))


def drive_document():
    return {
        "type": "document",
        "source": {"type": "text", "media_type": "text/plain", "data": "SECRET contents of the plan"},
        "title": "SECRET Q3 plan",
        "origin": copy.deepcopy(DRIVE_ORIGIN),
    }


def test_omitted_reason_is_connector_content():
    assert OMITTED_REASON == "connector_content"


# --- connector and MCP origins -------------------------------------------------------------------


def test_connector_document_with_origin_is_replaced_by_marker():
    assert redact_block(drive_document()) == drive_marker("document")


def test_document_with_connector_source_is_replaced_by_marker():
    document = {"type": "document", "source": {"type": "connector", "name": "google_drive", "file_id": "SECRET"},
                "title": "SECRET Q3 plan"}

    assert redact_block(document) == drive_marker("document")


def test_document_with_mcp_source_uses_the_server_as_name():
    document = {"type": "document", "source": {"type": "mcp", "server": "confluence", "uri": "SECRET-uri"}}

    assert redact_block(document) == mcp_marker("confluence", "document")


def test_document_with_ordinary_source_is_kept():
    document = {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0x"},
                "title": "Uploaded by hand", "citations": {"enabled": True}}

    assert redact_block(document) == document


def test_text_block_with_connector_origin_is_replaced():
    assert redact_block({"type": "text", "text": "SECRET quote", "origin": DRIVE_ORIGIN}) == drive_marker("text")


def test_a_tool_call_with_an_mcp_origin_is_replaced():
    tool_use = {"type": "tool_use", "id": "toolu_1", "name": "jira_search", "input": {"query": "SECRET"},
                "origin": REMOTE_MCP_ORIGIN}

    assert redact_block(tool_use, role="assistant") == mcp_marker("jira", "tool_use")


def test_connector_block_nested_deep_in_a_kept_block_is_omitted():
    block = {"type": "tool_use", "id": "t", "name": "Write",
             "input": {"pages": [[{"wrapper": {"items": [{"type": "text", "text": "SECRET", "origin": DRIVE_ORIGIN}]}}]]}}

    redacted = redact_block(block, role="assistant")

    assert redacted["input"] == {"pages": [[{"wrapper": {"items": [drive_marker("text")]}}]]}


@pytest.mark.parametrize("text", ["SECRET contents of the plan", "  naïve café 🚀\u200b\r\n\ttabs  ", "", "\x00ctrl"])
def test_pasted_text_is_kept_byte_for_byte_even_when_it_repeats_connector_text(text):
    pasted = {"type": "text", "text": text}
    connector = {"type": "text", "text": text, "origin": DRIVE_ORIGIN}

    redacted = redact_conversation(conversation(pasted, connector))

    assert redacted["messages"][0]["content"] == [{"type": "text", "text": text}, drive_marker("text")]
    assert redacted["messages"][0]["content"][0]["text"].encode() == text.encode()


def test_kept_blocks_keep_every_key():
    block = {"type": "text", "text": "hi", "citations": None, "cache_control": {"type": "ephemeral"}}
    thinking = {"type": "thinking", "thinking": "hmm", "signature": "sig=="}
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBOR"}}

    redacted = redact_conversation(conversation(block, thinking, image))

    assert redacted["messages"][0]["content"] == [block, thinking, image]


def test_string_message_content_is_untouched():
    original = {"messages": [{"role": "user", "content": "  Paste: SECRET? no, this is mine.\n"}]}

    assert redact_conversation(original) == original


def test_connector_content_in_style_preferences_and_model_settings_is_replaced():
    original = conversation(
        {"type": "text", "text": "hi"},
        style={"name": "SECRET style", "origin": {"type": "connector", "name": "styles"}},
        preferences={"language": "nl", "nested": [{"kind": "x", "text": "SECRET", "origin": {"type": "mcp", "server": "prefs"}}]},
        model_settings={"model": "claude", "system": {"type": "text", "text": "SECRET", "origin": DRIVE_ORIGIN}},
    )

    redacted = redact_conversation(original)

    assert redacted["style"] == marker("connector", "styles")
    assert redacted["preferences"] == {"language": "nl", "nested": [mcp_marker("prefs")]}
    assert redacted["model_settings"] == {"model": "claude", "system": drive_marker("text")}
    assert "SECRET" not in json.dumps(redacted)


def test_plain_style_preferences_and_model_settings_are_kept_as_given():
    settings_ = {
        "style": {"name": "Concise", "instructions": "Short answers."},
        "preferences": {"language": "nl", "nested": [{"kind": "x", "origin": {"type": "user"}}]},
        "model_settings": {"model": "claude", "temperature": 0.7, "extended_thinking": {"type": "enabled", "budget_tokens": 1024}},
    }

    redacted = redact_conversation(conversation({"type": "text", "text": "hi"}, **settings_))

    for key, value in settings_.items():
        assert redacted[key] == value


@pytest.mark.parametrize("content", ["SECRET ticket", [{"type": "text", "text": "SECRET ticket"}]])
def test_mcp_tool_result_block_is_replaced_by_its_type_alone(content):
    block = {"type": "mcp_tool_result", "tool_use_id": "mcptoolu_1", "is_error": False, "content": content}

    assert redact_block(block) == mcp_marker("unknown", "mcp_tool_result")


def test_mcp_tool_result_marker_names_the_server_of_the_call_it_answers():
    original = {"messages": [
        {"role": "assistant", "content": [{"type": "mcp_tool_use", "id": "mcptoolu_7", "name": "search", "server_name": "jira",
                                           "input": {}}]},
        {"role": "user", "content": [{"type": "mcp_tool_result", "tool_use_id": "mcptoolu_7", "content": "SECRET"},
                                     {"type": "mcp_tool_result", "tool_use_id": "other", "content": "SECRET"}]},
    ]}

    redacted = redact_conversation(original)

    assert redacted["messages"][1]["content"] == [mcp_marker("jira", "mcp_tool_result"), mcp_marker("unknown", "mcp_tool_result")]
    assert redacted["messages"][0] == original["messages"][0]


def test_mcp_tool_use_is_kept_with_its_server_name():
    block = {"type": "mcp_tool_use", "id": "mcptoolu_1", "name": "search", "server_name": "jira", "input": {"q": "typed"}}

    assert redact_block(block, role="assistant") == block


@pytest.mark.parametrize("origin", ["connector", "google_drive", "", ["connector"], 7, 1.5, True, {}, {"type": None},
                                    {"type": 3}, {"type": ""}, {"type": "  "}, {"name": "google_drive"},
                                    {"type": "assistant"}, {"type": "mcp", "Server": "jira"}])
def test_unreadable_origin_is_left_out(origin):
    assert redact_block({"type": "text", "text": "SECRET", "origin": origin}) == unknown_marker("text")


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("google_drive", "google_drive"),
        ("Google Drive v2.1", "Google Drive v2.1"),
        ("n" * 64, "n" * 64),
        ("n" * 65, "unknown"),
        ("https://drive.example/SECRET", "unknown"),
        ("SECRET@example.test", "unknown"),
        ("id:123/456", "unknown"),
        ("naïve", "unknown"),
        ("a\nb", "unknown"),
    ],
)
def test_marker_name_is_short_and_plain_or_unknown(name, stored):
    block = {"type": "document", "origin": {"type": "connector", "name": name}}

    assert redact_block(block)["origin"]["name"] == stored


def test_input_is_not_mutated_and_result_shares_no_containers():
    original = {"messages": [
        {"role": "user", "content": [drive_document()]},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t", "name": "Read", "input": {"file_path": "/a"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": [{"type": "text", "text": "mine"}]}]},
    ], "style": {"a": [1]}}
    snapshot = copy.deepcopy(original)

    redacted = redact_conversation(original)
    redacted["messages"][2]["content"][0]["content"][0]["text"] = "changed"
    redacted["messages"][1]["content"][0]["input"]["file_path"] = "changed"
    redacted["style"]["a"].append(2)

    assert original == snapshot


def test_marker_keeps_only_the_kind_of_origin_a_safe_name_and_the_type_it_replaces():
    redacted = redact_conversation(conversation(drive_document(), {"type": "text", "text": "x", "origin": REMOTE_MCP_ORIGIN}))

    for block in redacted["messages"][0]["content"]:
        assert set(block) == {"type", "reason", "origin", "replaces"}
        assert set(block["origin"]) == {"type", "name"}


def test_no_url_file_id_title_or_content_survives():
    redacted = redact_conversation(
        conversation(
            drive_document(),
            {"type": "tool_result", "tool_use_id": "x", "content": "SECRET", "origin": REMOTE_MCP_ORIGIN},
            {"type": "tool_use", "id": "y", "input": {"q": "SECRET"}, "origin": LOCAL_MCP_ORIGIN},
        )
    )

    dumped = json.dumps(redacted)
    for leaked in ("SECRET", "http", "file_id", "title"):
        assert leaked not in dumped


def test_null_origin_reads_as_no_origin():
    block = {"type": "text", "text": "typed", "origin": None}

    assert redact_block(block) == block


@pytest.mark.parametrize("kind", ["user", "upload", "paste"])
def test_origins_of_what_a_person_gave_are_kept(kind):
    block = {"type": "text", "text": "typed", "origin": {"type": kind, "name": "x"}}

    assert redact_block(block) == block


def test_mcp_name_falls_back_from_server_to_name():
    block = {"type": "text", "origin": {"type": "mcp", "name": "linear"}}

    assert redact_block(block) == mcp_marker("linear", "text")


def test_mcp_server_is_preferred_over_name():
    block = {"type": "text", "origin": {"type": "mcp", "name": "tool-name", "server": "github"}}

    assert redact_block(block) == mcp_marker("github", "text")


def test_connector_uses_name_not_server():
    block = {"type": "document", "origin": {"type": "connector", "name": "google_drive", "server": "other"}}

    assert redact_block(block) == drive_marker("document")


@pytest.mark.parametrize(
    ("origin", "name"),
    [
        ({"type": "connector"}, "unknown"),
        ({"type": "connector", "name": None}, "unknown"),
        ({"type": "connector", "name": ""}, "unknown"),
        ({"type": "connector", "name": "   "}, "unknown"),
        ({"type": "connector", "name": 42}, "42"),
        ({"type": "connector", "name": 1.5}, "1.5"),
        ({"type": "connector", "name": "drive/SECRET"}, "unknown"),
        ({"type": "connector", "name": True}, "unknown"),
        ({"type": "connector", "name": {"url": "https://SECRET"}}, "unknown"),
        ({"type": "connector", "name": ["SECRET"]}, "unknown"),
        ({"type": "mcp", "server": None, "name": "fallback"}, "fallback"),
        ({"type": "mcp"}, "unknown"),
    ],
)
def test_origin_name_is_coerced_to_a_safe_string(origin, name):
    assert redact_block({"type": "text", "text": "SECRET", "origin": origin})["origin"]["name"] == name


def test_message_with_connector_origin_keeps_role_and_loses_content():
    original = {"messages": [{"role": "assistant", "content": "SECRET", "origin": REMOTE_MCP_ORIGIN}]}

    assert redact_conversation(original) == {"messages": [{"role": "assistant", "content": [mcp_marker("jira")]}]}


def test_message_with_ordinary_extra_keys_is_kept():
    original = {"messages": [{"role": "user", "content": "hi", "id": "msg_1"}]}

    assert redact_conversation(original) == original


def test_connector_origin_reports_what_a_block_declares():
    assert connector_origin({"type": "x", "origin": {"type": "mcp", "server": "jira"}}) == ConnectorOrigin("mcp", "jira")
    assert connector_origin({"type": "document", "source": {"type": "connector", "name": "box"}}) == ConnectorOrigin(
        "connector", "box")
    assert connector_origin({"type": "text", "text": "typed"}) is None
    assert connector_origin({"type": "document", "source": {"type": "base64"}}) is None
    assert connector_origin("not a block") is None


def test_redacting_twice_changes_nothing_more():
    original = conversation(drive_document(), {"type": "text", "text": "typed"}, {"type": "future_block", "data": "SECRET"})

    once = redact_conversation(original)

    assert redact_conversation(once) == once


# --- the table of known types: each one, exactly as spelled ------------------------------------

# One instance of each block type as the Messages API (or this module) writes it.
EXAMPLE_BLOCKS = {
    "text": {"type": "text", "text": "Hello", "citations": None},
    "image": {"type": "image", "source": {"type": "url", "url": "https://example.test/cat.png"}},
    "document": {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "notes"},
                 "title": "Notes", "context": "typed", "citations": {"enabled": True}},
    "search_result": {"type": "search_result", "source": "https://kb.example.test/1", "title": "KB 1",
                      "content": [{"type": "text", "text": "A fact."}], "citations": {"enabled": True}},
    "thinking": {"type": "thinking", "thinking": "Let me see.", "signature": "c2ln"},
    "redacted_thinking": {"type": "redacted_thinking", "data": "ZW5j"},
    "tool_use": {"type": "tool_use", "id": "toolu_x", "name": "Read", "input": {"file_path": "/a.py"}},
    "server_tool_use": {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "q"}},
    "mcp_tool_use": {"type": "mcp_tool_use", "id": "mcptoolu_1", "name": "search", "server_name": "jira", "input": {}},
    "tool_result": None,  # needs its call: see the tool tests
    "mcp_tool_result": None,  # MCP content by its type: always a marker
    "web_search_tool_result": {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": [
        {"type": "web_search_result", "url": "https://example.test", "title": "Ex", "encrypted_content": "ZW5j",
         "page_age": "1 day"}]},
    "web_search_result": {"type": "web_search_result", "url": "https://example.test", "title": "Ex",
                          "encrypted_content": "ZW5j"},
    "web_search_tool_result_error": {"type": "web_search_tool_result_error", "error_code": "unavailable"},
    "web_fetch_tool_result": {"type": "web_fetch_tool_result", "tool_use_id": "srvtoolu_2", "content": {
        "type": "web_fetch_result", "url": "https://example.test", "retrieved_at": "2026-01-01T00:00:00Z",
        "content": {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "page"}}}},
    "web_fetch_result": {"type": "web_fetch_result", "url": "https://example.test", "content": {
        "type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "page"}}},
    "web_fetch_tool_result_error": {"type": "web_fetch_tool_result_error", "error_code": "url_not_accessible"},
    "code_execution_tool_result": {"type": "code_execution_tool_result", "tool_use_id": "srvtoolu_3", "content": {
        "type": "code_execution_result", "stdout": "4\n", "stderr": "", "return_code": 0,
        "content": [{"type": "code_execution_output", "file_id": "file_1"}]}},
    "code_execution_result": {"type": "code_execution_result", "stdout": "", "stderr": "", "return_code": 0, "content": []},
    "code_execution_output": {"type": "code_execution_output", "file_id": "file_1"},
    "code_execution_tool_result_error": {"type": "code_execution_tool_result_error", "error_code": "unavailable"},
    "bash_code_execution_tool_result": {"type": "bash_code_execution_tool_result", "tool_use_id": "srvtoolu_4", "content": {
        "type": "bash_code_execution_result", "stdout": "ok", "stderr": "", "return_code": 0,
        "content": [{"type": "bash_code_execution_output", "file_id": "file_2"}]}},
    "bash_code_execution_result": {"type": "bash_code_execution_result", "stdout": "ok", "stderr": "", "return_code": 0,
                                   "content": []},
    "bash_code_execution_output": {"type": "bash_code_execution_output", "file_id": "file_2"},
    "bash_code_execution_tool_result_error": {"type": "bash_code_execution_tool_result_error", "error_code": "unavailable"},
    "text_editor_code_execution_tool_result": {"type": "text_editor_code_execution_tool_result", "tool_use_id": "srvtoolu_5",
                                               "content": {"type": "text_editor_code_execution_view_result",
                                                           "content": "print(1)", "file_type": "text"}},
    "text_editor_code_execution_view_result": {"type": "text_editor_code_execution_view_result", "content": "print(1)",
                                               "file_type": "text", "num_lines": 1},
    "text_editor_code_execution_create_result": {"type": "text_editor_code_execution_create_result", "is_file_update": False},
    "text_editor_code_execution_str_replace_result": {"type": "text_editor_code_execution_str_replace_result",
                                                      "lines": ["x = 1"], "new_start": 1},
    "text_editor_code_execution_tool_result_error": {"type": "text_editor_code_execution_tool_result_error",
                                                     "error_code": "file_not_found"},
    "tool_search_tool_result": {"type": "tool_search_tool_result", "tool_use_id": "srvtoolu_6", "content": {
        "type": "tool_search_tool_search_result", "tool_references": [{"type": "tool_reference", "tool_name": "Read"}]}},
    "tool_search_tool_search_result": {"type": "tool_search_tool_search_result",
                                       "tool_references": [{"type": "tool_reference", "tool_name": "Read"}]},
    "tool_reference": {"type": "tool_reference", "tool_name": "Read"},
    "tool_search_tool_result_error": {"type": "tool_search_tool_result_error", "error_code": "unavailable"},
    "container_upload": {"type": "container_upload", "file_id": "file_3"},
    "omitted": marker("connector", "google_drive", "document"),
}

# Look-alikes of a name: other case, spaces, invisible characters, full-width and other scripts' letters.
LOOK_ALIKES = [
    ("upper case", lambda name: name.upper()),
    ("capitalised", lambda name: name.capitalize()),
    ("a space after", lambda name: name + " "),
    ("a zero-width space", lambda name: name[:1] + "\u200b" + name[1:]),
    ("a soft hyphen", lambda name: name[:-1] + "\u00ad" + name[-1:]),
    ("full-width letters", lambda name: "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in name)),
    ("a Cyrillic letter", lambda name: name.replace("o", "о", 1).replace("e", "е", 1).replace("a", "а", 1)
     .replace("c", "с", 1).replace("p", "р", 1)),
    ("a combining accent", lambda name: name[:1] + "\u0301" + name[1:]),
]


def look_alikes(name, *before):
    """pytest params (``*before``, a look-alike of ``name``), one for each way of writing it differently."""
    seen = {name}
    for label, make in LOOK_ALIKES:
        spelled = make(name)
        if spelled not in seen:
            seen.add(spelled)
            yield pytest.param(*before, spelled, id=" ".join([*before, f"{name} in {label}"]))


def test_the_table_is_the_one_source_of_known_types():
    assert set(KNOWN_TYPES) == {"block", "origin", "source", "citation"}
    for name, table in (("block", BLOCK_TYPES), ("origin", ORIGIN_TYPES), ("source", SOURCE_TYPES), ("citation", CITATION_TYPES)):
        assert KNOWN_TYPES[name] is table
    assert set(EXAMPLE_BLOCKS) == set(BLOCK_TYPES)
    for table in KNOWN_TYPES.values():
        for name in table:
            # Known names read as themselves, so a look-alike of one is told apart by its skeleton.
            assert skeleton(name) == name


@pytest.mark.parametrize("name", [name for name, example in EXAMPLE_BLOCKS.items() if example is not None])
def test_each_known_block_type_is_kept_as_given(name):
    example = EXAMPLE_BLOCKS[name]

    assert redact_block(copy.deepcopy(example), role="assistant") == example


@pytest.mark.parametrize("spelled", [alike for name in BLOCK_TYPES for alike in look_alikes(name)])
def test_a_block_type_that_is_not_exactly_a_known_one_is_left_out(spelled):
    assert isinstance(spelled, str) and spelled not in BLOCK_TYPES
    block = {"type": spelled, "text": "SECRET", "content": "SECRET"}

    assert redact_block(block) == unknown_marker()


@pytest.mark.parametrize(("key", "name", "kind"), [
    *(("origin", name, kind) for name, kind in ORIGIN_TYPES.items()),
    *(("source", name, kind) for name, kind in SOURCE_TYPES.items()),
])
def test_each_known_origin_and_source_type(key, name, kind):
    described = {"type": name, "name": "drive", "server": "jira", "media_type": "application/pdf", "data": "SECRET"}
    if name == "content":
        described = {"type": "content", "content": [{"type": "text", "text": "SECRET"}]}
    document = {"type": "document", key: described}

    redacted = redact_block(document)

    if kind is None:
        assert redacted == document
    else:
        assert redacted == marker(kind, "jira" if kind == "mcp" else "drive", "document")


@pytest.mark.parametrize(("key", "spelled"), [
    *(alike for name in ORIGIN_TYPES for alike in look_alikes(name, "origin")),
    *(alike for name in SOURCE_TYPES for alike in look_alikes(name, "source")),
])
def test_an_origin_or_source_type_that_is_not_exactly_a_known_one_is_left_out(key, spelled):
    assert isinstance(spelled, str) and spelled not in ORIGIN_TYPES and spelled not in SOURCE_TYPES
    assert redact_block({"type": "document", key: {"type": spelled, "data": "SECRET"}}) == unknown_marker("document")


@pytest.mark.parametrize("source", ["https://SECRET.example/doc", ["SECRET"], 7, {"data": "SECRET"}, {"type": None}])
def test_an_unreadable_source_is_left_out_like_an_unreadable_origin(source):
    assert redact_block({"type": "document", "source": source}) == unknown_marker("document")


def test_a_source_where_the_block_type_has_none_is_left_out():
    assert redact_block({"type": "text", "text": "SECRET", "source": {"type": "base64", "data": "x"}}) == unknown_marker("text")
    assert redact_block({"type": "image", "source": "https://SECRET.example/cat.png"}) == unknown_marker("image")


def test_a_content_source_has_its_blocks_checked_too():
    document = {"type": "document", "source": {"type": "content", "content": [
        {"type": "text", "text": "kept"}, {"type": "text", "text": "SECRET", "origin": DRIVE_ORIGIN}, {"type": "secret_block"}]}}

    redacted = redact_block(document)

    assert redacted["source"]["content"] == [{"type": "text", "text": "kept"}, drive_marker("text"), unknown_marker()]


@pytest.mark.parametrize("name", list(CITATION_TYPES))
def test_each_known_citation_type_is_read(name):
    # The citation tests check each kind against its source; here: a citation of each kind is recognised at all.
    citation = {"type": name, "cited_text": "x"}
    for look_alike in look_alikes(name):
        spelled = look_alike.values[0]
        text = {"type": "text", "text": "SECRET", "citations": [{**citation, "type": spelled}]}
        assert redact_block(text, role="assistant") == unknown_marker("text")


# --- unreadable shapes ----------------------------------------------------------------------------


@pytest.mark.parametrize("item", [None, 1, "plain string", ["nested"], {}, {"no_type": True}, {"type": 3},
                                  {"type": ["text"]}, {"type": "future_block", "data": "SECRET"},
                                  {"type": "search", "title": "SECRET"}])
def test_an_item_of_content_that_is_not_a_block_of_a_known_type_is_left_out(item):
    assert redact_block(item) == unknown_marker()


@pytest.mark.parametrize("key", ["οrigin", "ｏｒｉｇｉｎ", "origin\u200b", "Origin", "ORIGIN", " origin", "sourcе", "Type",
                                 "citatіons", "cоntent", "is error", "toolUseId", 7])
def test_a_block_with_a_key_that_is_not_a_plain_name_is_left_out(key):
    block = {"type": "text", "text": "SECRET", key: {"type": "mcp", "server": "jira"}}

    assert redact_block(block) == unknown_marker("text")


@pytest.mark.parametrize("key", ["οrigin", "ｏｒｉｇｉｎ", "origin\u200b", "Origin", "ſource", "tуpe"])
def test_outside_content_a_look_alike_of_a_key_redaction_reads_is_left_out(key):
    original = conversation({"type": "text", "text": "hi"}, preferences={"saved": {"kind": "x", key: {"type": "mcp"}}})

    assert redact_conversation(original)["preferences"] == {"saved": unknown_marker()}


@pytest.mark.parametrize("spelled", ["mcp_tool_resulт", "ｍｃｐ_tool_result", "Tool_Result", "documеnt", "text\u200b"])
def test_outside_content_a_look_alike_of_a_block_type_is_left_out(spelled):
    original = conversation({"type": "text", "text": "hi"}, style={"saved": {"type": spelled, "content": "SECRET"}})

    assert redact_conversation(original)["style"] == {"saved": unknown_marker()}


def test_outside_content_data_with_other_types_and_keys_is_kept():
    preferences = {"format": {"type": "json_object"}, "cache": {"type": "ephemeral"}, "Ünïcode keys": {"ß": 1},
                   "thinking": {"type": "enabled", "budget_tokens": 2048}}

    assert redact_conversation(conversation({"type": "text", "text": "hi"}, preferences=preferences))["preferences"] == preferences


@pytest.mark.parametrize(
    "odd",
    [
        {},
        {"messages": None},
        {"messages": "not a list"},
        {"messages": [None, 3, "x", [], {}]},
        {"messages": [{"role": "user"}]},
        {"messages": [{"role": "user", "content": None}]},
        {"messages": [{"role": 5, "content": "x"}], "style": None, "preferences": [], "model_settings": "x"},
    ],
)
def test_odd_but_harmless_input_is_copied_unchanged(odd):
    assert redact_conversation(odd) == odd


@pytest.mark.parametrize("content", [5, True, {"type": "future_block", "data": "SECRET"}])
def test_message_content_that_is_neither_text_nor_blocks_is_left_out(content):
    redacted = redact_conversation({"messages": [{"role": "user", "content": content}]})

    assert redacted == {"messages": [{"role": "user", "content": unknown_marker()}]}


@pytest.mark.parametrize("odd", [None, [], "text", 3, ["a", {"type": "text", "origin": DRIVE_ORIGIN}]])
def test_non_dict_conversation_does_not_crash(odd):
    assert "SECRET" not in json.dumps(redact_conversation(odd))


def test_connector_block_inside_tuple_is_omitted():
    block = {"type": "text", "text": "SECRET", "origin": DRIVE_ORIGIN}
    original = {"messages": [{"role": "user", "content": (block,)}]}

    assert redact_conversation(original)["messages"][0]["content"] == (drive_marker("text"),)


def test_unknown_top_level_keys_are_redacted_too():
    original = {"messages": [], "system": [{"type": "text", "text": "SECRET", "origin": DRIVE_ORIGIN}]}

    assert redact_conversation(original)["system"] == [drive_marker("text")]


@pytest.mark.parametrize(("text", "reads_as"), [("ｍｃｐ", "mcp"), ("m\u200bcp", "mcp"), ("MCP ", "mcp"), ("mсp", "mcp"),
                                                ("ſource", "source"), ("οrigin", "origin"), ("Tool_Use", "tool_use"),
                                                ("tооl_use", "tool_use"), ("dıff", "diff"), ("café", "cafe")])
def test_skeleton_reads_look_alikes_as_the_name_they_imitate(text, reads_as):
    assert skeleton(text) == reads_as


# --- property test: planted secrets never survive, typed text always does ------------------------

SECRET_PREFIX = "SECRET-"


class Secrets:
    """Hands out unique secret strings and remembers them, so the test can look for each one."""

    def __init__(self):
        self.issued = []

    def new(self, n):
        value = f"{SECRET_PREFIX}{len(self.issued)}-{n}"
        self.issued.append(value)
        return value


# Typed text never contains the secret prefix, so a match in the output can only be a leak.
typed_text = st.text(max_size=30).filter(lambda text: SECRET_PREFIX not in text)
names = st.one_of(st.none(), st.text(max_size=110).filter(lambda t: SECRET_PREFIX not in t), st.integers())
disguise = st.sampled_from([make for _, make in LOOK_ALIKES])


@st.composite
def connector_block(draw, secrets, children):
    """A block that must not be stored: connector or MCP content, or a disguised or unreadable one."""
    n = draw(st.integers(0, 10**6))
    kind = draw(st.sampled_from(["connector", "mcp"]))
    origin = {"type": kind, "name": draw(names), "url": f"https://x.example/{secrets.new(n)}"}
    if kind == "mcp":
        origin.update(server=draw(names), transport=draw(st.sampled_from(["remote", "local"])))
    block_type = draw(st.sampled_from(["text", "document", "image", "thinking", "tool_use", "search_result"]))
    block = {"type": block_type, "text": secrets.new(n), "title": secrets.new(n)}
    if draw(st.booleans()):
        block["content"] = draw(children)
    how = draw(st.sampled_from(["origin", "source", "unreadable origin", "unreadable source", "mcp type",
                                "disguised type", "disguised origin", "disguised key"]))
    if how == "source":
        block["source"] = origin
    elif how == "unreadable origin":
        block["origin"] = draw(st.sampled_from([secrets.new(n), [secrets.new(n)], n, {"name": secrets.new(n)}, {"type": n}]))
    elif how == "unreadable source":
        block["source"] = draw(st.sampled_from([secrets.new(n), [secrets.new(n)], {"type": "drive", "data": secrets.new(n)}]))
        block["type"] = "document"
    elif how == "mcp type":
        block["type"] = "mcp_tool_result"
    elif how == "disguised type":
        block["type"] = draw(disguise)(block_type)
        if block["type"] == block_type:
            block["type"] += "\u200b"
    elif how == "disguised origin":
        block["origin"] = {**origin, "type": draw(disguise)(kind) + "\u200b"}
    else:
        block[draw(disguise)("origin") + "\u200b"] = origin
    return block


def plain_text_block():
    return st.builds(lambda text: {"type": "text", "text": text}, typed_text)


def block_tree(secrets):
    def extend(children):
        container = st.fixed_dictionaries(
            {"type": st.just("search_result"), "source": st.just("notes://1"), "title": st.just("Note"), "content": children},
        )
        return st.one_of(container, connector_block(secrets, children))

    leaves = st.one_of(plain_text_block(), st.just({"type": "thinking", "thinking": "mine", "signature": "s"}))
    return st.recursive(leaves, lambda inner: extend(st.lists(inner, max_size=4)), max_leaves=10)


def plain_texts(value):
    """Yield the text of every text block outside markers, in order."""
    if isinstance(value, dict):
        if value.get("type") == "text" and isinstance(value.get("text"), str):
            yield value["text"]
        for item in value.values():
            yield from plain_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from plain_texts(item)


PLAIN_KEYS = {"type", "text", "source", "title", "content", "thinking", "signature"}


def kept_texts(value, kept=True):
    """The typed texts a redaction must keep: those of text blocks outside any block that must not be stored."""
    if isinstance(value, dict):
        if "type" in value:
            kept = kept and value["type"] in ("text", "search_result", "thinking") and set(value) <= PLAIN_KEYS and (
                value.get("source", "notes://1") == "notes://1")
            if kept and value["type"] == "text":
                yield value["text"]
        for item in value.values():
            yield from kept_texts(item, kept)
    elif isinstance(value, list):
        for item in value:
            yield from kept_texts(item, kept)


@st.composite
def conversations(draw):
    secrets = Secrets()
    message = st.fixed_dictionaries(
        {
            "role": st.sampled_from(["user", "assistant"]),
            "content": st.one_of(typed_text, st.lists(block_tree(secrets), max_size=5)),
        }
    )
    # Connector blocks may sit anywhere in the settings too, beside settings a person typed.
    setting = st.dictionaries(st.sampled_from(["name", "instructions", "system", "extra"]),
                              st.one_of(typed_text, block_tree(secrets), st.lists(block_tree(secrets), max_size=3)), max_size=3)
    convo = {
        "messages": draw(st.lists(message, min_size=1, max_size=4)),
        "style": draw(st.one_of(setting, connector_block(secrets, st.lists(plain_text_block(), max_size=2)))),
        "preferences": draw(setting),
        "model_settings": {"temperature": 0.5, **draw(setting)},
    }
    return convo, secrets.issued


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conversations())
def test_redaction_removes_every_planted_secret_and_keeps_typed_text(generated):
    convo, secrets = generated
    snapshot = copy.deepcopy(convo)

    redacted = redact_conversation(convo)

    dumped = json.dumps(redacted)
    assert SECRET_PREFIX not in dumped
    assert list(plain_texts(redacted)) == list(kept_texts(convo))
    assert convo == snapshot
    assert redact_conversation(redacted) == redacted
    for before, after in zip(convo["messages"], redacted["messages"], strict=True):
        if isinstance(before["content"], str):
            assert after["content"] == before["content"]
    for key in ("preferences", "model_settings"):
        typed = {name: value for name, value in convo[key].items() if isinstance(value, str)}
        assert typed.items() <= redacted[key].items()
