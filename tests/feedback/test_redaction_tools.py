"""Tool calls and their results, as Claude Code sessions and the Messages API write them: a result is
classified by the call it answers; MCP results become a marker naming the server, the session's own
tools' results are kept, and a result that cannot be paired with exactly one call is left out."""

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback.models import Feedback
from feedback.redaction import call_origin, redact_conversation
from feedback.samples import CODE_SAMPLE
from tests.feedback.tables import tables_holding


def marker(kind, name, replaces="tool_result"):
    block = {"type": "omitted", "reason": "connector_content", "origin": {"type": kind, "name": name}}
    return {**block, "replaces": replaces} if replaces else block


UNKNOWN = marker("unknown", "unknown")


def call(tool_id, name, **tool_input):
    return {"type": "tool_use", "id": tool_id, "name": name, "input": tool_input}


def result(tool_id, content, **extra):
    return {"type": "tool_result", "tool_use_id": tool_id, "content": content, **extra}


def session(*turns):
    """Messages alternating assistant (calls) and user (results), each turn a list of blocks."""
    messages = [{"role": "user", "content": "Fix the failing test."}]
    for index, blocks in enumerate(turns):
        messages.append({"role": "assistant" if index % 2 == 0 else "user", "content": list(blocks)})
    return {"messages": messages}


def results_of(redacted):
    """Every block of the user turns after the first message, in order."""
    return [block for message in redacted["messages"][1:] if message["role"] == "user" for block in message["content"]]


# --- the sample Claude Code session -----------------------------------------------------------------


def test_the_sample_session_keeps_its_own_tools_and_drops_the_mcp_result():
    redacted = redact_conversation(copy.deepcopy(CODE_SAMPLE))

    dumped = json.dumps(redacted)
    assert "jane.doe@acme.example" not in dumped and "Doe, Jane" not in dumped
    grep, jira, read, bash = results_of(redacted)
    assert jira == marker("mcp", "jira")
    assert grep == CODE_SAMPLE["messages"][2]["content"][0]
    assert read == CODE_SAMPLE["messages"][4]["content"][1]  # text and an image, several messages after its call
    assert bash == CODE_SAMPLE["messages"][6]["content"][0]  # is_error kept
    # Every call is kept, the MCP one too: it is the model's own request, with its server in its name.
    assert redacted["messages"][1] == CODE_SAMPLE["messages"][1]


# --- which results are MCP content ----------------------------------------------------------------


@pytest.mark.parametrize(("name", "server"), [
    ("mcp__jira__get_issue", "jira"),
    ("mcp__claude_ai_Google_Drive__search", "claude_ai_Google_Drive"),
    ("mcp__plugin_tools_github__create_issue", "plugin_tools_github"),
    ("mcp__my-server__do_it", "my-server"),
])
def test_a_result_of_an_mcp_tool_named_as_claude_code_names_them_is_replaced_by_its_server(name, server):
    redacted = redact_conversation(session([call("toolu_1", name, q="typed")], [result("toolu_1", "SECRET")]))

    assert results_of(redacted) == [marker("mcp", server)]


@pytest.mark.parametrize("name", ["MCP__jira__get_issue", "mcp_jira_get_issue", "Mcp-jira", "mcp__jira", "mcp__jira__",
                                  "mcp.jira.search"])
def test_a_tool_named_like_an_mcp_tool_is_read_as_one(name):
    redacted = redact_conversation(session([call("toolu_1", name)], [result("toolu_1", "SECRET")]))

    assert json.dumps(results_of(redacted)) in (json.dumps([marker("mcp", "unknown")]), json.dumps([UNKNOWN]))


@pytest.mark.parametrize("name", ["mсp__jira__get", "Read\u200b", "ｍｃｐ__jira__get", "Bash Tool", "", "x" * 129, 7, None])
def test_a_result_of_a_tool_whose_name_is_not_a_plain_tool_name_is_left_out(name):
    redacted = redact_conversation(session([{"type": "tool_use", "id": "toolu_1", "name": name, "input": {}}],
                                           [result("toolu_1", "SECRET")]))

    assert results_of(redacted) == [UNKNOWN]


@pytest.mark.parametrize(("tool_input", "server"), [({"server": "confluence", "uri": "confluence://page/1"}, "confluence"),
                                                    ({"uri": "x"}, "unknown"), ({"server": "http://SECRET/"}, "unknown")])
def test_claude_codes_mcp_resource_tools_are_mcp_content(tool_input, server):
    for name in ("ReadMcpResourceTool", "ListMcpResourcesTool"):
        redacted = redact_conversation(session([call("toolu_1", name, **tool_input)], [result("toolu_1", "SECRET")]))

        assert results_of(redacted) == [marker("mcp", server)]


def test_a_tool_result_answering_an_mcp_tool_use_is_mcp_content():
    mcp_call = {"type": "mcp_tool_use", "id": "mcptoolu_1", "name": "get_issue", "server_name": "jira", "input": {}}

    redacted = redact_conversation(session([mcp_call], [result("mcptoolu_1", [{"type": "text", "text": "SECRET"}])]))

    assert results_of(redacted) == [marker("mcp", "jira")]
    assert redacted["messages"][1]["content"] == [mcp_call]


def test_a_result_answering_a_call_with_an_mcp_origin_is_mcp_content():
    marked = {**call("toolu_1", "search"), "origin": {"type": "mcp", "server": "linear"}}

    redacted = redact_conversation(session([marked], [result("toolu_1", "SECRET")]))

    assert redacted["messages"][1]["content"] == [marker("mcp", "linear", "tool_use")]
    assert results_of(redacted) == [marker("mcp", "linear")]


def test_a_result_with_its_own_mcp_origin_is_mcp_content_whatever_it_answers():
    own = result("toolu_1", "SECRET", origin={"type": "mcp", "server": "jira", "transport": "local"})

    redacted = redact_conversation(session([call("toolu_1", "Read", file_path="/a")], [own]))

    assert results_of(redacted) == [marker("mcp", "jira")]


def test_a_result_answering_a_server_tool_call_is_left_out():
    server_call = {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "q"}}

    redacted = redact_conversation(session([server_call], [result("srvtoolu_1", "SECRET")]))

    assert results_of(redacted) == [UNKNOWN]


# --- the session's own tools ------------------------------------------------------------------------


@pytest.mark.parametrize("content", [
    "     1\u2192import os\n     2\u2192print(os.getcwd())",
    [{"type": "text", "text": "total 8\ndrwxr-xr-x  2 me me 4096 ."}],
    [{"type": "text", "text": "Screenshot:"}, {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                                                          "data": "iVBORw0KGgo="}}],
    [{"type": "search_result", "source": "file:///notes.md", "title": "notes.md",
      "content": [{"type": "text", "text": "A line of notes."}]}],
    "",
    [],
])
@pytest.mark.parametrize("name", ["Read", "Bash", "Grep", "Glob", "Edit", "Write", "WebFetch", "Task", "TodoWrite", "my_tool"])
def test_results_of_the_sessions_own_tools_are_kept_as_they_are(name, content):
    blocks = [result("toolu_1", copy.deepcopy(content)), result("toolu_2", "Exit code 2\nboom", is_error=True)]

    redacted = redact_conversation(session([call("toolu_1", name), call("toolu_2", "Bash", command="false")], blocks))

    assert results_of(redacted) == blocks


def test_an_mcp_block_inside_an_own_tools_result_is_still_replaced():
    inner = [{"type": "text", "text": "kept"}, {"type": "text", "text": "SECRET", "origin": {"type": "connector", "name": "box"}}]

    redacted = redact_conversation(session([call("toolu_1", "Read")], [result("toolu_1", inner)]))

    assert results_of(redacted)[0]["content"] == [{"type": "text", "text": "kept"}, marker("connector", "box", "text")]


# --- results that cannot be paired: left out -------------------------------------------------------


def test_a_result_whose_call_is_not_in_the_snapshot_is_left_out():
    redacted = redact_conversation(session([call("toolu_1", "Read")], [result("toolu_2", "SECRET"), result("toolu_1", "kept")]))

    assert results_of(redacted) == [UNKNOWN, result("toolu_1", "kept")]


@pytest.mark.parametrize("tool_use_id", [None, 7, ["toolu_1"], {"id": "toolu_1"}, "", "TOOLU_1", "toolu_1 "])
def test_a_result_with_an_unreadable_or_unmatched_tool_use_id_is_left_out(tool_use_id):
    redacted = redact_conversation(session([call("toolu_1", "Read")], [result(tool_use_id, "SECRET")]))

    assert results_of(redacted) == [UNKNOWN]


def test_a_result_without_a_tool_use_id_is_left_out():
    redacted = redact_conversation(session([call("toolu_1", "Read")], [{"type": "tool_result", "content": "SECRET"}]))

    assert results_of(redacted) == [UNKNOWN]


def test_an_id_given_to_two_calls_makes_their_results_ambiguous():
    redacted = redact_conversation(session(
        [call("toolu_1", "Read"), call("toolu_1", "mcp__jira__get_issue")],
        [result("toolu_1", "SECRET")],
    ))

    assert results_of(redacted) == [UNKNOWN]


@pytest.mark.parametrize("other_id", ["toolu_１", "toolu_1\u200b", "TOOLU_1", "tооlu_1"])
def test_ids_that_differ_only_by_look_alike_characters_are_ambiguous(other_id):
    redacted = redact_conversation(session(
        [call("toolu_1", "Read"), call(other_id, "mcp__jira__get_issue")],
        [result("toolu_1", "SECRET")],
    ))

    assert results_of(redacted) == [UNKNOWN]


def test_a_call_disguised_by_its_type_counts_for_ambiguity_and_is_itself_left_out():
    redacted = redact_conversation(session(
        [call("toolu_1", "Read"), {**call("toolu_1", "mcp__jira__get"), "type": "tооl_use"}],
        [result("toolu_1", "SECRET")],
    ))

    assert redacted["messages"][1]["content"][1] == marker("unknown", "unknown", None)
    assert results_of(redacted) == [UNKNOWN]


def test_the_same_call_answered_twice_is_classified_the_same_both_times():
    redacted = redact_conversation(session([call("toolu_1", "mcp__jira__get")], [result("toolu_1", "A"), result("toolu_1", "B")]))

    assert results_of(redacted) == [marker("mcp", "jira"), marker("mcp", "jira")]


@pytest.mark.parametrize(("call_block", "expected"), [
    (call("t", "Read"), None),
    (call("t", "mcp__github__list_prs"), ("mcp", "github")),
    ({"type": "mcp_tool_use", "id": "t", "name": "x", "server_name": "linear"}, ("mcp", "linear")),
    ({"type": "mcp_tool_use", "id": "t", "name": "x", "server_name": "https://SECRET"}, ("mcp", "unknown")),
    ({**call("t", "Read"), "origin": {"type": "connector", "name": "box"}}, ("connector", "box")),
    ({**call("t", "Read"), "origin": "mcp"}, ("unknown", "unknown")),
    ({**call("t", "Read"), "Origin": {"type": "mcp"}}, ("unknown", "unknown")),
    ({"type": "server_tool_use", "id": "t", "name": "web_search"}, ("unknown", "unknown")),
    ({"type": "Tool_Use", "id": "t", "name": "Read"}, ("unknown", "unknown")),
])
def test_call_origin_says_what_a_calls_results_are(call_block, expected):
    origin = call_origin(call_block)

    assert (origin and (origin.type, origin.name)) == expected


# --- a long session: parallel calls, late results, MCP and built-in tools side by side -------------


def test_a_long_session_with_parallel_calls_and_late_results():
    turns = [
        [{"type": "thinking", "thinking": "Look at both.", "signature": "c2ln"},
         call("toolu_A", "Glob", pattern="**/*.py"), call("toolu_B", "mcp__sentry__get_issue", id="PY-1"),
         call("toolu_C", "Grep", pattern="def main")],
        [result("toolu_A", "a.py\nb.py"), result("toolu_C", [{"type": "text", "text": "a.py:3:def main():"}])],
        [{"type": "text", "text": "Waiting for Sentry."}, call("toolu_D", "Read", file_path="/repo/a.py")],
        [result("toolu_D", [{"type": "text", "text": "def main():\n    raise SystemExit(1)"},
                            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBO"}}]),
         result("toolu_B", [{"type": "text", "text": "SECRET stack trace from Sentry, user SECRET@example.test"}])],
        [call("toolu_E", "Bash", command="python a.py"), call("toolu_F", "mcp__sentry__resolve", id="PY-1")],
        [result("toolu_E", "Exit code 1", is_error=True), result("toolu_F", "SECRET resolved", is_error=True)],
        [{"type": "text", "text": "main() exits with 1 on purpose; Sentry's issue is resolved."}],
    ]

    redacted = redact_conversation(session(*copy.deepcopy(turns)))

    assert "SECRET" not in json.dumps(redacted)
    assert results_of(redacted) == [
        turns[1][0], turns[1][1], turns[3][0], marker("mcp", "sentry"), turns[5][0], marker("mcp", "sentry"),
    ]
    assert [m["content"] for m in redacted["messages"][1::2]] == [turns[0], turns[2], turns[4], turns[6]]


# --- property test: transcripts with random MCP and built-in tools ---------------------------------

OWN_TOOLS = ["Read", "Write", "Edit", "Bash", "Grep", "Glob", "WebFetch", "Task", "TodoWrite", "NotebookEdit"]
SECRET = "MCP-SECRET-"
# Text a report may hold (no NUL, no lone surrogate: the API refuses those) and that never holds the secret.
TYPED = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=20).filter(
    lambda text: SECRET not in text)


@st.composite
def result_content(draw, text):
    inner = st.one_of(
        st.builds(lambda t: {"type": "text", "text": t}, text),
        st.just({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBO"}}),
    )
    return draw(st.one_of(text, st.lists(inner, max_size=3)))


@st.composite
def transcripts(draw):
    """A Claude Code session: each assistant turn calls 1–3 tools; their results come back, in any order, later on."""
    calls, turns, pending = [], [], []
    for turn in range(draw(st.integers(1, 5))):
        called = []
        for _ in range(draw(st.integers(1, 3))):
            number = len(calls)
            kind = draw(st.sampled_from(["own", "mcp", "mcp_tool_use", "resource"]))
            tool_id = f"toolu_{number:02d}"
            if kind == "own":
                block = call(tool_id, draw(st.sampled_from(OWN_TOOLS)), arg=draw(TYPED))
            elif kind == "mcp":
                block = call(tool_id, f"mcp__{draw(st.sampled_from(['jira', 'github', 'claude_ai_Slack']))}__get")
            elif kind == "resource":
                block = call(tool_id, "ReadMcpResourceTool", server="docs", uri="docs://1")
            else:
                block = {"type": "mcp_tool_use", "id": tool_id, "name": "get", "server_name": "linear", "input": {}}
            calls.append((tool_id, kind != "own"))
            called.append(block)
            pending.append(tool_id)
        turns.append([{"type": "text", "text": draw(TYPED)}, *called])
        # Some of the waiting calls are answered now, in any order; the rest later.
        answered = draw(st.lists(st.sampled_from(pending), unique=True)) if pending else []
        results = []
        for tool_id in answered:
            pending.remove(tool_id)
            is_mcp = dict(calls)[tool_id]
            text = st.just(f"{SECRET}{tool_id}") if is_mcp else TYPED
            extra = {"is_error": True} if draw(st.booleans()) else {}
            results.append(result(tool_id, draw(result_content(text)), **extra))
        if draw(st.booleans()):
            results.append(result(f"toolu_missing_{turn}", f"{SECRET}orphan"))
        turns.append(results or [{"type": "text", "text": draw(TYPED)}])
    return turns, dict(calls)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transcripts())
def test_no_mcp_result_survives_and_every_own_tools_result_does(generated):
    turns, is_mcp = generated
    original = session(*turns)

    redacted = redact_conversation(copy.deepcopy(original))

    assert SECRET not in json.dumps(redacted)
    for before, after in zip(results_of(original), results_of(redacted), strict=True):
        if before["type"] != "tool_result":
            assert after == before
        elif before["tool_use_id"] not in is_mcp:
            assert after == UNKNOWN
        elif is_mcp[before["tool_use_id"]]:
            assert after["type"] == "omitted" and after["origin"]["type"] == "mcp"
        else:
            assert after == before
    assert redact_conversation(redacted) == redacted


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(generated=transcripts(), kind=st.sampled_from(["rating", "bug"]))
def test_through_the_api_the_raw_text_of_an_mcp_result_never_reaches_the_table(client, console_members, generated, kind):
    client.force_login(console_members["developer"].user)
    turns, _ = generated
    conversation = session(*turns)
    conversation["messages"].append({"role": "assistant", "content": "Done."})
    body = {"surface": "code", "conversation": conversation,
            **({"kind": "bug", "comment": "It edited the wrong file."} if kind == "bug" else {"rating": "down"})}

    response = client.post("/api/v1/orgs/console-org/feedback", data=json.dumps(body), content_type="application/json")

    assert response.status_code == 201, response.content
    assert tables_holding(SECRET) == []
    Feedback.objects.all().delete()
