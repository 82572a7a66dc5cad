"""One rule decides an invitation's status, and every reader agrees with it.

The staff admin (list, filter), the Members page, the Admin API, the mail sender and the link a
person opens all read identity.invitation_status; filter_by_status says the same rule in SQL.
The case that used to disagree: an invitation whose sender was demoted since it was sent. The
admin called it "Pending" while the link refused it.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.services import create_api_key
from identity import invitations
from identity.invitation_status import InvitationStatus, filter_by_status, invitation_status
from identity.models import Invitation
from orgs.models import Membership
from tests.factories import InvitationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMIN_LIST = "/admin/identity/invitation/"


@pytest.fixture
def every_status(claude_members):
    """One invitation of each status to the claude org, by status; the demoted and the departed sender's lapse."""
    org = claude_members["owner"].organization
    owner = claude_members["owner"].user
    now = timezone.now()
    demoted = MembershipFactory(organization=org, role="owner")
    departed = MembershipFactory(organization=org, role="owner")
    made = {
        "pending": InvitationFactory(organization=org, invited_by=owner, role="admin"),
        "expired": InvitationFactory(organization=org, invited_by=owner, sent_at=now - timedelta(days=8)),
        "accepted": InvitationFactory(organization=org, invited_by=owner, accepted_at=now),
        "revoked": InvitationFactory(organization=org, invited_by=owner, revoked_at=now),
        "lapsed-demoted": InvitationFactory(organization=org, invited_by=demoted.user, role="admin"),
        "lapsed-departed": InvitationFactory(organization=org, invited_by=departed.user, role="member"),
    }
    Membership.objects.filter(pk=demoted.pk).update(role="member")
    Membership.objects.filter(pk=departed.pk).delete()
    return made


def _expected(name):
    return InvitationStatus(name.split("-")[0])


def test_the_status_of_each_invitation(every_status):
    now = timezone.now()
    for name, invitation in every_status.items():
        assert invitation_status(Invitation.objects.get(pk=invitation.pk), now) == _expected(name), name


def test_the_sql_rule_selects_exactly_what_the_function_says(every_status, console_members):
    # Console orgs too: there Org Admins invite, and peers may give their own role.
    console_org = console_members["admin"].organization
    InvitationFactory(organization=console_org, invited_by=console_members["admin"].user, role="admin")
    InvitationFactory(organization=console_org, invited_by=console_members["developer"].user, role="user")
    now = timezone.now()
    by_function = {}
    for invitation in Invitation.objects.all():
        by_function.setdefault(invitation_status(invitation, now), set()).add(invitation.pk)
    for status in InvitationStatus:
        selected = set(filter_by_status(Invitation.objects.all(), status, now).values_list("pk", flat=True))
        assert selected == by_function.get(status, set()), status
    assert by_function[InvitationStatus.LAPSED] >= {every_status["lapsed-demoted"].pk, every_status["lapsed-departed"].pk}


def test_staff_read_the_same_status_and_filter_by_it(client, every_status):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(ADMIN_LIST)
    rows = {row.email: row for row in page.context["cl"].result_list}
    admin = page.context["cl"].model_admin
    for name, invitation in every_status.items():
        assert admin.status(rows[invitation.email]) == _expected(name).label, name
    for status in InvitationStatus:
        listed = {i.email for i in client.get(ADMIN_LIST, {"status": status.value}).context["cl"].result_list}
        assert listed == {i.email for n, i in every_status.items() if _expected(n) == status}, status


def test_the_link_refuses_every_status_but_pending_with_its_reason(client, every_status):
    for name, invitation in every_status.items():
        response = client.get(reverse("identity:invitation", args=[invitation.token]))
        status = _expected(name)
        if status == InvitationStatus.PENDING:
            assert response.status_code == 200, name
        else:
            assert response.status_code == 410, name
            assert invitations.REFUSAL_BY_STATUS[status] in response.content.decode(), name


def test_the_api_and_the_members_page_name_the_same_status(client, claude_members, every_status):
    owner = claude_members["owner"]
    _, key = create_api_key(actor=owner.user, organization=owner.organization, name="reader", scopes=["read"])
    body = client.get(f"/api/v1/orgs/{owner.organization.slug}/invitations", headers={"x-api-key": key}).json()
    by_email = {item["email"]: item["status"] for item in body["data"]}
    client.force_login(owner.user)
    page = client.get(reverse("orgs:members", args=[owner.organization.slug])).content.decode()
    for name, invitation in every_status.items():
        assert by_email[invitation.email] == _expected(name).value, name
        if _expected(name) in {InvitationStatus.ACCEPTED, InvitationStatus.REVOKED}:
            assert f'data-invitation="{invitation.email}"' not in page  # the page lists open ones only
        else:
            row = page.split(f'data-invitation="{invitation.email}"')[1].split("</tr>")[0]
            assert f'data-status="{_expected(name).value}"' in row, name


def test_only_a_pending_invitation_is_mailed(every_status):
    for name, invitation in every_status.items():
        sent = invitations.send_invitation_email(invitation_id=invitation.pk, nonce=invitation.nonce)
        assert sent == (1 if _expected(name) == InvitationStatus.PENDING else 0), name


def test_a_resend_by_someone_who_may_give_the_role_revives_a_lapsed_invitation(claude_members, every_status):
    lapsed = every_status["lapsed-demoted"]
    owner = claude_members["owner"].user
    invitations.resend_invitation(actor=owner, invitation=lapsed)
    lapsed = Invitation.objects.get(pk=lapsed.pk)
    assert invitation_status(lapsed, timezone.now()) == InvitationStatus.PENDING
    assert (lapsed.invited_by, lapsed.invited_by_email) == (owner, owner.email)


def test_the_members_page_form_posts_to_the_invitations_own_url(client, claude_members):
    owner = claude_members["owner"]
    client.force_login(owner.user)
    slug = owner.organization.slug
    page = client.get(reverse("orgs:members", args=[slug])).content.decode()
    assert f'action="{reverse("identity:invite", args=[slug])}"' in page
    # The Members page itself takes no form any more.
    assert client.post(reverse("orgs:members", args=[slug]), {"email": "new@example.test", "role": "member"}).status_code == 405
    assert not Invitation.objects.exists()


def test_links_on_a_refused_invitations_page_lead_back_to_the_members_page(client, claude_members):
    # A refused invitation renders the Members page at the invitations' URL; its relative page links land here.
    owner = claude_members["owner"]
    client.force_login(owner.user)
    slug = owner.organization.slug
    refused = client.post(reverse("identity:invite", args=[slug]), {"email": owner.user.email, "role": "member"})
    assert refused.status_code == 400 and refused.request["PATH_INFO"] == reverse("identity:invite", args=[slug])
    followed = client.get(reverse("identity:invite", args=[slug]), {"page": "2"})
    assert followed.status_code == 302 and followed["Location"] == reverse("orgs:members", args=[slug]) + "?page=2"
