"""What an organization key may do: its scopes, and the rights of the decider who made it.

A key acts for the person who made it, so every change it asks for meets the same rules as that
person's on the pages (orgs.permissions, through the same services); these are the rules of keys
on top of those.
"""

from console.refusals import FORBIDDEN, Refusal
from orgs.permissions import can_manage_api_keys

from .models import Scope

ERR_SCOPE = Refusal("scope", "This key may only read: making changes needs a key with the write scope.", FORBIDDEN)
ERR_KEY_CREATOR = Refusal(
    "key_creator",
    "The person who made this key no longer manages this organization's API keys, so the key cannot act: "
    "ask one of its deciders for a new key.",
    FORBIDDEN,
)
ERR_CONSENT_NEEDS_A_PERSON = Refusal(
    "consent_needs_a_person",
    "{setting} can be turned on only by a person, on the settings page; a key may turn it off.",
    FORBIDDEN,
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def scope_for_method(method):
    """The scope a request needs: reading for safe methods, writing for every change."""
    return Scope.READ if method in SAFE_METHODS else Scope.WRITE


def why_key_lacks_scope(key, scope):
    """Why the key may not make a request needing this scope (None when it may)."""
    return None if key.has_scope(scope) else ERR_SCOPE


def why_key_cannot_act(creator_membership):
    """Why a key cannot act at all: its maker must still be one who manages the organization's keys."""
    return None if can_manage_api_keys(creator_membership) else ERR_KEY_CREATOR
