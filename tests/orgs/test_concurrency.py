"""Two people changing one organization at the same time, each on their own PostgreSQL connection."""

import threading
import time

import pytest
from django.conf import settings
from django.db import connection, connections, transaction

from audit.models import AuditEvent
from console.models import User
from identity import invitations
from orgs import services
from orgs.models import Membership, ModelTrainingPeriod, Organization
from tests.factories import InvitationFactory, MembershipFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WAIT = 10  # seconds: an upper bound for a condition we poll for, never a sleep we hope is long enough


def _run_in_threads(*targets):
    """Run each callable in its own thread (so on its own connection); return results or raise errors."""
    results, errors = [None] * len(targets), []

    def runner(i, target):
        try:
            results[i] = target()
        except Exception as error:  # noqa: BLE001 - re-raised in the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, t)) for i, t in enumerate(targets)]
    for t in threads:
        t.start()
    return threads, results, errors


def _join(threads, errors):
    for t in threads:
        t.join(WAIT)
        assert not t.is_alive(), "a thread is stuck"
    if errors:
        raise errors[0]


def _wait_until_someone_waits_for_a_row_lock():
    deadline = time.monotonic() + WAIT
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    pytest.fail("the second transaction never waited for the row lock")


def test_second_owner_waits_for_the_first_and_sees_the_setting_already_off(claude_members):
    org = claude_members["owner"].organization
    first, second = claude_members["primary_owner"].user, claude_members["owner"].user
    locked, second_is_waiting = threading.Event(), threading.Event()

    def first_owner():
        with transaction.atomic():
            # Hold the org row as the service would, until the second owner is queued behind it.
            Organization.objects.select_for_update().get(pk=org.pk)
            locked.set()
            assert second_is_waiting.wait(WAIT)
            return services.set_feedback_setting(actor=first, organization=org, enabled=False)

    def second_owner():
        assert locked.wait(WAIT)
        return services.set_feedback_setting(
            actor=second, organization=Organization.objects.get(pk=org.pk), enabled=False
        )

    threads, results, errors = _run_in_threads(first_owner, second_owner)
    assert locked.wait(WAIT)
    _wait_until_someone_waits_for_a_row_lock()
    second_is_waiting.set()
    _join(threads, errors)

    assert results == [True, False]
    assert Organization.objects.get(pk=org.pk).thumbs_feedback_enabled is False
    event = AuditEvent.objects.get()
    assert (event.actor, event.old_value, event.new_value) == (first, True, False)


@pytest.mark.parametrize("round_", range(10))
def test_two_owners_turning_off_together_make_one_change_and_one_audit_event(claude_members, round_):
    org = claude_members["owner"].organization
    start = threading.Barrier(2)

    def owner(role):
        def act():
            start.wait(WAIT)
            return services.set_feedback_setting(actor=claude_members[role].user, organization=org, enabled=False)
        return act

    threads, results, errors = _run_in_threads(owner("primary_owner"), owner("owner"))
    _join(threads, errors)

    assert sorted(results) == [False, True]
    assert Organization.objects.get(pk=org.pk).thumbs_feedback_enabled is False
    assert AuditEvent.objects.count() == 1


@pytest.mark.parametrize("round_", range(10))
def test_opposite_toggles_at_once_leave_a_state_the_audit_log_explains(console_members, round_):
    org = console_members["admin"].organization
    other_admin = MembershipFactory(organization=org, role="admin")
    start = threading.Barrier(2)

    def admin(user, enabled):
        def act():
            start.wait(WAIT)
            return services.set_feedback_setting(actor=user, organization=org, enabled=enabled)
        return act

    threads, results, errors = _run_in_threads(
        admin(console_members["admin"].user, False), admin(other_admin.user, True)
    )
    _join(threads, errors)

    events = list(AuditEvent.objects.order_by("id"))
    assert len(events) == sum(results)  # one event per real change
    final = Organization.objects.get(pk=org.pk).workbench_feedback_enabled
    value = True
    for event in events:  # each event starts from the value the previous one left
        assert event.old_value == value
        value = event.new_value
    assert final == value


def test_two_org_admins_demoting_each_other_at_once_leave_one_admin(console_members):
    org = console_members["admin"].organization
    a, b = console_members["admin"], MembershipFactory(organization=org, role="admin")
    start = threading.Barrier(2)

    def demote(actor, target):
        def act():
            start.wait(WAIT)
            try:
                return services.change_member_role(actor=actor.user, membership=target, role="developer")
            except services.ServiceError as refused:
                return refused.message
        return act

    threads, results, errors = _run_in_threads(demote(a, b), demote(b, a))
    _join(threads, errors)

    assert results.count(True) == 1
    assert Membership.objects.filter(organization=org, role="admin").count() == 1
    assert AuditEvent.objects.count() == 1


@pytest.mark.parametrize("round_", range(5))
def test_one_invitation_link_opened_twice_at_once_makes_one_member(claude_members, round_):
    owner = claude_members["owner"]
    invitation = InvitationFactory(organization=owner.organization, invited_by=owner.user, role="admin")
    start = threading.Barrier(2)

    def accept():
        start.wait(WAIT)
        try:
            return invitations.accept_invitation(token=invitation.token, new_account={"password": "a-long-pass-phrase"})
        except services.ServiceError as error:
            return error.message

    threads, results, errors = _run_in_threads(accept, accept)
    _join(threads, errors)

    assert sum(isinstance(r, Membership) for r in results) == 1
    assert invitations.ERR_INVITATION_USED in results
    assert User.objects.filter(email=invitation.email).count() == 1
    assert Membership.objects.filter(organization=owner.organization, user__email=invitation.email).count() == 1
    assert AuditEvent.objects.filter(action="member.added").count() == 1


@pytest.mark.parametrize("round_", range(5))
def test_revoking_while_the_invitee_accepts_ends_one_way_or_the_other(claude_members, round_):
    owner = claude_members["owner"]
    invitation = InvitationFactory(organization=owner.organization, invited_by=owner.user)
    start = threading.Barrier(2)

    def attempt(call):
        def act():
            start.wait(WAIT)
            try:
                return call()
            except services.ServiceError as error:
                return error.message
        return act

    threads, results, errors = _run_in_threads(
        attempt(lambda: invitations.accept_invitation(token=invitation.token, new_account={"password": "a-long-pass-phrase"})),
        attempt(lambda: invitations.revoke_invitation(actor=owner.user, invitation=invitation)),
    )
    _join(threads, errors)  # no deadlock: both take the org row first

    invitation.refresh_from_db()
    joined = Membership.objects.filter(user__email=invitation.email).exists()
    assert (invitation.accepted_at is not None) is joined
    assert (invitation.revoked_at is not None) is not joined
    assert AuditEvent.objects.filter(action__in=["member.added", "member.invitation_revoked"]).count() == 1


# Model training: two deciders switching at once leave periods that follow one another.


def _assert_training_history_is_consistent(org):
    """One audit event per change, each from the state the previous left; periods in order, never overlapping."""
    events = list(AuditEvent.objects.filter(organization=org, action="settings.model_training.changed").order_by("id"))
    periods = list(ModelTrainingPeriod.objects.filter(organization=org).order_by("started_at", "id"))
    state = False
    for event in events:
        assert event.old_value == {"model_training_enabled": state}
        state = event.new_value["model_training_enabled"]
    assert Organization.objects.get(pk=org.pk).model_training_enabled is state
    assert len(periods) == sum(1 for e in events if e.new_value["model_training_enabled"])
    assert [p.ended_at is None for p in periods].count(True) == (1 if state else 0)
    for earlier, later in zip(periods, periods[1:], strict=False):
        assert earlier.ended_at is not None and earlier.ended_at <= later.started_at


def _set_training(user, org, enabled):
    return services.set_model_training(
        actor=user, organization=org, enabled=enabled, terms_version=settings.TRAINING_TERMS_VERSION
    )


def _switch_training(user, org, enabled, start):
    def act():
        start.wait(WAIT)
        return _set_training(user, org, enabled)
    return act


@pytest.mark.parametrize("round_", range(5))
def test_two_org_admins_allowing_model_training_at_once_open_one_period(console_members, round_):
    org = console_members["admin"].organization
    other = MembershipFactory(organization=org, role="admin")
    start = threading.Barrier(2)

    threads, results, errors = _run_in_threads(
        _switch_training(console_members["admin"].user, org, True, start), _switch_training(other.user, org, True, start),
    )
    _join(threads, errors)

    assert sorted(results) == [False, True]
    _assert_training_history_is_consistent(org)
    assert org.model_training_periods.count() == 1


@pytest.mark.parametrize(("round_", "initially_on"), [(r, on) for r in range(4) for on in (False, True)])
def test_opposite_training_switches_at_once_leave_periods_the_audit_log_explains(console_members, round_, initially_on):
    org = console_members["admin"].organization
    other = MembershipFactory(organization=org, role="admin")
    if initially_on:
        _set_training(other.user, org, True)
    start = threading.Barrier(2)

    threads, results, errors = _run_in_threads(
        _switch_training(console_members["admin"].user, org, False, start), _switch_training(other.user, org, True, start),
    )
    _join(threads, errors)

    _assert_training_history_is_consistent(org)


def test_the_second_decider_waits_for_the_org_row_and_sees_model_training_already_on(console_members):
    org = console_members["admin"].organization
    first, second = console_members["admin"].user, MembershipFactory(organization=org, role="admin").user
    locked, second_is_waiting = threading.Event(), threading.Event()
    def first_admin():
        with transaction.atomic():
            Organization.objects.select_for_update().get(pk=org.pk)
            locked.set()
            assert second_is_waiting.wait(WAIT)
            return _set_training(first, org, True)

    def second_admin():
        assert locked.wait(WAIT)
        return _set_training(second, Organization.objects.get(pk=org.pk), True)

    threads, results, errors = _run_in_threads(first_admin, second_admin)
    assert locked.wait(WAIT)
    _wait_until_someone_waits_for_a_row_lock()
    second_is_waiting.set()
    _join(threads, errors)

    assert results == [True, False]
    _assert_training_history_is_consistent(org)
    assert org.model_training_periods.get().started_by == first
