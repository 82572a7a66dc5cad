"""Staff see every organization's invitations and revoke open ones, through the service, on the record."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from audit.models import AuditEvent
from identity.models import Invitation
from tests.factories import InvitationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/identity/invitation/"


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, email="root@example.test"))
    return client


@pytest.fixture
def four_invitations(claude_org):
    inviter = MembershipFactory(organization=claude_org, role="owner").user
    now = timezone.now()
    return {
        "pending": InvitationFactory(organization=claude_org, invited_by=inviter, email="pending@example.test"),
        "expired": InvitationFactory(
            organization=claude_org, invited_by=inviter, email="expired@example.test",
            sent_at=now - timedelta(days=8),
        ),
        "accepted": InvitationFactory(
            organization=claude_org, invited_by=inviter, email="accepted@example.test", accepted_at=now
        ),
        "revoked": InvitationFactory(
            organization=claude_org, invited_by=inviter, email="revoked@example.test", revoked_at=now
        ),
    }


def _listed(response):
    return sorted(i.email for i in response.context["cl"].result_list)


def test_staff_list_every_invitation_with_its_status_and_never_its_token(staff_client, four_invitations):
    response = staff_client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert _listed(response) == sorted(i.email for i in four_invitations.values())
    for word in ("Pending", "Expired", "Accepted", "Revoked"):
        assert f">{word}<" in html
    detail = staff_client.get(f"{LIST}{four_invitations['pending'].pk}/change/").content.decode()
    for invitation in four_invitations.values():
        assert invitation.token_hash not in html and invitation.token_hash not in detail
        assert invitation.token not in html and invitation.token not in detail


@pytest.mark.parametrize("status", ["pending", "expired", "accepted", "revoked"])
def test_the_status_filter_lists_only_that_status(staff_client, four_invitations, status):
    assert _listed(staff_client.get(LIST, {"status": status})) == [f"{status}@example.test"]


def test_search_is_an_exact_address_or_an_org_slug(staff_client, four_invitations, console_org):
    InvitationFactory(organization=console_org, email="elsewhere@example.test")
    assert _listed(staff_client.get(LIST, {"q": " Pending@Example.test "})) == ["pending@example.test"]
    assert _listed(staff_client.get(LIST, {"q": "pending"})) == []
    assert _listed(staff_client.get(LIST, {"q": "console-org"})) == ["elsewhere@example.test"]
    assert staff_client.get(LIST, {"q": "a\x00b@example.test"}).status_code == 400  # unreadable: refused before the search


def test_staff_revoke_open_invitations_through_the_service_and_closed_ones_are_refused(
    staff_client, four_invitations
):
    chosen = [four_invitations[k].pk for k in ("pending", "expired", "accepted")]
    response = staff_client.post(
        LIST, {"action": "revoke_selected", "_selected_action": chosen}, follow=True
    )
    texts = [str(m) for m in response.context["messages"]]
    assert "Revoked 2 invitations." in texts
    assert any(t.startswith("accepted@example.test") and "already accepted or revoked" in t for t in texts)
    states = {i.email: (i.revoked_at is not None, i.accepted_at is not None) for i in Invitation.objects.all()}
    assert states["pending@example.test"] == (True, False)
    assert states["expired@example.test"] == (True, False)
    assert states["accepted@example.test"] == (False, True)
    events = AuditEvent.objects.filter(action="member.invitation_revoked").order_by("target")
    assert [(e.target, e.actor_email) for e in events] == [
        ("member:expired@example.test", "root@example.test"), ("member:pending@example.test", "root@example.test"),
    ]
    assert staff_client.get("/invitations/" + four_invitations["pending"].token + "/").status_code == 410


def test_staff_without_the_change_permission_see_the_list_but_cannot_revoke(client, four_invitations):
    viewer = UserFactory(is_staff=True, email="viewer@example.test")
    viewer.user_permissions.add(Permission.objects.get(codename="view_invitation"))
    client.force_login(viewer)
    response = client.get(LIST)
    assert response.status_code == 200
    assert "revoke_selected" not in response.content.decode()
    pending = four_invitations["pending"]
    client.post(LIST, {"action": "revoke_selected", "_selected_action": [pending.pk]})
    pending.refresh_from_db()
    assert pending.revoked_at is None
    assert not AuditEvent.objects.filter(action="member.invitation_revoked").exists()


def test_a_staff_member_inside_the_org_acts_with_their_role_there(client, four_invitations, claude_org):
    # Staff who are only a Member of the organization may not revoke its invitations, admin or not.
    insider = UserFactory(is_staff=True, is_superuser=True, email="insider@example.test")
    MembershipFactory(organization=claude_org, user=insider, role="member")
    client.force_login(insider)
    pending = four_invitations["pending"]
    response = client.post(LIST, {"action": "revoke_selected", "_selected_action": [pending.pk]}, follow=True)
    assert any("permission" in str(m).lower() for m in response.context["messages"])
    pending.refresh_from_db()
    assert pending.revoked_at is None


@pytest.mark.parametrize("bad", ["abc", "\x01", "1.5", "-1", str(2**70), "٣"])  # a NUL is a 400 before the admin
def test_an_action_on_a_selection_that_is_not_row_ids_answers_with_a_message(staff_client, four_invitations, bad):
    pending = four_invitations["pending"]
    response = staff_client.post(
        LIST, {"action": "revoke_selected", "_selected_action": [str(pending.pk), bad]}, follow=True
    )
    assert response.status_code == 200
    assert "The selection was not understood" in [str(m) for m in response.context["messages"]][0]
    pending.refresh_from_db()
    assert pending.revoked_at is None
