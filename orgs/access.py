"""The one access layer: resolve the organization and the person's membership, 404 for strangers.

Pages (``org_member_view``, ``render_org_page``) answer an org you do not belong to exactly as one
that does not exist, so existence does not leak (the API answers the same: api.auth). Every app
above ``orgs`` resolves organizations through this module or orgs.selectors.get_membership.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from .navigation import org_navigation
from .selectors import get_membership_or_404

ERR_NO_ORG = "No such organization."
ERR_PAGE_FOR_KIND = "This page does not exist for this kind of organization."


def org_member_view(why_cannot=None):
    """Decorate a view taking (request, membership, ...): 404 for non-members, 403 with the refusal.

    ``why_cannot(membership)`` is a permissions predicate returning the reason it refuses, or None.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            membership = get_membership_or_404(request.user, slug)
            # An error page raised from here on keeps the organization's frame.
            request.org_membership = membership
            if why_cannot is not None and (reason := why_cannot(membership)):
                raise PermissionDenied(reason)
            return view(request, membership, *args, **kwargs)

        return wrapper

    return decorator


def render_org_page(request, membership, template, current, context=None, status=200):
    """Render a page of an organization with its side navigation."""
    org = membership.organization
    base = {
        "org": org, "membership": membership, "current_org": org,
        "nav": org_navigation(membership), "nav_current": current,
    }
    return render(request, template, {**base, **(context or {})}, status=status)
