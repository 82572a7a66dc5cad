"""The words on the organization pages: roles with their articles, help that fits the setting's state, addresses."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from tests.conftest import CLAUDE_ROLES, CONSOLE_ROLES

pytestmark = pytest.mark.django_db

SAYS = {
    ("claude", "primary_owner"): "You are the Primary Owner of this Claude for Work organization.",
    ("claude", "owner"): "You are an Owner of this Claude for Work organization.",
    ("claude", "admin"): "You are an Admin of this Claude for Work organization.",
    ("claude", "member"): "You are a Member of this Claude for Work organization.",
    ("console", "admin"): "You are an Org Admin of this API Console organization.",
    ("console", "developer"): "You are a Developer of this API Console organization.",
    ("console", "billing"): "You have the Billing role in this API Console organization.",
    ("console", "user"): "You are a User of this API Console organization.",
}


@pytest.mark.parametrize(("kind", "role"), [("claude", r) for r in CLAUDE_ROLES] + [("console", r) for r in CONSOLE_ROLES])
def test_the_overview_names_your_role_with_the_article_it_needs(client, claude_members, console_members, kind, role):
    membership = (claude_members if kind == "claude" else console_members)[role]
    client.force_login(membership.user)
    html = client.get(reverse("orgs:overview", args=[membership.organization.slug])).content.decode()
    assert f'<p class="lede" data-testid="your-role">{SAYS[kind, role]}</p>' in html


@pytest.mark.parametrize(("enabled", "help_text", "not_said"), [
    (True, "Uncheck and save to turn it off; you will be asked to confirm.", "check and save to turn it on"),
    (False, "It is off: check and save to turn it on.", "Uncheck and save"),
])
def test_the_setting_help_fits_whether_it_is_on_or_off(client, claude_members, enabled, help_text, not_said):
    owner = claude_members["owner"]
    owner.organization.thumbs_feedback_enabled = enabled
    owner.organization.save(update_fields=["thumbs_feedback_enabled"])
    client.force_login(owner.user)
    html = client.get(reverse("orgs:data-management", args=[owner.organization.slug])).content.decode()
    assert help_text in html
    assert not_said not in html


def test_member_addresses_break_only_before_the_at_sign_and_dots(client, claude_members):
    owner = claude_members["owner"]
    client.force_login(owner.user)
    html = client.get(reverse("orgs:members", args=[owner.organization.slug])).content.decode()
    local, domain = owner.user.email.split("@")
    assert f'class="email">{local}<wbr>@' + "<wbr>.".join(domain.split(".")) + "</td>" in html


def test_the_address_filter_escapes_what_it_is_given():
    html = Template("{% load console_text %}{{ value|email_breaks }}").render(Context({"value": '<b>"x"</b>@evil.test'}))
    assert html == "&lt;b&gt;&quot;x&quot;&lt;/b&gt;<wbr>@evil<wbr>.test"
