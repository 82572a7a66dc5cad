"""Settings → Audit log: the page, its CSV and the JSON Lines export of the chain.

These views take the organization already resolved, and a ``render(template, context, status)``
that draws the organization's page frame: orgs' access layer calls them after checking who may
read the log (audit imports no app above it).
"""

from django.http import StreamingHttpResponse
from django.utils import timezone

from console.pagination import BoundedCountPaginator
from console.timezones import viewer_timezone

from . import selectors
from .forms import AuditFilterForm
from .presentation import csv_lines, date_range, event_row, export_lines, list_filtered_events

AUDIT_EVENTS_PER_PAGE = 50
EXPORT_CHUNK = 2000


def _export_query(request, *names):
    query = request.GET.copy()
    for name in [key for key in query if key not in names]:
        query.pop(name)
    return query.urlencode()


def _render_page(request, organization, render, form, tz):
    context = {"form": form, "time_zone": tz, "rows": [], "page_obj": None, "chain": selectors.get_chain(organization)}
    if form.is_valid():
        paginator = BoundedCountPaginator(list_filtered_events(organization, form, tz), AUDIT_EVENTS_PER_PAGE)
        page_obj = paginator.get_page(request.GET.get("page"))
        context.update(page_obj=page_obj, rows=[event_row(e, organization) for e in page_obj])
    context["csv_query"] = _export_query(request, "action", "person", "date_from", "date_to")
    # The export is the chain: only whole days narrow it, never an action or a person.
    context["export_query"] = _export_query(request, "date_from", "date_to")
    # Times on the page are in the viewer's zone, which the page names.
    with timezone.override(tz):
        response = render("orgs/audit_log.html", context)
    # A filter that cannot be applied shows its error and no events, never everything unfiltered.
    response.status_code = 200 if form.is_valid() else 400
    return response


def audit_log(request, organization, render):
    """The organization's events in words, newest first, filtered and paginated, with the chain's state."""
    return _render_page(request, organization, render, AuditFilterForm(request.GET), viewer_timezone(request))


def audit_log_csv(request, organization, render):
    """Every event the filter selects, as CSV (streamed)."""
    tz = viewer_timezone(request)
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return _render_page(request, organization, render, form, tz)
    events = list_filtered_events(organization, form, tz).iterator(chunk_size=EXPORT_CHUNK)
    response = StreamingHttpResponse(csv_lines(events, organization, tz), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{organization.slug}-audit-log.csv"'
    return response


def audit_log_export(request, organization, render):
    """The chain as JSON Lines, oldest first, every field (streamed); narrowed only by the filter's days."""
    tz = viewer_timezone(request)
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return _render_page(request, organization, render, form, tz)
    since, until = date_range(form, tz)
    events = selectors.list_chain_events(organization, since=since, until=until).iterator(chunk_size=EXPORT_CHUNK)
    response = StreamingHttpResponse(export_lines(events, organization), content_type="application/jsonl; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{organization.slug}-audit-log.jsonl"'
    return response
