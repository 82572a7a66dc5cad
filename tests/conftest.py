"""Shared fixtures: organizations of both kinds with a person in every role."""

import os

import pytest
from django.db import connection

from tests.factories import PASSWORD, ConsoleOrganizationFactory, MembershipFactory, OrganizationFactory

UNDER_CI = os.environ.get("CI") == "true"

CLAUDE_ROLES = ["primary_owner", "owner", "admin", "member"]
CONSOLE_ROLES = ["admin", "developer", "billing", "user"]


def skip_or_fail(reason):
    """Skip a test whose service is absent; under CI an absent service is a failure."""
    if UNDER_CI:
        pytest.fail(f"{reason} (CI must provide it)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _needs_postgres(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://…")


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def claude_org(db):
    org = OrganizationFactory(slug="claude-ent", name="Claude Enterprise Org", plan="enterprise")
    return org


@pytest.fixture
def team_org(db):
    return OrganizationFactory(slug="claude-team", name="Claude Team Org", plan="team")


@pytest.fixture
def console_org(db):
    return ConsoleOrganizationFactory(slug="console-org", name="Console Org")


@pytest.fixture
def claude_members(claude_org):
    """One membership per claude role in the Enterprise org, keyed by role."""
    return {role: MembershipFactory(organization=claude_org, role=role) for role in CLAUDE_ROLES}


@pytest.fixture
def team_members(team_org):
    return {role: MembershipFactory(organization=team_org, role=role) for role in CLAUDE_ROLES}


@pytest.fixture
def console_members(console_org):
    """One membership per console role, keyed by role."""
    return {role: MembershipFactory(organization=console_org, role=role) for role in CONSOLE_ROLES}


@pytest.fixture
def outsider(db):
    """A person who belongs to an unrelated organization only."""
    return MembershipFactory(organization=OrganizationFactory(slug="elsewhere"), role="owner").user


def login(client, user):
    client.force_login(user)
    return client


from tests.smtp import smtp_server, smtp_server_down  # noqa: E402,F401 - shared fixtures
from tests.worker import celery_worker_session, wait_until_worker_is_idle  # noqa: E402,F401 - shared fixture


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    """Before any fixture is torn down (the database flush among them), let the worker finish its tasks."""
    wait_until_worker_is_idle()
