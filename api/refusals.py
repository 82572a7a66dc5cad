"""Every refusal the API answers carries a stable code: the name of the ERR_* constant whose text it is.

The services raise their refusal's message (orgs.services.ServiceError); here the message is
traced back to the constant that says it (``ERR_LAST_ADMIN`` → ``last_admin``), its placeholders
matched as wildcards, so rewording a message changes neither the code nor the status.
"""

import functools
import re

from orgs import invitations as org_invitations
from orgs import models as org_models
from orgs import permissions as org_permissions
from orgs import services as org_services

from . import permissions as key_permissions
from .exceptions import ApiError

SOURCES = (org_permissions, org_services, org_invitations, org_models, key_permissions)

# Changes the organization's present state does not allow (409), and values that do not exist in
# it (400); every other refusal is about who asks (403).
CONFLICTS = frozenset({
    "last_admin", "already_member", "already_invited", "invitation_closed", "member_gone", "role_changed_meanwhile",
    "daily_cap",
})
INVALID = frozenset({"role_for_kind", "role_not_in_kind", "wrong_kind"})
UNKNOWN = "refused"

_PLACEHOLDER = re.compile(r"\\\{[a-z_]*\\\}")


def _pattern(message):
    return re.compile(_PLACEHOLDER.sub(".+", re.escape(message)) + r"\Z", re.DOTALL)


@functools.cache
def _catalogue():
    """(pattern, code) for every ERR_* message, the exact ones (no placeholders) first."""
    found = {}
    for module in SOURCES:
        for name, value in vars(module).items():
            if name.startswith("ERR_") and isinstance(value, str):
                found.setdefault(value, name.removeprefix("ERR_").lower())
    return sorted(((_pattern(text), code) for text, code in found.items()), key=lambda item: "{" in item[0].pattern)


def refusal_code(message):
    """The stable code of a refusal's message ("refused" for one the catalogue does not know)."""
    for pattern, code in _catalogue():
        if pattern.match(message):
            return code
    return UNKNOWN


def status_for(code):
    """The HTTP status of a refusal with this code."""
    if code in CONFLICTS:
        return 409
    if code in INVALID:
        return 400
    return 403


def refusal(error):
    """The API's answer to a service's refusal (an orgs.services.ServiceError) or a rule's message."""
    message = getattr(error, "message", error)
    code = refusal_code(message)
    return ApiError(status_for(code), code, message)
