"""How the Admin API puts a key's changes on the record: the one place that knows the audit trail's interim shape.

Until the audit app records non-person actors in their own right, an event made through a key has
no actor (``actor`` is empty) and names the key in ``actor_email``, where the Audit log page and
its CSV show the actor; the services record it through orgs.audit as for any other change.
"""

from dataclasses import replace

from orgs.audit import RequestMeta

ACTION_KEY_CREATED = "api_key.created"
ACTION_KEY_REVOKED = "api_key.revoked"


def key_actor_name(key):
    """How the audit log names a key that acted."""
    return f"API key “{key.name}” ({key.masked})"


def key_request_meta(request, key):
    """The RequestMeta of a request made with a key: the client's address and agent, and the key as the actor."""
    return replace(RequestMeta.from_request(request), actor_name=key_actor_name(key))


def key_target(key):
    """The audit event's target for a change to a key."""
    return f"api_key:{key.masked}"
