"""Every settings page runs the same number of queries with 1 member / 1 audit event and with 500 of each.

(With no event at all the audit log skips fetching an empty page, one query fewer: not a
scaling difference, so the small case has one event.)
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.actions import ACTIONS
from console.models import User
from orgs.models import Membership
from tests.audit.helpers import record_events
from tests.factories import ConsoleOrganizationFactory, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

MANY = 500

# page → (org kind, role of the person opening it)
PAGES = {
    "orgs:overview": ("claude", "owner"),
    "orgs:data-management": ("claude", "owner"),
    "orgs:privacy": ("console", "admin"),
    "orgs:members": ("claude", "owner"),
    "orgs:audit-log": ("claude", "owner"),
    "orgs:members#console": ("console", "admin"),
    "orgs:audit-log#console": ("console", "admin"),
}


def _events(org, n, role):
    # Every action, so the page reads each one's shape.
    codes = list(ACTIONS.values())
    for i in range(n):
        record_events(org, 1, action=codes[i % len(codes)], actor_email=f"actor{i % 10}@{org.slug}.test")


def _grow(org, role):
    """Add MANY - 1 members and MANY - 1 audit events to the organization, in bulk."""
    users = User.objects.bulk_create(
        User(email=f"bulk{i}@{org.slug}.test", full_name=f"Bulk Person {i}") for i in range(MANY - 1)
    )
    Membership.objects.bulk_create(Membership(organization=org, user=u, role=role) for u in users)
    _events(org, MANY - 1, role)


def _count(client, url):
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("page", list(PAGES))
def test_page_runs_a_constant_number_of_queries(client, page, django_assert_num_queries):
    kind, role = PAGES[page]
    org = OrganizationFactory() if kind == "claude" else ConsoleOrganizationFactory()
    me = MembershipFactory(organization=org, role=role)
    _events(org, 1, role)
    client.force_login(me.user)
    url = reverse(page.split("#")[0], args=[org.slug])
    with_one, _ = _count(client, url)

    _grow(org, "member" if kind == "claude" else "user")

    client.get(url)
    with django_assert_num_queries(with_one):
        response = client.get(url)
    assert response.status_code == 200
    if "members" in page:
        assert len(response.context["rows"]) == 50
    if "audit-log" in page:
        assert response.context["page_obj"].paginator.count == MANY
        assert len(response.context["form"].fields["action"].choices) == len(ACTIONS) + 1  # and "All actions"
