"""Admin lists that cost the same on a large table: no COUNT over millions of rows, no deep OFFSET."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

# Pages further than this are not linked: an OFFSET deep into millions of rows reads them all.
# Staff narrow an older period with the date filter instead.
MAX_PAGES = 200


class AtLeast(int):
    """A row count that stopped counting at its bound; it reads "more than N" on the page."""

    def __str__(self):
        return f"more than {int(self) - 1:,}"


class BoundedCountPaginator(Paginator):
    """Counts at most the rows its linked pages can show (one bounded query), never the whole table."""

    @cached_property
    def count(self):
        bound = MAX_PAGES * self.per_page
        counted = self.object_list.order_by()[: bound + 1].count()
        return AtLeast(counted) if counted > bound else counted

    @cached_property
    def num_pages(self):
        return min(super().num_pages, MAX_PAGES)


class LargeTableAdminMixin:
    """List settings for tables that grow into the millions: bounded count, no full count, no date hierarchy.

    Date filters are Django's DateFieldListFilter on an indexed column (today, past 7 days, this
    month, this year; any range by `?created_at__gte=…&created_at__lt=…`): it reads no rows to
    offer its choices, unlike `date_hierarchy`, which runs a DISTINCT over the whole table.
    """

    paginator = BoundedCountPaginator
    show_full_result_count = False
    date_hierarchy = None
    list_per_page = 100
