"""The bounded paginator counts no further than the pages it links, and says so."""

import pytest

from console import pagination
from orgs.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_count_stops_at_the_linked_pages_and_reads_more_than(monkeypatch, claude_org):
    monkeypatch.setattr(pagination, "MAX_PAGES", 2)
    AuditEvent.objects.bulk_create(AuditEvent(organization=claude_org, action="org.created") for _ in range(25))
    bounded = pagination.BoundedCountPaginator(AuditEvent.objects.order_by("pk"), 10)
    assert (bounded.count, bounded.num_pages, bounded.is_bounded) == (21, 2, True)
    assert str(bounded.count) == "more than 20"
    assert len(bounded.page(2).object_list) == 10
    AuditEvent.objects.bulk_create(AuditEvent(organization=None, action="org.created") for _ in range(15))
    exact = pagination.BoundedCountPaginator(AuditEvent.objects.filter(organization=None).order_by("pk"), 10)
    assert (exact.count, exact.num_pages, exact.is_bounded) == (15, 2, False)
