"""The audit log in words: one table of labels for every action, and old → new values as people read them.

The page, its filter and the CSV all read these; the stored action codes never change.
"""

from dataclasses import dataclass

from .roles import OrgKind, Plan, is_role_valid_for_kind, role_label

# Every action the console records, by its stored code. A new action needs a line here
# (tests/orgs/test_audit_labels.py checks every ACTION_* constant of orgs.services).
ACTION_LABELS = {
    "settings.thumbs_feedback.changed": "Thumbs Feedback setting changed",
    "settings.workbench_feedback.changed": "Workbench feedback setting changed",
    "member.added": "Member added",
    "member.invited": "Member invited",
    "member.invitation_revoked": "Invitation revoked",
    "member.invitation_resent": "Invitation resent",
    "member.role.changed": "Role changed",
    "member.removed": "Member removed",
    "member.primary_owner.transferred": "Primary Ownership transferred",
    "org.created": "Organization created",
    "org.details.changed": "Organization details changed",
    "api_key.created": "API key created",
    "api_key.revoked": "API key revoked",
}

# The name of what each action changes, when its old and new values are one plain value.
SINGLE_VALUE_FIELD = {
    "settings.thumbs_feedback.changed": "Thumbs Feedback",
    "settings.workbench_feedback.changed": "Workbench feedback",
    "member.added": "Role",
    "member.role.changed": "Role",
    "member.removed": "Role",
}

FIELD_LABELS = {
    "name": "Name",
    "slug": "Address (slug)",
    "kind": "Kind",
    "plan": "Plan",
    "role": "Role",
    "email": "E-mail",
    "primary_owner": "Primary Owner",
    "previous_primary_owner_role": "Former Primary Owner's new role",
    "thumbs_feedback_enabled": "Thumbs Feedback",
    "workbench_feedback_enabled": "Workbench feedback",
    "scopes": "Scopes",
    "expires_at": "Expires",
    "hint": "Ends in",
}

REMOVED = "removed"
NONE = "—"


def action_label(action):
    """The words for an action code; an unknown code is shown as it is stored."""
    return ACTION_LABELS.get(action, action)


def action_choices():
    """The actions the filter offers: (code, label), by label."""
    return sorted(ACTION_LABELS.items(), key=lambda item: item[1])


@dataclass(frozen=True)
class Change:
    """One changed field of an event: its name and the old and new values in words (None: none)."""

    field: str
    old: str | None
    new: str | None

    def __str__(self):
        if self.old is None:
            return f"{self.field}: {self.new or NONE}"
        return f"{self.field}: {self.old} → {self.new or NONE}"


def value_words(kind, value, field=""):
    """One stored value in words: On/Off, role names, kind and plan names."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "On" if value else "Off"
    if isinstance(value, str):
        if field == "kind" and value in OrgKind.values:
            return OrgKind(value).label
        if field == "plan" and value in Plan.values:
            return Plan(value).label
        if field not in ("name", "slug", "email", "primary_owner") and is_role_valid_for_kind(kind, value):
            return role_label(kind, value)
    return str(value)


def describe_changes(kind, action, old, new):
    """The event's old → new values as a list of Changes, in words."""
    if action == "member.primary_owner.transferred" and isinstance(old, dict) and isinstance(new, dict):
        return _transfer_changes(kind, old, new)
    if isinstance(old, dict) or isinstance(new, dict):
        old, new = old if isinstance(old, dict) else {}, new if isinstance(new, dict) else {}
        return [
            Change(FIELD_LABELS.get(key, key.replace("_", " ").capitalize()),
                   value_words(kind, old.get(key), key), value_words(kind, new.get(key), key))
            for key in list(dict.fromkeys([*old, *new]))
        ]
    if old is None and new is None:
        return []
    field = SINGLE_VALUE_FIELD.get(action, "Value")
    new_words = REMOVED if action == "member.removed" else value_words(kind, new)
    return [Change(field, value_words(kind, old), new_words)]


def _transfer_changes(kind, old, new):
    # Stored as {"primary_owner": old e-mail, "role": the new one's former role} →
    # {"primary_owner": new e-mail, "previous_primary_owner_role": what the old one became}.
    before, after = old.get("primary_owner"), new.get("primary_owner")
    changes = [Change("Primary Owner", before or NONE, after)]
    if after and old.get("role"):
        changes.append(Change(f"Role of {after}", value_words(kind, old["role"]), role_label(kind, "primary_owner")))
    if before and new.get("previous_primary_owner_role"):
        changes.append(Change(
            f"Role of {before}", role_label(kind, "primary_owner"), value_words(kind, new["previous_primary_owner_role"])
        ))
    return changes


def target_words(target):
    """The stored target ("member:a@b", "organization:acme") as people read it."""
    prefix, _, rest = target.partition(":")
    if prefix == "member" and rest:
        return rest
    if prefix == "organization" and rest:
        return "The organization"
    if prefix == "api_key" and rest:
        return f"API key {rest}"
    return target
