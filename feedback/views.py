"""The pages people rate responses from: chat (claude orgs) and Workbench (console orgs)."""

from django.http import Http404
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from orgs.access import ERR_PAGE_FOR_KIND, org_member_view, render_org_page

from .presentation import conversation_view
from .samples import SAMPLE_BY_SURFACE


@org_member_view()
@require_GET
@ensure_csrf_cookie
def rating_page(request, membership, page):
    """A sample conversation of the org's surface (chat or Workbench) with thumbs buttons on each response."""
    org = membership.organization
    profile = org.profile
    if profile.rating_page != page:
        raise Http404(ERR_PAGE_FOR_KIND)
    sample = SAMPLE_BY_SURFACE[profile.surface]
    context = {
        "title": profile.rating_title,
        "surface": profile.surface,
        "feedback_enabled": org.feedback_enabled,
        "messages_view": conversation_view(sample),
        "conversation": sample,
    }
    return render_org_page(request, membership, "feedback/rate.html", profile.rating_page, context)
