"""Invitations: owners and Org Admins invite people by e-mail (the link is the only copy of the token).

The rules of who may invite whom are orgs.permissions'; locking, refusals and audit events are
shared with the other member services in orgs.services. Whether an invitation is pending, expired,
lapsed, accepted or revoked is ``invitation_status``'s answer alone: the pages, the staff admin, the
Admin API, the mail sender and the acceptance all read it (``filter_by_status`` says it in SQL).
"""

from datetime import UTC, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit import actions
from audit import selectors as audit_selectors
from audit.services import SYSTEM, record_audit_event
from console import outbox
from console.addresses import normalize_email, same_address, why_new_email_refused
from console.mail import absolute_url, send_templated_mail
from console.models import User
from console.refusals import CONFLICT, FORBIDDEN, ROLE, Refusal, code_of, kind_of
from orgs import permissions
from orgs.models import ERR_ALREADY_MEMBER, Membership, Organization
from orgs.permissions import ERR_NOT_ALLOWED
from orgs.services import FieldError, NotAllowed, ServiceError, is_operator, lock_org, membership_of

from .invitation_status import OPEN, OPEN_STATUSES, InvitationStatus, invitation_status
from .models import Invitation, hash_invitation_token, invitation_link_token, new_invitation_nonce

INVITATION_VALID_FOR = timedelta(days=7)
INVITATIONS_PER_DAY = 50
INVITATION_MAIL = "orgs.invitation"
INVITATION_SENDING_ACTIONS = (actions.MEMBER_INVITED, actions.INVITATION_RESENT)
STAFF_PERMISSION = "identity.change_invitation"

ERR_ALREADY_INVITED = Refusal(
    "already_invited",
    "This address already has an open invitation: resend or revoke it in the list below.",
    CONFLICT,
)
ERR_INVITE_ROLE = Refusal("invite_role", "You can invite people only with a role you may give, never above your own.", FORBIDDEN)
ERR_INVITE_PRIMARY = Refusal(
    "invite_primary",
    "Nobody is invited as Primary Owner: invite an Owner, then transfer Primary Ownership.",
    FORBIDDEN,
)
ERR_DAILY_CAP = Refusal(
    "daily_cap",
    "This organization has sent {limit} invitations in the last 24 hours, the most allowed. Try again tomorrow.",
    CONFLICT,
)
ERR_INVITATION_CLOSED = Refusal("invitation_closed", "This invitation was already accepted or revoked.", CONFLICT)
ERR_INVITATION_UNKNOWN = Refusal(
    "invitation_unknown",
    "This invitation link is not valid. Check that you opened the whole link from the e-mail.",
    CONFLICT,
)
ERR_INVITATION_USED = Refusal("invitation_used", "This invitation has already been used. Sign in to open the organization.", CONFLICT)
ERR_INVITATION_REVOKED = Refusal(
    "invitation_revoked",
    "This invitation was withdrawn. Ask the person who invited you for a new one.",
    CONFLICT,
)
ERR_INVITATION_EXPIRED = Refusal(
    "invitation_expired",
    "This invitation has expired (links are valid for 7 days). Ask the person who invited you to resend it.",
    CONFLICT,
)
ERR_INVITATION_VOID = Refusal(
    "invitation_void",
    "This invitation is no longer valid: the person who sent it can no longer give this role. Ask for a new one.",
    CONFLICT,
)
ERR_INVITATION_OTHER_ACCOUNT = Refusal(
    "invitation_other_account",
    "This invitation is for {email}; you are signed in as someone else.",
    CONFLICT,
)
ERR_INVITATION_HAS_ACCOUNT = Refusal(
    "invitation_has_account",
    "An account with this address already exists: sign in to accept the invitation.",
    CONFLICT,
)
ERR_INVITATION_ADDRESS = Refusal(
    "invitation_address",
    "This invitation's address can no longer name an account (it holds look-alike characters). "
    "Ask the person who invited you for a new invitation to your plain address.",
    CONFLICT,
)


# Why a link cannot be used, by status (a pending one can).
REFUSAL_BY_STATUS = {
    InvitationStatus.ACCEPTED: ERR_INVITATION_USED,
    InvitationStatus.REVOKED: ERR_INVITATION_REVOKED,
    InvitationStatus.EXPIRED: ERR_INVITATION_EXPIRED,
    InvitationStatus.LAPSED: ERR_INVITATION_VOID,
}


def why_invitation_unusable(invitation, now):
    """Why an invitation's link cannot be used now (a Refusal), or None when it can."""
    if invitation is None:
        return ERR_INVITATION_UNKNOWN
    return REFUSAL_BY_STATUS.get(invitation_status(invitation, now))


def invitation_mail_context(invitation, token):
    """What the invitation e-mail says: who invites whom to which organization, and the link."""
    return {
        "invitation": invitation,
        "organization": invitation.organization,
        "inviter": invitation.invited_by_email,
        "role": invitation.role_label,
        "link": absolute_url(reverse("identity:invitation", args=[token])),
        "expires": timezone.localtime(invitation.expires_at, UTC),
    }


def _issue_link(invitation, now):
    """Give the invitation a new link valid for a week (the old one stops working); returns its nonce.

    Only the token's hash is stored; the mail task is given the nonce, from which only the server's
    key makes the token (identity.models.invitation_link_token).
    """
    nonce = new_invitation_nonce()
    invitation.token_hash = hash_invitation_token(invitation_link_token(nonce))
    invitation.sent_at = now
    invitation.expires_at = now + INVITATION_VALID_FOR
    return nonce


def _mail_invitation(invitation, nonce):
    # In the invitation's transaction: the mail goes out once it commits, even if the broker is down then.
    outbox.enqueue(INVITATION_MAIL, [{"invitation_id": invitation.pk, "nonce": nonce}])


@outbox.sender(INVITATION_MAIL)
def send_invitation_email(*, invitation_id, nonce):
    """Mail an invitation's link; returns 0 when the link would not open it any more (see below)."""
    token = invitation_link_token(nonce)
    invitation = Invitation.objects.select_related("organization").filter(pk=invitation_id).first()
    # Not worth sending: a link a resend replaced, or one the invitee would find dead (accepted,
    # revoked, expired while the mail waited, or its sender can no longer give the role).
    if invitation is None or invitation.token_hash != hash_invitation_token(token):
        return 0
    if invitation_status(invitation, timezone.now()) != InvitationStatus.PENDING:
        return 0
    send_templated_mail(to=invitation.email, template="invitation", context=invitation_mail_context(invitation, token))
    return 1


def _check_daily_cap(org, now):
    sent = audit_selectors.count_events(org, INVITATION_SENDING_ACTIONS, now - timedelta(days=1))
    if sent >= INVITATIONS_PER_DAY:
        raise FieldError(ERR_DAILY_CAP.format(limit=INVITATIONS_PER_DAY), "email")


# The invitation form's words for the refusals of a role the actor may not give, by the rule's code.
INVITE_ROLE_REFUSALS = {
    permissions.ERR_PRIMARY_BY_TRANSFER.code: ERR_INVITE_PRIMARY,
    permissions.ERR_ROLE_ABOVE_OWN.code: ERR_INVITE_ROLE,
}


def _check_can_invite(actor_m, role):
    reason = permissions.why_cannot_grant_role(actor_m, role)
    if reason is None:
        return
    if code_of(reason) in INVITE_ROLE_REFUSALS:
        raise FieldError(INVITE_ROLE_REFUSALS[code_of(reason)], "role")
    if kind_of(reason) == ROLE:
        raise NotAllowed(reason)
    raise FieldError(reason, "role")


def invite_member(*, actor, organization, email, role, request_meta=SYSTEM):
    """Invite a person by e-mail with a role the actor may grant; the link is mailed after commit.

    The address is stored, shown and mailed in its normal form; a spelling of a member's address or
    of an open invitation's is refused as theirs, and a look-alike address is refused outright.
    """
    if reason := why_new_email_refused(email):
        raise FieldError(reason, "email")
    email = normalize_email(email)
    with transaction.atomic():
        # The org lock serializes invitations, so the daily count and "already invited" hold.
        org = lock_org(organization)
        actor_m = membership_of(actor, org)
        _check_can_invite(actor_m, role)
        if Membership.objects.filter(organization=org, user__email=email).exists():
            raise FieldError(ERR_ALREADY_MEMBER, "email")
        now = timezone.now()
        invitation = Invitation.objects.filter(OPEN, organization=org, email=email).first()
        if invitation is not None and invitation_status(invitation, now) != InvitationStatus.EXPIRED:
            raise FieldError(ERR_ALREADY_INVITED, "email")
        _check_daily_cap(org, now)
        # An expired invitation to the same address is issued anew rather than kept beside a new one.
        invitation = invitation or Invitation(organization=org, email=email)
        invitation.role = role
        invitation.invited_by, invitation.invited_by_email = actor, actor.email
        nonce = _issue_link(invitation, now)
        invitation.save()
        record_audit_event(
            organization=org, actor=actor, action=actions.MEMBER_INVITED, target=f"member:{email}",
            new=role, request_meta=request_meta,
        )
        _mail_invitation(invitation, nonce)
    return invitation


def _lock_open_invitation(invitation, org):
    locked = Invitation.objects.select_for_update().filter(pk=invitation.pk, organization=org).first()
    if locked is None or invitation_status(locked, timezone.now()) not in OPEN_STATUSES:
        raise ServiceError(ERR_INVITATION_CLOSED)
    locked.organization = org
    return locked


def _check_can_handle_invitation(actor, org, invitation):
    """The org's deciders, for a role they may give; or staff operators (outside their own orgs)."""
    actor_m = membership_of(actor, org)
    if is_operator(actor, STAFF_PERMISSION, actor_m):
        return None
    if not permissions.can_manage_members(actor_m):
        raise NotAllowed(ERR_NOT_ALLOWED)
    if not permissions.can_grant_role(actor_m, invitation.role):
        raise NotAllowed(ERR_INVITE_ROLE)
    return actor_m


def resend_invitation(*, actor, invitation, request_meta=SYSTEM):
    """Mail an open invitation again with a new link valid for a week; the old link stops working.

    The member who resends it becomes its sender: an invitation that lapsed with its first sender's
    rights is pending again, on the rights of the person who resent it.
    """
    with transaction.atomic():
        org = lock_org(invitation.organization)
        locked = _lock_open_invitation(invitation, org)
        if _check_can_handle_invitation(actor, org, locked) is not None:
            locked.invited_by, locked.invited_by_email = actor, actor.email
        now = timezone.now()
        _check_daily_cap(org, now)
        nonce = _issue_link(locked, now)
        locked.save(update_fields=["token_hash", "sent_at", "expires_at", "invited_by", "invited_by_email"])
        record_audit_event(
            organization=org, actor=actor, action=actions.INVITATION_RESENT, target=f"member:{locked.email}",
            new=locked.role, request_meta=request_meta,
        )
        _mail_invitation(locked, nonce)
    invitation.sent_at, invitation.expires_at = locked.sent_at, locked.expires_at
    invitation.invited_by, invitation.invited_by_email = locked.invited_by, locked.invited_by_email
    return locked


def revoke_invitation(*, actor, invitation, request_meta=SYSTEM):
    """Withdraw an open invitation: its link then says so and changes nothing.

    The org's deciders may; so may staff with identity.change_invitation, in orgs they do not belong to.
    """
    with transaction.atomic():
        org = lock_org(invitation.organization)
        locked = _lock_open_invitation(invitation, org)
        _check_can_handle_invitation(actor, org, locked)
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        record_audit_event(
            organization=org, actor=actor, action=actions.INVITATION_REVOKED, target=f"member:{locked.email}",
            old=locked.role, request_meta=request_meta,
        )
    invitation.revoked_at = locked.revoked_at
    return locked


def accept_invitation(*, token, user=None, new_account=None, request_meta=SYSTEM):
    """Join the organization an invitation names, with its role; returns the new membership.

    `user` is the signed-in person, whose address must be the invited one; without one,
    `new_account` ({"password": …, "full_name": …}, the password already validated) creates it.
    The new membership's `user` is the person who joined.
    """
    token_hash = hash_invitation_token(token)
    with transaction.atomic():
        found = Invitation.objects.filter(token_hash=token_hash).only("organization_id").first()
        if found is None:
            raise ServiceError(ERR_INVITATION_UNKNOWN)
        # The org row first, then the invitation's, in the order invite, resend and revoke take them
        # (no deadlock); the invitation's lock makes the link single use even for two clicks at once.
        org = Organization.objects.select_for_update().get(pk=found.organization_id)
        invitation = Invitation.objects.select_for_update().filter(pk=found.pk, token_hash=token_hash).first()
        if invitation is None:
            raise ServiceError(ERR_INVITATION_UNKNOWN)
        invitation.organization = org
        if error := why_invitation_unusable(invitation, timezone.now()):
            raise ServiceError(error)
        if user is None:
            if User.objects.filter(email=normalize_email(invitation.email)).exists():
                raise ServiceError(ERR_INVITATION_HAS_ACCOUNT)
            if why_new_email_refused(invitation.email):
                raise ServiceError(ERR_INVITATION_ADDRESS)
            user = User.objects.create_user(
                invitation.email, new_account["password"], full_name=new_account.get("full_name", "")
            )
        elif not same_address(user.email, invitation.email):
            raise ServiceError(ERR_INVITATION_OTHER_ACCOUNT.format(email=invitation.email))
        if Membership.objects.filter(organization=org, user=user).exists():
            raise ServiceError(ERR_ALREADY_MEMBER)
        membership = Membership.objects.create(organization=org, user=user, role=invitation.role)
        invitation.accepted_at, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        record_audit_event(
            organization=org, actor=user, action=actions.MEMBER_ADDED, target=f"member:{user.email}",
            new=invitation.role, request_meta=request_meta,
        )
    return membership
