"""The hash chain's encoding (version 1, documented in docs/audit.md; never change it, add a version).

Each event's ``hash`` is the SHA-256, in lower-case hex, of the UTF-8 bytes of one JSON object
holding exactly the fields in HASHED_FIELDS, its ``prev_hash`` among them: keys sorted, no
whitespace, non-ASCII characters as themselves. For the values events hold (text, whole
numbers, true/false, null, and objects and lists of them, never a floating-point number) that
is RFC 8785 (JSON Canonicalization Scheme), and what Python writes with
``json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``. Times are
UTC with microseconds: ``2026-07-01T22:30:00.123456Z``. The first event of a chain has seq 1
and follows GENESIS.
"""

import datetime
import hashlib
import json

GENESIS = "0" * 64

# The fields an event's hash covers, as named in the export. Left out: the row's id, and the actor's
# account id (a link that the account's deletion clears; the e-mail beside it is covered).
HASHED_FIELDS = (
    "seq", "prev_hash", "created_at", "organization_id", "actor_kind", "actor_email", "actor_name",
    "action", "target", "old_value", "new_value", "ip_address", "user_agent",
)


def utc_text(moment):
    """A time as the chain writes it: UTC, microseconds, a Z."""
    return moment.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def record_hash(record):
    """The hash of one event, given its hashed fields (created_at already as utc_text)."""
    data = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def chain_record(event):
    """The hashed fields of an event (a model instance or anything with those attributes)."""
    return {
        "seq": event.seq,
        "prev_hash": event.prev_hash,
        "created_at": utc_text(event.created_at),
        "organization_id": event.organization_id,
        "actor_kind": event.actor_kind,
        "actor_email": event.actor_email,
        "actor_name": event.actor_name,
        "action": event.action,
        "target": event.target,
        "old_value": event.old_value,
        "new_value": event.new_value,
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
    }


def event_hash(event):
    """The hash an event must carry, from its fields and prev_hash."""
    return record_hash(chain_record(event))
