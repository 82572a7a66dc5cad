"""Admin lists that cost the same on a large table: a bounded count, no date hierarchy."""

from django.contrib import admin

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


class DateRangeFilter(admin.DateFieldListFilter):
    """Django's date presets plus a From / Before form: any period, answered by the column's index."""

    template = "admin/date_range_filter.html"

    def choices(self, changelist):
        # The form keeps the list's other filters and search as hidden fields.
        own = set(self.expected_parameters())
        self.other_params = [
            (name, value) for name, values in changelist.params.items() if name not in own
            for value in (values if isinstance(values, list) else [values])
        ]
        self.since_value = self._day(self.date_params.get(self.lookup_kwarg_since))
        self.until_value = self._day(self.date_params.get(self.lookup_kwarg_until))
        yield from super().choices(changelist)

    @staticmethod
    def _day(value):
        value = value[-1] if isinstance(value, list) else value
        return (value or "")[:10]
