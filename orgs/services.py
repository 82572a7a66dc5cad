"""Every change to organizations and memberships: permission, lock, save, audit, one transaction."""

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from console.models import User

from . import permissions
from .audit import SYSTEM, record_audit_event
from .models import AuditEvent, Invitation, Membership, Organization, hash_invitation_token
from .notices import notify_setting_changed
from .roles import OrgKind, Plan, Role, is_role_valid_for_kind, role_label

ERR_NOT_ALLOWED = "You do not have permission to make this change."
ERR_TEAM_PLAN = "Thumbs Feedback can be changed on the Enterprise plan only."
ERR_WRONG_KIND = "This setting does not exist for this kind of organization."
ERR_OWN_ROLE = "You cannot change your own role."
ERR_ROLE_ABOVE_OWN = "You cannot give a role above your own, or change the role of someone at or above yours."
ERR_ROLE_FOR_KIND = "That role does not exist in this organization."
ERR_PRIMARY_BY_TRANSFER = "Primary Ownership moves only by a transfer from the current Primary Owner."
ERR_LAST_ADMIN = "An API Console organization needs at least one Org Admin: this is the last one."
ERR_REMOVE_PRIMARY = "The Primary Owner cannot be removed; transfer Primary Ownership first."
ERR_REMOVE_SELF = "You cannot remove yourself from the organization here."
ERR_MEMBER_GONE = "That person is no longer a member of this organization."
ERR_TRANSFER = "Only the Primary Owner can transfer Primary Ownership, to another member of the organization."
ERR_ALREADY_MEMBER = "This person is already a member of the organization."

ACTION_THUMBS_FEEDBACK = "settings.thumbs_feedback.changed"
ACTION_WORKBENCH_FEEDBACK = "settings.workbench_feedback.changed"
ACTION_ROLE_CHANGED = "member.role.changed"
ACTION_MEMBER_REMOVED = "member.removed"
ACTION_MEMBER_ADDED = "member.added"
ACTION_MEMBER_INVITED = "member.invited"
ACTION_INVITATION_RESENT = "member.invitation_resent"
ACTION_INVITATION_REVOKED = "member.invitation_revoked"
ACTION_PRIMARY_TRANSFERRED = "member.primary_owner.transferred"
ACTION_ORG_CREATED = "org.created"
ACTION_ORG_CHANGED = "org.details.changed"


class ServiceError(Exception):
    """A refused change; its message is written for the person who asked for it."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class NotAllowed(ServiceError):
    """The actor's role does not allow the change."""


def _membership_of(actor, organization):
    if actor is None:
        return None
    return (
        Membership.objects.select_related("organization")
        .filter(user=actor, organization=organization)
        .first()
    )


def _is_operator(actor, perm, actor_membership=None):
    # Staff act as operators only in organizations they do not belong to; inside their
    # own organization their role applies, as it does for everyone else.
    return actor_membership is None and permissions.is_staff_operator(actor, perm)


def _lock_org(organization):
    # Every change to one org's settings or members is serialized on the org row, so
    # counts such as "the last admin" are read and changed under the same lock.
    return Organization.objects.select_for_update().get(pk=organization.pk)


def _set_data_setting(*, actor, organization, field, enabled, kind, predicate, action, request_meta, rule=None):
    with transaction.atomic():
        org = _lock_org(organization)
        if org.kind != kind:
            raise ServiceError(ERR_WRONG_KIND)
        membership = _membership_of(actor, org)
        if membership is not None:
            membership.organization = org
        is_operator = _is_operator(actor, "orgs.change_organization", membership)
        if not (is_operator or predicate(membership)):
            raise NotAllowed(ERR_NOT_ALLOWED)
        if rule is not None and (error := rule(org)):
            raise ServiceError(error)
        old = getattr(org, field)
        if old == enabled:
            return False
        setattr(org, field, enabled)
        org.save(update_fields=[field])
        event = record_audit_event(
            organization=org,
            actor=actor,
            action=action,
            target=f"organization:{org.slug}",
            old=old,
            new=enabled,
            request_meta=request_meta,
        )
        notify_setting_changed(event=event, field=field)
    setattr(organization, field, enabled)
    return True


def _enterprise_only(org):
    return None if org.plan == Plan.ENTERPRISE else ERR_TEAM_PLAN


def set_thumbs_feedback(*, actor, organization, enabled, request_meta=SYSTEM):
    """Turn Thumbs Feedback on or off for a claude org; returns whether anything changed."""
    return _set_data_setting(
        actor=actor,
        organization=organization,
        field="thumbs_feedback_enabled",
        enabled=bool(enabled),
        kind=OrgKind.CLAUDE,
        predicate=permissions.can_open_data_management,
        rule=_enterprise_only,
        action=ACTION_THUMBS_FEEDBACK,
        request_meta=request_meta,
    )


def set_workbench_feedback(*, actor, organization, enabled, request_meta=SYSTEM):
    """Turn Workbench feedback on or off for a console org; returns whether anything changed."""
    return _set_data_setting(
        actor=actor,
        organization=organization,
        field="workbench_feedback_enabled",
        enabled=bool(enabled),
        kind=OrgKind.CONSOLE,
        predicate=permissions.can_change_workbench_feedback,
        action=ACTION_WORKBENCH_FEEDBACK,
        request_meta=request_meta,
    )


def _lock_membership(membership, org):
    target = (
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(pk=membership.pk, organization=org)
        .first()
    )
    if target is None:
        raise ServiceError(ERR_MEMBER_GONE)
    target.organization = org
    return target


def _console_admin_count(org):
    return Membership.objects.filter(organization=org, role=Role.ADMIN).count()


def _check_role_change(actor_m, target, role, is_operator):
    if not is_operator:
        if not permissions.can_manage_members(actor_m):
            raise NotAllowed(ERR_NOT_ALLOWED)
        if actor_m.pk == target.pk:
            raise ServiceError(ERR_OWN_ROLE)
    if not is_role_valid_for_kind(target.organization.kind, role):
        raise ServiceError(ERR_ROLE_FOR_KIND)
    if role == Role.PRIMARY_OWNER or target.role == Role.PRIMARY_OWNER:
        raise ServiceError(ERR_PRIMARY_BY_TRANSFER)
    if is_operator:
        return
    if not permissions.can_assign_role(actor_m, target, role):
        raise NotAllowed(ERR_ROLE_ABOVE_OWN)


def change_member_role(*, actor, membership, role, request_meta=SYSTEM):
    """Give a member a new role, following orgs.permissions; returns whether anything changed."""
    with transaction.atomic():
        org = _lock_org(membership.organization)
        target = _lock_membership(membership, org)
        actor_m = _membership_of(actor, org)
        _check_role_change(actor_m, target, role, _is_operator(actor, "orgs.change_membership", actor_m))
        if target.role == role:
            return False
        if permissions.would_leave_no_console_admin(target, role, _console_admin_count(org)):
            raise ServiceError(ERR_LAST_ADMIN)
        old = target.role
        target.role = role
        target.save(update_fields=["role"])
        record_audit_event(
            organization=org,
            actor=actor,
            action=ACTION_ROLE_CHANGED,
            target=f"member:{target.user.email}",
            old=old,
            new=role,
            request_meta=request_meta,
        )
    membership.role = role
    return True


def remove_member(*, actor, membership, request_meta=SYSTEM):
    """Remove a member from their organization, following orgs.permissions."""
    with transaction.atomic():
        org = _lock_org(membership.organization)
        target = _lock_membership(membership, org)
        actor_m = _membership_of(actor, org)
        if not _is_operator(actor, "orgs.delete_membership", actor_m):
            if not permissions.can_manage_members(actor_m):
                raise NotAllowed(ERR_NOT_ALLOWED)
            if actor_m.pk == target.pk:
                raise ServiceError(ERR_REMOVE_SELF)
            if target.role == Role.PRIMARY_OWNER:
                raise ServiceError(ERR_REMOVE_PRIMARY)
            if not permissions.can_remove_member(actor_m, target):
                raise NotAllowed(ERR_ROLE_ABOVE_OWN)
        elif target.role == Role.PRIMARY_OWNER:
            raise ServiceError(ERR_REMOVE_PRIMARY)
        if permissions.would_leave_no_console_admin(target, None, _console_admin_count(org)):
            raise ServiceError(ERR_LAST_ADMIN)
        email, old = target.user.email, target.role
        target.delete()
        record_audit_event(
            organization=org,
            actor=actor,
            action=ACTION_MEMBER_REMOVED,
            target=f"member:{email}",
            old=old,
            new=None,
            request_meta=request_meta,
        )


def transfer_primary_ownership(*, actor, membership, request_meta=SYSTEM):
    """Make this member the Primary Owner; the old Primary Owner becomes an Owner."""
    with transaction.atomic():
        org = _lock_org(membership.organization)
        if org.kind != OrgKind.CLAUDE:
            raise ServiceError(ERR_WRONG_KIND)
        target = _lock_membership(membership, org)
        current = (
            Membership.objects.select_for_update()
            .select_related("user")
            .filter(organization=org, role=Role.PRIMARY_OWNER)
            .first()
        )
        actor_m = _membership_of(actor, org)
        is_operator = _is_operator(actor, "orgs.change_membership", actor_m)
        if not (is_operator or permissions.can_transfer_primary_ownership(actor_m, target)):
            raise NotAllowed(ERR_TRANSFER)
        if current is not None and current.pk == target.pk:
            return False
        old_role = target.role
        # Demote first: the database allows one Primary Owner per org at any moment.
        if current is not None:
            current.role = Role.OWNER
            current.save(update_fields=["role"])
        target.role = Role.PRIMARY_OWNER
        target.save(update_fields=["role"])
        record_audit_event(
            organization=org,
            actor=actor,
            action=ACTION_PRIMARY_TRANSFERRED,
            target=f"member:{target.user.email}",
            old={"primary_owner": current.user.email if current else None, "role": old_role},
            new={"primary_owner": target.user.email, "previous_primary_owner_role": Role.OWNER},
            request_meta=request_meta,
        )
    membership.role = Role.PRIMARY_OWNER
    return True


def add_member(*, actor, organization, user, role, request_meta=SYSTEM):
    """Add a person to an organization (staff, or the system for seeding)."""
    with transaction.atomic():
        org = _lock_org(organization)
        if actor is not None and not _is_operator(actor, "orgs.add_membership"):
            raise NotAllowed(ERR_NOT_ALLOWED)
        if not is_role_valid_for_kind(org.kind, role):
            raise ServiceError(ERR_ROLE_FOR_KIND)
        if Membership.objects.filter(organization=org, user=user).exists():
            raise ServiceError(ERR_ALREADY_MEMBER)
        if role == Role.PRIMARY_OWNER and Membership.objects.filter(organization=org, role=role).exists():
            raise ServiceError(ERR_PRIMARY_BY_TRANSFER)
        membership = Membership.objects.create(organization=org, user=user, role=role)
        record_audit_event(
            organization=org,
            actor=actor,
            action=ACTION_MEMBER_ADDED,
            target=f"member:{user.email}",
            new=role,
            request_meta=request_meta,
        )
    return membership


def create_organization(*, actor, name, slug, kind, plan="", request_meta=SYSTEM):
    """Create an organization (staff, or the system for seeding)."""
    if actor is not None and not _is_operator(actor, "orgs.add_organization"):
        raise NotAllowed(ERR_NOT_ALLOWED)
    with transaction.atomic():
        org = Organization(name=name, slug=slug, kind=kind, plan=plan if kind == OrgKind.CLAUDE else "")
        org.full_clean()
        org.save()
        record_audit_event(
            organization=org,
            actor=actor,
            action=ACTION_ORG_CREATED,
            target=f"organization:{slug}",
            new={"name": name, "slug": slug, "kind": kind, "plan": org.plan},
            request_meta=request_meta,
        )
    return org


DETAIL_FIELDS = ("name", "slug", "plan")


def update_organization_details(*, actor, organization, changes, request_meta=SYSTEM):
    """Change an organization's name, slug or plan (staff only); returns whether anything changed."""
    if not _is_operator(actor, "orgs.change_organization"):
        raise NotAllowed(ERR_NOT_ALLOWED)
    with transaction.atomic():
        org = _lock_org(organization)
        old = {f: getattr(org, f) for f in DETAIL_FIELDS if f in changes and getattr(org, f) != changes[f]}
        if not old:
            return False
        for field in old:
            setattr(org, field, changes[field])
        org.full_clean()
        org.save(update_fields=list(old))
        record_audit_event(
            organization=org,
            actor=actor,
            action=ACTION_ORG_CHANGED,
            target=f"organization:{org.slug}",
            old=old,
            new={f: changes[f] for f in old},
            request_meta=request_meta,
        )
    for field in old:
        setattr(organization, field, changes[field])
    return True


def describe_role(organization, role):
    """The label of a role as people of this organization see it."""
    return role_label(organization.kind, role)


# Invitations: owners and Org Admins invite people by e-mail (the link is the only copy of the token).

INVITATION_VALID_FOR = timedelta(days=7)
INVITATIONS_PER_DAY = 50
INVITATION_SENDING_ACTIONS = (ACTION_MEMBER_INVITED, ACTION_INVITATION_RESENT)

ERR_ALREADY_INVITED = "This address already has an open invitation: resend or revoke it in the list below."
ERR_INVITE_ROLE = "You can invite people only with a role you may give, never above your own."
ERR_INVITE_PRIMARY = "Nobody is invited as Primary Owner: invite an Owner, then transfer Primary Ownership."
ERR_DAILY_CAP = "This organization has sent {limit} invitations in the last 24 hours, the most allowed. Try again tomorrow."
ERR_INVITATION_CLOSED = "This invitation was already accepted or revoked."
ERR_INVITATION_UNKNOWN = "This invitation link is not valid. Check that you opened the whole link from the e-mail."
ERR_INVITATION_USED = "This invitation has already been used. Sign in to open the organization."
ERR_INVITATION_REVOKED = "This invitation was withdrawn. Ask the person who invited you for a new one."
ERR_INVITATION_EXPIRED = "This invitation has expired (links are valid for 7 days). Ask the person who invited you to resend it."
ERR_INVITATION_VOID = "This invitation is no longer valid: the person who sent it can no longer give this role. Ask for a new one."
ERR_INVITATION_OTHER_ACCOUNT = "This invitation is for {email}; you are signed in as someone else."
ERR_INVITATION_HAS_ACCOUNT = "An account with this address already exists: sign in to accept the invitation."


class FieldError(ServiceError):
    """A refused change caused by one field of the form that asked for it."""

    def __init__(self, message, field):
        super().__init__(message)
        self.field = field


def _issue_token(invitation, now):
    token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_invitation_token(token)
    invitation.sent_at = now
    invitation.expires_at = now + INVITATION_VALID_FOR
    return token


def _send_invitation_after_commit(invitation, token):
    from .tasks import send_invitation_email

    # robust: the invitation stands even if the broker cannot take the task; "Resend" sends it again.
    transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk, token), robust=True)


def _check_daily_cap(org, now):
    sent = AuditEvent.objects.filter(
        organization=org, action__in=INVITATION_SENDING_ACTIONS, created_at__gt=now - timedelta(days=1)
    ).count()
    if sent >= INVITATIONS_PER_DAY:
        raise FieldError(ERR_DAILY_CAP.format(limit=INVITATIONS_PER_DAY), "email")


def _check_can_invite(actor_m, role):
    if not permissions.can_manage_members(actor_m):
        raise NotAllowed(ERR_NOT_ALLOWED)
    if not is_role_valid_for_kind(actor_m.organization.kind, role):
        raise FieldError(ERR_ROLE_FOR_KIND, "role")
    if role == Role.PRIMARY_OWNER:
        raise FieldError(ERR_INVITE_PRIMARY, "role")
    if not permissions.can_invite_member(actor_m, role):
        raise FieldError(ERR_INVITE_ROLE, "role")


def invite_member(*, actor, organization, email, role, request_meta=SYSTEM):
    """Invite a person by e-mail with a role the actor may grant; the link is mailed after commit."""
    email = email.strip().lower()
    with transaction.atomic():
        # The org lock serializes invitations, so the daily count and "already invited" hold.
        org = _lock_org(organization)
        actor_m = _membership_of(actor, org)
        _check_can_invite(actor_m, role)
        if Membership.objects.filter(organization=org, user__email__iexact=email).exists():
            raise FieldError(ERR_ALREADY_MEMBER, "email")
        now = timezone.now()
        invitation = Invitation.objects.filter(organization=org, email=email, accepted_at=None, revoked_at=None).first()
        if invitation is not None and not invitation.is_expired(now):
            raise FieldError(ERR_ALREADY_INVITED, "email")
        _check_daily_cap(org, now)
        # An expired invitation to the same address is issued anew rather than kept beside a new one.
        invitation = invitation or Invitation(organization=org, email=email)
        invitation.role = role
        invitation.invited_by, invitation.invited_by_email = actor, actor.email
        token = _issue_token(invitation, now)
        invitation.save()
        record_audit_event(
            organization=org, actor=actor, action=ACTION_MEMBER_INVITED, target=f"member:{email}",
            new=role, request_meta=request_meta,
        )
        _send_invitation_after_commit(invitation, token)
    return invitation


def _lock_open_invitation(invitation, org):
    locked = Invitation.objects.select_for_update().filter(pk=invitation.pk, organization=org).first()
    if locked is None or not locked.is_open:
        raise ServiceError(ERR_INVITATION_CLOSED)
    locked.organization = org
    return locked


def _check_can_handle_invitation(actor, org, invitation):
    actor_m = _membership_of(actor, org)
    if not permissions.can_manage_members(actor_m):
        raise NotAllowed(ERR_NOT_ALLOWED)
    if not permissions.can_grant_role(actor_m, invitation.role):
        raise NotAllowed(ERR_INVITE_ROLE)


def resend_invitation(*, actor, invitation, request_meta=SYSTEM):
    """Mail an open invitation again with a new link valid for a week; the old link stops working."""
    with transaction.atomic():
        org = _lock_org(invitation.organization)
        locked = _lock_open_invitation(invitation, org)
        _check_can_handle_invitation(actor, org, locked)
        now = timezone.now()
        _check_daily_cap(org, now)
        token = _issue_token(locked, now)
        locked.save(update_fields=["token_hash", "sent_at", "expires_at"])
        record_audit_event(
            organization=org, actor=actor, action=ACTION_INVITATION_RESENT, target=f"member:{locked.email}",
            new=locked.role, request_meta=request_meta,
        )
        _send_invitation_after_commit(locked, token)
    invitation.sent_at, invitation.expires_at = locked.sent_at, locked.expires_at
    return locked


def revoke_invitation(*, actor, invitation, request_meta=SYSTEM):
    """Withdraw an open invitation: its link then says so and changes nothing."""
    with transaction.atomic():
        org = _lock_org(invitation.organization)
        locked = _lock_open_invitation(invitation, org)
        _check_can_handle_invitation(actor, org, locked)
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        record_audit_event(
            organization=org, actor=actor, action=ACTION_INVITATION_REVOKED, target=f"member:{locked.email}",
            old=locked.role, request_meta=request_meta,
        )
    invitation.revoked_at = locked.revoked_at
    return locked


def why_invitation_unusable(invitation, now):
    """Why an invitation's link cannot be used now (a plain message), or None when it can (the one rule)."""
    if invitation is None:
        return ERR_INVITATION_UNKNOWN
    if invitation.accepted_at is not None:
        return ERR_INVITATION_USED
    if invitation.revoked_at is not None:
        return ERR_INVITATION_REVOKED
    if invitation.is_expired(now):
        return ERR_INVITATION_EXPIRED
    # The role must still be one its sender may give: a demoted or departed sender's
    # invitations lapse with their rights.
    if not permissions.can_invite_member(_membership_of(invitation.invited_by, invitation.organization), invitation.role):
        return ERR_INVITATION_VOID
    return None


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
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise ServiceError(ERR_INVITATION_HAS_ACCOUNT)
            user = User.objects.create_user(
                invitation.email, new_account["password"], full_name=new_account.get("full_name", "")
            )
        elif user.email.lower() != invitation.email:
            raise ServiceError(ERR_INVITATION_OTHER_ACCOUNT.format(email=invitation.email))
        if Membership.objects.filter(organization=org, user=user).exists():
            raise ServiceError(ERR_ALREADY_MEMBER)
        membership = Membership.objects.create(organization=org, user=user, role=invitation.role)
        invitation.accepted_at, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        record_audit_event(
            organization=org, actor=user, action=ACTION_MEMBER_ADDED, target=f"member:{user.email}",
            new=invitation.role, request_meta=request_meta,
        )
    return membership
