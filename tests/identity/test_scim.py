"""SCIM 2.0 end to end with the request bodies Okta's and Microsoft Entra ID's documentation show."""

import json

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from console.models import User
from identity import services
from identity.models import SCIMGroup, SCIMToken
from orgs.models import Membership
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

OKTA_DOMAIN = "okta.local"
ENTRA_DOMAIN = "testuser.com"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


@pytest.fixture
def org(db):
    from identity.models import Domain

    org = OrganizationFactory(slug="acme-scim", plan="enterprise")
    org.primary = MembershipFactory(organization=org, role="primary_owner", user__email=f"primary@{OKTA_DOMAIN}")
    for name in (OKTA_DOMAIN, ENTRA_DOMAIN):
        Domain.objects.create(organization=org, name=name, verified_at="2026-01-01T00:00:00Z")
    return org


@pytest.fixture
def scim(client, org):
    _, token = services.create_scim_token(actor=org.primary.user, organization=org, name="Okta")

    def call(method, path, body=None, **query):
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/scim+json")
        url = "/scim/v2/" + path
        if query:
            from urllib.parse import urlencode

            url += "?" + urlencode(query)
        response = getattr(client, method.lower())(url, **kwargs)
        return response.status_code, (response.json() if response.content else None)

    call.token = token
    return call


# Okta: SCIM 2.0 reference (developer.okta.com, "SCIM 2.0 protocol reference")
OKTA_CREATE = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "userName": "test.user@okta.local",
    "name": {"givenName": "Test", "familyName": "User"},
    "emails": [{"primary": True, "value": "test.user@okta.local", "type": "work"}],
    "displayName": "Test User",
    "locale": "en-US",
    "externalId": "00ujl29u0le5T6Aj10h7",
    "groups": [],
    "password": "1mz050nq",
    "active": True,
}
OKTA_DEACTIVATE = {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]}
OKTA_REACTIVATE = {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": True}}]}

# Microsoft Entra ID: "Tutorial: Develop and plan provisioning for a SCIM endpoint" (learn.microsoft.com)
ENTRA_CREATE = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@testuser.com",
    "active": True,
    "emails": [{"primary": True, "type": "work", "value": "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"}],
    "meta": {"resourceType": "User"},
    "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
    "roles": [],
}
ENTRA_UPDATE_MULTI = {"schemas": [PATCH], "Operations": [
    {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "updatedEmail@microsoft.com"},
    {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
]}
ENTRA_DISABLE = {"Operations": [{"op": "Replace", "path": "active", "value": False}], "schemas": [PATCH]}
ENTRA_DISABLE_STRING = {"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "active", "value": "False"}]}


def test_okta_provisions_reads_deactivates_and_reactivates_a_person(scim, org, client):
    status, found = scim("GET", "Users", filter='userName eq "test.user@okta.local"', startIndex=1, count=100)
    assert status == 200 and found["totalResults"] == 0 and found["Resources"] == []
    status, created = scim("POST", "Users", OKTA_CREATE)
    assert status == 201, created
    assert created["userName"] == "test.user@okta.local" and created["active"] is True
    assert created["externalId"] == "00ujl29u0le5T6Aj10h7" and created["name"]["givenName"] == "Test"
    user = User.objects.get(email="test.user@okta.local")
    assert not user.has_usable_password()  # Okta's password is never taken
    assert Membership.objects.get(user=user, organization=org).role == "member"
    added = AuditEvent.objects.get(action="member.added", organization=org)
    assert added.actor is None and added.actor_label == "SCIM token “Okta”"

    status, again = scim("GET", f"Users/{created['id']}")
    assert status == 200 and again["id"] == created["id"]
    status, listed = scim("GET", "Users", filter='userName eq "TEST.USER@okta.local"')
    assert listed["totalResults"] == 1

    client.force_login(user)
    assert client.get("/orgs/acme-scim/").status_code == 200
    status, body = scim("PATCH", f"Users/{created['id']}", OKTA_DEACTIVATE)
    assert status == 200 and body["active"] is False
    # Deprovisioned: the next request is refused (404: the organization is no longer theirs).
    assert client.get("/orgs/acme-scim/").status_code == 404
    removed = AuditEvent.objects.get(action="member.removed", organization=org)
    assert removed.actor_label == "SCIM token “Okta”"

    status, body = scim("PATCH", f"Users/{created['id']}", OKTA_REACTIVATE)
    assert status == 200 and body["active"] is True
    assert client.get("/orgs/acme-scim/").status_code == 200


def test_okta_put_replaces_the_person(scim):
    _, created = scim("POST", "Users", OKTA_CREATE)
    body = {**OKTA_CREATE, "id": created["id"], "name": {"givenName": "Another", "familyName": "User"}}
    body.pop("password")
    status, replaced = scim("PUT", f"Users/{created['id']}", body)
    assert status == 200 and replaced["name"]["givenName"] == "Another"
    assert AuditEvent.objects.filter(action="identity.scim.user.updated").exists()


def test_entra_provisions_updates_and_disables_a_person(scim, org):
    status, created = scim("POST", "Users", ENTRA_CREATE)
    assert status == 201, created
    user_id = created["id"]
    status, found = scim("GET", "Users", filter='userName eq "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@testuser.com"')
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == user_id
    status, found = scim("GET", "Users", filter='externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"')
    assert found["totalResults"] == 1
    status, updated = scim("PATCH", f"Users/{user_id}", ENTRA_UPDATE_MULTI)
    assert status == 200 and updated["name"]["familyName"] == "updatedFamilyName"
    # The account's address is its userName: the emails path is not a way to change it.
    assert updated["userName"] == ENTRA_CREATE["userName"].lower()
    status, disabled = scim("PATCH", f"Users/{user_id}", ENTRA_DISABLE)
    assert status == 200 and disabled["active"] is False
    assert not Membership.objects.filter(organization=org, user_id=user_id).exists()
    scim("PATCH", f"Users/{user_id}", {"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "active", "value": "True"}]})
    status, disabled = scim("PATCH", f"Users/{user_id}", ENTRA_DISABLE_STRING)
    assert status == 200 and disabled["active"] is False


def test_entra_renames_a_person_within_the_verified_domains(scim):
    _, created = scim("POST", "Users", ENTRA_CREATE)
    new_name = "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"
    body = {"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "userName", "value": new_name}]}
    status, renamed = scim("PATCH", f"Users/{created['id']}", body)
    assert status == 200 and renamed["userName"] == new_name
    body["Operations"][0]["value"] = "someone@not-verified.test"
    status, error = scim("PATCH", f"Users/{created['id']}", body)
    assert status == 400 and error["scimType"] == "mutability"


def test_delete_removes_the_person_and_then_answers_404(scim, org):
    _, created = scim("POST", "Users", OKTA_CREATE)
    status, body = scim("DELETE", f"Users/{created['id']}")
    assert status == 204 and body is None
    assert scim("GET", f"Users/{created['id']}")[0] == 404
    assert not Membership.objects.filter(organization=org, user__email="test.user@okta.local").exists()


def test_the_primary_owner_and_the_last_org_admin_are_never_deprovisioned(scim, org, client):
    status, error = scim("PATCH", f"Users/{org.primary.user_id}", OKTA_DEACTIVATE)
    assert status == 409 and error["schemas"] == [ERROR] and "Primary Owner" in error["detail"]
    assert scim("DELETE", f"Users/{org.primary.user_id}")[0] == 409
    assert Membership.objects.filter(pk=org.primary.pk).exists()

    console = OrganizationFactory(slug="console-scim", kind="console", plan="")
    from identity.models import Domain

    Domain.objects.create(organization=console, name="console.test", verified_at="2026-01-01T00:00:00Z")
    admin = MembershipFactory(organization=console, role="admin", user__email="admin@console.test")
    _, token = services.create_scim_token(actor=admin.user, organization=console, name="Entra")
    response = client.patch(f"/scim/v2/Users/{admin.user_id}", data=json.dumps(ENTRA_DISABLE),
                            content_type="application/scim+json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 409 and "last one" in response.json()["detail"]
    assert Membership.objects.filter(pk=admin.pk).exists()


def test_a_token_sees_only_its_organizations_people(scim, org):
    other = OrganizationFactory(slug="other")
    stranger = MembershipFactory(organization=other, user__email=f"stranger@{OKTA_DOMAIN}").user
    assert scim("GET", f"Users/{stranger.pk}")[0] == 404
    assert scim("PATCH", f"Users/{stranger.pk}", OKTA_DEACTIVATE)[0] == 404
    assert scim("DELETE", f"Users/{stranger.pk}")[0] == 404
    _, listed = scim("GET", "Users")
    assert [r["userName"] for r in listed["Resources"]] == [f"primary@{OKTA_DOMAIN}"]


def test_an_address_outside_the_verified_domains_is_refused(scim):
    status, error = scim("POST", "Users", {**OKTA_CREATE, "userName": "ceo@other-company.test"})
    assert status == 400 and error["scimType"] == "invalidValue"
    assert not User.objects.filter(email="ceo@other-company.test").exists()


def test_an_existing_account_is_linked_and_a_second_post_conflicts(scim, org):
    person = UserFactory(email="test.user@okta.local")
    assert scim("POST", "Users", OKTA_CREATE)[0] == 201
    assert Membership.objects.filter(organization=org, user=person).exists()
    status, error = scim("POST", "Users", OKTA_CREATE)
    assert status == 409 and error["scimType"] == "uniqueness"


def test_paging_with_start_index_and_count(scim, org):
    for n in range(4):
        scim("POST", "Users", {**OKTA_CREATE, "userName": f"p{n}@okta.local", "externalId": str(n)})
    _, page = scim("GET", "Users", startIndex=2, count=2)
    assert page["totalResults"] == 5 and page["startIndex"] == 2 and page["itemsPerPage"] == 2
    assert scim("GET", "Users", count="two")[0] == 400


@pytest.mark.parametrize("bad", ['userName sw "a"', 'userName eq', "title eq \"x\"", 'not (userName eq "a")'])
def test_an_unsupported_or_broken_filter_is_a_scim_400(scim, bad):
    status, error = scim("GET", "Users", filter=bad)
    assert status == 400 and error["scimType"] == "invalidFilter" and error["schemas"] == [ERROR]


def test_a_nul_anywhere_in_the_query_is_a_scim_400_before_any_view(scim):
    status, error = scim("GET", "Users", filter="\x00")
    assert status == 400 and error["scimType"] == "invalidValue" and error["schemas"] == [ERROR]


def test_every_error_is_a_scim_error_body(scim, client):
    assert client.get("/scim/v2/Users").json()["schemas"] == [ERROR]  # no token: 401
    assert client.get("/scim/v2/Users", HTTP_AUTHORIZATION="Bearer dmc_scim_nope").status_code == 401
    for status, body in (scim("GET", "Nope"), scim("GET", "Users/abc"), scim("DELETE", "ServiceProviderConfig")):
        assert status in (404, 405) and body["schemas"] == [ERROR]
    response = client.post("/scim/v2/Users", data="{not json", content_type="application/scim+json",
                           HTTP_AUTHORIZATION=f"Bearer {scim.token}")
    assert response.status_code == 400 and response.json()["scimType"] == "invalidSyntax"


def test_discovery_endpoints(scim):
    status, config = scim("GET", "ServiceProviderConfig")
    assert status == 200 and config["patch"]["supported"] is True and config["filter"]["supported"] is True
    _, types = scim("GET", "ResourceTypes")
    assert {r["id"] for r in types["Resources"]} == {"User", "Group"}
    _, schemas = scim("GET", "Schemas")
    assert {r["id"] for r in schemas["Resources"]} == {
        "urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:core:2.0:Group"}
    assert scim("GET", "Schemas/urn:ietf:params:scim:schemas:core:2.0:User")[0] == 200


def test_okta_groups_map_members_to_a_role(scim, org):
    _, alice = scim("POST", "Users", {**OKTA_CREATE, "userName": "alice@okta.local"})
    _, bob = scim("POST", "Users", {**OKTA_CREATE, "userName": "bob@okta.local"})
    status, group = scim("POST", "Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                            "displayName": "Test SCIMv2", "members": []})
    assert status == 201
    services.set_group_role(actor=org.primary.user, organization=org, group_id=int(group["id"]), role="admin")
    add = {"schemas": [PATCH], "Operations": [{"op": "add", "path": "members", "value": [
        {"value": alice["id"], "display": "alice@okta.local"}, {"value": bob["id"], "display": "bob@okta.local"}]}]}
    assert scim("PATCH", f"Groups/{group['id']}", add)[0] == 200
    roles = dict(Membership.objects.filter(organization=org).values_list("user__email", "role"))
    assert roles["alice@okta.local"] == roles["bob@okta.local"] == "admin"
    remove = {"schemas": [PATCH], "Operations": [{"op": "remove", "path": f'members[value eq "{bob["id"]}"]'}]}
    status, body = scim("PATCH", f"Groups/{group['id']}", remove)
    assert status == 200 and [m["value"] for m in body["members"]] == [alice["id"]]
    assert Membership.objects.get(organization=org, user__email="bob@okta.local").role == "member"
    rename = {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"id": group["id"], "displayName": "Renamed"}}]}
    assert scim("PATCH", f"Groups/{group['id']}", rename)[1]["displayName"] == "Renamed"
    assert scim("DELETE", f"Groups/{group['id']}")[0] == 204
    assert Membership.objects.get(organization=org, user__email="alice@okta.local").role == "member"


def test_entra_groups_shapes(scim, org):
    _, person = scim("POST", "Users", ENTRA_CREATE)
    status, group = scim("POST", "Groups", {
        "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", "displayName": "displayName",
        "meta": {"resourceType": "Group"}, "members": [], "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"]})
    assert status == 201
    _, found = scim("GET", "Groups", excludedAttributes="members", filter='displayName eq "displayName"')
    assert found["totalResults"] == 1 and "members" not in found["Resources"][0]
    add = {"schemas": [PATCH], "Operations": [{"op": "Add", "path": "members", "value": [{"$ref": None, "value": person["id"]}]}]}
    assert scim("PATCH", f"Groups/{group['id']}", add)[0] == 200
    _, member_check = scim("GET", "Groups", excludedAttributes="members",
                           filter=f'id eq "{group["id"]}" and members eq "{person["id"]}"')
    assert member_check["totalResults"] == 1
    rename = {"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "displayName", "value": "updatedDisplayName"}]}
    assert scim("PATCH", f"Groups/{group['id']}", rename)[1]["displayName"] == "updatedDisplayName"
    remove = {"schemas": [PATCH], "Operations": [{"op": "Remove", "path": "members", "value": [{"$ref": None, "value": person["id"]}]}]}
    assert scim("PATCH", f"Groups/{group['id']}", remove)[1]["members"] == []
    assert SCIMGroup.objects.get().members.count() == 0


def test_group_events_read_only_what_changed(scim, org):
    from audit.actions import describe_changes

    def words(action):
        event = AuditEvent.objects.filter(action=action).order_by("-seq").first()
        return [str(c) for c in describe_changes(org, action, event.old_value, event.new_value)]

    _, person = scim("POST", "Users", {**OKTA_CREATE, "userName": "carol@okta.local"})
    _, group = scim("POST", "Groups", {"displayName": "Sales", "externalId": "ext-1", "members": [{"value": person["id"]}]})
    assert words("identity.scim.group.updated") == ["Members added: carol@okta.local"]
    rename = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "displayName", "value": "Field sales"}]}
    assert scim("PATCH", f"Groups/{group['id']}", rename)[0] == 200
    assert words("identity.scim.group.updated") == ["Name: Sales → Field sales"]
    assert scim("PATCH", f"Groups/{group['id']}", {"schemas": [PATCH], "Operations": [{"op": "remove", "path": "members"}]})[0] == 200
    assert words("identity.scim.group.updated") == ["Members removed: carol@okta.local"]
    for role in ("admin", ""):
        services.set_group_role(actor=org.primary.user, organization=org, group_id=int(group["id"]), role=role)
    assert words("identity.scim.group.role.changed") == ["Role: Admin → No role"]


def test_joining_or_leaving_a_group_mapped_to_no_role_changes_nobodys_role(scim, org):
    admin = MembershipFactory(organization=org, role="admin", user__email="lead@okta.local")
    _, group = scim("POST", "Groups", {"displayName": "Book club", "members": [{"value": str(admin.user_id)}]})
    assert Membership.objects.get(pk=admin.pk).role == "admin"
    assert scim("PATCH", f"Groups/{group['id']}", {"schemas": [PATCH], "Operations": [{"op": "remove", "path": "members"}]})[0] == 200
    assert scim("DELETE", f"Groups/{group['id']}")[0] == 204
    assert Membership.objects.get(pk=admin.pk).role == "admin"


def test_leaving_a_mapped_group_keeps_the_role_another_mapped_group_gives(scim, org):
    _, person = scim("POST", "Users", {**OKTA_CREATE, "userName": "dana@okta.local"})
    member = [{"value": person["id"]}]
    _, admins = scim("POST", "Groups", {"displayName": "Admins", "members": member})
    _, staff = scim("POST", "Groups", {"displayName": "Staff", "members": member})
    for group, role in ((admins, "admin"), (staff, "member")):
        services.set_group_role(actor=org.primary.user, organization=org, group_id=int(group["id"]), role=role)
    assert Membership.objects.get(organization=org, user__email="dana@okta.local").role == "admin"
    assert scim("DELETE", f"Groups/{staff['id']}")[0] == 204
    assert Membership.objects.get(organization=org, user__email="dana@okta.local").role == "admin"
    assert scim("DELETE", f"Groups/{admins['id']}")[0] == 204
    assert Membership.objects.get(organization=org, user__email="dana@okta.local").role == "member"


def test_a_group_role_never_changes_an_owner(scim, org):
    owner = MembershipFactory(organization=org, role="owner", user__email="owner@okta.local")
    _, group = scim("POST", "Groups", {"displayName": "Everyone", "members": [{"value": str(owner.user_id)}]})
    services.set_group_role(actor=org.primary.user, organization=org, group_id=int(group["id"]), role="member")
    assert Membership.objects.get(pk=owner.pk).role == "owner"


def test_a_revoked_token_is_refused_at_once_and_use_is_recorded(scim, org):
    assert scim("GET", "Users")[0] == 200
    record = SCIMToken.objects.get()
    assert record.last_used_at is not None
    services.revoke_scim_token(actor=org.primary.user, organization=org, token_id=record.pk)
    status, error = scim("GET", "Users")
    assert status == 401 and error["schemas"] == [ERROR]


def test_scim_is_throttled_per_organization(scim, settings):
    settings.SCIM_REQUESTS_PER_MINUTE = 3
    statuses = [scim("GET", "ServiceProviderConfig")[0] for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_the_scim_token_command_prints_the_token_on_its_last_line(org, capsys, client):
    call_command("scim_token", "acme-scim", "--name", "Entra ID")
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert token.startswith("dmc_scim_")
    assert client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert SCIMToken.objects.get(name="Entra ID").token_hash != token
    event = AuditEvent.objects.get(action="identity.scim_token.created")
    assert token not in json.dumps(event.new_value)


@pytest.mark.parametrize("body", [
    '{"userName": "\\ud800@okta.local"}', '{"userName": "a\\u0000@okta.local"}', '{"userName": ["x"]}', "[]", '"x"',
    '{"userName": "x@okta.local", "active": "maybe"}', '{"userName": "' + "a" * 300 + '@okta.local"}',
])
def test_worst_user_bodies_are_scim_400s(scim, client, body):
    response = client.post("/scim/v2/Users", data=body, content_type="application/scim+json",
                           HTTP_AUTHORIZATION=f"Bearer {scim.token}")
    assert response.status_code == 400 and response.json()["schemas"] == [ERROR]
