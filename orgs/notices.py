"""The e-mails of the orgs app: notices of data-setting changes, and what invitation e-mails say.

Services write each mail to the outbox (console.outbox) in the transaction of the change; the
worker delivers it through the senders registered here and in orgs.invitations.
"""

from datetime import UTC

from django.urls import reverse
from django.utils import timezone

from audit.models import ActorKind, AuditEvent
from console import outbox
from console.mail import absolute_url, send_templated_mail
from console.models import User

from . import permissions
from .kinds import PROFILES
from .models import Membership

SETTING_NOTICE = "orgs.setting_notice"
# The audit actions of the feedback settings' changes, the events a notice is sent about.
SETTING_ACTIONS = tuple(profile.setting_action.code for profile in PROFILES.values())


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
    """Write one e-mail per other decider about this change to the outbox, in the change's transaction."""
    deciders = list_other_deciders(organization=event.organization, actor=event.actor)
    outbox.enqueue(SETTING_NOTICE, [{"event_id": event.pk, "user_id": user.pk} for user in deciders])


def setting_notice_context(event, recipient):
    """What the notice about this audit event says to this recipient."""
    org = event.organization
    return {
        "recipient": recipient,
        "organization": org,
        "setting": org.profile.setting_label,
        "old": "on" if event.old_value else "off",
        "new": "on" if event.new_value else "off",
        "actor": "The system" if event.actor_kind == ActorKind.SYSTEM else event.actor_label,
        "when": timezone.localtime(event.created_at, UTC),
        "link": absolute_url(reverse(org.profile.settings_url_name, args=[org.slug])),
    }


@outbox.sender(SETTING_NOTICE)
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

