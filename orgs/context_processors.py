"""Template context of the organizations: the switcher on every page, the frame of an error page inside an org,
and the model training facts of the org's pages."""

from django.utils.functional import SimpleLazyObject

from . import selectors
from .navigation import org_navigation
from .roles import rank, role_label


def org_switcher(request):
    """The signed-in person's memberships for the organization switcher (queried only if shown)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"switcher_memberships": SimpleLazyObject(lambda: list(selectors.list_memberships_for_user(user)))}


def org_frame(request):
    """The organization frame (side navigation, who can help) for an error page inside an organization.

    The org views remember the membership on the request; a 403 raised inside one then keeps
    the organization's navigation and names the people who can help. Org views pass their own
    context, which takes precedence over this.
    """
    membership = getattr(request, "org_membership", None)
    if membership is None:
        return {}
    org = membership.organization
    return {
        "org": org,
        "membership": membership,
        "current_org": org,
        "nav": SimpleLazyObject(lambda: org_navigation(membership)),
        "deciders": SimpleLazyObject(lambda: _deciders(membership)),
    }


def _deciders(membership):
    org = membership.organization
    roles = org.profile.deciding_roles
    people = [
        {"name": m.user.full_name or m.user.email, "email": m.user.email, "role": role_label(org.kind, m.role)}
        for m in sorted(
            selectors.list_members_with_roles(org, roles, limit=DECIDERS_SHOWN + 1),
            key=lambda m: -rank(org.kind, m.role),
        )
        if m.pk != membership.pk
    ]
    return {
        "roles": org.profile.deciders_label,
        "people": people[:DECIDERS_SHOWN],
        "more": len(people) > DECIDERS_SHOWN,
        "is_one": membership.role in roles,
    }


DECIDERS_SHOWN = 5


def model_training_facts(request):
    """Inside an organization, its model training choice now, for the facts its pages state (queried only if shown)."""
    membership = getattr(request, "org_membership", None)
    if membership is None:
        return {}
    return {"model_training": SimpleLazyObject(lambda: selectors.get_model_training_state(membership.organization))}
