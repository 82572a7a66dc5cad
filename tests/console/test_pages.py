import pytest

from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

ORG_URLS = [
    "/orgs/{slug}/",
    "/orgs/{slug}/settings/data-management/",
    "/orgs/{slug}/settings/privacy/",
    "/orgs/{slug}/settings/members/",
    "/orgs/{slug}/settings/audit-log/",
    "/orgs/{slug}/settings/audit-log/export.csv",
    "/orgs/{slug}/chat/",
    "/orgs/{slug}/workbench/",
]


@pytest.mark.django_db
def test_org_list_shows_only_your_orgs_with_your_role(client):
    me = UserFactory()
    MembershipFactory(user=me, organization=OrganizationFactory(name="Mine Corp"), role="owner")
    MembershipFactory(organization=OrganizationFactory(name="Someone Else Inc"), role="owner")
    client.force_login(me)
    page = client.get("/").content.decode()
    assert "Mine Corp" in page
    assert "Your role: Owner" in page
    assert "Someone Else Inc" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("url", ORG_URLS)
def test_every_page_of_another_org_is_404(client, outsider, claude_org, url):
    client.force_login(outsider)
    assert client.get(url.format(slug=claude_org.slug)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("url", ORG_URLS)
def test_unknown_org_is_404_like_a_foreign_one(client, outsider, url):
    client.force_login(outsider)
    assert client.get(url.format(slug="no-such-org")).status_code == 404


@pytest.mark.django_db
def test_404_page_uses_the_layout(client, outsider):
    client.force_login(outsider)
    response = client.get("/orgs/no-such-org/")
    assert "Page not found" in response.content.decode()
    assert "Data Management Console" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "links"),
    [
        ("primary_owner", ["Data Management", "Members", "Audit log", "Identity", "API keys"]),
        ("owner", ["Data Management", "Members", "Audit log", "Identity", "API keys"]),
        ("admin", ["Members"]),
        ("member", ["Members"]),
    ],
)
def test_overview_shows_only_the_settings_links_the_role_may_open(client, claude_members, role, links):
    client.force_login(claude_members[role].user)
    response = client.get(f"/orgs/{claude_members[role].organization.slug}/")
    nav = response.content.decode().split('data-testid="settings-nav"')[1].split("</ul>")[0]
    shown = [label for label in ["Data Management", "Privacy", "Members", "Audit log", "Identity", "API keys"] if f">{label}<" in nav]
    assert shown == links


@pytest.mark.django_db
def test_console_org_admin_sees_privacy_not_data_management(client, console_members):
    client.force_login(console_members["admin"].user)
    page = client.get("/orgs/console-org/").content.decode()
    assert ">Privacy<" in page
    assert ">Data Management<" not in page


@pytest.mark.django_db
def test_members_page_lists_everyone_in_the_org(client, claude_members):
    client.force_login(claude_members["member"].user)
    page = client.get("/orgs/claude-ent/settings/members/").content.decode()
    for membership in claude_members.values():
        assert membership.user.email in page
    assert "Primary Owner" in page
