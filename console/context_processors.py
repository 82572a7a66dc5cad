"""Template context every page needs."""

from django.utils.functional import SimpleLazyObject


def org_switcher(request):
    """The signed-in person's memberships for the organization switcher (queried only if shown)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from orgs.selectors import list_memberships_for_user

    return {"switcher_memberships": SimpleLazyObject(lambda: list(list_memberships_for_user(user)))}
