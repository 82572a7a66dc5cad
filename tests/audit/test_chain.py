"""The hash chain: recorded under the chain's lock, refused when malformed, and every tampering named by verify_audit."""

import re
import subprocess
import sys
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction
from django.urls import reverse

from audit import actions
from audit.chain import GENESIS, event_hash
from audit.models import AuditChain, AuditEvent
from audit.services import Actor, RequestMeta, record_audit_event
from orgs import services
from tests.audit.helpers import record_events, tampering
from tests.factories import OrganizationFactory

ROOT = Path(__file__).resolve().parents[2]
VERIFIER = re.search(r"<!-- verifier:start -->\n```python\n(.*?)```", (ROOT / "docs/audit.md").read_text(), re.S).group(1)


def _verify(*slugs):
    """verify_audit's exit status and its output."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", *slugs, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue() + err.getvalue() + str(error)
    return 0, out.getvalue() + err.getvalue()


@pytest.mark.django_db
def test_events_are_numbered_from_one_and_each_follows_the_one_before(claude_org):
    first, second = record_events(claude_org, 2)
    assert (first.seq, first.prev_hash, second.seq, second.prev_hash) == (1, GENESIS, 2, first.hash)
    for event in (first, second):
        event.refresh_from_db()  # what the database gives back hashes the same
        assert event.hash == event_hash(event)
    chain = AuditChain.objects.get(organization=claude_org)
    assert (chain.head_seq, chain.head_hash) == (2, second.hash)


@pytest.mark.django_db
def test_each_organization_and_the_events_without_one_have_their_own_chain(claude_org, console_org):
    record_events(claude_org, 2)
    [other] = record_events(console_org, 1, action=actions.WORKBENCH_FEEDBACK_CHANGED)
    with transaction.atomic():
        system = record_audit_event(organization=None, actor=None, action=actions.ORG_CREATED, new={"name": "x"})
    assert (other.seq, other.prev_hash, system.seq, system.prev_hash) == (1, GENESIS, 1, GENESIS)
    assert system.actor_kind == "system" and system.actor_label == "System"
    assert _verify()[0] == 0


@pytest.mark.django_db
def test_addresses_hash_as_the_database_gives_them_back(claude_org):
    for address in ("2001:DB8:0:0:0:0:0:1", "::ffff:192.0.2.1", "192.0.2.1"):
        [event] = record_events(claude_org, 1, ip_address=address)
        event.refresh_from_db()
        assert event.hash == event_hash(event)
    assert _verify(claude_org.slug)[0] == 0


@pytest.mark.django_db
def test_named_actors_are_recorded_by_kind_and_name(claude_org):
    with transaction.atomic():
        event = record_audit_event(organization=claude_org, actor=Actor.api_key("CI deploy"),
                                   action=actions.THUMBS_FEEDBACK_CHANGED, old=True, new=False)
    assert (event.actor_kind, event.actor_name, event.actor_email, event.actor_id) == ("api_key", "CI deploy", "", None)
    assert event.actor_label == "API key “CI deploy”"


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "old", "new"), [
    ("settings.thumbs_feedback.changed", True, False),  # a code, not the registry's action
    (actions.Action("made.up", "Made up", actions.Flag("X")), True, False),
    (actions.ROLE_CHANGED, True, False),  # the wrong shape
])
def test_an_unregistered_action_or_a_value_of_the_wrong_shape_is_refused(claude_org, action, old, new):
    with pytest.raises(ValueError), transaction.atomic():
        record_audit_event(organization=claude_org, actor=None, action=action, old=old, new=new)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_event_outside_a_transaction_is_refused(claude_org):
    with pytest.raises(RuntimeError):
        record_audit_event(organization=claude_org, actor=None, action=actions.THUMBS_FEEDBACK_CHANGED, old=True, new=False)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_database_refuses_to_change_or_delete_an_event_but_lets_an_account_go(claude_org):
    [event] = record_events(claude_org, 1)
    table = AuditEvent._meta.db_table
    for sql in (f"UPDATE {table} SET target = 'x' WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):  # noqa: S608
        with pytest.raises(DatabaseError, match="never changed or deleted"), transaction.atomic(), connection.cursor() as c:
            c.execute(sql, [event.pk])
    event.actor.memberships.all().delete()
    event.actor.delete()  # SET_NULL on the account: the one update allowed; the e-mail stays, hashed
    event.refresh_from_db()
    assert event.actor_id is None and event.actor_email == "owner@example.test"
    assert _verify()[0] == 0


def _events_of(org):
    return list(AuditEvent.objects.filter(organization=org).order_by("seq"))


def _tamper_change(org, events):
    with tampering() as cursor:
        cursor.execute(f"UPDATE {AuditEvent._meta.db_table} SET new_value = 'true' WHERE id = %s", [events[2].pk])  # noqa: S608


def _tamper_delete(org, events):
    with tampering() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[2].pk])  # noqa: S608


def _tamper_delete_and_renumber(org, events):
    table = AuditEvent._meta.db_table
    with tampering() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [events[2].pk])  # noqa: S608
        cursor.execute(f"UPDATE {table} SET seq = seq - 1 WHERE organization_id = %s AND seq > 3", [org.pk])  # noqa: S608
        cursor.execute("UPDATE audit_auditchain SET head_seq = head_seq - 1 WHERE organization_id = %s", [org.pk])


def _tamper_insert(org, events):
    # A forged event put in as event 3, with a hash made the documented way; the later ones renumbered.
    table = AuditEvent._meta.db_table
    forged = AuditEvent(organization=org, seq=3, prev_hash=events[1].hash, created_at=events[1].created_at,
                        actor_kind="person", actor_email="forger@example.test", actor_name="",
                        action="member.role.changed", target="member:forger@example.test", old_value="member",
                        new_value="owner", ip_address=None, user_agent="")
    forged.hash = event_hash(forged)
    with tampering() as cursor:
        cursor.execute(f"UPDATE {table} SET seq = seq + 1000 WHERE organization_id = %s AND seq >= 3", [org.pk])  # noqa: S608
        cursor.execute(f"UPDATE {table} SET seq = seq - 999 WHERE organization_id = %s AND seq > 1000", [org.pk])  # noqa: S608
        AuditEvent.objects.bulk_create([forged])
        cursor.execute("UPDATE audit_auditchain SET head_seq = head_seq + 1 WHERE organization_id = %s", [org.pk])


def _tamper_insert_past_the_head(org, events):
    AuditEvent.objects.bulk_create([AuditEvent(
        organization=org, seq=len(events) + 1, prev_hash=events[-1].hash, hash="f" * 64, created_at=events[-1].created_at,
        action="member.removed", target="member:x@example.test", old_value="owner",
    )])


def _tamper_reorder(org, events):
    table = AuditEvent._meta.db_table
    with tampering() as cursor:
        cursor.execute(f"UPDATE {table} SET seq = 1000 WHERE id = %s", [events[2].pk])  # noqa: S608
        cursor.execute(f"UPDATE {table} SET seq = 3 WHERE id = %s", [events[3].pk])  # noqa: S608
        cursor.execute(f"UPDATE {table} SET seq = 4 WHERE id = %s", [events[2].pk])  # noqa: S608


def _tamper_drop_the_end(org, events):
    with tampering() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[-1].pk])  # noqa: S608


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize(("tamper", "seq", "problem"), [
    (_tamper_change, 3, "changed"),
    (_tamper_delete, 3, "missing"),
    (_tamper_delete_and_renumber, 3, "missing"),
    (_tamper_insert, 3, "inserted"),
    (_tamper_insert_past_the_head, 6, "inserted"),
    (_tamper_reorder, 3, "reordered"),
    (_tamper_drop_the_end, 5, "missing"),
])
def test_verify_audit_names_the_first_bad_event_and_what_is_wrong(claude_org, tamper, seq, problem):
    intact = OrganizationFactory(slug="intact-org")
    record_events(intact, 3)
    record_events(claude_org, 5)
    assert _verify()[0] == 0
    tamper(claude_org, _events_of(claude_org))

    status, output = _verify()
    assert status == 1
    assert f"claude-ent: BROKEN at seq {seq}: {problem} (" in output
    assert "intact-org: intact through event 3" in output
    assert "1 of 2 chains are broken" in output
    chain = AuditChain.objects.get(organization=claude_org)
    assert (chain.broken_seq, chain.problem.split(":")[0]) == (seq, problem)
    assert _verify("intact-org")[0] == 0


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_chain_rewritten_whole_after_its_last_verification_is_caught(claude_org):
    events = record_events(claude_org, 3)
    assert _verify()[0] == 0
    # A thorough forger changes event 2 and recomputes every hash after it, the head too.
    table, prev = AuditEvent._meta.db_table, events[0].hash
    with tampering() as cursor:
        for event in events[1:]:
            event.prev_hash = prev
            event.target = "member:someone-else@example.test"
            event.hash = prev = event_hash(event)
            cursor.execute(f"UPDATE {table} SET prev_hash = %s, hash = %s, target = %s WHERE id = %s",  # noqa: S608
                           [event.prev_hash, event.hash, event.target, event.pk])
        cursor.execute("UPDATE audit_auditchain SET head_hash = %s WHERE organization_id = %s", [prev, claude_org.pk])
    status, output = _verify()
    assert status == 1 and "BROKEN at seq 3: changed" in output and "verified with" in output


def test_unknown_slugs_are_named(db):
    assert _verify("no-such-org") == (1, "No organization with the slug no-such-org.")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_writers_to_one_organization_leave_one_chain_without_fork_or_gap(claude_org):
    start, errors = threading.Barrier(8), []

    def writer():
        try:
            start.wait()
            for _ in range(10):
                record_events(claude_org, 1, actor_email="")
        except Exception as error:  # noqa: BLE001 - re-raised in the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
        assert not thread.is_alive()
    assert errors == []
    events = _events_of(claude_org)
    assert [e.seq for e in events] == list(range(1, 81))
    assert all(e.prev_hash == before.hash for before, e in zip(events, events[1:], strict=False))
    assert all(before.created_at <= e.created_at for before, e in zip(events, events[1:], strict=False))
    assert _verify()[0] == 0


@pytest.mark.django_db
def test_the_export_of_a_real_organization_verifies_with_the_documented_script(client, claude_members, tmp_path):
    owner, primary = claude_members["owner"], claude_members["primary_owner"]
    meta = RequestMeta(ip_address="2001:db8::7", user_agent="Navigateur “é” \u2028")
    services.set_feedback_setting(actor=owner.user, organization=owner.organization, enabled=False, request_meta=meta)
    services.change_member_role(actor=owner.user, membership=claude_members["member"], role="admin", request_meta=meta)
    services.transfer_primary_ownership(actor=primary.user, membership=owner, request_meta=meta)
    client.force_login(owner.user)
    response = client.get(reverse("orgs:audit-log-export", args=["claude-ent"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/jsonl")
    assert 'filename="claude-ent-audit-log.jsonl"' in response["Content-Disposition"]
    export = tmp_path / "export.jsonl"
    export.write_bytes(b"".join(response.streaming_content))
    script = tmp_path / "check_audit.py"
    script.write_text(VERIFIER)
    assert len(VERIFIER.splitlines()) <= 25

    checked = subprocess.run([sys.executable, str(script), str(export)], capture_output=True, text=True, check=False)
    head = AuditChain.objects.get(organization=owner.organization)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == f"intact through event {head.head_seq}, head {head.head_hash}"

    lines = export.read_text(encoding="utf-8").rstrip("\n").split("\n")
    assert len(lines) == head.head_seq == 3
    export.write_text("\n".join(lines).replace('"admin"', '"owner"', 1), encoding="utf-8")
    checked = subprocess.run([sys.executable, str(script), str(export)], capture_output=True, text=True, check=False)
    assert checked.returncode != 0 and "event 2 does not match its hash" in checked.stderr
