"""The Admin API: an organization's data settings, members, invitations, audit events and report counts.

Every change goes through the same service as the pages' (orgs.services, identity.invitations), with
the same rules: a key acts with the rights of the decider who made it, and is named as the actor.
A refusal is raised by the service and answered as JSON with its reason's code (api.refusals).
"""

from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import AwareDatetime

from audit import selectors as audit_selectors
from audit.actions import ACTIONS, action_label
from audit.forms import ERR_UNKNOWN_ACTION
from audit.models import ActorKind
from feedback.selectors import list_daily_counts
from identity import invitations
from identity import selectors as identity_selectors
from identity.forms import InvitationForm
from identity.invitation_status import invitation_status
from orgs import permissions as org_permissions
from orgs import selectors as org_selectors
from orgs import services as org_services
from orgs.api import settings_payload
from orgs.kinds import MODEL_TRAINING_FIELD, MODEL_TRAINING_LABEL

from .. import selectors
from ..auth import KEY_AUTH, KEY_OR_SESSION_AUTH
from ..exceptions import ApiError
from ..openapi import described
from ..pagination import MAX_ID, PageQuery, cursor_page, page_body
from ..permissions import ERR_CONSENT_NEEDS_A_PERSON
from ..refusals import refusal
from ..schemas import (
    AuditEventPage,
    DailyCounts,
    Invitation,
    InvitationPage,
    InvitationRequest,
    Member,
    MemberChange,
    MemberPage,
    Settings,
    SettingsChange,
)

router = Router(tags=["Admin API"])

ORG = "/orgs/{slug:slug}"
COUNT_DAYS_DEFAULT = 30
COUNT_DAYS_MAX = 366

ERR_NO_MEMBER = "No such member."
ERR_NO_INVITATION = "No such open invitation."
ERR_COUNT_RANGE = f"A range of at most {COUNT_DAYS_MAX} days, from `since` to `until`."
ERR_DATE_ORDER = "`until` is before `since`."
ERR_DATE_RANGE = "This date is out of range."


def _invalid(field, message):
    return ApiError(400, "invalid", [{"field": field, "message": message}])


def _check(reason):
    """Raise the API's answer to a rule's refusal (None: the rule allows)."""
    if reason:
        raise refusal(reason)


# Settings


@dataclass(frozen=True)
class SettingWriter:
    """One data setting the API changes: the service that changes it, and the values a key may set (None: any)."""

    label: str
    change: Any
    key_may_set: frozenset | None = None


def _set_feedback(*, actor, organization, value, request_meta):
    org_services.set_feedback_setting(actor=actor, organization=organization, enabled=value, request_meta=request_meta)


def _set_model_training(*, actor, organization, value, request_meta):
    # Only ever off through the API (key_may_set below): withdrawing needs no terms version.
    org_services.set_model_training(actor=actor, organization=organization, enabled=value, request_meta=request_meta)


def writable_settings(organization):
    """The data settings of the organization's kind, by field name, with how each is changed."""
    profile = organization.profile
    return {
        profile.setting_field: SettingWriter(label=profile.setting_label, change=_set_feedback),
        # Turning model training on is a person's consent to the terms: a key may only turn it off.
        MODEL_TRAINING_FIELD: SettingWriter(label=MODEL_TRAINING_LABEL, change=_set_model_training, key_may_set=frozenset({False})),
    }


@router.get(f"{ORG}/settings", auth=KEY_OR_SESSION_AUTH, url_name="org-settings", operation_id="getOrganizationSettings",
            summary="Read the organization's data settings", exclude_unset=True, **described({200: Settings}, 401, 403, 404, 429))
def get_settings(request, slug: str):
    """`thumbs_feedback_enabled` for Claude organizations, `workbench_feedback_enabled` for API Console organizations;
    for both, `model_training_enabled` (off unless the organization allowed it), with `model_training_since` and
    `model_training_terms_version`: the instant and the terms it was allowed under (null while off).
    Any member signed in, or a key with the read scope."""
    return settings_payload(request.auth.organization)


@router.patch(f"{ORG}/settings", auth=KEY_AUTH, operation_id="changeOrganizationSettings",
              summary="Change the organization's data settings", exclude_unset=True,
              **described({200: Settings}, 400, 401, 403, 404, 411, 413, 415, 429))
def change_settings(request, slug: str, payload: SettingsChange):
    """The settings of the organization's kind, under the settings page's rules (e.g. Thumbs Feedback changes on
    the Enterprise plan only); `model_training_enabled` only to `false` (allowing it is a person's consent, on the
    settings page). All or nothing; the answer is the settings afterwards."""
    caller = request.auth
    org = caller.organization
    writers = writable_settings(org)
    asked = {field: getattr(payload, field) for field in sorted(payload.model_fields_set)}
    if unknown := [field for field in asked if field not in writers]:
        raise ApiError(400, "invalid", [{"field": field, "message": org_permissions.ERR_WRONG_KIND} for field in unknown])
    for field, value in asked.items():
        allowed = writers[field].key_may_set
        if caller.key is not None and allowed is not None and value not in allowed:
            raise refusal(ERR_CONSENT_NEEDS_A_PERSON.format(setting=writers[field].label))
    with transaction.atomic():
        for field, value in asked.items():
            writers[field].change(actor=caller.actor, organization=org, value=value, request_meta=caller.request_meta)
    return settings_payload(org)


# Members


def member_json(membership):
    return {
        "id": membership.pk, "email": membership.user.email, "name": membership.user.full_name,
        "role": membership.role, "added_at": membership.created_at,
    }


def _member_or_404(organization, member_id):
    member = org_selectors.get_member(organization, member_id) if member_id <= MAX_ID else None
    if member is None:
        raise ApiError(404, "not_found", ERR_NO_MEMBER)
    return member


@router.get(f"{ORG}/members", auth=KEY_AUTH, url_name="members", operation_id="listMembers", summary="List the members",
            **described({200: MemberPage}, 400, 401, 403, 404, 429))
def list_members(request, slug: str, query: Query[PageQuery]):
    """Newest first, by cursor (`after_id` = a page's `last_id` for the next page)."""
    caller = request.auth
    _check(None if org_permissions.can_view_members(caller.membership) else org_permissions.ERR_NOT_ALLOWED)
    items, has_more = cursor_page(selectors.list_members(caller.organization), query)
    return page_body(items, has_more, member_json)


@router.patch(f"{ORG}/members/{{int:member_id}}", auth=KEY_AUTH, url_name="member", operation_id="changeMemberRole",
              summary="Change a member's role",
              **described({200: Member}, 400, 401, 403, 404, 409, 411, 413, 415, 429))
def change_member(request, slug: str, member_id: int, payload: MemberChange):
    """Under the Members page's rules: never one's own role, never above the key maker's, never the Primary Owner's
    (which moves only by a transfer, made on the page)."""
    caller = request.auth
    _check(org_permissions.why_cannot_manage_members(caller.membership))
    target = _member_or_404(caller.organization, member_id)
    org_services.change_member_role(
        actor=caller.actor, membership=target, role=payload.role, request_meta=caller.request_meta
    )
    return member_json(target)


@router.delete(f"{ORG}/members/{{int:member_id}}", auth=KEY_AUTH, operation_id="removeMember",
               summary="Remove a member", **described({204: None}, 401, 403, 404, 409, 429))
def remove_member(request, slug: str, member_id: int):
    """Under the Members page's rules: never the Primary Owner, never the last Org Admin."""
    caller = request.auth
    _check(org_permissions.why_cannot_manage_members(caller.membership))
    target = _member_or_404(caller.organization, member_id)
    org_services.remove_member(actor=caller.actor, membership=target, request_meta=caller.request_meta)
    return Status(204, None)


# Invitations


def invitation_json(invitation):
    return {
        "id": invitation.pk, "email": invitation.email, "role": invitation.role,
        "status": invitation_status(invitation, timezone.now()).value, "invited_by": invitation.invited_by_email or None,
        "sent_at": invitation.sent_at, "expires_at": invitation.expires_at,
    }


@router.get(f"{ORG}/invitations", auth=KEY_AUTH, url_name="invitations", operation_id="listInvitations",
            summary="List the invitations", **described({200: InvitationPage}, 400, 401, 403, 404, 429))
def list_invitations(request, slug: str, query: Query[PageQuery]):
    """Every invitation, whatever its status, newest first by cursor."""
    caller = request.auth
    _check(org_permissions.why_cannot_invite(caller.membership))
    items, has_more = cursor_page(selectors.list_invitations(caller.organization), query)
    return page_body(items, has_more, invitation_json)


@router.post(f"{ORG}/invitations", auth=KEY_AUTH, operation_id="invite", summary="Invite a person by e-mail",
             **described({201: Invitation}, 400, 401, 403, 404, 409, 411, 413, 415, 429))
def invite(request, slug: str, payload: InvitationRequest):
    """Mails a link valid once for 7 days, with a role the key's maker may give (never Primary Owner), as the
    Members page does; at most 50 invitations per organization in 24 hours."""
    caller = request.auth
    _check(org_permissions.why_cannot_invite(caller.membership))
    form = InvitationForm({"email": payload.email, "role": payload.role}, organization=caller.organization, grantable=())
    if not form.is_valid():
        raise ApiError(400, "invalid", [
            {"field": field, "message": str(message)} for field, messages in form.errors.items() for message in messages
        ])
    invitation = invitations.invite_member(
        actor=caller.actor, organization=caller.organization, email=form.cleaned_data["email"],
        role=form.cleaned_data["role"], request_meta=caller.request_meta,
    )
    return Status(201, invitation_json(invitation))


@router.delete(f"{ORG}/invitations/{{int:invitation_id}}", auth=KEY_AUTH, url_name="invitation",
               operation_id="revokeInvitation", summary="Revoke an open invitation",
               **described({204: None}, 401, 403, 404, 409, 429))
def revoke_invitation(request, slug: str, invitation_id: int):
    """Its link then says it was withdrawn and changes nothing."""
    caller = request.auth
    _check(org_permissions.why_cannot_invite(caller.membership))
    invitation = identity_selectors.get_open_invitation(caller.organization, invitation_id) if invitation_id <= MAX_ID else None
    if invitation is None:
        raise ApiError(404, "not_found", ERR_NO_INVITATION)
    invitations.revoke_invitation(actor=caller.actor, invitation=invitation, request_meta=caller.request_meta)
    return Status(204, None)


# Audit events


class AuditQuery(PageQuery):
    action: str | None = Field(None, max_length=100, description="Only events of this action code.")
    since: AwareDatetime | None = Field(None, description="Only events at or after this time (with its UTC offset).")
    until: AwareDatetime | None = Field(None, description="Only events before this time (with its UTC offset).")


def _utc(value, field):
    if value is None:
        return None
    try:
        return value.astimezone(UTC)
    except OverflowError as error:
        raise _invalid(field, ERR_DATE_RANGE) from error


def audit_event_json(event):
    return {
        "id": event.pk, "seq": event.seq, "action": event.action, "action_label": action_label(event.action),
        "actor_kind": event.actor_kind,
        "actor": None if event.actor_kind == ActorKind.SYSTEM else event.actor_label,
        "target": event.target, "old_value": event.old_value,
        "new_value": event.new_value, "ip_address": event.ip_address, "user_agent": event.user_agent,
        "created_at": event.created_at, "prev_hash": event.prev_hash, "hash": event.hash,
    }


@router.get(f"{ORG}/audit-events", auth=KEY_AUTH, url_name="audit-events", operation_id="listAuditEvents",
            summary="List the audit events", **described({200: AuditEventPage}, 400, 401, 403, 404, 429))
def list_audit_events(request, slug: str, query: Query[AuditQuery]):
    """Newest first, by cursor; the same events as the Audit log page, filtered by action and time."""
    caller = request.auth
    _check(org_permissions.why_cannot_view_audit_log(caller.membership))
    if query.action and query.action not in ACTIONS:
        raise _invalid("action", ERR_UNKNOWN_ACTION.format(value=query.action))
    events = audit_selectors.list_audit_events(
        caller.organization, action=query.action or "", since=_utc(query.since, "since"), until=_utc(query.until, "until")
    ).only(*audit_selectors.PAGE_FIELDS, "seq", "prev_hash", "hash")
    items, has_more = cursor_page(events, query, order=("created_at", "id"))
    return page_body(items, has_more, audit_event_json)


# Report counts


class CountQuery(Schema):
    since: date | None = Field(None, description=f"First day (UTC); default {COUNT_DAYS_DEFAULT - 1} days before `until`.")
    until: date | None = Field(None, description="Last day (UTC), included; default today.")


@router.get(f"{ORG}/feedback/counts", auth=KEY_AUTH, url_name="feedback-counts", operation_id="getFeedbackCounts",
            summary="Count the reports per day", **described({200: DailyCounts}, 400, 401, 403, 404, 429))
def feedback_counts(request, slug: str, query: Query[CountQuery]):
    """Reports given in the organization per day (UTC), surface and rating: counts only, never a report."""
    caller = request.auth
    _check(org_permissions.why_cannot_open_feedback_settings(caller.membership))
    until = query.until or timezone.now().date()
    try:
        since = query.since or until - timedelta(days=COUNT_DAYS_DEFAULT - 1)
    except OverflowError as error:
        raise _invalid("since", ERR_DATE_RANGE) from error
    if until < since:
        raise _invalid("until", ERR_DATE_ORDER)
    if (until - since).days >= COUNT_DAYS_MAX:
        raise _invalid("since", ERR_COUNT_RANGE)
    return {"since": since, "until": until, "data": list_daily_counts(caller.organization, since, until)}
