"""Invitations: who may invite with which role, the Members page's form and list, and the link's pages."""

from datetime import UTC, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from console.addresses import ERR_EMAIL_INVALID
from console.models import OutboxMessage, User
from identity import invitations
from identity.models import Invitation, hash_invitation_token, invitation_link_token
from orgs import notices, services
from orgs.models import Membership
from tests.conftest import CLAUDE_ROLES, CONSOLE_ROLES
from tests.factories import PASSWORD, InvitationFactory, MembershipFactory, UserFactory
from tests.smtp import LINK

pytestmark = pytest.mark.django_db

# Who may invite with which role: member managers, up to their own rank, never Primary Owner.
MAY_INVITE = {
    ("claude", "primary_owner"): {"owner", "admin", "member"},
    ("claude", "owner"): {"owner", "admin", "member"},
    ("console", "admin"): {"admin", "developer", "billing", "user"},
}
CELLS = [("claude", actor, role) for actor in CLAUDE_ROLES for role in CLAUDE_ROLES] + [
    ("console", actor, role) for actor in CONSOLE_ROLES for role in CONSOLE_ROLES
]
NEW_PASSWORD = "a-long-pass-phrase"


def _members(kind, claude_members, console_members):
    return claude_members if kind == "claude" else console_members


def _members_url(org):
    return reverse("orgs:members", args=[org.slug])


def _invite_url(org):
    return reverse("identity:invite", args=[org.slug])


@pytest.mark.parametrize(("kind", "actor", "role"), CELLS, ids=[f"{k}-{a}-invites-{r}" for k, a, r in CELLS])
def test_only_member_managers_invite_and_never_above_their_own_role(
    kind, actor, role, claude_members, console_members, django_capture_on_commit_callbacks
):
    actor_m = _members(kind, claude_members, console_members)[actor]
    allowed = role in MAY_INVITE.get((kind, actor), set())
    with django_capture_on_commit_callbacks() as callbacks:
        if allowed:
            invitation = invitations.invite_member(
                actor=actor_m.user, organization=actor_m.organization, email="new@example.test", role=role
            )
            assert (invitation.email, invitation.role, invitation.invited_by) == ("new@example.test", role, actor_m.user)
        else:
            with pytest.raises(services.ServiceError):
                invitations.invite_member(
                    actor=actor_m.user, organization=actor_m.organization, email="new@example.test", role=role
                )
    assert Invitation.objects.exists() is allowed
    assert AuditEvent.objects.filter(action="member.invited").count() == int(allowed)
    assert len(callbacks) == int(allowed)  # one e-mail queued after commit, none for a refusal


def test_an_enterprise_admin_cannot_invite_and_sees_no_form(client, claude_members):
    admin = claude_members["admin"]
    client.force_login(admin.user)
    page = client.get(_members_url(admin.organization))
    assert page.status_code == 200 and 'name="email"' not in page.content.decode()
    response = client.post(_invite_url(admin.organization), {"email": "new@example.test", "role": "member"})
    assert response.status_code == 403
    assert not Invitation.objects.exists() and not AuditEvent.objects.exists()


def test_the_form_offers_only_the_roles_the_person_may_give(client, claude_members):
    client.force_login(claude_members["owner"].user)
    form = client.get(_members_url(claude_members["owner"].organization)).context["invite_form"]
    assert [value for value, _ in form.grantable] == ["owner", "admin", "member"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not-an-address", "role": "member"}, "email", ERR_EMAIL_INVALID),
        ({"email": "new@example.test", "role": "primary_owner"}, "role", invitations.ERR_INVITE_PRIMARY),
        ({"email": "new@example.test", "role": "developer"}, "role", "Select a valid choice."),
    ],
)
def test_a_bad_invitation_is_a_form_error_next_to_its_field(client, claude_members, data, field, message):
    owner = claude_members["owner"]
    client.force_login(owner.user)
    response = client.post(_invite_url(owner.organization), data)
    assert response.status_code == 400
    assert any(message in error for error in response.context["invite_form"].errors[field])
    assert f'id="invite-{field}-errors"' in response.content.decode()
    assert not Invitation.objects.exists()


def test_inviting_a_member_or_inviting_twice_is_a_clear_form_error(client, claude_members):
    owner = claude_members["owner"]
    client.force_login(owner.user)
    member_email = claude_members["member"].user.email.upper()
    response = client.post(_invite_url(owner.organization), {"email": member_email, "role": "member"})
    assert response.status_code == 400
    assert response.context["invite_form"].errors["email"] == [invitations.ERR_ALREADY_MEMBER]

    assert client.post(_invite_url(owner.organization), {"email": "new@example.test", "role": "member"}).status_code == 302
    again = client.post(_invite_url(owner.organization), {"email": "NEW@example.test", "role": "admin"})
    assert again.status_code == 400
    assert again.context["invite_form"].errors["email"] == [invitations.ERR_ALREADY_INVITED]
    assert Invitation.objects.get().role == "member"


def test_at_most_50_invitations_a_day_per_organization(client, claude_members):
    owner = claude_members["owner"]
    for i in range(invitations.INVITATIONS_PER_DAY):
        invitations.invite_member(actor=owner.user, organization=owner.organization, email=f"p{i}@example.test", role="member")
    client.force_login(owner.user)
    response = client.post(_invite_url(owner.organization), {"email": "one-more@example.test", "role": "member"})
    assert response.status_code == 400
    assert response.context["invite_form"].errors["email"] == [invitations.ERR_DAILY_CAP.format(limit=50)]
    assert Invitation.objects.count() == 50
    invitation = Invitation.objects.first()
    with pytest.raises(services.ServiceError, match="50 invitations in the last 24 hours"):
        invitations.resend_invitation(actor=owner.user, invitation=invitation)
    # Another organization has its own allowance.
    other = MembershipFactory(role="owner")
    invitations.invite_member(actor=other.user, organization=other.organization, email="one-more@example.test", role="member")


def test_the_members_page_lists_pending_invitations_with_resend_and_revoke(client, claude_members):
    owner = claude_members["owner"]
    InvitationFactory(organization=owner.organization, email="pending@example.test", invited_by=owner.user)
    InvitationFactory(organization=owner.organization, email="gone@example.test", revoked_at=timezone.now())
    client.force_login(owner.user)
    html = client.get(_members_url(owner.organization)).content.decode()
    assert 'data-invitation="pending@example.test"' in html and "gone@example.test" not in html
    assert "Resend" in html and "Revoke" in html
    client.force_login(claude_members["member"].user)
    assert "pending@example.test" not in client.get(_members_url(owner.organization)).content.decode()


def test_resend_issues_a_new_link_and_the_old_one_stops_working(client, claude_members, django_capture_on_commit_callbacks):
    owner = claude_members["owner"]
    invitation = InvitationFactory(organization=owner.organization, invited_by=owner.user, sent_at=timezone.now() - timedelta(days=6))
    old_token, old_hash = invitation.token, invitation.token_hash
    client.force_login(owner.user)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("identity:invitation-resend", args=[owner.organization.slug, invitation.pk]))
    assert response.status_code == 302 and len(callbacks) == 1
    invitation.refresh_from_db()
    assert invitation.token_hash != old_hash
    assert invitation.expires_at > timezone.now() + timedelta(days=6, hours=23)
    assert client.__class__().get(f"/invitations/{old_token}/").status_code == 404
    assert AuditEvent.objects.filter(action="member.invitation_resent").count() == 1


def test_a_revoked_link_says_so_and_changes_nothing(client, claude_members):
    owner = claude_members["owner"]
    invitation = InvitationFactory(organization=owner.organization, invited_by=owner.user)
    client.force_login(owner.user)
    assert client.post(reverse("identity:invitation-revoke", args=[owner.organization.slug, invitation.pk])).status_code == 302
    event = AuditEvent.objects.get(action="member.invitation_revoked")
    assert (event.target, event.old_value) == (f"member:{invitation.email}", "member")

    visitor = client.__class__()
    for method in (visitor.get, visitor.post):
        response = method(f"/invitations/{invitation.token}/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        assert response.status_code == 410
        assert invitations.ERR_INVITATION_REVOKED in response.content.decode()
    assert not User.objects.filter(email=invitation.email).exists()
    assert Membership.objects.filter(organization=owner.organization).count() == 4


def test_an_expired_link_says_so_and_changes_nothing(client, claude_members):
    owner = claude_members["owner"]
    sent = timezone.now() - timedelta(days=7, seconds=1)
    invitation = InvitationFactory(organization=owner.organization, invited_by=owner.user, sent_at=sent)
    response = client.post(f"/invitations/{invitation.token}/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 410 and "has expired" in response.content.decode()
    assert not User.objects.filter(email=invitation.email).exists()
    # Inviting the address again issues the same invitation anew.
    again = invitations.invite_member(actor=owner.user, organization=owner.organization, email=invitation.email, role="admin")
    assert again.pk == invitation.pk and again.role == "admin" and again.expires_at > timezone.now()


def test_an_unknown_link_is_404_with_a_plain_message(client):
    response = client.get("/invitations/not-a-real-token/")
    assert response.status_code == 404 and invitations.ERR_INVITATION_UNKNOWN in response.content.decode()


def test_a_new_person_chooses_a_password_that_djangos_validators_accept(client, claude_members):
    invitation = InvitationFactory(organization=claude_members["owner"].organization, invited_by=claude_members["owner"].user)
    link = f"/invitations/{invitation.token}/"
    page = client.get(link)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    for bad, error in [("short", "too short"), ("password123", "too common"), ("12345678901", "entirely numeric")]:
        response = client.post(link, {"password1": bad, "password2": bad})
        assert response.status_code == 400 and error in response.content.decode()
    mismatch = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert "The two passwords differ." in mismatch.content.decode()
    assert not User.objects.filter(email=invitation.email).exists()
    assert client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 302
    assert User.objects.get(email=invitation.email).check_password(NEW_PASSWORD)


def test_a_person_with_an_account_signs_in_then_accepts(client, claude_members):
    owner = claude_members["owner"]
    person = UserFactory(email="has-account@example.test")
    invitation = InvitationFactory(organization=owner.organization, invited_by=owner.user, email=person.email, role="admin")
    link = f"/invitations/{invitation.token}/"
    signed_out = client.get(link)
    assert signed_out.context["state"] == "sign-in"
    assert f'href="/accounts/login/?next=%2Finvitations%2F{invitation.token}%2F"' in signed_out.content.decode()
    # A new account cannot be made for an address that has one.
    assert client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).context["state"] == "sign-in"

    signed_in = client.post("/accounts/login/", {"username": person.email, "password": PASSWORD, "next": link})
    assert signed_in["Location"] == link
    assert client.get(link).context["state"] == "accept"
    assert not Membership.objects.filter(user=person).exists()
    joined = client.post(link)
    assert joined["Location"] == reverse("orgs:overview", args=[owner.organization.slug])
    assert Membership.objects.get(user=person, organization=owner.organization).role == "admin"
    assert not person.check_password(NEW_PASSWORD)


def test_someone_signed_in_with_another_account_cannot_accept(client, claude_members):
    invitation = InvitationFactory(organization=claude_members["owner"].organization, invited_by=claude_members["owner"].user)
    client.force_login(claude_members["member"].user)
    assert client.post(f"/invitations/{invitation.token}/").status_code == 403
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not Membership.objects.filter(user__email=invitation.email).exists()


def test_an_invitation_lapses_when_its_sender_may_no_longer_give_the_role(client, claude_members):
    owner = claude_members["owner"]
    invitation = InvitationFactory(organization=owner.organization, invited_by=owner.user, role="owner")
    services.change_member_role(actor=claude_members["primary_owner"].user, membership=owner, role="admin")
    response = client.post(f"/invitations/{invitation.token}/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 410 and "no longer valid" in response.content.decode()
    assert not User.objects.filter(email=invitation.email).exists()


def _queued_payloads():
    """What the outbox holds, oldest first."""
    return [m.payload for m in OutboxMessage.objects.order_by("pk")]


def _mailed_token(message):
    return LINK.search(message.body).group(1)


def test_the_invitation_email_names_the_organization_the_inviter_the_role_and_the_link(claude_members):
    owner = claude_members["owner"]
    invitation = InvitationFactory(organization=owner.organization, invited_by=owner.user, role="admin")
    assert invitations.send_invitation_email(invitation_id=invitation.pk, nonce=invitation.nonce) == 1
    [message] = mail.outbox
    assert message.to == [invitation.email]
    assert message.subject == f"{owner.user.email} invited you to Claude Enterprise Org on the Data Management Console"
    link = f"http://testserver/invitations/{invitation.token}/"
    html = message.alternatives[0][0]
    for part in (message.body, html):
        assert link in part and "Claude Enterprise Org" in part and owner.user.email in part and "Admin" in part
        assert "expires on" in part and " UTC" in part
    assert "&amp;" not in message.body and "<" not in message.body


def test_only_the_hash_of_the_mailed_token_is_stored(claude_members, django_capture_on_commit_callbacks):
    owner = claude_members["owner"]
    with django_capture_on_commit_callbacks():
        invitations.invite_member(actor=owner.user, organization=owner.organization, email="new@example.test", role="member")
    invitations.send_invitation_email(**_queued_payloads()[0])
    token = LINK.search(mail.outbox[0].body).group(1)
    assert len(token) >= 43  # 256 bits
    row = Invitation.objects.values().get()
    assert row["token_hash"] == hash_invitation_token(token)
    assert not [name for name, value in row.items() if token in str(value)]


def test_what_the_outbox_holds_for_an_invitation_opens_nothing_without_the_servers_key(claude_members, settings):
    owner = claude_members["owner"]
    invitation = invitations.invite_member(
        actor=owner.user, organization=owner.organization, email="new@example.test", role="member"
    )
    [payload] = _queued_payloads()
    invitation_id, nonce = payload["invitation_id"], payload["nonce"]
    assert invitation_id == invitation.pk
    # Neither value the task is given opens the invitation; the key turns the nonce into the link.
    invitee = UserFactory(email="new@example.test")
    for value in (str(invitation_id), nonce):
        assert hash_invitation_token(value) != invitation.token_hash
        with pytest.raises(services.ServiceError):
            invitations.accept_invitation(token=value, user=invitee)
    assert hash_invitation_token(invitation_link_token(nonce)) == invitation.token_hash
    settings.SECRET_KEY = "another key entirely, as an attacker holding only the broker would have"
    assert hash_invitation_token(invitation_link_token(nonce)) != invitation.token_hash
    assert not Membership.objects.filter(user=invitee).exists()


def test_the_mailed_link_opens_the_invitation(claude_members, client):
    owner = claude_members["owner"]
    invitation = InvitationFactory(organization=owner.organization, invited_by=owner.user)
    invitations.send_invitation_email(invitation_id=invitation.pk, nonce=invitation.nonce)
    token = LINK.search(mail.outbox[0].body).group(1)
    assert client.get(f"/invitations/{token}/").status_code == 200


def test_a_stale_invitation_email_is_not_sent(claude_members):
    invitation = InvitationFactory(organization=claude_members["owner"].organization, invited_by=claude_members["owner"].user)
    assert invitations.send_invitation_email(invitation_id=invitation.pk, nonce="an-older-nonce") == 0
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    assert invitations.send_invitation_email(invitation_id=invitation.pk, nonce=invitation.nonce) == 0
    assert mail.outbox == []


def test_no_mail_goes_out_for_a_link_the_invitee_would_find_dead(claude_members):
    owner = claude_members["owner"]
    expired = InvitationFactory(
        organization=owner.organization, invited_by=owner.user, sent_at=timezone.now() - timedelta(days=8)
    )
    void = InvitationFactory(organization=owner.organization, invited_by=owner.user, role="owner")
    services.change_member_role(actor=claude_members["primary_owner"].user, membership=owner, role="admin")
    for invitation in (expired, void):
        assert invitations.send_invitation_email(invitation_id=invitation.pk, nonce=invitation.nonce) == 0
    assert mail.outbox == []


def test_a_resend_voids_the_message_still_queued_for_the_old_link(claude_members, django_capture_on_commit_callbacks):
    owner = claude_members["owner"]
    invitation = InvitationFactory(organization=owner.organization, invited_by=owner.user)
    with django_capture_on_commit_callbacks():
        invitations.resend_invitation(actor=owner.user, invitation=invitation)
    new_nonce = _queued_payloads()[-1]["nonce"]
    assert invitations.send_invitation_email(invitation_id=invitation.pk, nonce=invitation.nonce) == 0
    assert invitations.send_invitation_email(invitation_id=invitation.pk, nonce=new_nonce) == 1
    assert len(mail.outbox) == 1


def test_the_notice_says_which_setting_old_and_new_who_when_and_where(claude_members, django_capture_on_commit_callbacks):
    owner, primary = claude_members["owner"], claude_members["primary_owner"]
    with django_capture_on_commit_callbacks() as callbacks:
        services.set_feedback_setting(actor=owner.user, organization=owner.organization, enabled=False)
    assert len(callbacks) == 1  # the worker is nudged once, after commit
    # The primary owner only: not the actor, not the admin or member.
    assert [p["user_id"] for p in _queued_payloads()] == [primary.user.pk]
    event = AuditEvent.objects.get(action="settings.thumbs_feedback.changed")
    assert notices.send_setting_notice(event_id=event.pk, user_id=primary.user.pk) == 1
    [message] = mail.outbox
    assert message.to == [primary.user.email]
    when = event.created_at.astimezone(UTC)
    named = f"{when:%A} {when.day} {when:%B %Y, %H:%M} UTC"
    for part in (message.body, message.alternatives[0][0]):
        assert "Thumbs Feedback" in part and owner.user.email in part and named in part
        assert "http://testserver/orgs/claude-ent/settings/data-management/" in part
    assert "on → off" in message.body


def test_a_team_plan_or_unchanged_setting_notifies_nobody(team_members, claude_members, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.set_feedback_setting(actor=claude_members["owner"].user, organization=claude_members["owner"].organization, enabled=True)
        with pytest.raises(services.ServiceError):
            services.set_feedback_setting(actor=team_members["owner"].user, organization=team_members["owner"].organization, enabled=False)
    assert callbacks == []


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("admın@example.test", "look-alikes"),  # a dotless ı (Django's own check lets it through)
        ("ſam@example.test", "look-alikes"),  # a long s
        ("\u212aate@example.test", "look-alikes"),  # a Kelvin sign
        ("ｋａｔｅ@example.test", "look-alikes"),  # full-width letters
        ("kаte@example.test", "look-alikes"),  # a Cyrillic а
        ("kate@exаmple.test", "mixes alphabets"),
        ("kate@examp\u217cе.test", "looks like a plain letter"),  # a small roman numeral fifty
    ],
)
def test_an_invitation_to_a_look_alike_address_is_a_form_error(client, claude_members, typed, error):
    owner = claude_members["owner"]
    client.force_login(owner.user)
    response = client.post(_invite_url(owner.organization), {"email": typed, "role": "member"})
    assert response.status_code == 400
    assert error in response.context["invite_form"].errors["email"][0]
    assert not Invitation.objects.exists()
    with pytest.raises(invitations.FieldError):
        invitations.invite_member(actor=owner.user, organization=owner.organization, email=typed, role="member")


def test_a_spelling_that_folds_onto_a_member_or_an_open_invitation_is_refused_as_theirs(client, claude_members):
    owner = claude_members["owner"]
    MembershipFactory(organization=owner.organization, role="member", user=UserFactory(email="kate@bücher.example"))
    client.force_login(owner.user)
    for spelling in ["KATE@XN--BCHER-KVA.EXAMPLE", " Kate@BÜCHER.example "]:
        response = client.post(_invite_url(owner.organization), {"email": spelling, "role": "member"})
        assert response.context["invite_form"].errors["email"] == [invitations.ERR_ALREADY_MEMBER]
    assert client.post(_invite_url(owner.organization), {"email": "ann@bücher.example", "role": "member"}).status_code == 302
    response = client.post(_invite_url(owner.organization), {"email": "ANN@xn--bcher-kva.example", "role": "admin"})
    assert response.context["invite_form"].errors["email"] == [invitations.ERR_ALREADY_INVITED]
    assert list(Invitation.objects.values_list("email", "role")) == [("ann@bücher.example", "member")]


def test_the_address_shown_is_the_address_stored_and_mailed(client, claude_members):
    from django.core.mail.message import sanitize_address

    owner = claude_members["owner"]
    client.force_login(owner.user)
    response = client.post(_invite_url(owner.organization), {"email": "Ann@BÜCHER.example", "role": "member"}, follow=True)
    assert "Invitation sent to ann@bücher.example as Member" in response.content.decode()
    assert Invitation.objects.get().email == "ann@bücher.example"
    [payload] = _queued_payloads()
    invitations.send_invitation_email(**payload)
    [message] = mail.outbox
    assert message.to == ["ann@bücher.example"]
    # On the wire the domain is its A-label: the same address (IDNA), not another one.
    assert sanitize_address(message.to[0], "utf-8") == "ann@xn--bcher-kva.example"


def test_an_account_accepts_an_invitation_stored_under_another_spelling_of_its_address(client, claude_members):
    owner = claude_members["owner"]
    kate = UserFactory(email="kate@bücher.example")
    invitation = InvitationFactory(organization=owner.organization, invited_by=owner.user, email="kate@bücher.example")
    Invitation.objects.filter(pk=invitation.pk).update(email="kate@xn--bcher-kva.example")  # as stored before normalising
    client.force_login(kate)
    assert client.get(f"/invitations/{invitation.token}/").context["state"] == "accept"
    assert client.post(f"/invitations/{invitation.token}/").status_code == 302
    assert Membership.objects.filter(organization=owner.organization, user=kate).exists()


def test_a_stored_look_alike_invitation_creates_no_account(client, claude_members):
    owner = claude_members["owner"]
    invitation = InvitationFactory(organization=owner.organization, invited_by=owner.user, email="kate@example.test")
    Invitation.objects.filter(pk=invitation.pk).update(email="katе@example.test")  # a Cyrillic е, stored by older code
    form = {"full_name": "Kate", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    response = client.post(f"/invitations/{invitation.token}/", form)
    assert response.status_code == 409
    assert response.context["problem"] == invitations.ERR_INVITATION_ADDRESS
    assert not User.objects.filter(email__startswith="kat").exists()
