"""The bounded paginator counts no further than the pages it links, and says so."""

import pytest
from django.db import transaction

from audit import actions
from audit.models import AuditEvent
from audit.services import record_audit_event
from console import pagination
from tests.audit.helpers import record_events

pytestmark = pytest.mark.django_db


def test_count_stops_at_the_linked_pages_and_reads_more_than(monkeypatch, claude_org):
    monkeypatch.setattr(pagination, "MAX_PAGES", 2)
    record_events(claude_org, 25)
    bounded = pagination.BoundedCountPaginator(AuditEvent.objects.order_by("pk"), 10)
    assert (bounded.count, bounded.num_pages, bounded.is_bounded) == (21, 2, True)
    assert str(bounded.count) == "more than 20"
    assert len(bounded.page(2).object_list) == 10
    with transaction.atomic():
        for _ in range(15):
            record_audit_event(organization=None, actor=None, action=actions.ORG_CREATED, new={"name": "x"})
    exact = pagination.BoundedCountPaginator(AuditEvent.objects.filter(organization=None).order_by("pk"), 10)
    assert (exact.count, exact.num_pages, exact.is_bounded) == (15, 2, False)
