"""Pages of a large table that cost the same at any size: no COUNT over millions of rows, no deep OFFSET."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

# Pages further than this are not linked: an OFFSET deep into millions of rows reads them all.
# Staff narrow an older period with the date filter, owners with the action filter or the CSV export.
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

    @property
    def is_bounded(self):
        """Whether counting stopped at the bound: there are more rows than the linked pages show."""
        return isinstance(self.count, AtLeast)

    @cached_property
    def num_pages(self):
        return min(super().num_pages, MAX_PAGES)
