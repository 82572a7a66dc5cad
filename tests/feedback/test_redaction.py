import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback.redaction import (
    OMITTED_REASON,
    ConnectorOrigin,
    connector_origin,
    redact_conversation,
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


def drive_marker():
    return {"type": "omitted", "reason": "connector_content", "origin": {"type": "connector", "name": "google_drive"}}


def mcp_marker(server):
    return {"type": "omitted", "reason": "connector_content", "origin": {"type": "mcp", "name": server}}


def conversation(*blocks, role="user", **extra):
    return {"messages": [{"role": role, "content": list(blocks)}], **extra}


def only_block(redacted):
    return redacted["messages"][0]["content"][0]


def drive_document():
    return {
        "type": "document",
        "source": {"type": "text", "media_type": "text/plain", "data": "SECRET contents of the plan"},
        "title": "SECRET Q3 plan",
        "origin": copy.deepcopy(DRIVE_ORIGIN),
    }


def test_omitted_reason_is_connector_content():
    assert OMITTED_REASON == "connector_content"


def test_connector_document_with_origin_is_replaced_by_marker():
    redacted = redact_conversation(conversation(drive_document()))

    assert only_block(redacted) == drive_marker()


def test_document_with_connector_source_is_replaced_by_marker():
    document = {
        "type": "document",
        "source": {"type": "connector", "name": "google_drive", "file_id": "SECRET-FILE-ID"},
        "title": "SECRET Q3 plan",
    }

    assert only_block(redact_conversation(conversation(document))) == drive_marker()


def test_document_with_mcp_source_uses_the_server_as_name():
    document = {"type": "document", "source": {"type": "mcp", "server": "confluence", "uri": "SECRET-uri"}}

    assert only_block(redact_conversation(conversation(document))) == mcp_marker("confluence")


def test_document_with_ordinary_source_is_kept():
    document = {
        "type": "document",
        "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0x"},
        "title": "Uploaded by hand",
    }

    assert only_block(redact_conversation(conversation(document))) == document


@pytest.mark.parametrize(("origin", "server"), [(REMOTE_MCP_ORIGIN, "jira"), (LOCAL_MCP_ORIGIN, "filesystem")])
def test_mcp_tool_result_is_replaced_whole(origin, server):
    tool_result = {
        "type": "tool_result",
        "tool_use_id": "toolu_SECRET",
        "content": [{"type": "text", "text": "SECRET ticket body"}],
        "origin": copy.deepcopy(origin),
    }

    assert only_block(redact_conversation(conversation(tool_result))) == mcp_marker(server)


def test_mcp_tool_result_with_string_content_is_replaced_whole():
    tool_result = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "SECRET", "origin": REMOTE_MCP_ORIGIN}

    assert only_block(redact_conversation(conversation(tool_result))) == mcp_marker("jira")


def test_mcp_tool_use_is_replaced():
    tool_use = {
        "type": "tool_use",
        "id": "toolu_1",
        "name": "jira_search",
        "input": {"query": "SECRET project"},
        "origin": REMOTE_MCP_ORIGIN,
    }

    assert only_block(redact_conversation(conversation(tool_use, role="assistant"))) == mcp_marker("jira")


def test_tool_use_without_origin_is_kept():
    tool_use = {"type": "tool_use", "id": "toolu_1", "name": "calculator", "input": {"expression": "2+2"}}

    assert only_block(redact_conversation(conversation(tool_use, role="assistant"))) == tool_use


def test_mcp_tool_result_nested_in_tool_result_is_omitted():
    tool_result = {
        "type": "tool_result",
        "tool_use_id": "toolu_1",
        "is_error": False,
        "content": [
            {"type": "text", "text": "Summary written by the tool"},
            {"type": "tool_result", "tool_use_id": "toolu_2", "content": "SECRET", "origin": LOCAL_MCP_ORIGIN},
        ],
    }

    block = only_block(redact_conversation(conversation(tool_result)))

    assert block == {
        "type": "tool_result",
        "tool_use_id": "toolu_1",
        "is_error": False,
        "content": [{"type": "text", "text": "Summary written by the tool"}, mcp_marker("filesystem")],
    }


def test_connector_document_nested_in_tool_result_is_omitted():
    tool_result = {"type": "tool_result", "tool_use_id": "toolu_1", "content": [drive_document()]}

    block = only_block(redact_conversation(conversation(tool_result)))

    assert block == {"type": "tool_result", "tool_use_id": "toolu_1", "content": [drive_marker()]}


def test_connector_block_nested_deep_in_dicts_and_lists_is_omitted():
    block = {
        "type": "custom_container",
        "payload": {"pages": [[{"wrapper": {"items": [{"type": "text", "text": "SECRET", "origin": DRIVE_ORIGIN}]}}]]},
    }

    redacted = only_block(redact_conversation(conversation(block)))

    assert redacted == {"type": "custom_container", "payload": {"pages": [[{"wrapper": {"items": [drive_marker()]}}]]}}


def test_unknown_block_type_with_connector_origin_is_replaced():
    block = {"type": "search_result", "title": "SECRET", "source": "https://SECRET.example", "origin": DRIVE_ORIGIN}

    assert only_block(redact_conversation(conversation(block))) == drive_marker()


def test_unknown_block_type_without_origin_is_kept_with_all_keys():
    block = {"type": "future_block", "data": {"a": [1, 2.5, None, True]}, "cache_control": {"type": "ephemeral"}}

    assert only_block(redact_conversation(conversation(block))) == block


def test_text_block_with_connector_origin_is_replaced():
    block = {"type": "text", "text": "SECRET quote", "origin": DRIVE_ORIGIN}

    assert only_block(redact_conversation(conversation(block))) == drive_marker()


@pytest.mark.parametrize("text", ["SECRET contents of the plan", "  naïve café 🚀\u200b\r\n\ttabs  ", "", "\x00ctrl"])
def test_pasted_text_is_kept_byte_for_byte_even_when_it_repeats_connector_text(text):
    pasted = {"type": "text", "text": text}
    connector = {"type": "text", "text": text, "origin": DRIVE_ORIGIN}

    redacted = redact_conversation(conversation(pasted, connector))

    assert redacted["messages"][0]["content"] == [{"type": "text", "text": text}, drive_marker()]
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
        preferences={"language": "nl", "nested": [{"type": "x", "text": "SECRET", "origin": {"type": "mcp", "server": "prefs"}}]},
        model_settings={"model": "claude", "system": {"type": "text", "text": "SECRET", "origin": DRIVE_ORIGIN}},
    )

    redacted = redact_conversation(original)

    assert redacted["style"] == {"type": "omitted", "reason": "connector_content", "origin": {"type": "connector", "name": "styles"}}
    assert redacted["preferences"] == {"language": "nl", "nested": [mcp_marker("prefs")]}
    assert redacted["model_settings"] == {"model": "claude", "system": drive_marker()}
    assert "SECRET" not in json.dumps(redacted)


def test_plain_style_preferences_and_model_settings_are_kept_as_given():
    settings_ = {
        "style": {"name": "Concise", "instructions": "Short answers."},
        "preferences": {"language": "nl", "nested": [{"type": "x", "origin": {"type": "user"}}]},
        "model_settings": {"model": "claude", "temperature": 0.7, "extended_thinking": {"budget_tokens": 1024}},
    }

    redacted = redact_conversation(conversation({"type": "text", "text": "hi"}, **settings_))

    for key, value in settings_.items():
        assert redacted[key] == value


@pytest.mark.parametrize("content", ["SECRET ticket", [{"type": "text", "text": "SECRET ticket"}]])
def test_mcp_tool_result_block_is_replaced_by_its_type_alone(content):
    block = {"type": "mcp_tool_result", "tool_use_id": "mcptoolu_1", "is_error": False, "content": content}

    marker = only_block(redact_conversation(conversation(block)))

    assert marker == {"type": "omitted", "reason": "connector_content", "origin": {"type": "mcp", "name": "unknown"}}


def test_mcp_tool_result_marker_names_the_server_of_the_call_it_answers():
    original = {"messages": [
        {"role": "assistant", "content": [{"type": "mcp_tool_use", "id": "mcptoolu_7", "name": "search", "server_name": "jira",
                                           "input": {}}]},
        {"role": "user", "content": [{"type": "mcp_tool_result", "tool_use_id": "mcptoolu_7", "content": "SECRET"},
                                     {"type": "mcp_tool_result", "tool_use_id": "other", "content": "SECRET"}]},
    ]}

    redacted = redact_conversation(original)

    assert redacted["messages"][1]["content"] == [mcp_marker("jira"), mcp_marker("unknown")]
    assert redacted["messages"][0] == original["messages"][0]


def test_mcp_tool_use_is_kept_with_its_server_name():
    block = {"type": "mcp_tool_use", "id": "mcptoolu_1", "name": "search", "server_name": "jira", "input": {"q": "typed"}}

    assert only_block(redact_conversation(conversation(block, role="assistant"))) == block


@pytest.mark.parametrize("origin", ["connector", "google_drive", "", ["connector"], 7, 1.5, True, {}, {"type": None},
                                    {"type": 3}, {"type": ""}, {"type": "  "}, {"name": "google_drive"}])
def test_unreadable_origin_is_left_out(origin):
    block = {"type": "text", "text": "SECRET", "origin": origin}

    marker = only_block(redact_conversation(conversation(block)))

    assert marker == {"type": "omitted", "reason": "connector_content", "origin": {"type": "unknown", "name": "unknown"}}


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

    assert only_block(redact_conversation(conversation(block)))["origin"]["name"] == stored


def test_input_is_not_mutated_and_result_shares_no_containers():
    original = conversation(
        drive_document(),
        {"type": "tool_result", "tool_use_id": "t", "content": [{"type": "text", "text": "mine"}]},
        style={"a": [1]},
    )
    snapshot = copy.deepcopy(original)

    redacted = redact_conversation(original)
    redacted["messages"][0]["content"][1]["content"][0]["text"] = "changed"
    redacted["style"]["a"].append(2)

    assert original == snapshot


def test_marker_keeps_only_type_and_name():
    redacted = redact_conversation(conversation(drive_document(), {"type": "tool_use", "origin": REMOTE_MCP_ORIGIN}))

    for block in redacted["messages"][0]["content"]:
        assert set(block) == {"type", "reason", "origin"}
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
    assert "SECRET" not in dumped
    assert "http" not in dumped
    assert "file_id" not in dumped
    assert "title" not in dumped


@pytest.mark.parametrize("kind", ["connector", "CONNECTOR", " Connector ", "mcp", "MCP", "\tMcp\n"])
def test_origin_type_matches_case_insensitively_ignoring_whitespace(kind):
    block = {"type": "text", "text": "SECRET", "origin": {"type": kind, "name": "n", "server": "n"}}

    marker = only_block(redact_conversation(conversation(block)))

    assert marker["type"] == "omitted"
    assert marker["origin"]["type"] == kind.strip().lower()


@pytest.mark.parametrize(("kind", "stored"), [("mcp_server", "mcp"), ("remote-MCP", "mcp"), ("connectors", "connector"),
                                           ("Google connector", "connector")])
def test_origin_types_naming_a_connector_or_mcp_are_connector_content(kind, stored):
    block = {"type": "text", "text": "SECRET", "origin": {"type": kind, "name": "x"}}

    assert only_block(redact_conversation(conversation(block)))["origin"] == {"type": stored, "name": "x"}


@pytest.mark.parametrize("kind", ["user", "upload", "paste", "assistant"])
def test_other_readable_origin_types_are_kept(kind):
    block = {"type": "text", "text": "typed", "origin": {"type": kind, "name": "x"}}

    assert only_block(redact_conversation(conversation(block))) == block


def test_null_origin_reads_as_no_origin():
    block = {"type": "text", "text": "typed", "origin": None}

    assert only_block(redact_conversation(conversation(block))) == block


def test_connector_source_counts_even_when_origin_is_not_an_object():
    block = {"type": "document", "origin": "connector", "source": {"type": "connector", "name": "box"}}

    marker = only_block(redact_conversation(conversation(block)))

    assert marker["origin"] == {"type": "connector", "name": "box"}


def test_mcp_name_falls_back_from_server_to_name():
    block = {"type": "tool_result", "origin": {"type": "mcp", "name": "linear"}}

    assert only_block(redact_conversation(conversation(block))) == mcp_marker("linear")


def test_mcp_server_is_preferred_over_name():
    block = {"type": "tool_result", "origin": {"type": "mcp", "name": "tool-name", "server": "github"}}

    assert only_block(redact_conversation(conversation(block))) == mcp_marker("github")


def test_connector_uses_name_not_server():
    block = {"type": "document", "origin": {"type": "connector", "name": "google_drive", "server": "other"}}

    assert only_block(redact_conversation(conversation(block))) == drive_marker()


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
    marker = only_block(redact_conversation(conversation({"type": "text", "text": "SECRET", "origin": origin})))

    assert marker["origin"]["name"] == name


def test_message_with_connector_origin_keeps_role_and_loses_content():
    original = {"messages": [{"role": "assistant", "content": "SECRET", "origin": REMOTE_MCP_ORIGIN}]}

    redacted = redact_conversation(original)

    assert redacted == {"messages": [{"role": "assistant", "content": [mcp_marker("jira")]}]}


def test_message_with_ordinary_extra_keys_is_kept():
    original = {"messages": [{"role": "user", "content": "hi", "id": "msg_1"}]}

    assert redact_conversation(original) == original


@pytest.mark.parametrize(
    "odd",
    [
        {},
        {"messages": None},
        {"messages": "not a list"},
        {"messages": [None, 3, "x", [], {}]},
        {"messages": [{"role": "user"}]},
        {"messages": [{"role": "user", "content": None}]},
        {"messages": [{"role": "user", "content": [None, 1, "s", [[]], {"no_type": True}]}]},
        {"messages": [{"role": "user", "content": [{"type": "tool_result", "content": {"odd": "dict"}}]}]},
        {"messages": [{"role": "user", "content": [{1: "int key", None: "none key"}]}]},
        {"messages": [{"role": "user", "content": [{"type": "x", "value": float("inf")}]}]},
        {"messages": [{"role": 5, "content": 5}], "style": None, "preferences": [], "model_settings": "x"},
    ],
)
def test_odd_but_harmless_input_is_copied_unchanged(odd):
    assert redact_conversation(odd) == odd


@pytest.mark.parametrize("odd", [None, [], "text", 3, ["a", {"type": "text", "origin": DRIVE_ORIGIN}]])
def test_non_dict_conversation_does_not_crash(odd):
    result = redact_conversation(odd)

    assert "SECRET" not in json.dumps(result)


def test_uncopyable_leaf_values_pass_through():
    generator = (n for n in range(3))
    original = {"messages": [{"role": "user", "content": [{"type": "x", "value": generator}]}]}

    assert redact_conversation(original)["messages"][0]["content"][0]["value"] is generator


def test_connector_block_inside_tuple_is_omitted():
    block = {"type": "text", "text": "SECRET", "origin": DRIVE_ORIGIN}
    original = {"messages": [{"role": "user", "content": (block,)}]}

    assert redact_conversation(original)["messages"][0]["content"] == (drive_marker(),)


def test_unknown_top_level_keys_are_redacted_too():
    original = {"messages": [], "system": [{"type": "text", "text": "SECRET", "origin": DRIVE_ORIGIN}]}

    assert redact_conversation(original)["system"] == [drive_marker()]


def test_connector_origin_reports_type_and_name():
    block = {"type": "x", "origin": {"type": "MCP", "server": "jira"}}

    assert connector_origin(block) == ConnectorOrigin("mcp", "jira")
    assert connector_origin({"type": "text", "text": "typed"}) is None
    assert connector_origin("not a block") is None


def test_connector_origin_checks_origin_and_source():
    assert connector_origin({"type": "document", "source": {"type": "connector"}}) is not None
    assert connector_origin({"type": "text", "origin": {"type": "mcp"}}) is not None
    assert connector_origin({"type": "document", "source": {"type": "base64"}}) is None


# --- property test -------------------------------------------------------------------------------

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
connector_kinds = st.sampled_from(["connector", "mcp", "Connector", " MCP ", "mcp\n"])


@st.composite
def connector_block(draw, secrets, children):
    n = draw(st.integers(0, 10**6))
    kind = draw(connector_kinds)
    origin = {"type": kind, "name": draw(names), "url": f"https://x.example/{secrets.new(n)}"}
    if kind.strip().lower() == "mcp":
        origin.update(server=draw(names), transport=draw(st.sampled_from(["remote", "local"])))
    else:
        origin["file_id"] = secrets.new(n)
    block_type = draw(st.sampled_from(["text", "document", "tool_result", "tool_use", "image", "mystery", "mcp_tool_result"]))
    block = {"type": block_type, "text": secrets.new(n), "title": secrets.new(n)}
    if draw(st.booleans()):
        block["content"] = draw(children)
    how = draw(st.sampled_from(["origin", "source", "unreadable", "type alone"]))
    if how == "source" and block_type == "document":
        # The source variant: the connector description sits in `source` instead of `origin`.
        block["source"] = origin
    elif how == "unreadable":
        # An origin that cannot be read as a non-connector one: left out, whatever it holds.
        block["origin"] = draw(st.sampled_from([secrets.new(n), [secrets.new(n)], n, {"name": secrets.new(n)}, {"type": n}]))
    elif how == "type alone":
        block["type"] = "mcp_tool_result"
    else:
        block["origin"] = origin
    return block


def plain_text_block():
    return st.builds(lambda text: {"type": "text", "text": text}, typed_text)


def block_tree(secrets):
    def extend(children):
        container = st.fixed_dictionaries(
            {"type": st.sampled_from(["tool_result", "mystery", "document"]), "content": children},
            optional={"tool_use_id": st.text(max_size=5), "meta": st.dictionaries(st.text(max_size=5), children)},
        )
        return st.one_of(container, connector_block(secrets, children))

    leaves = st.one_of(
        plain_text_block(),
        st.just({"type": "thinking", "thinking": "mine", "signature": "s"}),
        st.just({"type": "text", "text": "x", "origin": "connector"}),
    )
    return st.recursive(leaves, lambda inner: extend(st.lists(inner, max_size=4)), max_leaves=10)


def plain_texts(value, inside_connector=False):
    """Yield the text of every text block that is not connector content and not inside one."""
    if isinstance(value, dict):
        inside_connector = inside_connector or connector_origin(value) is not None
        if not inside_connector and value.get("type") == "text" and isinstance(value.get("text"), str):
            yield value["text"]
        for item in value.values():
            yield from plain_texts(item, inside_connector)
    elif isinstance(value, list):
        for item in value:
            yield from plain_texts(item, inside_connector)


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
def test_redaction_removes_every_connector_secret_and_keeps_typed_text(generated):
    convo, secrets = generated
    snapshot = copy.deepcopy(convo)

    redacted = redact_conversation(convo)

    dumped = json.dumps(redacted)
    for secret in secrets:
        assert secret not in dumped
    assert SECRET_PREFIX not in dumped
    assert list(plain_texts(redacted)) == list(plain_texts(convo))
    assert convo == snapshot
    assert redact_conversation(redacted) == redacted
    for before, after in zip(convo["messages"], redacted["messages"], strict=True):
        if isinstance(before["content"], str):
            assert after["content"] == before["content"]
    for key in ("preferences", "model_settings"):
        typed = {name: value for name, value in convo[key].items() if isinstance(value, str)}
        assert typed.items() <= redacted[key].items()
