"""Bug reports (kind "bug") and coding sessions (surface "code"): the same endpoint, switch, redaction and
storage as ratings; the pages offer "Report a bug" while feedback is on; staff filter by kind; owners see
bug reports counted beside the thumbs."""

import copy
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from feedback.models import DailyFeedbackCount, Feedback
from feedback.samples import CHAT_SAMPLE, CODE_SAMPLE, WORKBENCH_SAMPLE
from feedback.schema import parse_report
from feedback.selectors import get_recent_counts
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def bug(surface, conversation, comment="The answer names the wrong date."):
    return {"surface": surface, "kind": "bug", "comment": comment, "conversation": copy.deepcopy(conversation)}


@pytest.fixture
def chat_member(client, claude_members):
    client.force_login(claude_members["member"].user)
    return claude_members["member"]


@pytest.fixture
def console_user(client, console_members):
    client.force_login(console_members["user"].user)
    return console_members["user"]


def stored(response):
    assert response.status_code == 201, response.content
    return Feedback.objects.get(pk=response.json()["id"])


# --- the API --------------------------------------------------------------------------------------


def test_a_member_reports_a_bug_on_the_chat_with_a_description_and_no_rating(chat_member, post_report):
    report = stored(post_report("claude-ent", bug("chat", CHAT_SAMPLE)))

    assert (report.surface, report.kind, report.rating, report.comment) == ("chat", "bug", None, "The answer names the wrong date.")
    assert report.message_index == 3  # the last response, as for a rating without message_index
    text = json.dumps(report.conversation)
    assert "partner portal on 14 September" not in text and "LAUNCH-42" not in text  # redacted like a rating


def test_a_console_user_reports_a_bug_on_the_workbench(console_user, post_report):
    report = stored(post_report("console-org", bug("workbench", WORKBENCH_SAMPLE)))

    assert (report.surface, report.kind, report.rating) == ("workbench", "bug", None)
    assert "double billing" not in json.dumps(report.conversation)


@pytest.mark.parametrize("slug", ["claude-ent", "console-org"])
@pytest.mark.parametrize("kind", ["rating", "bug"])
def test_coding_sessions_are_reported_from_organizations_of_both_kinds(client, claude_members, console_members, post_report,
                                                                       slug, kind):
    members = claude_members if slug == "claude-ent" else console_members
    client.force_login(members["admin"].user)
    body = bug("code", CODE_SAMPLE) if kind == "bug" else {"surface": "code", "rating": "down", "conversation": copy.deepcopy(CODE_SAMPLE)}

    report = stored(post_report(slug, body))

    assert (report.surface, report.kind) == ("code", kind)
    text = json.dumps(report.conversation)
    assert "jane.doe@acme.example" not in text  # the MCP result
    assert "def export_csv(rows)" in text  # the Read result, kept


@pytest.mark.parametrize(("slug", "surface"), [("claude-ent", "workbench"), ("console-org", "chat")])
def test_the_other_kinds_rating_surface_is_still_refused(client, claude_members, console_members, post_report, slug, surface):
    client.force_login((claude_members if slug == "claude-ent" else console_members)["admin"].user)

    response = post_report(slug, bug(surface, CHAT_SAMPLE))

    assert response.status_code == 400
    [detail] = response.json()["detail"]
    assert detail["field"] == "surface" and "code" in detail["message"]
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(("body", "details"), [
    ({"rating": "up"}, [("rating", "A bug report has no rating: leave it out.")]),
    ({"rating": None}, [("rating", "A bug report has no rating: leave it out.")]),
    ({"comment": ""}, [("comment", "Describe the bug: a bug report needs a comment that is not blank.")]),
    ({"comment": " \n\t\u3000"}, [("comment", "Describe the bug: a bug report needs a comment that is not blank.")]),
    ({"rating": "down", "comment": "  "}, [("rating", "A bug report has no rating: leave it out."),
                                           ("comment", "Describe the bug: a bug report needs a comment that is not blank.")]),
])
def test_a_bug_report_with_a_rating_or_without_a_description_is_a_400_with_field_level_detail(chat_member, post_report,
                                                                                             body, details):
    payload = bug("chat", CHAT_SAMPLE)
    payload.update(body)

    response = post_report("claude-ent", payload)

    assert response.status_code == 400
    assert response.json() == {"error": "invalid", "detail": [{"field": f, "message": m} for f, m in details]}
    assert not Feedback.objects.exists() and not DailyFeedbackCount.objects.exists()


def test_a_bug_report_without_a_comment_key_is_a_400_on_comment(chat_member, post_report):
    payload = bug("chat", CHAT_SAMPLE)
    del payload["comment"]

    response = post_report("claude-ent", payload)

    assert [d["field"] for d in response.json()["detail"]] == ["comment"]


@pytest.mark.parametrize("kind", ["Bug", "bugs", "", None, 1, "rating "])
def test_an_unknown_kind_is_a_400_on_kind(chat_member, post_report, kind):
    response = post_report("claude-ent", {**bug("chat", CHAT_SAMPLE), "kind": kind})

    assert response.status_code == 400
    assert "kind" in [d["field"] for d in response.json()["detail"]]


def test_a_rating_needs_its_rating_whether_kind_is_given_or_not(chat_member, post_report):
    for body in ({"surface": "chat", "conversation": CHAT_SAMPLE}, {"surface": "chat", "kind": "rating", "conversation": CHAT_SAMPLE}):
        response = post_report("claude-ent", body)
        assert response.json() == {"error": "invalid", "detail": [{"field": "rating", "message": 'Choose a rating: "up" or "down".'}]}


def test_parse_report_keeps_kind_rating_and_comment():
    report = parse_report(bug("code", CODE_SAMPLE, comment="  It never ran the tests.  "))

    assert (report.kind, report.rating, report.comment) == ("bug", None, "  It never ran the tests.  ")


@pytest.mark.parametrize("surface", ["chat", "code"])
def test_one_switch_governs_both_kinds_on_every_surface(chat_member, post_report, claude_org, surface):
    claude_org.thumbs_feedback_enabled = False
    claude_org.save(update_fields=["thumbs_feedback_enabled"])

    for body in (bug(surface, CODE_SAMPLE), {"surface": surface, "rating": "up", "conversation": copy.deepcopy(CODE_SAMPLE)}):
        response = post_report("claude-ent", body)
        assert (response.status_code, response.json()["error"]) == (403, "feedback_disabled")
    assert not Feedback.objects.exists() and not DailyFeedbackCount.objects.exists()


def test_workbench_switch_refuses_bug_reports_too(console_user, post_report, console_org):
    console_org.workbench_feedback_enabled = False
    console_org.save(update_fields=["workbench_feedback_enabled"])

    for surface in ("workbench", "code"):
        assert post_report("console-org", bug(surface, CODE_SAMPLE)).status_code == 403
    assert not Feedback.objects.exists()


# --- the owners' counts ---------------------------------------------------------------------------


def test_bug_reports_are_counted_beside_the_thumbs(chat_member, post_report, client, claude_members, claude_org):
    post_report("claude-ent", bug("chat", CHAT_SAMPLE))
    post_report("claude-ent", bug("code", CODE_SAMPLE))
    post_report("claude-ent", {"surface": "code", "rating": "up", "conversation": copy.deepcopy(CODE_SAMPLE)})

    assert get_recent_counts(claude_org) == {"up": 1, "down": 0, "bugs": 2, "days": 30}
    assert sorted(DailyFeedbackCount.objects.values_list("surface", "kind", "rating")) == [
        ("chat", "bug", ""), ("code", "bug", ""), ("code", "rating", "up")]
    client.force_login(claude_members["owner"].user)
    page = client.get(reverse("orgs:data-management", args=["claude-ent"])).content.decode()
    counts = page.split('data-testid="report-counts"')[1].split("</dd>")[0]
    assert "1 thumbs up" in counts and "0 thumbs down" in counts and "2 bug reports" in counts
    assert "One switch governs every report of either kind" in page


def test_one_bug_report_is_counted_in_the_singular(console_user, post_report, client, console_members):
    post_report("console-org", bug("workbench", WORKBENCH_SAMPLE))
    client.force_login(console_members["admin"].user)

    page = client.get(reverse("orgs:privacy", args=["console-org"])).content.decode()

    assert "1 bug report<" in page


# --- the pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "url"), [("claude", "/orgs/claude-ent/chat/"), ("console", "/orgs/console-org/workbench/")])
def test_the_rating_pages_offer_report_a_bug_only_while_feedback_is_on(client, claude_members, console_members, claude_org,
                                                                      console_org, who, url):
    org, members = (claude_org, claude_members) if who == "claude" else (console_org, console_members)
    client.force_login(members["admin"].user)

    page = client.get(url).content.decode()
    assert 'id="report-bug" data-report="bug"' in page
    assert '<form method="dialog" id="bug-form" data-report="bug"' in page
    assert "Report a bug" in page

    setattr(org, org.profile.setting_field, False)
    org.save()
    page = client.get(url).content.decode()
    assert "data-report" not in page and "data-rating" not in page
    assert "Report a bug" not in page
    assert "Feedback is turned off" in page


# --- staff ----------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_staff_filter_reports_by_kind(staff_client):
    Feedback.objects.create(surface="chat", kind="rating", rating="up", conversation={"messages": []})
    bug_report = Feedback.objects.create(surface="code", kind="bug", comment="Crashed.", conversation={"messages": []})

    listing = staff_client.get("/admin/feedback/feedback/")
    bugs = staff_client.get("/admin/feedback/feedback/", {"kind__exact": "bug"})

    assert len(listing.context["cl"].result_list) == 2
    assert list(bugs.context["cl"].result_list) == [bug_report]
    html = listing.content.decode()
    assert "?kind__exact=bug" in html and "Bug report" in html and "Claude Code" in html
    detail = staff_client.get(f"/admin/feedback/feedback/{bug_report.pk}/change/").content.decode()
    assert "Bug report" in detail and "Crashed." in detail
    assert str(bug_report) == f"Bug report on Claude Code ({bug_report.pk})"


def test_the_export_names_each_reports_kind(db):
    Feedback.objects.create(surface="code", kind="bug", comment="Crashed.", conversation={"messages": []})
    UserFactory(email="staff@acme.test", is_staff=True)
    out = io.StringIO()

    call_command("export_feedback", "--since", "2000-01-01", "--staff", "staff@acme.test", stdout=out, stderr=io.StringIO())

    record = json.loads(out.getvalue())
    assert (record["surface"], record["kind"], record["rating"], record["comment"]) == ("code", "bug", None, "Crashed.")
