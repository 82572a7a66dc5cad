"""One place where a view resolves the organization and the person's membership in it."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .selectors import get_membership_or_404

ERR_NO_ORG = "No such organization."


def org_member_view(predicate=None, denied_message=""):
    """Decorate a view taking (request, membership, ...): 404 for non-members, 403 if predicate fails."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            membership = get_membership_or_404(request.user, slug)
            # An error page raised from here on keeps the organization's frame.
            request.org_membership = membership
            if predicate is not None and not predicate(membership):
                raise PermissionDenied(denied_message)
            return view(request, membership, *args, **kwargs)

        return wrapper

    return decorator
