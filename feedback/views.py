"""The pages people rate responses from: chat (claude orgs) and Workbench (console orgs)."""

from django.http import Http404
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from orgs.access import org_member_view
from orgs.views import render_org_page
from retention.policy import get_retention_years

from .presentation import conversation_view
from .samples import CHAT_SAMPLE, WORKBENCH_SAMPLE
from .services import surface_for


def _rating_page(request, membership, kind, sample, title):
    org = membership.organization
    if org.kind != kind:
        raise Http404("This page does not exist for this organization.")
    context = {
        "title": title,
        "surface": surface_for(org),
        "feedback_enabled": org.feedback_enabled,
        "decided_by": "owners" if org.is_claude else "Org Admins",
        "messages_view": conversation_view(sample),
        "conversation": sample,
        "retention_years": get_retention_years(),
    }
    return render_org_page(request, membership, "feedback/rate.html", surface_for(org), context)


@org_member_view()
@require_GET
@ensure_csrf_cookie
def chat(request, membership):
    """A sample chat conversation with thumbs buttons on each response."""
    return _rating_page(request, membership, "claude", CHAT_SAMPLE, "Chat")


@org_member_view()
@require_GET
@ensure_csrf_cookie
def workbench(request, membership):
    """A sample Workbench run with thumbs buttons on each response."""
    return _rating_page(request, membership, "console", WORKBENCH_SAMPLE, "Workbench")
