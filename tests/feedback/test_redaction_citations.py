"""Citations: text that quotes content left out (or content that cannot be told) is left out with it,
whatever kind of citation it is and by whatever index it points at its source."""

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback.redaction import CITATION_TYPES, redact_conversation

DRIVE = {"type": "connector", "name": "google_drive", "file_id": "SECRET-ID"}


def marker(kind, name, replaces="text"):
    block = {"type": "omitted", "reason": "connector_content", "origin": {"type": kind, "name": name}}
    return {**block, "replaces": replaces} if replaces else block


UNKNOWN_TEXT = marker("unknown", "unknown")


def uploaded(data="Our own plan: ship in May.", title="Plan"):
    return {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": data}, "title": title,
            "citations": {"enabled": True}}


def from_drive(data="SECRET board minutes: layoffs in June.", title="Minutes"):
    return {**uploaded(data, title), "origin": DRIVE}


def pdf_from_drive():
    return {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0x"},
            "title": "Contract", "origin": DRIVE}


def cite(kind="char_location", **fields):
    defaults = {
        "char_location": {"document_index": 0, "start_char_index": 0, "end_char_index": 10},
        "page_location": {"document_index": 0, "start_page_number": 1, "end_page_number": 2},
        "content_block_location": {"document_index": 0, "start_block_index": 0, "end_block_index": 1},
        "search_result_location": {"search_result_index": 0, "start_block_index": 0, "end_block_index": 1,
                                   "source": "kb://1", "title": None},
        "web_search_result_location": {"url": "https://news.example.test/a", "encrypted_index": "Eo8B", "title": None},
    }[kind]
    return {"type": kind, "cited_text": "SECRET quoted words", **defaults, **fields}


def answer(*citations, text="As the document says, it ships."):
    return {"type": "text", "text": text, "citations": list(citations)}


def chat(user_blocks, assistant_blocks, *earlier):
    return {"messages": [*earlier, {"role": "user", "content": user_blocks}, {"role": "assistant", "content": assistant_blocks}]}


def assistant_blocks(redacted):
    return redacted["messages"][-1]["content"]


def test_text_citing_a_document_the_person_gave_is_kept_with_its_quote():
    citing = answer(cite(document_index=0, document_title="Plan", cited_text="Our own plan"))

    redacted = redact_conversation(chat([uploaded()], [citing]))

    assert assistant_blocks(redacted) == [citing]


def test_text_citing_a_connector_document_is_left_out_with_it():
    # The probe: the document became its marker, but the text citing it kept the quoted passage word for word.
    citing = answer(cite(document_index=0, cited_text="SECRET board minutes"), text="SECRET: layoffs in June.")

    redacted = redact_conversation(chat([from_drive()], [{"type": "text", "text": "Here is what I found."}, citing]))

    assert assistant_blocks(redacted) == [{"type": "text", "text": "Here is what I found."}, marker("connector", "google_drive")]
    assert "SECRET" not in json.dumps(redacted)


@pytest.mark.parametrize("kind", ["char_location", "page_location", "content_block_location"])
def test_every_kind_of_document_citation_points_by_document_index(kind):
    documents = [uploaded(), pdf_from_drive()]

    kept = redact_conversation(chat(documents, [answer(cite(kind, document_index=0))]))
    left_out = redact_conversation(chat(documents, [answer(cite(kind, document_index=1))]))

    assert assistant_blocks(kept) == [answer(cite(kind, document_index=0))]
    assert assistant_blocks(left_out) == [marker("connector", "google_drive")]


def test_documents_are_counted_across_messages_and_the_markers_keep_their_places():
    earlier = {"role": "user", "content": [from_drive(), {"type": "text", "text": "Read this."}]}
    later_citation = answer(cite(document_index=1, document_title="Plan"))

    once = redact_conversation(chat([uploaded()], [later_citation], earlier, {"role": "assistant", "content": "OK."}))

    assert assistant_blocks(once) == [later_citation]
    assert once["messages"][0]["content"][0] == marker("connector", "google_drive", "document")
    # Stored as redacted, the citation still points at the same document: redacting again keeps it.
    assert redact_conversation(once) == once


def test_content_block_location_into_a_document_with_connector_blocks_inside_is_left_out():
    document = {"type": "document", "title": "Notes", "source": {"type": "content", "content": [
        {"type": "text", "text": "Typed note."},
        {"type": "text", "text": "SECRET pasted from Drive", "origin": DRIVE},
    ]}}

    redacted = redact_conversation(chat([document], [answer(cite("content_block_location", start_block_index=0))]))

    assert assistant_blocks(redacted) == [marker("connector", "google_drive")]


def search_results(*blocks):
    return [{"type": "tool_use", "id": "toolu_kb", "name": "kb_search", "input": {"q": "plan"}}], [
        {"type": "tool_result", "tool_use_id": "toolu_kb", "content": list(blocks)}]


def kb_result(source="kb://1", title="KB 1", origin=None):
    result = {"type": "search_result", "source": source, "title": title, "content": [{"type": "text", "text": "SECRET fact"}]}
    return {**result, "origin": origin} if origin else result


def test_search_result_citations_point_by_search_result_index_inside_tool_results():
    call, results = search_results(kb_result("kb://1", "KB 1"), kb_result("kb://2", "KB 2", origin={"type": "mcp", "server": "kb"}))
    earlier = [{"role": "assistant", "content": call}]
    kept = answer(cite("search_result_location", search_result_index=0, source="kb://1", title="KB 1"))
    quoting_mcp = answer(cite("search_result_location", search_result_index=1, source="kb://2"))

    assert assistant_blocks(redact_conversation(chat(results, [kept], *earlier))) == [kept]
    assert assistant_blocks(redact_conversation(chat(results, [quoting_mcp], *earlier))) == [marker("mcp", "kb")]


def test_a_source_inside_a_result_that_is_left_out_is_left_out_with_it():
    # The search results answer an MCP tool: the whole result goes, and so does text quoting any of them.
    call = [{"type": "tool_use", "id": "toolu_kb", "name": "mcp__confluence__search", "input": {}}]
    results = [{"type": "tool_result", "tool_use_id": "toolu_kb", "content": [kb_result()]}]

    redacted = redact_conversation(chat(results, [answer(cite("search_result_location"))], {"role": "assistant", "content": call}))

    assert assistant_blocks(redacted) == [marker("mcp", "confluence")]


def test_web_search_citations_point_by_url():
    server_call = {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "q"}}
    search = {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": [
        {"type": "web_search_result", "url": "https://news.example.test/a", "title": "A", "encrypted_content": "Eo8B"}]}
    found = answer(cite("web_search_result_location", title="A"))
    not_found = answer(cite("web_search_result_location", url="https://elsewhere.example.test/"))

    messages = [{"role": "user", "content": "Any news?"}, {"role": "assistant", "content": [server_call, search, found, not_found]}]
    redacted = redact_conversation({"messages": messages})

    assert redacted["messages"][1]["content"] == [server_call, search, found, UNKNOWN_TEXT]


@pytest.mark.parametrize("citation", [
    cite(document_index=1),
    cite(document_index=-1),
    cite(document_index="0"),
    cite(document_index=0.0),
    cite(document_index=True),
    cite(document_index=None),
    {k: v for k, v in cite().items() if k != "document_index"},
    cite(document_title="Another title"),
    cite("search_result_location"),
    cite("web_search_result_location"),
    {**cite(), "type": "char_locatіon"},
    {**cite(), "type": "CHAR_LOCATION"},
    {**cite(), "type": "footnote"},
    {**cite(), "Document_Index": 0},
    "SECRET",
    ["SECRET"],
    None,
])
def test_a_citation_whose_source_cannot_be_resolved_leaves_its_text_out(citation):
    redacted = redact_conversation(chat([uploaded()], [answer(citation)]))

    assert assistant_blocks(redacted) == [UNKNOWN_TEXT]


@pytest.mark.parametrize("citations", ["SECRET", {"enabled": True}, 7, {"SECRET": "x"}])
def test_citations_that_are_not_a_list_leave_the_text_out(citations):
    redacted = redact_conversation(chat([uploaded()], [{"type": "text", "text": "SECRET", "citations": citations}]))

    assert assistant_blocks(redacted) == [UNKNOWN_TEXT]


@pytest.mark.parametrize("config", [{"enabled": "yes"}, {"enabled": True, "SECRET": 1}, [True], "on"])
def test_a_documents_citation_setting_must_be_readable(config):
    redacted = redact_conversation(chat([{**uploaded(), "citations": config}], ["ok"]))

    assert redacted["messages"][0]["content"] == [marker("unknown", "unknown", "document")]


def test_no_citations_and_empty_citations_are_kept():
    blocks = [{"type": "text", "text": "a", "citations": None}, {"type": "text", "text": "b", "citations": []}]

    assert assistant_blocks(redact_conversation(chat([uploaded()], copy.deepcopy(blocks)))) == blocks


def test_whichever_way_nested_documents_are_counted_the_cited_one_must_be_kept():
    # One document sits inside an earlier tool result, one in the user's message. Counted with nested
    # documents, index 0 is the tool's; counted without, it is the connector's: the text goes.
    call = {"type": "tool_use", "id": "toolu_1", "name": "Read", "input": {"file_path": "/plan.txt"}}
    nested = {"type": "tool_result", "tool_use_id": "toolu_1", "content": [uploaded(title="Plan")]}
    earlier = [{"role": "assistant", "content": [call]}, {"role": "user", "content": [nested]},
               {"role": "assistant", "content": "Now the minutes?"}]

    redacted = redact_conversation(chat([from_drive()], [answer(cite(document_index=0))], *earlier))

    assert assistant_blocks(redacted) == [marker("connector", "google_drive")]


def test_a_look_alike_of_a_source_type_anywhere_makes_every_index_of_that_kind_untrustworthy():
    disguised = {**uploaded(), "type": "documеnt"}

    redacted = redact_conversation(chat([uploaded(), disguised], [answer(cite(document_index=0))]))

    assert redacted["messages"][0]["content"][1] == marker("unknown", "unknown", None)
    assert assistant_blocks(redacted) == [UNKNOWN_TEXT]


def test_a_cited_source_that_itself_cites_is_not_followed():
    # Citations could go round in circles (a document quoting the text that quotes it): left out.
    document = {"type": "document", "source": {"type": "content", "content": [answer(cite(document_index=0))]}}

    redacted = redact_conversation(chat([document], [answer(cite("content_block_location"))]))

    assert assistant_blocks(redacted) == [UNKNOWN_TEXT]


def test_a_source_in_a_message_left_out_whole_is_left_out():
    message = {"role": "user", "content": [uploaded()], "origin": {"type": "mcp", "server": "jira"}}

    redacted = redact_conversation({"messages": [message, {"role": "assistant", "content": [answer(cite())]}]})

    assert assistant_blocks(redacted) == [marker("mcp", "jira")]


def test_every_citation_type_of_the_table_is_tested_here():
    tested = {"char_location", "page_location", "content_block_location", "search_result_location", "web_search_result_location"}

    assert set(CITATION_TYPES) == tested


# --- property test: planted secrets in cited sources never survive in the citing text ----------------

SECRET = "CITED-SECRET-"


@st.composite
def cited_conversations(draw):
    """Documents the person gave, connector documents and disguised ones, and text citing them by any index."""
    documents, secret_indexes = [], set()
    for index in range(draw(st.integers(1, 5))):
        how = draw(st.sampled_from(["uploaded", "connector", "mcp source", "disguised origin", "unknown source"]))
        data = f"{SECRET}{index}" if how != "uploaded" else f"typed {index}"
        document = uploaded(data, title=f"Doc {index}")
        if how == "connector":
            document["origin"] = DRIVE
        elif how == "mcp source":
            document["source"] = {"type": "mcp", "server": "docs", "data": data}
        elif how == "disguised origin":
            document["origin"] = {"type": draw(st.sampled_from(["Connector", "mсp", "ｍｃｐ", "mcp\u200b", "drive"]))}
        elif how == "unknown source":
            document["source"]["type"] = draw(st.sampled_from(["Text", "tеxt", "gdrive"]))
        if how != "uploaded":
            secret_indexes.add(index)
        documents.append(document)
    answers = []
    for _ in range(draw(st.integers(1, 4))):
        citations = []
        for _ in range(draw(st.integers(1, 3))):
            kind = draw(st.sampled_from(["char_location", "page_location", "content_block_location"]))
            index = draw(st.integers(-1, len(documents) + 1))
            title = draw(st.sampled_from([None, f"Doc {index}", "Doc x"]))
            quote = f"{SECRET}{index}" if index in secret_indexes else f"typed {index}"
            citations.append(cite(kind, document_index=index, document_title=title, cited_text=quote))
        answers.append(answer(*citations, text="; ".join(c["cited_text"] for c in citations)))
    return chat(documents, answers), secret_indexes


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cited_conversations())
def test_text_quoting_left_out_documents_never_survives_and_text_quoting_kept_ones_does(generated):
    original, secret_indexes = generated

    redacted = redact_conversation(copy.deepcopy(original))

    assert SECRET not in json.dumps(redacted)
    count = len(original["messages"][0]["content"])
    for before, after in zip(assistant_blocks(original), assistant_blocks(redacted), strict=True):
        resolvable = all(0 <= c["document_index"] < count and c["document_title"] in (None, f"Doc {c['document_index']}")
                         and c["document_index"] not in secret_indexes for c in before["citations"])
        assert (after == before) is resolvable
    assert redact_conversation(redacted) == redacted
