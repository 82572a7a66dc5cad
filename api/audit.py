"""How the Admin API puts a key's changes on the record: the key is the actor, using its maker's rights."""

from dataclasses import replace

from audit import actions
from audit.services import Actor, RequestMeta

ACTION_KEY_CREATED = actions.API_KEY_CREATED
ACTION_KEY_REVOKED = actions.API_KEY_REVOKED


def key_actor(key):
    """The key as the audit log names it: its name and its masked form (names need not be unique)."""
    return Actor.api_key(f"{key.name} ({key.masked})")


def key_request_meta(request, key):
    """The RequestMeta of a request made with a key: the client's address and agent, and the key as the actor."""
    return replace(RequestMeta.from_request(request), acting_as=key_actor(key))


def key_target(key):
    """The audit event's target for a change to a key."""
    return f"api_key:{key.masked}"
