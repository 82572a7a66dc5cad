"""Template context about feedback for the pages of other apps (orgs' settings pages), without them importing feedback."""

from django.utils.functional import SimpleLazyObject

from .policy import describe_retention, get_retention_years
from .selectors import get_recent_counts


def feedback_facts(request):
    """The retention period and its rule, and inside an organization its recent report counts (queried only if shown)."""
    facts = {"retention_years": get_retention_years(), "retention_rule": describe_retention()}
    membership = getattr(request, "org_membership", None)
    if membership is not None:
        facts["report_counts"] = SimpleLazyObject(lambda: get_recent_counts(membership.organization))
    return facts
