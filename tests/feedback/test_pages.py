import pytest

from feedback.models import DailyFeedbackCount


@pytest.mark.django_db
def test_chat_page_has_thumbs_on_each_assistant_response(client, claude_members):
    client.force_login(claude_members["member"].user)
    page = client.get("/orgs/claude-ent/chat/").content.decode()
    assert page.count('data-rating="up"') == 2 and page.count('data-rating="down"') == 2
    assert "Google Drive (connector)" in page
    assert "Jira (MCP server)" in page
    assert "de-linked" in page


@pytest.mark.django_db
def test_chat_page_has_no_buttons_and_says_so_when_feedback_is_off(client, claude_org, claude_members):
    claude_org.thumbs_feedback_enabled = False
    claude_org.save()
    client.force_login(claude_members["member"].user)
    page = client.get("/orgs/claude-ent/chat/").content.decode()
    assert "data-rating" not in page
    assert "Feedback is turned off" in page


@pytest.mark.django_db
def test_workbench_page_for_console_orgs_only(client, console_members, claude_members):
    client.force_login(console_members["developer"].user)
    assert 'data-rating="up"' in client.get("/orgs/console-org/workbench/").content.decode()
    assert client.get("/orgs/console-org/chat/").status_code == 404
    client.force_login(claude_members["member"].user)
    assert client.get("/orgs/claude-ent/workbench/").status_code == 404


@pytest.mark.django_db
def test_workbench_page_without_buttons_when_off(client, console_org, console_members):
    console_org.workbench_feedback_enabled = False
    console_org.save()
    client.force_login(console_members["user"].user)
    page = client.get("/orgs/console-org/workbench/").content.decode()
    assert "data-rating" not in page
    assert "turned off" in page


@pytest.mark.django_db
def test_data_management_page_shows_last_30_days_counts(client, claude_org, claude_members):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.now().date()
    DailyFeedbackCount.objects.create(organization=claude_org, day=today, surface="chat", rating="up", count=7)
    DailyFeedbackCount.objects.create(organization=claude_org, day=today - timedelta(days=29), surface="chat", rating="down", count=3)
    DailyFeedbackCount.objects.create(organization=claude_org, day=today - timedelta(days=30), surface="chat", rating="down", count=50)
    client.force_login(claude_members["owner"].user)
    page = client.get("/orgs/claude-ent/settings/data-management/").content.decode()
    counts = page.split('data-testid="report-counts"')[1].split("</dd>")[0]
    assert "7 thumbs up" in counts and "3 thumbs down" in counts
