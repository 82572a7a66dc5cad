"""The e-mails of the orgs app: invitation links, and notices of data-setting changes.

Services queue them after commit; the Celery tasks in orgs/tasks.py call the senders here.
"""

from datetime import UTC
from functools import partial

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from console.mail import absolute_url, send_templated_mail
from console.models import User

from . import permissions
from .kinds import PROFILES
from .models import AuditEvent, Invitation, Membership, hash_invitation_token, invitation_link_token

# The audit actions of the feedback settings' changes, the events a notice is sent about.
SETTING_ACTIONS = tuple(profile.setting_action for profile in PROFILES.values())


def list_other_deciders(*, organization, actor):
    """The people, other than the actor, who may change the organization's feedback setting."""
    # Narrow by role in the database (an org may have thousands of members), then ask the rule itself.
    candidates = (
        Membership.objects.filter(organization=organization, role__in=organization.profile.deciding_roles)
        .filter(user__is_active=True)
        .exclude(user=actor)
        .select_related("user")
        .order_by("user__email")
    )
    deciders = []
    for membership in candidates:
        membership.organization = organization
        if permissions.can_change_feedback_setting(membership):
            deciders.append(membership.user)
    return deciders


def notify_setting_changed(*, event):
    """Queue one e-mail per other decider about this change; runs inside the change's transaction."""
    from .tasks import send_setting_notice

    for user in list_other_deciders(organization=event.organization, actor=event.actor):
        # robust: a broker that cannot take the task never undoes the change already committed.
        transaction.on_commit(partial(send_setting_notice.delay, event.pk, user.pk), robust=True)


def setting_notice_context(event, recipient):
    """What the notice about this audit event says to this recipient."""
    org = event.organization
    return {
        "recipient": recipient,
        "organization": org,
        "setting": org.profile.setting_label,
        "old": "on" if event.old_value else "off",
        "new": "on" if event.new_value else "off",
        "actor": event.actor_email or "The system",
        "when": timezone.localtime(event.created_at, UTC),
        "link": absolute_url(reverse(org.profile.settings_url_name, args=[org.slug])),
    }


def send_setting_notice(*, event_id, user_id):
    """Mail one person the notice of one data-setting change; returns how many messages were sent."""
    event = AuditEvent.objects.select_related("organization").filter(pk=event_id, action__in=SETTING_ACTIONS).first()
    recipient = User.objects.filter(pk=user_id, is_active=True).first()
    if event is None or recipient is None:
        return 0
    context = setting_notice_context(event, recipient)
    send_templated_mail(to=recipient.email, template="setting_changed", context=context)
    return 1


def invitation_context(invitation, token):
    """What the invitation e-mail says: who invites whom to which organization, and the link."""
    return {
        "invitation": invitation,
        "organization": invitation.organization,
        "inviter": invitation.invited_by_email,
        "role": invitation.role_label,
        "link": absolute_url(reverse("invitation", args=[token])),
        "expires": timezone.localtime(invitation.expires_at, UTC),
    }


def send_invitation_email(*, invitation_id, nonce):
    """Mail an invitation's link; returns 0 when the link would not open it any more (see below)."""
    from .invitations import why_invitation_unusable  # invitations → services → notices: import late

    token = invitation_link_token(nonce)
    invitation = Invitation.objects.select_related("organization").filter(pk=invitation_id).first()
    # Not worth sending: a link a resend replaced, or one the invitee would find dead (accepted,
    # revoked, expired while the mail waited, or its sender can no longer give the role).
    if invitation is None or invitation.token_hash != hash_invitation_token(token):
        return 0
    if why_invitation_unusable(invitation, timezone.now()):
        return 0
    send_templated_mail(to=invitation.email, template="invitation", context=invitation_context(invitation, token))
    return 1
