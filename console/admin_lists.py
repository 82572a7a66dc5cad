"""Admin lists that cost the same on a large table: a bounded count, no date hierarchy."""

from .pagination import BoundedCountPaginator


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
