"""The Admin API's request and response bodies, as its OpenAPI document describes them."""

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import ConfigDict

from orgs.roles import Role

RoleName = Literal[tuple(Role.values)]


class Error(Schema):
    """Every answer that is not 2xx: a stable code, and words (or `{field, message}` items) saying why."""

    error: str
    detail: Any


class Me(Schema):
    email: str


class Created(Schema):
    id: UUID


class Settings(Schema):
    """The organization's data settings: the ones of its kind only (more may follow)."""

    model_config = ConfigDict(extra="allow")

    thumbs_feedback_enabled: bool | None = Field(None, description="Claude organizations: members may rate responses.")
    workbench_feedback_enabled: bool | None = Field(None, description="API Console organizations: feedback in the Workbench.")
    model_training_enabled: bool = Field(description="Whether the organization allowed its conversations to train models.")
    model_training_since: str | None = Field(
        description="When it was allowed: ISO 8601 in UTC to the microsecond (`…Z`); null while off.")
    model_training_terms_version: str | None = Field(description="The terms it was allowed under; null while off.")


class SettingsChange(Schema):
    """The settings to change; only the organization's kind's. Leave a setting out to keep it."""

    model_config = ConfigDict(extra="forbid", strict=True)

    thumbs_feedback_enabled: bool = Field(None, description="Claude organizations (Enterprise plan): on or off.")
    workbench_feedback_enabled: bool = Field(None, description="API Console organizations: on or off.")
    model_training_enabled: bool = Field(None, description="Only `false`: withdraw the model training choice.")


class Member(Schema):
    id: int
    email: str
    name: str
    role: str
    added_at: datetime


class MemberChange(Schema):
    model_config = ConfigDict(extra="forbid", strict=True)

    role: RoleName = Field(description="A role of the organization's kind, given under the Members page's rules.")


class Invitation(Schema):
    id: int
    email: str
    role: str
    status: Literal["pending", "expired", "lapsed", "accepted", "revoked"]
    invited_by: str | None
    sent_at: datetime
    expires_at: datetime


class InvitationRequest(Schema):
    model_config = ConfigDict(extra="forbid", strict=True)

    email: str = Field(max_length=254, description="The address the link is mailed to.")
    role: RoleName


class AuditEvent(Schema):
    id: int
    seq: int = Field(description="The event's place in the organization's chain: 1, 2, 3 … with no gap.")
    action: str = Field(description="The stable dotted code of what happened, e.g. `member.role.changed`.")
    action_label: str
    actor_kind: str = Field(description="`person`, `system`, `api_key`, `scim` or `sso`.")
    actor: str | None = Field(description="Who acted: a person's e-mail, or the named key, token or connection; null for the system.")
    target: str
    old_value: Any
    new_value: Any
    ip_address: str | None
    user_agent: str
    created_at: datetime
    prev_hash: str = Field(description="The hash of the event before it in the chain (docs/audit.md).")
    hash: str = Field(description="SHA-256 over the event's canonical encoding and prev_hash (docs/audit.md).")


class DailyCount(Schema):
    """Reports of one day, surface, kind and rating: counts only, never a report's content."""

    model_config = ConfigDict(extra="allow")

    day: date
    surface: str
    kind: str = Field(description="`rating` (a thumbs up or down) or `bug` (a bug report).")
    rating: str = Field(description="`up` or `down`; empty for a bug report.")
    count: int


class DailyCounts(Schema):
    since: date
    until: date
    data: list[DailyCount]


class Page(Schema):
    has_more: bool
    first_id: int | None
    last_id: int | None


class MemberPage(Page):
    data: list[Member]


class InvitationPage(Page):
    data: list[Invitation]


class AuditEventPage(Page):
    data: list[AuditEvent]

