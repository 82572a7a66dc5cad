"""Walking a chain: every event's hash recomputed, every link and number checked, in constant memory.

The walk reads one chain in seq order through a server-side cursor, keeping only the event before
and the one after the current one. At the first break it names what is wrong and stops that chain:

- changed: an event's fields no longer give its hash (or the chain was rewritten since it was last
  verified: the event then verified now has another hash);
- missing: a number is skipped, the chain ends before its recorded head, or the events after a
  removed one were renumbered (the next one verifies under its old number);
- inserted: two events carry one number, an event lies past the recorded head, or an event was put
  between two that still link to each other;
- reordered: an event follows one that now comes after it, or the event that follows another is
  elsewhere in the chain.
"""

from dataclasses import dataclass
from types import SimpleNamespace

from django.db import connection, transaction

from .chain import GENESIS, HASHED_FIELDS, record_hash, utc_text
from .models import AuditChain, AuditEvent

CHANGED, MISSING, INSERTED, REORDERED = "changed", "missing", "inserted", "reordered"
CHUNK = 5000

_COLUMNS = ("hash", *HASHED_FIELDS)


@dataclass(frozen=True)
class Break:
    """The first thing wrong with a chain: what, at which seq, in words."""

    kind: str
    seq: int
    detail: str


@dataclass(frozen=True)
class ChainResult:
    """One chain's verification: how many events were read, the last intact one, and the break if any."""

    events: int
    intact_seq: int
    intact_hash: str
    problem: Break | None


def _computed(event, seq=None):
    # event is a row of _COLUMNS: its hash first, then the hashed fields in order.
    record = dict(zip(HASHED_FIELDS, event[1:], strict=True))
    record["created_at"] = utc_text(record["created_at"])
    if seq is not None:
        record["seq"] = seq
    return record_hash(record)


def _chain_events(organization_id):
    lookup = {"organization_id": organization_id} if organization_id is not None else {"organization__isnull": True}
    return AuditEvent.objects.filter(**lookup)


def _follower_elsewhere(organization_id, after_hash, beyond_seq):
    return _chain_events(organization_id).filter(prev_hash=after_hash, seq__gt=beyond_seq).exists()


def _diagnose(organization_id, before, event, after):
    """Name the break at `event` (seq in order), which does not both follow `before` and match its own hash."""
    follows = event.prev_hash == before.hash
    if after is not None and event.prev_hash == after.hash:
        return Break(REORDERED, event.seq, f"event {event.seq} follows event {after.seq}, which comes after it")
    if after is not None and after.prev_hash != event.hash and after.prev_hash in (before.hash, event.prev_hash):
        return Break(INSERTED, event.seq, f"event {event.seq} was put between events that follow each other")
    if not follows and before.seq and event.prev_hash == before.prev_hash:
        return Break(INSERTED, before.seq, f"events {before.seq} and {event.seq} both follow the same event")
    if follows:
        return Break(CHANGED, event.seq, f"event {event.seq} no longer matches its hash")
    if _computed(event, seq=event.seq + 1) == event.hash:
        return Break(MISSING, event.seq, f"event {event.seq} was renumbered from {event.seq + 1} after a removal")
    if _follower_elsewhere(organization_id, before.hash, event.seq):
        return Break(REORDERED, event.seq, f"the event that follows event {before.seq} was moved later")
    return Break(CHANGED, event.seq, f"event {event.seq} no longer follows event {before.seq}")


def walk_chain(organization_id, head, checkpoint=(0, "")):
    """Verify one chain against its recorded head (seq, hash) and the checkpoint (seq, hash) of its last verification."""
    head_seq, head_hash = head
    before = SimpleNamespace(seq=0, hash=GENESIS, prev_hash=None)
    checked = 0
    rows = _chain_events(organization_id).order_by("seq", "id").values_list(*_COLUMNS, named=True)
    rows = rows.iterator(chunk_size=CHUNK)
    pending = next(rows, None)
    while pending is not None:
        event = pending
        pending = next(rows, None)
        checked += 1
        problem = None
        if event.seq > head_seq:
            problem = Break(INSERTED, event.seq, f"event {event.seq} lies past the recorded head ({head_seq})")
        elif event.seq <= before.seq:
            problem = Break(INSERTED, event.seq, f"a second event numbered {event.seq}")
        elif event.seq > before.seq + 1:
            gone = f"event {before.seq + 1} is" if event.seq == before.seq + 2 else f"events {before.seq + 1} to {event.seq - 1} are"
            problem = Break(MISSING, before.seq + 1, f"{gone} missing")
        elif event.prev_hash != before.hash or _computed(event) != event.hash:
            problem = _diagnose(organization_id, before, event, pending)
        elif event.seq == checkpoint[0] and event.hash != checkpoint[1]:
            problem = Break(CHANGED, event.seq, f"event {event.seq} no longer has the hash it was verified with: "
                                                "the events up to it were rewritten")
        if problem is not None:
            return ChainResult(checked, before.seq, before.hash, problem)
        before = event
    if before.seq < head_seq:
        return ChainResult(checked, before.seq, before.hash, Break(
            MISSING, before.seq + 1, f"the chain ends at event {before.seq}, before its head ({head_seq})"
        ))
    if head_seq and before.hash != head_hash:
        return ChainResult(checked, before.seq - 1, "", Break(
            CHANGED, before.seq, f"event {before.seq} is not the head recorded when it was written"
        ))
    return ChainResult(checked, before.seq, before.hash, None)


def verify_chain(organization_id):
    """Walk one chain in one consistent snapshot (its head and its events as of one moment).

    A chain whose head row is gone is walked against an empty head, so its events read as inserted.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # One snapshot for the head and every event, so events recorded meanwhile are not "past the head".
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        lookup = {"organization_id": organization_id} if organization_id is not None else {"organization__isnull": True}
        chain = AuditChain.objects.filter(**lookup).first() or AuditChain(organization_id=organization_id)
        result = walk_chain(organization_id, (chain.head_seq, chain.head_hash), (chain.verified_seq, chain.verified_hash))
    return chain, result
