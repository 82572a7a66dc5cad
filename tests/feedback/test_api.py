"""The submission API: every answer, good and bad, is JSON with a stable code; none is a 500."""

import json

import pytest
from django.test import Client

from feedback.models import DailyFeedbackCount, Feedback
from feedback.schema import MAX_BODY_BYTES

URL = "/api/v1/orgs/{slug}/feedback"


@pytest.fixture
def member_client(client, claude_members):
    client.force_login(claude_members["member"].user)
    return client


@pytest.mark.django_db
def test_member_submits_a_report_and_gets_its_id(member_client, post_report, chat_report):
    response = post_report("claude-ent", chat_report)
    assert response.status_code == 201
    stored = Feedback.objects.get()
    assert response.json() == {"id": str(stored.id)}
    assert (stored.surface, stored.rating, stored.comment) == ("chat", "up", "Helpful.")


@pytest.mark.django_db
def test_console_user_submits_a_workbench_report(client, console_members, post_report, workbench_report):
    client.force_login(console_members["user"].user)
    assert post_report("console-org", workbench_report).status_code == 201
    assert sum(DailyFeedbackCount.objects.values_list("count", flat=True)) == 1


@pytest.mark.django_db
def test_signed_out_is_401(client, claude_org, post_report, chat_report):
    response = post_report("claude-ent", chat_report)
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


@pytest.mark.django_db
def test_unknown_org_is_404(member_client, post_report, chat_report):
    response = post_report("no-such-org", chat_report)
    assert (response.status_code, response.json()["error"]) == (404, "not_found")


@pytest.mark.django_db
def test_non_member_gets_the_same_404_as_for_a_missing_org(client, claude_org, outsider, post_report, chat_report):
    client.force_login(outsider)
    stranger = post_report("claude-ent", chat_report)
    missing = post_report("no-such-org", chat_report)
    assert (stranger.status_code, stranger.content) == (missing.status_code, missing.content)
    assert stranger.json() == {"error": "not_found", "detail": "No such organization."}
    assert not Feedback.objects.exists()


@pytest.mark.django_db
def test_feedback_off_is_403_and_writes_nothing(member_client, claude_org, post_report, chat_report):
    claude_org.thumbs_feedback_enabled = False
    claude_org.save()
    response = post_report("claude-ent", chat_report)
    assert (response.status_code, response.json()["error"]) == (403, "feedback_disabled")
    assert not Feedback.objects.exists()
    assert not DailyFeedbackCount.objects.exists()


@pytest.mark.django_db
def test_workbench_feedback_off_is_403(client, console_org, console_members, post_report, workbench_report):
    console_org.workbench_feedback_enabled = False
    console_org.save()
    client.force_login(console_members["developer"].user)
    assert post_report("console-org", workbench_report).json()["error"] == "feedback_disabled"
    assert not Feedback.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("slug", "surface"), [("claude-ent", "workbench"), ("console-org", "chat")])
def test_surface_that_does_not_match_the_org_kind_is_400(client, claude_members, console_members, post_report, chat_report,
                                                          slug, surface):
    client.force_login((claude_members if slug == "claude-ent" else console_members)["admin"].user)
    response = post_report(slug, {**chat_report, "surface": surface})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert "surface" in json.dumps(response.json()["detail"])
    assert not Feedback.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": "up", "conversation": {"messages": [{"role": "user", "content": "hi"}]}}, "surface"),
        ({"surface": "chat", "rating": "sideways", "conversation": {"messages": [{"role": "user", "content": "hi"}]}}, "rating"),
        ({"surface": "chat", "rating": "up"}, "conversation"),
        ({"surface": "chat", "rating": "up", "conversation": {"messages": []}}, "conversation.messages"),
        ({"surface": "chat", "rating": "up", "conversation": {"messages": "hi"}}, "conversation.messages"),
        ({"surface": "chat", "rating": "up", "comment": 5, "conversation": {"messages": [{"role": "user", "content": "x"}]}},
         "comment"),
        ({"surface": "chat", "rating": "up", "comment": "x" * 5001,
          "conversation": {"messages": [{"role": "user", "content": "x"}]}}, "comment"),
        ({"surface": "chat", "rating": "up", "conversation": {"messages": [{"role": "system", "content": "x"}]}},
         "conversation.messages.0.role"),
        ({"surface": "chat", "rating": "up", "conversation": {"messages": [{"role": "user", "content": [{"text": "x"}]}]}},
         "conversation.messages.0.content.0.type"),
        ({"surface": "chat", "rating": "up", "user_id": 7, "conversation": {"messages": [{"role": "user", "content": "x"}]}},
         "user_id"),
        ([1, 2, 3], "__all__"),
    ],
)
def test_invalid_bodies_are_400_with_field_level_detail(member_client, post_report, body, field):
    response = post_report("claude-ent", body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert field in [d["field"] for d in response.json()["detail"]]
    assert not Feedback.objects.exists()


@pytest.mark.django_db
def test_too_many_messages_is_400(member_client, post_report, chat_report):
    chat_report["conversation"]["messages"] = [{"role": "user", "content": "x"}] * 501
    response = post_report("claude-ent", chat_report)
    assert (response.status_code, response.json()["error"]) == (400, "invalid")


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["{not json", " ", "\xff\xfe", "null"])
def test_malformed_json_is_400(member_client, post_report, body):
    response = post_report("claude-ent", body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"


@pytest.mark.django_db
def test_oversized_body_is_413_and_writes_nothing(member_client, post_report, chat_report):
    chat_report["comment"] = ""
    chat_report["conversation"]["messages"].append({"role": "user", "content": "x" * MAX_BODY_BYTES})
    response = post_report("claude-ent", chat_report)
    assert (response.status_code, response.json()["error"]) == (413, "too_large")
    assert not Feedback.objects.exists()


@pytest.mark.django_db
def test_get_is_405_json(member_client):
    response = member_client.get(URL.format(slug="claude-ent"))
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


@pytest.mark.django_db
def test_missing_csrf_token_is_403_json_for_signed_in_people(claude_members, chat_report):
    client = Client(enforce_csrf_checks=True)
    client.force_login(claude_members["member"].user)
    response = client.post(URL.format(slug="claude-ent"), json.dumps(chat_report), content_type="application/json")
    assert (response.status_code, response.json()["error"]) == (403, "csrf_failed")
    assert not Feedback.objects.exists()


@pytest.mark.django_db
def test_csrf_token_from_the_chat_page_is_accepted(claude_members, chat_report):
    client = Client(enforce_csrf_checks=True)
    client.force_login(claude_members["member"].user)
    client.get("/orgs/claude-ent/chat/")
    token = client.cookies["csrftoken"].value
    response = client.post(URL.format(slug="claude-ent"), json.dumps(chat_report), content_type="application/json",
                           headers={"X-CSRFToken": token})
    assert response.status_code == 201


@pytest.mark.django_db
def test_rate_limit_is_429_with_retry_after(member_client, post_report, chat_report, settings):
    settings.FEEDBACK_RATE_LIMIT_PER_MINUTE = REPORTS_PER_MINUTE = 5
    for _ in range(REPORTS_PER_MINUTE):
        assert post_report("claude-ent", chat_report).status_code == 201
    response = post_report("claude-ent", chat_report)
    assert (response.status_code, response.json()["error"]) == (429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert Feedback.objects.count() == REPORTS_PER_MINUTE


@pytest.mark.django_db
def test_reports_refused_after_the_limit_check_give_their_place_back(
    member_client, post_report, chat_report, settings, claude_org, console_org
):
    settings.FEEDBACK_RATE_LIMIT_PER_MINUTE = 2
    # Another org, an org that does not exist, the other kind's surface: refused, no place kept.
    assert post_report("console-org", chat_report).status_code == 404
    assert post_report("no-such-org", chat_report).status_code == 404
    assert post_report("claude-ent", {**chat_report, "surface": "workbench", "conversation": {"messages": [
        {"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}}).status_code == 400
    claude_org.thumbs_feedback_enabled = False
    claude_org.save(update_fields=["thumbs_feedback_enabled"])
    assert [post_report("claude-ent", chat_report).status_code for _ in range(3)] == [403, 403, 403]
    claude_org.thumbs_feedback_enabled = True
    claude_org.save(update_fields=["thumbs_feedback_enabled"])
    assert [post_report("claude-ent", chat_report).status_code for _ in range(3)] == [201, 201, 429]


@pytest.mark.django_db
def test_rate_limit_is_per_person(client, claude_members, post_report, chat_report):
    from feedback.ratelimit import reports_per_minute, take_report_slot

    for _ in range(reports_per_minute() + 1):
        take_report_slot(claude_members["member"].user.pk)
    client.force_login(claude_members["admin"].user)
    assert post_report("claude-ent", chat_report).status_code == 201


@pytest.mark.django_db
def test_openapi_document_describes_the_feedback_endpoint(client):
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/orgs/{slug}/feedback"]["post"]
    assert set(operation["responses"]) >= {"201", "400", "401", "403", "404", "405", "411", "413", "415", "429", "500", "503"}
    assert "message_index" in document["components"]["schemas"]["FeedbackReport"]["properties"]
    assert "/api/v1/me" in document["paths"]
    assert "FeedbackReport" in document["components"]["schemas"]
    refs = json.dumps(document)
    assert "#/$defs/" not in refs


@pytest.mark.django_db
def test_api_docs_page_renders_without_external_assets(client):
    page = client.get("/api/v1/docs/").content.decode()
    assert "/api/v1/orgs/{slug}/feedback" in page
    assert "https://" not in page.split("<body>")[0]


# --- the rated response ----------------------------------------------------------------------------

def _conversation(*roles):
    return {"messages": [{"role": role, "content": f"message {i}"} for i, role in enumerate(roles)]}


@pytest.mark.django_db
@pytest.mark.parametrize("index", [1, 3])
def test_message_index_names_the_rated_assistant_message_and_is_stored(member_client, post_report, index):
    body = {"surface": "chat", "rating": "down", "conversation": _conversation("user", "assistant", "user", "assistant"),
            "message_index": index}
    assert post_report("claude-ent", body).status_code == 201
    assert Feedback.objects.get().message_index == index


@pytest.mark.django_db
def test_without_message_index_the_last_assistant_message_is_rated(member_client, post_report):
    body = {"surface": "chat", "rating": "up", "conversation": _conversation("user", "assistant", "user", "assistant", "user")}
    assert post_report("claude-ent", body).status_code == 201
    assert Feedback.objects.get().message_index == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("roles", "index"),
    [
        (("user", "assistant"), 0),  # a user message
        (("user", "assistant"), 2),  # out of range
        (("user", "assistant"), 499),
        (("user", "assistant"), 500),
        (("user", "assistant"), -1),
        (("user", "assistant"), True),
        (("user", "assistant"), "1"),
        (("user", "assistant"), 1.0),
        (("user",), "absent"),  # nothing to rate
    ],
)
def test_bad_message_index_is_400_naming_message_index(member_client, post_report, roles, index):
    body = {"surface": "chat", "rating": "up", "conversation": _conversation(*roles)}
    if index != "absent":
        body["message_index"] = index
    response = post_report("claude-ent", body)
    assert (response.status_code, response.json()["error"]) == (400, "invalid")
    assert "message_index" in [item["field"] for item in response.json()["detail"]]
    assert not Feedback.objects.exists()


@pytest.mark.django_db
def test_null_message_index_reads_as_absent(member_client, post_report):
    body = {"surface": "chat", "rating": "up", "conversation": _conversation("user", "assistant", "user"), "message_index": None}
    assert post_report("claude-ent", body).status_code == 201
    assert Feedback.objects.get().message_index == 1
