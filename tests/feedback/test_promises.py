"""The promises of DESIGN §1 about a stored report, each with a test that fails when it breaks."""

import json

import pytest
from django.db import connection

from feedback.models import Feedback
from feedback.samples import CHAT_SAMPLE
from tests.feedback.tables import tables_holding

# message_index points into the report's own snapshot: it links to nothing outside it.
ALLOWED_COLUMNS = {"id", "surface", "kind", "rating", "comment", "conversation", "message_index", "created_at"}


def _stored(response):
    assert response.status_code == 201, response.content
    return Feedback.objects.get(pk=response.json()["id"])


@pytest.fixture
def member(client, claude_members):
    client.force_login(claude_members["member"].user)
    return claude_members["member"]


@pytest.mark.django_db
def test_the_feedback_table_has_no_column_that_could_identify_a_person_or_customer():
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, Feedback._meta.db_table)}
    assert columns == ALLOWED_COLUMNS
    assert not [f for f in Feedback._meta.get_fields() if f.is_relation]


@pytest.mark.django_db
def test_whole_conversation_is_kept_style_preferences_model_settings_and_every_message(member, post_report, chat_report):
    stored = _stored(post_report("claude-ent", chat_report)).conversation
    assert stored["style"] == CHAT_SAMPLE["style"]
    assert stored["preferences"] == CHAT_SAMPLE["preferences"]
    assert stored["model_settings"] == CHAT_SAMPLE["model_settings"]
    assert len(stored["messages"]) == len(CHAT_SAMPLE["messages"])
    assert [m["role"] for m in stored["messages"]] == [m["role"] for m in CHAT_SAMPLE["messages"]]
    assert stored["messages"][3] == CHAT_SAMPLE["messages"][3]
    assert stored["messages"][1] == CHAT_SAMPLE["messages"][1]  # the tool call itself has no connector origin


@pytest.mark.django_db
def test_connector_and_mcp_content_is_gone_at_any_depth_while_pasted_text_stays(member, post_report):
    pasted = "Q3 launch plan (internal): ship the partner portal on 14 September; budget 1.2M."
    conversation = {
        "messages": [
            {"role": "user", "content": [
                {"type": "text", "text": pasted},  # the person pasted the same words
                {"type": "document", "title": "Q3 plan secret title",
                 "source": {"type": "text", "data": pasted},
                 "origin": {"type": "connector", "name": "google_drive", "url": "https://drive.example/abc", "file_id": "abc"}},
            ]},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "search_notes", "input": {}}]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "t1", "content": [
                    {"type": "text", "text": "outer result kept"},
                    {"type": "search_result", "source": "notes://1", "title": "Note", "content": [
                        {"type": "text", "text": "JIRA-SECRET-42", "origin": {"type": "mcp", "server": "jira", "transport": "local"}},
                    ]},
                ]},
            ]},
            {"role": "assistant", "content": "Done."},
        ],
    }
    stored = _stored(post_report("claude-ent", {"surface": "chat", "rating": "down", "conversation": conversation}))
    text = json.dumps(stored.conversation)
    for secret in ("Q3 plan secret title", "https://drive.example/abc", '"abc"', "JIRA-SECRET-42"):
        assert secret not in text
    blocks = stored.conversation["messages"][0]["content"]
    assert blocks[0] == {"type": "text", "text": pasted}
    assert blocks[1] == {"type": "omitted", "reason": "connector_content", "replaces": "document",
                         "origin": {"type": "connector", "name": "google_drive"}}
    nested = stored.conversation["messages"][2]["content"][0]["content"]
    assert nested[0] == {"type": "text", "text": "outer result kept"}
    assert nested[1]["content"][0] == {"type": "omitted", "reason": "connector_content", "replaces": "text",
                                       "origin": {"type": "mcp", "name": "jira"}}


@pytest.mark.django_db
def test_stored_row_carries_no_identifier_of_person_org_or_address(member, post_report, chat_report):
    user, org = member.user, member.organization
    stored = _stored(post_report("claude-ent", chat_report, REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="UA-UNIQUE-123"))
    row = json.dumps({f.attname: getattr(stored, f.attname) for f in Feedback._meta.concrete_fields}, default=str)
    for needle in (user.email, user.full_name, org.slug, org.name, "203.0.113.77", "UA-UNIQUE-123", "csrftoken", "sessionid"):
        assert needle not in row


@pytest.mark.django_db
def test_two_reports_by_the_same_person_share_no_linking_value(member, post_report, chat_report):
    first = _stored(post_report("claude-ent", chat_report))
    second = _stored(post_report("claude-ent", {**chat_report, "rating": "down"}))
    assert first.id != second.id
    assert first.id.version == 4 and second.id.version == 4  # random, not derived from the person or time
    shared = {f.attname for f in Feedback._meta.concrete_fields if getattr(first, f.attname) == getattr(second, f.attname)}
    # Only content both reports contain may be equal: the surface, the comment, the same conversation and message rated.
    assert shared <= {"surface", "kind", "comment", "conversation", "message_index"}


@pytest.mark.django_db
def test_refused_report_writes_nothing_when_setting_is_off(member, post_report, chat_report, claude_org):
    claude_org.thumbs_feedback_enabled = False
    claude_org.save(update_fields=["thumbs_feedback_enabled"])
    assert post_report("claude-ent", chat_report).status_code == 403
    assert Feedback.objects.count() == 0


@pytest.mark.django_db
def test_daily_counts_hold_counts_only(member, post_report, chat_report):
    from feedback.models import DailyFeedbackCount
    from feedback.selectors import get_recent_counts

    post_report("claude-ent", chat_report)
    post_report("claude-ent", chat_report)
    post_report("claude-ent", {**chat_report, "rating": "down"})
    bug_report = {key: value for key, value in chat_report.items() if key != "rating"}
    post_report("claude-ent", {**bug_report, "kind": "bug", "comment": "The date is wrong."})
    assert get_recent_counts(member.organization) == {"up": 2, "down": 1, "bugs": 1, "days": 30}
    columns = {f.name for f in DailyFeedbackCount._meta.concrete_fields}
    assert columns == {"id", "organization", "day", "surface", "kind", "rating", "shard", "count"}


# Promise 1: nothing of a conversation is kept unless a person explicitly gives a thumbs rating.

TYPED_BY_THE_MEMBER = "Can you summarise our Q3 launch plan"
ANSWERED = "settling the contract first"


@pytest.mark.django_db
def test_promise_1_using_the_console_without_rating_keeps_nothing_of_the_conversation(
    client, claude_members, console_members
):
    for membership, pages in (
        (claude_members["member"], ["/", "/orgs/claude-ent/", "/orgs/claude-ent/chat/"]),
        (console_members["developer"], ["/orgs/console-org/", "/orgs/console-org/workbench/"]),
        (claude_members["owner"], ["/orgs/claude-ent/settings/data-management/", "/api/v1/orgs/claude-ent/settings"]),
    ):
        client.force_login(membership.user)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            assert TYPED_BY_THE_MEMBER in response.content.decode() or "chat" not in url
    assert client.get("/api/v1/orgs/claude-ent/feedback").status_code == 405
    assert Feedback.objects.count() == 0
    assert tables_holding(TYPED_BY_THE_MEMBER) == []
    assert tables_holding(ANSWERED) == []


@pytest.mark.django_db
@pytest.mark.parametrize("rating", ["missing", None, "", "neutral", "UP", ["up"]])
def test_promise_1_a_conversation_sent_without_an_explicit_thumbs_rating_is_not_kept(member, post_report, chat_report, rating):
    body = {k: v for k, v in chat_report.items() if k != "rating"}
    if rating != "missing":
        body["rating"] = rating
    response = post_report("claude-ent", body)
    assert (response.status_code, response.json()["error"]) == (400, "invalid")
    assert Feedback.objects.count() == 0
    assert tables_holding(TYPED_BY_THE_MEMBER) == []


@pytest.mark.django_db
def test_promise_1_an_explicit_rating_is_what_keeps_the_conversation(member, post_report, chat_report):
    # The control for the two tests above: the scan does find the conversation once it is rated.
    assert post_report("claude-ent", chat_report).status_code == 201
    assert tables_holding(TYPED_BY_THE_MEMBER) == [(Feedback._meta.db_table, "conversation")]


def test_promise_1_only_the_feedback_service_writes_reports():
    """No code but feedback.services creates or changes a stored report (migrations aside)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    writers = {"create", "bulk_create", "get_or_create", "update_or_create", "update", "bulk_update"}
    found = []
    for app in ("console", "orgs", "feedback", "retention"):
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts or path == root / "feedback" / "services.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Feedback":
                    found.append(f"{path.relative_to(root)}:{node.lineno} Feedback(...)")
                elif (
                    isinstance(node, ast.Attribute) and node.attr in writers
                    and "Feedback.objects" in ast.unparse(node.value)
                ):
                    found.append(f"{path.relative_to(root)}:{node.lineno} {ast.unparse(node)}")
    assert found == []
