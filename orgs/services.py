"""Every change to organizations and memberships: permission, lock, save, audit, one transaction."""


from django.db import transaction
from django.utils import timezone

from audit import actions
from audit.services import SYSTEM, record_audit_event
from console.refusals import CONFLICT, FORBIDDEN, ROLE, STATUS_BY_KIND, Refusal, code_of, kind_of

from . import permissions, selectors
from .kinds import MODEL_TRAINING_FIELD, PROFILES
from .models import ERR_ALREADY_MEMBER, Membership, ModelTrainingPeriod, Organization
from .notices import notify_setting_changed
from .permissions import ERR_NOT_ALLOWED, ERR_PRIMARY_BY_TRANSFER, ERR_ROLE_FOR_KIND
from .roles import Role, is_role_valid_for_kind, role_label

ERR_MEMBER_GONE = Refusal("member_gone", "That person is no longer a member of this organization.", CONFLICT)
ERR_TERMS_VERSION = Refusal(
    "terms_version",
    "The terms changed since this confirmation was shown: model training now needs terms version {version}. "
    "Nothing was changed; read the confirmation again.",
    FORBIDDEN,
)


class ServiceError(Exception):
    """A refused change; its message is written for the person who asked for it.

    The message is usually a rule's Refusal: its ``code`` and ``kind`` say what the refusal is to
    machines (the API's error code and status), whatever its words.
    """

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    @property
    def code(self):
        return code_of(self.message)

    @property
    def status(self):
        return STATUS_BY_KIND[kind_of(self.message)]


class NotAllowed(ServiceError):
    """The actor's role does not allow the change."""


class FieldError(ServiceError):
    """A refused change caused by one field of the form that asked for it (shown beside that field)."""

    def __init__(self, message, field):
        super().__init__(message)
        self.field = field


def _refuse(reason):
    """Raise a predicate's refusal: NotAllowed when the actor's role is the reason."""
    raise (NotAllowed if kind_of(reason) == ROLE else ServiceError)(reason)


def membership_of(actor, organization):
    if actor is None:
        return None
    return (
        Membership.objects.select_related("organization")
        .filter(user=actor, organization=organization)
        .first()
    )


def is_operator(actor, perm, actor_membership=None):
    # Staff act as operators only in organizations they do not belong to; inside their
    # own organization their role applies, as it does for everyone else.
    return actor_membership is None and permissions.is_staff_operator(actor, perm)


def lock_org(organization):
    # Every change to one org's settings or members is serialized on the org row, so
    # counts such as "the last admin" are read and changed under the same lock.
    return Organization.objects.select_for_update().get(pk=organization.pk)


def set_feedback_setting(*, actor, organization, enabled, request_meta=SYSTEM):
    """Turn the org's feedback setting (its kind's, per orgs.kinds) on or off; returns whether anything changed."""
    enabled = bool(enabled)
    with transaction.atomic():
        org = lock_org(organization)
        field = org.profile.setting_field
        membership = membership_of(actor, org)
        if membership is not None:
            membership.organization = org
        if is_operator(actor, "orgs.change_organization", membership):
            reason = permissions.plan_refusal(org)
        else:
            reason = permissions.why_cannot_change_feedback_setting(membership)
        if reason:
            _refuse(reason)
        old = getattr(org, field)
        if old == enabled:
            return False
        setattr(org, field, enabled)
        org.save(update_fields=[field])
        event = record_audit_event(
            organization=org,
            actor=actor,
            action=org.profile.setting_action,
            target=f"organization:{org.slug}",
            old=old,
            new=enabled,
            request_meta=request_meta,
        )
        notify_setting_changed(event=event)
    setattr(organization, field, enabled)
    return True


def set_model_training(*, actor, organization, enabled, terms_version=None, request_meta=SYSTEM, now=None):
    """Allow model training (confirmed under ``terms_version``) or withdraw it; returns whether anything changed.

    Prospective only: allowing opens a period at this instant, withdrawing ends it at this instant
    (``now``, the server's clock unless a test gives its own). Only the org's training deciders
    act, never staff as operators (consent is the customer's to give); a terms version that is
    no longer the current one is refused.
    """
    enabled = bool(enabled)
    with transaction.atomic():
        org = lock_org(organization)
        membership = membership_of(actor, org)
        if membership is not None:
            membership.organization = org
        if reason := permissions.why_cannot_change_model_training(membership):
            raise NotAllowed(reason)
        old = org.model_training_enabled
        if old == enabled:
            return False
        current_terms = selectors.get_training_terms_version()
        if enabled and terms_version != current_terms:
            raise ServiceError(ERR_TERMS_VERSION.format(version=current_terms))
        period = _switch_model_training_period(org, actor, enabled, current_terms, now or timezone.now())
        org.model_training_enabled = enabled
        org.save(update_fields=[MODEL_TRAINING_FIELD])
        event = record_audit_event(
            organization=org,
            actor=actor,
            action=actions.MODEL_TRAINING_CHANGED,
            target=f"organization:{org.slug}",
            old={MODEL_TRAINING_FIELD: old},
            new={MODEL_TRAINING_FIELD: enabled, "terms_version": period.terms_version if period else current_terms},
            request_meta=request_meta,
        )
        notify_setting_changed(event=event)
    organization.model_training_enabled = enabled
    return True


def _switch_model_training_period(org, actor, enabled, terms_version, now):
    """Open a period at ``now`` or end the open one there (under the org's row lock); returns the period."""
    last = ModelTrainingPeriod.objects.filter(organization=org).order_by("-started_at", "-id").first()
    # Never before the last recorded instant: a clock stepped back must not make periods overlap.
    if last is not None:
        now = max(now, last.ended_at or last.started_at)
    email = actor.email if actor else ""
    if enabled:
        return ModelTrainingPeriod.objects.create(
            organization=org, started_at=now, started_by=actor, started_by_email=email, terms_version=terms_version
        )
    if last is None or not last.is_open:
        return None
    last.ended_at, last.ended_by, last.ended_by_email = now, actor, email
    last.save(update_fields=["ended_at", "ended_by", "ended_by_email"])
    return last


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


def _admin_count(org):
    return Membership.objects.filter(organization=org, role=Role.ADMIN).count()


def _lock_member_change(actor, membership, perm, why_cannot, *args, via=None):
    """Lock the org and the member, and raise the refusal unless the actor may make this change.

    ``via`` is the audit Actor that acts for no person here (a SCIM token, single sign-on, a directory
    group's mapping), with ``actor`` None: it is held to the organization's rules (the Primary Owner,
    the last Org Admin), not to a rank.
    """
    if via is not None and actor is not None:
        raise NotAllowed(ERR_NOT_ALLOWED)
    org = lock_org(membership.organization)
    target = _lock_membership(membership, org)
    actor_m = membership_of(actor, org)
    as_operator = via is not None or is_operator(actor, perm, actor_m)
    if reason := why_cannot(actor_m, target, *args, as_operator=as_operator):
        _refuse(reason)
    return org, target


def change_member_role(*, actor, membership, role, expected_role=None, request_meta=SYSTEM, via=None):
    """Give a member a new role, following orgs.permissions; returns whether anything changed.

    expected_role, when given, is the role the actor confirmed the change from: if the member's
    role has changed since, nothing is changed. ``via``: see _lock_member_change.
    """
    with transaction.atomic():
        org, target = _lock_member_change(
            actor, membership, "orgs.change_membership", permissions.why_cannot_assign_role, role, via=via
        )
        if expected_role is not None and target.role != expected_role:
            raise ServiceError(permissions.ERR_ROLE_CHANGED_MEANWHILE.format(
                email=target.user.email, role=role_label(org.kind, target.role),
            ))
        if target.role == role:
            return False
        if permissions.would_leave_no_admin(target, role, _admin_count(org)):
            raise ServiceError(permissions.ERR_LAST_ADMIN)
        old = target.role
        target.role = role
        target.save(update_fields=["role"])
        record_audit_event(
            organization=org, actor=via or actor, action=actions.ROLE_CHANGED, target=f"member:{target.user.email}",
            old=old, new=role, request_meta=request_meta,
        )
    membership.role = role
    return True


def remove_member(*, actor, membership, request_meta=SYSTEM, via=None):
    """Remove a member from their organization, following orgs.permissions (``via``: see _lock_member_change)."""
    with transaction.atomic():
        org, target = _lock_member_change(
            actor, membership, "orgs.delete_membership", permissions.why_cannot_remove_member, via=via
        )
        if permissions.would_leave_no_admin(target, None, _admin_count(org)):
            raise ServiceError(permissions.ERR_LAST_ADMIN)
        email, old = target.user.email, target.role
        target.delete()
        record_audit_event(
            organization=org, actor=via or actor, action=actions.MEMBER_REMOVED, target=f"member:{email}",
            old=old, new=None, request_meta=request_meta,
        )


def transfer_primary_ownership(*, actor, membership, request_meta=SYSTEM):
    """Make this member the Primary Owner; the old Primary Owner becomes an Owner."""
    with transaction.atomic():
        org, target = _lock_member_change(
            actor, membership, "orgs.change_membership", permissions.why_cannot_transfer_primary_ownership
        )
        current = (
            Membership.objects.select_for_update()
            .select_related("user")
            .filter(organization=org, role=Role.PRIMARY_OWNER)
            .first()
        )
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
            action=actions.PRIMARY_OWNER_TRANSFERRED,
            target=f"member:{target.user.email}",
            old={"primary_owner": current.user.email if current else None, "role": old_role},
            new={"primary_owner": target.user.email, "previous_primary_owner_role": Role.OWNER},
            request_meta=request_meta,
        )
    membership.role = Role.PRIMARY_OWNER
    return True


def add_member(*, actor, organization, user, role, request_meta=SYSTEM, via=None):
    """Add a person to an organization (staff, or the system: seeding, or ``via`` SSO or a SCIM token)."""
    with transaction.atomic():
        org = lock_org(organization)
        if actor is not None and (via is not None or not is_operator(actor, "orgs.add_membership")):
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
            actor=via or actor,
            action=actions.MEMBER_ADDED,
            target=f"member:{user.email}",
            new=role,
            request_meta=request_meta,
        )
    return membership


def create_organization(*, actor, name, slug, kind, plan="", request_meta=SYSTEM):
    """Create an organization (staff, or the system for seeding)."""
    if actor is not None and not is_operator(actor, "orgs.add_organization"):
        raise NotAllowed(ERR_NOT_ALLOWED)
    with transaction.atomic():
        # A kind without plans takes none, whatever was asked.
        profile = PROFILES.get(kind)
        org = Organization(name=name, slug=slug, kind=kind, plan=plan if profile is None or profile.has_plans else "")
        org.full_clean()
        org.save()
        record_audit_event(
            organization=org,
            actor=actor,
            action=actions.ORG_CREATED,
            target=f"organization:{slug}",
            new={"name": name, "slug": slug, "kind": kind, "plan": org.plan},
            request_meta=request_meta,
        )
    return org


DETAIL_FIELDS = ("name", "slug", "plan")


def update_organization_details(*, actor, organization, changes, request_meta=SYSTEM):
    """Change an organization's name, slug or plan (staff only); returns whether anything changed."""
    if not is_operator(actor, "orgs.change_organization"):
        raise NotAllowed(ERR_NOT_ALLOWED)
    with transaction.atomic():
        org = lock_org(organization)
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
            action=actions.ORG_DETAILS_CHANGED,
            target=f"organization:{org.slug}",
            old=old,
            new={f: changes[f] for f in old},
            request_meta=request_meta,
        )
    for field in old:
        setattr(organization, field, changes[field])
    return True
