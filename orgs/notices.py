"""The e-mails of the orgs app: notices of data-setting changes.

Services write each mail to the outbox (console.outbox) in the transaction of the change; the
worker delivers it through the senders registered here (and identity.invitations' for invitations).
"""

from datetime import UTC

from django.urls import reverse
from django.utils import timezone

from audit.models import ActorKind, AuditEvent
from console import outbox
from console.mail import absolute_url, send_templated_mail
from console.models import User

from . import permissions
from .kinds import MODEL_TRAINING_ACTION, MODEL_TRAINING_FIELD, MODEL_TRAINING_LABEL, PROFILES
from .models import Membership

SETTING_NOTICE = "orgs.setting_notice"
# The audit actions of the data settings' changes, the events a notice is sent about.
SETTING_ACTIONS = (*(profile.setting_action.code for profile in PROFILES.values()), MODEL_TRAINING_ACTION.code)


def list_other_deciders(*, organization, actor):
    """The people, other than the actor, who may change any data setting of the organization."""
    profile = organization.profile
    # Narrow by role in the database (an org may have thousands of members), then ask the rule itself.
    candidates = (
        Membership.objects.filter(
            organization=organization, role__in=sorted({*profile.deciding_roles, *profile.training_roles})
        )
        .filter(user__is_active=True)
        .exclude(user=actor)
        .select_related("user")
        .order_by("user__email")
    )
    deciders = []
    for membership in candidates:
        membership.organization = organization
        if permissions.can_change_any_data_setting(membership):
            deciders.append(membership.user)
    return deciders


def notify_setting_changed(*, event):
    """Write one e-mail per other decider about this change to the outbox, in the change's transaction."""
    deciders = list_other_deciders(organization=event.organization, actor=event.actor)
    outbox.enqueue(SETTING_NOTICE, [{"event_id": event.pk, "user_id": user.pk} for user in deciders])


def setting_notice_context(event, recipient):
    """What the notice about this audit event says to this recipient."""
    org = event.organization
    change = _model_training_change(event) if event.action == MODEL_TRAINING_ACTION.code else _feedback_change(event)
    return {
        "recipient": recipient,
        "organization": org,
        **change,
        "actor": "The system" if event.actor_kind == ActorKind.SYSTEM else event.actor_label,
        "when": timezone.localtime(event.created_at, UTC),
        "link": absolute_url(reverse(org.profile.settings_url_name, args=[org.slug])),
    }


def _feedback_change(event):
    new = bool(event.new_value)
    return {
        "setting": event.organization.profile.setting_label,
        "old": "on" if event.old_value else "off",
        "new": "on" if new else "off",
        "effect": "People in the organization can give this feedback again." if new else
                  "People in the organization can no longer give this feedback, and the server refuses reports from the organization.",
    }


def _model_training_change(event):
    # Stored as {"model_training_enabled": old} → {"model_training_enabled": new, "terms_version": v}.
    old, new = event.old_value or {}, event.new_value or {}
    enabled = bool(new.get(MODEL_TRAINING_FIELD))
    return {
        "setting": MODEL_TRAINING_LABEL,
        "old": "on" if old.get(MODEL_TRAINING_FIELD) else "off",
        "new": "on" if enabled else "off",
        "terms_version": new.get("terms_version", ""),
        "effect": "Conversations in the organization from that moment on may be used to train models; "
                  "conversations from before it are not." if enabled else
                  "Conversations in the organization from that moment on are not used to train models.",
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
