"""The model training choice: who decides, the confirmed terms, its periods kept forever, the audit event and the notice."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from audit.actions import describe_changes
from audit.models import AuditEvent
from audit.services import RequestMeta
from console.models import OutboxMessage
from orgs import notices, selectors, services
from orgs.models import ModelTrainingPeriod, Organization
from orgs.permissions import ERR_MODEL_TRAINING
from tests.conftest import CLAUDE_ROLES, CONSOLE_ROLES
from tests.factories import ConsoleOrganizationFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

ACTION = "settings.model_training.changed"
TERMS = "2025-10-01"
OFFICE = RequestMeta(ip_address="203.0.113.9", user_agent="pytest")


@pytest.fixture(autouse=True)
def _terms(settings):
    settings.TRAINING_TERMS_VERSION = TERMS


def _allow(user, org, terms=TERMS, **extra):
    return services.set_model_training(actor=user, organization=org, enabled=True, terms_version=terms, **extra)


def _withdraw(user, org, **extra):
    return services.set_model_training(actor=user, organization=org, enabled=False, **extra)


def _fresh(org):
    return Organization.objects.get(pk=org.pk)


def test_every_new_organization_starts_with_model_training_off_and_no_period(db):
    for org in (OrganizationFactory(plan="enterprise"), OrganizationFactory(plan="team"), ConsoleOrganizationFactory()):
        assert _fresh(org).model_training_enabled is False
        assert selectors.get_model_training_state(org) == selectors.ModelTrainingState(enabled=False)
        assert not selectors.was_model_training_allowed(org, datetime.now(UTC))
    assert not ModelTrainingPeriod.objects.exists()


# Who decides: in a claude org the Primary Owner alone (Team and Enterprise), in a console org the Org Admins.
DECIDERS = [("claude_members", role, role == "primary_owner") for role in CLAUDE_ROLES] + [
    ("team_members", role, role == "primary_owner") for role in CLAUDE_ROLES
] + [("console_members", role, role == "admin") for role in CONSOLE_ROLES]


@pytest.mark.parametrize(("members", "role", "decides"), DECIDERS, ids=[f"{m}-{r}" for m, r, _ in DECIDERS])
def test_only_the_primary_owner_or_the_org_admins_allow_model_training(request, members, role, decides):
    membership = request.getfixturevalue(members)[role]
    org = membership.organization
    if decides:
        assert _allow(membership.user, org, request_meta=OFFICE) is True
        assert _fresh(org).model_training_enabled is True
        assert AuditEvent.objects.filter(action=ACTION).count() == 1
        return
    deciders = "the Primary Owner" if org.kind == "claude" else "the Org Admins"
    with pytest.raises(services.NotAllowed, match=ERR_MODEL_TRAINING.format(deciders=deciders)):
        _allow(membership.user, org)
    assert _fresh(org).model_training_enabled is False
    assert not ModelTrainingPeriod.objects.exists() and not AuditEvent.objects.exists()


def test_staff_and_strangers_cannot_give_an_organizations_consent(claude_members, outsider):
    org = claude_members["primary_owner"].organization
    staff = UserFactory(is_staff=True, is_superuser=True)
    for person in (staff, outsider, None):
        with pytest.raises(services.NotAllowed):
            _allow(person, org)
    assert _fresh(org).model_training_enabled is False
    assert not AuditEvent.objects.exists()


def test_allowing_opens_a_period_and_writes_the_audit_event_with_the_terms_version(claude_members):
    primary = claude_members["primary_owner"]
    org = primary.organization
    at = datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC)

    assert _allow(primary.user, org, request_meta=OFFICE, now=at) is True

    period = ModelTrainingPeriod.objects.get()
    assert (period.organization, period.started_at, period.ended_at) == (org, at, None)
    assert (period.started_by, period.started_by_email, period.terms_version) == (primary.user, primary.user.email, TERMS)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.target, event.ip_address) == (
        ACTION, primary.user, f"organization:{org.slug}", OFFICE.ip_address,
    )
    assert event.old_value == {"model_training_enabled": False}
    assert event.new_value == {"model_training_enabled": True, "terms_version": TERMS}
    assert [str(c) for c in describe_changes(org, event.action, event.old_value, event.new_value)] == [
        "Model training: Off → On", f"Terms version: {TERMS}",
    ]
    state = selectors.get_model_training_state(org)
    assert (state.enabled, state.since, state.terms_version, state.confirmed_by) == (True, at, TERMS, primary.user.email)


def test_withdrawing_ends_the_period_at_that_instant_and_names_its_terms(console_members):
    admin = console_members["admin"]
    other = MembershipFactory(organization=admin.organization, role="admin")
    org = admin.organization
    start = datetime(2026, 1, 1, tzinfo=UTC)
    _allow(admin.user, org, now=start)

    assert _withdraw(other.user, org, now=start + timedelta(days=3)) is True

    period = ModelTrainingPeriod.objects.get()
    assert (period.ended_at, period.ended_by, period.ended_by_email) == (start + timedelta(days=3), other.user, other.user.email)
    event = AuditEvent.objects.filter(action=ACTION).latest("id")
    assert (event.actor, event.old_value, event.new_value) == (
        other.user, {"model_training_enabled": True}, {"model_training_enabled": False, "terms_version": TERMS},
    )
    assert _fresh(org).model_training_enabled is False
    assert selectors.get_model_training_state(org) == selectors.ModelTrainingState(enabled=False)


def test_a_confirmation_of_terms_no_longer_current_is_refused_and_changes_nothing(claude_members, settings):
    primary = claude_members["primary_owner"]
    settings.TRAINING_TERMS_VERSION = "2026-02-01"
    for stale in (TERMS, None, ""):
        with pytest.raises(services.ServiceError, match="terms version 2026-02-01"):
            _allow(primary.user, primary.organization, terms=stale)
    assert _fresh(primary.organization).model_training_enabled is False
    assert not ModelTrainingPeriod.objects.exists() and not AuditEvent.objects.exists()
    assert _allow(primary.user, primary.organization, terms="2026-02-01") is True
    assert ModelTrainingPeriod.objects.get().terms_version == "2026-02-01"


def test_a_switch_to_the_state_in_force_changes_nothing(claude_members):
    primary = claude_members["primary_owner"]
    org = primary.organization
    assert _withdraw(primary.user, org) is False
    _allow(primary.user, org)
    assert _allow(primary.user, org) is False
    assert ModelTrainingPeriod.objects.count() == 1
    assert AuditEvent.objects.filter(action=ACTION).count() == 1


def test_a_failing_audit_write_leaves_neither_the_switch_nor_a_period(claude_members, monkeypatch):
    primary = claude_members["primary_owner"]

    def broken_insert(*args, **kwargs):
        raise RuntimeError("audit storage is down")

    monkeypatch.setattr(services, "record_audit_event", broken_insert)
    with pytest.raises(RuntimeError, match="audit storage is down"):
        _allow(primary.user, primary.organization)
    assert _fresh(primary.organization).model_training_enabled is False
    assert not ModelTrainingPeriod.objects.exists()


def test_periods_are_kept_as_recorded(claude_members):
    primary = claude_members["primary_owner"]
    org = primary.organization
    _allow(primary.user, org)
    _withdraw(primary.user, org)
    period = ModelTrainingPeriod.objects.get()
    with pytest.raises(PermissionError):
        period.delete()
    with pytest.raises(PermissionError):
        ModelTrainingPeriod.objects.all().delete()
    with pytest.raises(PermissionError):
        ModelTrainingPeriod.objects.update(terms_version="other")
    period.ended_at = None
    with pytest.raises(PermissionError):  # an ended period is never reopened
        period.save(update_fields=["ended_at"])
    period.terms_version = "other"
    with pytest.raises(PermissionError):
        period.save()
    stored = ModelTrainingPeriod.objects.get()
    assert stored.ended_at is not None and stored.terms_version == TERMS


def test_the_database_keeps_one_open_period_per_org_and_no_period_ending_before_it_starts(claude_org):
    now = datetime(2026, 5, 1, tzinfo=UTC)
    ModelTrainingPeriod.objects.create(organization=claude_org, started_at=now, terms_version=TERMS)
    with pytest.raises(IntegrityError), transaction.atomic():
        ModelTrainingPeriod.objects.create(organization=claude_org, started_at=now, terms_version=TERMS)
    with pytest.raises(IntegrityError), transaction.atomic():
        ModelTrainingPeriod.objects.create(
            organization=claude_org, started_at=now, ended_at=now - timedelta(microseconds=1), terms_version=TERMS
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ModelTrainingPeriod.objects.create(organization=claude_org, started_at=now, ended_at=now, terms_version="")


def test_a_clock_stepped_back_never_makes_periods_overlap(console_members):
    admin = console_members["admin"]
    org = admin.organization
    t = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    _allow(admin.user, org, now=t)
    _withdraw(admin.user, org, now=t - timedelta(hours=1))  # the server's clock went back an hour
    _allow(admin.user, org, now=t - timedelta(hours=2))
    first, second = ModelTrainingPeriod.objects.order_by("id")
    assert first.started_at == first.ended_at == second.started_at == t
    assert selectors.was_model_training_allowed(org, t)
    assert not selectors.was_model_training_allowed(org, t - timedelta(microseconds=1))


# The period history against a simple model: switches at random instants (forwards, at the same
# instant, or with the clock stepping back), questions at random instants and exactly at every switch.

START = datetime(2024, 2, 28, 23, 0, tzinfo=UTC)
MICROS = timedelta(microseconds=1)


class TrainingHistory(RuleBasedStateMachine):
    """Two Org Admins switch model training; the answers must match a list of (instant, state) switches."""

    def __init__(self):
        super().__init__()
        self.org = ConsoleOrganizationFactory()
        self.deciders = [MembershipFactory(organization=self.org, role="admin").user for _ in range(2)]
        self.clock = START
        self.enabled = False
        self.switches = []  # (instant recorded, state from then on), as the service must record them

    def model_allows(self, at):
        allowed = False
        for instant, state in self.switches:
            if instant > at:
                break
            allowed = state
        return allowed

    @rule(
        enabled=st.booleans(),
        step=st.one_of(st.just(0), st.integers(-10**7, 0), st.integers(1, 40 * 24 * 3600 * 10**6)),
        who=st.sampled_from([0, 1]),
    )
    def switch(self, enabled, step, who):
        self.clock += step * MICROS
        changed = services.set_model_training(
            actor=self.deciders[who], organization=self.org, enabled=enabled,
            terms_version=TERMS if enabled else None, now=self.clock,
        )
        assert changed is (enabled != self.enabled)
        if changed:
            instant = max(self.clock, self.switches[-1][0]) if self.switches else self.clock
            self.switches.append((instant, enabled))
            self.enabled = enabled

    @rule(data=st.data())
    def ask(self, data):
        instants = [instant for instant, _ in self.switches]
        if instants and data.draw(st.booleans(), label="at a switch"):
            at = data.draw(st.sampled_from(instants), label="switch") + data.draw(st.sampled_from([-1, 0, 1])) * MICROS
        else:
            at = START + data.draw(st.integers(-10**9, 10**14), label="µs from start") * MICROS
        assert selectors.was_model_training_allowed(self.org, at) is self.model_allows(at)

    @invariant()
    def the_flag_and_the_open_period_agree(self):
        org = Organization.objects.get(pk=self.org.pk)
        assert org.model_training_enabled is self.enabled
        open_periods = ModelTrainingPeriod.objects.filter(organization=org, ended_at=None).count()
        assert open_periods == (1 if self.enabled else 0)

    def teardown(self):
        periods = list(ModelTrainingPeriod.objects.filter(organization=self.org).order_by("started_at", "id"))
        assert len(periods) == sum(1 for _, state in self.switches if state)
        for earlier, later in zip(periods, periods[1:], strict=False):
            assert earlier.ended_at is not None and earlier.ended_at <= later.started_at
        for instant, _ in self.switches:
            for at in (instant - MICROS, instant, instant + MICROS):
                assert selectors.was_model_training_allowed(self.org, at) is self.model_allows(at), at


def test_the_period_history_answers_like_a_simple_model_around_every_switch(db):
    run_state_machine_as_test(TrainingHistory, settings=settings(
        max_examples=50, stateful_step_count=12, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    ))


# The notice: every other person who may change any data setting of the organization.


def _queued_recipients():
    """Who the setting notices waiting in the outbox go to."""
    return sorted(m.payload["user_id"] for m in OutboxMessage.objects.filter(kind=notices.SETTING_NOTICE))


def test_enterprise_owners_are_told_when_the_primary_owner_allows_model_training(claude_members):
    primary = claude_members["primary_owner"]
    _allow(primary.user, primary.organization)
    # The Owner may change Thumbs Feedback: told. Not the actor, not the Admin or Member.
    assert _queued_recipients() == [claude_members["owner"].user.pk]


def test_team_owners_change_no_data_setting_and_are_not_told(team_members):
    primary = team_members["primary_owner"]
    _allow(primary.user, primary.organization)
    assert _queued_recipients() == []


def test_the_other_org_admins_are_told(console_members):
    admin = console_members["admin"]
    other = MembershipFactory(organization=admin.organization, role="admin")
    _allow(admin.user, admin.organization)
    assert _queued_recipients() == [other.user.pk]


def test_a_thumbs_feedback_change_now_reaches_the_primary_owner_of_any_data_setting(claude_members):
    services.set_feedback_setting(
        actor=claude_members["owner"].user, organization=claude_members["owner"].organization, enabled=False
    )
    assert _queued_recipients() == [claude_members["primary_owner"].user.pk]


def test_the_notice_says_which_setting_old_and_new_who_when_and_the_terms_version(claude_members):
    primary, owner = claude_members["primary_owner"], claude_members["owner"]
    _allow(primary.user, primary.organization)
    event = AuditEvent.objects.get(action=ACTION)

    assert notices.send_setting_notice(event_id=event.pk, user_id=owner.user.pk) == 1

    [message] = mail.outbox
    assert message.to == [owner.user.email]
    assert message.subject == f"{primary.organization.name}: Model training was turned on by {primary.user.email}"
    when = event.created_at.astimezone(UTC)
    named = f"{when:%A} {when.day} {when:%B %Y, %H:%M} UTC"
    for part in (message.body, message.alternatives[0][0]):
        assert "Model training" in part and primary.user.email in part and named in part
        assert TERMS in part and "Terms version" in part
        assert "from that moment on may be used to train models" in part
        assert "http://testserver/orgs/claude-ent/settings/data-management/" in part
    assert "off → on" in message.body

    _withdraw(primary.user, primary.organization)
    withdrawn = AuditEvent.objects.filter(action=ACTION).latest("id")
    notices.send_setting_notice(event_id=withdrawn.pk, user_id=owner.user.pk)
    assert "on → off" in mail.outbox[1].body and "are not used to train models" in mail.outbox[1].body
