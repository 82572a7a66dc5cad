"""Guard for the future: every staff and owner page runs as many queries with 2,000 members, 20,000 audit
events and 20,000 reports as with a handful (issue 12). The timed version at full size is bench/scale.py."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.scale_data import grow, pages
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SMALL = {"members": 5, "events": 10, "reports": 10, "runs": 3}
LARGE = {"members": 2_000, "events": 20_000, "reports": 20_000, "runs": 2_000}


def _measure(client, staff, owner, page_list):
    counts = {}
    for name, url, as_staff in page_list:
        client.force_login(staff if as_staff else owner)
        client.get(url)  # warm the session and the caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(queries)
    return counts


def test_every_staff_and_owner_page_costs_the_same_queries_at_scale(client, django_assert_max_num_queries):
    org = OrganizationFactory(slug="scale-org")
    owner = MembershipFactory(organization=org, role="primary_owner").user
    staff = UserFactory(is_staff=True, is_superuser=True)
    have = grow(org, **SMALL)
    member = org.memberships.exclude(user=owner).first()
    page_list = pages(org, member)
    small = _measure(client, staff, owner, page_list)

    grow(org, **LARGE, have=have)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    for name, url, as_staff in page_list:
        client.force_login(staff if as_staff else owner)
        client.get(url)
        with django_assert_max_num_queries(small[name]):
            response = client.get(url)
        assert response.status_code == 200, name
    assert org.memberships.count() == LARGE["members"] + 1


def test_the_bulk_chain_verifies(db):
    from audit.verification import verify_chain

    org = OrganizationFactory(slug="bulk-chain")
    grow(org, **SMALL)
    grow(org, **{**SMALL, "events": 50}, have=SMALL)
    _, result = verify_chain(org.pk)
    assert (result.problem, result.intact_seq) == (None, 50)
