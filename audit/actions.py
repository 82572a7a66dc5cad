"""Every audit action in one registry: its stored code, its label, and the shape of its old and new values.

Services record by these objects (an unknown code or a value of the wrong shape is refused), the kind
profiles name them, and the Audit log page, its filter, the CSV, the export and the staff admin read
them. Codes are stored: never rename one. A new action is one line here.
"""

import datetime
from dataclasses import dataclass

NONE = "—"

ERR_UNKNOWN_ACTION = "“{code}” is not an audit action: add it to audit.actions first."
ERR_VALUE_SHAPE = "The values of “{code}” do not have its shape ({shape}): old={old!r}, new={new!r}."


def _yes_no(organization, value):
    return ("Yes" if value else "No") if isinstance(value, bool) else None


def _time(organization, value):
    """An ISO 8601 time as people read it, in UTC: "2 Jan 2027, 14:05 UTC"."""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    moment = moment.astimezone(datetime.UTC)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


# Words for the values of a vocabulary ("role", "kind", "plan"), given by the app that owns it:
# words(organization, value) -> str or None. audit imports no app above it, so they register here;
# audit's own ("yes_no" for a flag that is a fact, "time" for an ISO 8601 time) are below.
_VOCABULARIES = {"yes_no": _yes_no, "time": _time}


def register_words(vocabulary, words):
    """Let the app that owns a vocabulary put its values in words."""
    _VOCABULARIES[vocabulary] = words


def value_words(organization, value, vocabulary=""):
    """One stored value in words: the vocabulary's word for it, On/Off, a list's items; None for no value."""
    if value is None or value == "":
        return None
    if isinstance(value, list):
        return ", ".join(value_words(organization, item, vocabulary) or NONE for item in value) or None
    words = _VOCABULARIES.get(vocabulary)
    if words is not None and (text := words(organization, value)):
        return text
    if isinstance(value, bool):
        return "On" if value else "Off"
    return str(value)


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


def _is_text(value):
    return value is None or isinstance(value, str)


def _is_field_value(value):
    """What a Record's field may hold: text, a flag, or a list of texts (the addresses a group gained, a key's scopes)."""
    return _is_text(value) or isinstance(value, bool) or (isinstance(value, list) and all(isinstance(x, str) for x in value))


@dataclass(frozen=True)
class Flag:
    """A setting turned on or off (On/Off), or a fact that became true or false (vocabulary "yes_no")."""

    field: str
    vocabulary: str = ""
    describe = "true/false"

    def fits(self, old, new):
        return all(v is None or isinstance(v, bool) for v in (old, new)) and new is not None

    def changes(self, organization, old, new):
        return [Change(
            self.field, value_words(organization, old, self.vocabulary), value_words(organization, new, self.vocabulary)
        )]


@dataclass(frozen=True)
class Choice:
    """One value of a vocabulary (a role): new alone (given), old alone (taken away), or old → new."""

    field: str
    vocabulary: str
    gone: str = ""  # how an old value with no new one ends ("removed"); empty: the old value is shown alone
    describe = "a code or null"

    def fits(self, old, new):
        return _is_text(old) and _is_text(new) and (old, new) != (None, None)

    def changes(self, organization, old, new):
        before, after = value_words(organization, old, self.vocabulary), value_words(organization, new, self.vocabulary)
        if before is not None and after is None:
            return [Change(self.field, before, self.gone)] if self.gone else [Change(self.field, None, before)]
        return [Change(self.field, before, after)]


@dataclass(frozen=True)
class Record:
    """Several named fields: old and new are objects holding some of them (the ones created or changed).

    Created (old null): the new values alone. Gone (new null): the old values alone, as they were.
    Changed: old → new for each field given. A field's fourth item, where given, is the word for
    a null value ("never" for an expiry).
    """

    fields: tuple  # (key, label, vocabulary[, word for null]), in the order they read
    describe = "objects of named fields"

    def fits(self, old, new):
        keys = {field[0] for field in self.fields}
        return all(
            v is None or (isinstance(v, dict) and set(v) <= keys and all(_is_field_value(x) for x in v.values()))
            for v in (old, new)
        )

    def changes(self, organization, old, new):
        gone = old is not None and new is None
        old, new = old or {}, new or {}
        changes = []
        for key, label, vocabulary, *blank in self.fields:
            if key not in old and key not in new:
                continue
            before, after = (
                (value_words(organization, side[key], vocabulary) or (blank[0] if blank else None)) if key in side else None
                for side in (old, new)
            )
            changes.append(Change(label, None, before) if gone else Change(label, before, after))
        return changes


@dataclass(frozen=True)
class Transfer:
    """A role held by one person at a time passing on: who held it, who holds it, and both people's roles.

    old = {"primary_owner": former holder's e-mail or null, "role": the new holder's former role};
    new = {"primary_owner": new holder's e-mail, "previous_primary_owner_role": what the former holder became}.
    """

    role: str = "primary_owner"
    vocabulary: str = "role"
    describe = "the holder before and after, with their roles"

    def fits(self, old, new):
        return (
            isinstance(old, dict) and set(old) == {self.role, "role"} and all(_is_text(v) for v in old.values())
            and isinstance(new, dict) and set(new) == {self.role, f"previous_{self.role}_role"}
            and all(_is_text(v) for v in new.values())
        )

    def changes(self, organization, old, new):
        title = value_words(organization, self.role, self.vocabulary)
        before, after = old.get(self.role), new.get(self.role)
        changes = [Change(title, before or NONE, after)]
        if after and old.get("role"):
            changes.append(Change(f"Role of {after}", value_words(organization, old["role"], self.vocabulary), title))
        if before and new.get(f"previous_{self.role}_role"):
            changes.append(Change(
                f"Role of {before}", title, value_words(organization, new[f"previous_{self.role}_role"], self.vocabulary)
            ))
        return changes


@dataclass(frozen=True)
class Action:
    """One kind of audit event: the code stored, the label people read, the shape of its values."""

    code: str
    label: str
    shape: object

    @property
    def group(self):
        """The first word of the code (settings, member, org): the staff filter's groups."""
        return self.code.split(".", 1)[0]

    def check_values(self, old, new):
        """Raise ValueError unless old and new have this action's shape."""
        if not self.shape.fits(old, new):
            raise ValueError(ERR_VALUE_SHAPE.format(code=self.code, shape=self.shape.describe, old=old, new=new))

    def changes(self, organization, old, new):
        """The event's old → new values as Changes, in words."""
        return self.shape.changes(organization, old, new)


ACTIONS = {}


def _action(code, label, shape):
    action = Action(code, label, shape)
    assert code not in ACTIONS, code
    ACTIONS[code] = action
    return action


THUMBS_FEEDBACK_CHANGED = _action("settings.thumbs_feedback.changed", "Thumbs Feedback setting changed", Flag("Thumbs Feedback"))
WORKBENCH_FEEDBACK_CHANGED = _action(
    "settings.workbench_feedback.changed", "Workbench feedback setting changed", Flag("Workbench feedback")
)
MODEL_TRAINING_CHANGED = _action("settings.model_training.changed", "Model training setting changed", Record((
    ("model_training_enabled", "Model training", ""), ("terms_version", "Terms version", ""),
)))
MEMBER_ADDED = _action("member.added", "Member added", Choice("Role", "role"))
MEMBER_INVITED = _action("member.invited", "Member invited", Choice("Role", "role"))
INVITATION_RESENT = _action("member.invitation_resent", "Invitation resent", Choice("Role", "role"))
INVITATION_REVOKED = _action("member.invitation_revoked", "Invitation revoked", Choice("Role", "role"))
ROLE_CHANGED = _action("member.role.changed", "Role changed", Choice("Role", "role"))
MEMBER_REMOVED = _action("member.removed", "Member removed", Choice("Role", "role", gone="removed"))
PRIMARY_OWNER_TRANSFERRED = _action("member.primary_owner.transferred", "Primary Ownership transferred", Transfer())
ORG_CREATED = _action("org.created", "Organization created", Record((
    ("name", "Name", ""), ("slug", "Address (slug)", ""), ("kind", "Kind", "kind"), ("plan", "Plan", "plan"),
)))
ORG_DETAILS_CHANGED = _action("org.details.changed", "Organization details changed", Record((
    ("name", "Name", ""), ("slug", "Address (slug)", ""), ("plan", "Plan", "plan"),
)))

# How people get in (identity): domains, single sign-on, SCIM provisioning. Changes name only the fields
# that changed; the values a vocabulary names ("protocol", "role", "scope") read in its app's words.
_DOMAIN = Record((("domain", "Domain", ""), ("verified", "Verified", "yes_no")))
_SSO = Record((
    ("protocol", "Protocol", "protocol"), ("issuer", "Issuer", ""), ("client_id", "Client ID", ""),
    # Never the secret: "set" when the first one was stored, "replaced" when another took its place.
    ("client_secret", "Client secret", ""), ("idp_entity_id", "IdP entity ID", ""),
    ("idp_metadata_url", "IdP metadata URL", ""), ("jit_role", "Role at first sign-in", "role"),
))
_TOKEN = Record((("name", "Name", ""), ("hint", "Ends with", "")))
_SCIM_USER = Record((
    ("userName", "E-mail address", ""), ("name", "Name", ""), ("givenName", "Given name", ""),
    ("familyName", "Family name", ""), ("externalId", "External ID", ""),
))
_SCIM_GROUP = Record((
    ("displayName", "Name", ""), ("externalId", "External ID", ""),
    ("members_added", "Members added", ""), ("members_removed", "Members removed", ""),
))
DOMAIN_ADDED = _action("identity.domain.added", "Domain added", Choice("Domain", ""))
DOMAIN_VERIFIED = _action("identity.domain.verified", "Domain verified", Flag("Verified", "yes_no"))
DOMAIN_UNVERIFIED = _action("identity.domain.unverified", "Domain no longer verified", Flag("Verified", "yes_no"))
DOMAIN_REMOVED = _action("identity.domain.removed", "Domain removed", _DOMAIN)
SSO_CONFIGURED = _action("identity.sso.configured", "Single sign-on configured", _SSO)
SSO_ENFORCED = _action("identity.sso.enforced", "Single sign-on enforcement changed", Flag("Single sign-on required"))
BREAK_GLASS_CHANGED = _action("identity.sso.break_glass.changed", "Break-glass account changed", Choice("Break-glass account", ""))
SCIM_TOKEN_CREATED = _action("identity.scim_token.created", "SCIM token created", _TOKEN)
SCIM_TOKEN_REVOKED = _action("identity.scim_token.revoked", "SCIM token revoked", _TOKEN)
SCIM_USER_UPDATED = _action("identity.scim.user.updated", "Person updated by SCIM", _SCIM_USER)
# A group's members: new = {"members_added": [e-mails], "members_removed": [e-mails]} (old null).
SCIM_GROUP_CREATED = _action("identity.scim.group.created", "Directory group created", _SCIM_GROUP)
SCIM_GROUP_UPDATED = _action("identity.scim.group.updated", "Directory group changed", _SCIM_GROUP)
SCIM_GROUP_DELETED = _action("identity.scim.group.deleted", "Directory group deleted", _SCIM_GROUP)
GROUP_ROLE_CHANGED = _action(
    "identity.scim.group.role.changed", "Directory group role changed", Choice("Role", "role", gone="No role")
)

# The Admin API's organization keys: scopes as a list of codes, the expiry as an ISO 8601 time or null (never).
_KEY = Record((("name", "Name", ""), ("scopes", "Scopes", "scope"), ("expires_at", "Expires", "time", "never")))
API_KEY_CREATED = _action("api_key.created", "API key created", _KEY)
API_KEY_REVOKED = _action("api_key.revoked", "API key revoked", _KEY)

# The staff list's filter: actions by the first word of their code (a prefix the index answers).
GROUP_LABELS = {"settings": "Settings", "member": "Members", "org": "Organization", "identity": "Identity", "api_key": "API keys"}


def get_action(code):
    """The registered action with this code, or None."""
    return ACTIONS.get(code)


def action_label(code):
    """The words for an action code; an unknown code is shown as it is stored."""
    action = ACTIONS.get(code)
    return action.label if action else code


def action_choices():
    """The actions the filter offers: (code, label), by label."""
    return sorted(((a.code, a.label) for a in ACTIONS.values()), key=lambda item: item[1])


def group_choices():
    """The staff filter's groups: (prefix with its dot, label)."""
    return [(f"{group}.", label) for group, label in GROUP_LABELS.items()]


def describe_changes(organization, code, old, new):
    """An event's old → new values in words; a code no longer registered reads its raw values."""
    action = ACTIONS.get(code)
    if action is not None and action.shape.fits(old, new):
        return action.changes(organization, old, new)
    if old is None and new is None:
        return []
    if isinstance(old, dict) or isinstance(new, dict):
        old, new = old if isinstance(old, dict) else {}, new if isinstance(new, dict) else {}
        return [Change(key, value_words(organization, old.get(key)), value_words(organization, new.get(key)))
                for key in dict.fromkeys([*old, *new])]
    return [Change("Value", value_words(organization, old), value_words(organization, new))]
