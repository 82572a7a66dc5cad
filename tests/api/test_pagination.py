"""Cursor pages: limit, after_id, before_id; never a repeat or a skip while new items are being written."""

import threading

import pytest
from django.db import connection, transaction

from audit import actions
from audit.models import AuditEvent
from audit.services import record_audit_event
from tests.factories import MembershipFactory

from .conftest import READ


@pytest.fixture
def read_key(claude_members, make_key):
    return make_key(claude_members["owner"], READ)


def walk(call, key, path, limit, cursor="after_id", start=None, on_page=lambda: None):
    """Every page of a list, following last_id (or first_id backwards); returns the ids in the order met."""
    seen, params = [], {"limit": limit}
    if start is not None:
        params[cursor] = start
    while True:
        page = call("GET", path, key=key, QUERY_STRING="&".join(f"{k}={v}" for k, v in params.items())).json()
        assert set(page) == {"data", "has_more", "first_id", "last_id"}, page
        ids = [item["id"] for item in page["data"]]
        seen.extend(ids if cursor == "after_id" else reversed(ids))
        if ids:
            assert (page["first_id"], page["last_id"]) == (ids[0], ids[-1])
        on_page()
        if not page["has_more"]:
            return seen
        params[cursor] = page["last_id"] if cursor == "after_id" else page["first_id"]


@pytest.mark.django_db
def test_members_page_newest_first_forwards_and_back(call, claude_members, read_key):
    more = [MembershipFactory(organization=claude_members["owner"].organization) for _ in range(5)]
    every = sorted([m.pk for m in claude_members.values()] + [m.pk for m in more], reverse=True)
    forwards = walk(call, read_key, "/api/v1/orgs/claude-ent/members", 3)
    assert forwards == every
    backwards = walk(call, read_key, "/api/v1/orgs/claude-ent/members", 2, cursor="before_id", start=every[-1])
    assert backwards == list(reversed(every[:-1]))


@pytest.mark.django_db
def test_the_default_page_is_20_and_at_most_1000(call, claude_members, read_key):
    for _ in range(21):
        MembershipFactory(organization=claude_members["owner"].organization)
    page = call("GET", "/api/v1/orgs/claude-ent/members", key=read_key).json()
    assert (len(page["data"]), page["has_more"]) == (20, True)
    for limit in ("0", "1001", "-1", "x", "99999999999999999999"):
        response = call("GET", "/api/v1/orgs/claude-ent/members", key=read_key, QUERY_STRING=f"limit={limit}")
        assert (response.status_code, response.json()["detail"][0]["field"]) == (400, "limit")
    both = call("GET", "/api/v1/orgs/claude-ent/members", key=read_key, QUERY_STRING="after_id=1&before_id=2")
    assert both.status_code == 400


@pytest.mark.django_db
def test_an_audit_cursor_must_be_an_event_of_the_list(call, claude_members, read_key):
    response = call("GET", "/api/v1/orgs/claude-ent/audit-events", key=read_key, QUERY_STRING="after_id=999999")
    assert response.status_code == 400
    assert response.json()["detail"][0]["field"] == "after_id"


def _add_event(org):
    with transaction.atomic():
        record_audit_event(organization=org, actor=None, action=actions.THUMBS_FEEDBACK_CHANGED, old=True, new=False)


def _add_member(org):
    MembershipFactory(organization=org)


class Writer(threading.Thread):
    """Writes items on its own connection, each committed at once, until told to stop; counts them."""

    def __init__(self, add, org):
        super().__init__(daemon=True)
        self.add, self.org, self.written = add, org, threading.Semaphore(0)
        self.stop, self.error = threading.Event(), None

    def run(self):
        try:
            while not self.stop.is_set():
                self.add(self.org)
                self.written.release()
        except Exception as error:  # surfaced by the test
            self.error = error
            self.written.release()
        finally:
            connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("path", "add", "existing"), [
    ("audit-events", _add_event, lambda org: list(AuditEvent.objects.filter(organization=org).values_list("id", flat=True))),
    ("members", _add_member, lambda org: list(org.memberships.values_list("id", flat=True))),
])
def test_a_walk_never_repeats_nor_skips_while_items_are_written(call, claude_members, read_key, path, add, existing):
    org = claude_members["owner"].organization
    for _ in range(40):
        add(org)
    before = set(existing(org))
    writer = Writer(add, org)
    writer.start()

    def after_each_page():
        # Let at least one more item commit between two pages, whatever the threads' timing.
        assert writer.written.acquire(timeout=30) and writer.error is None, writer.error

    try:
        seen = walk(call, read_key, f"/api/v1/orgs/claude-ent/{path}", 7, on_page=after_each_page)
    finally:
        writer.stop.set()
        writer.join(timeout=30)
    assert writer.error is None
    assert len(seen) == len(set(seen)), "an item was repeated"
    assert before <= set(seen), f"skipped: {sorted(before - set(seen))}"
    assert len(set(existing(org))) > len(before) + 5  # items were written during the walk
