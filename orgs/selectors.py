"""Reads of organizations and memberships."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.http import Http404

from .models import Membership, ModelTrainingPeriod, Organization


def list_memberships_for_user(user):
    """The person's memberships with their organizations, by organization name."""
    return (
        Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name")
    )


def get_membership_or_404(user, slug):
    """The person's membership in the org with this slug; 404 if the org is unknown or not theirs.

    Both cases answer the same, so an organization's existence does not leak.
    """
    if not user.is_authenticated:
        raise Http404
    membership = get_membership(user, slug)
    if membership is None:
        raise Http404("No such organization.")
    return membership


def list_members(organization):
    """Every membership of the organization with its person, by e-mail."""
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .only("id", "role", "created_at", "organization_id", "user__id", "user__email", "user__full_name")
        .order_by("user__email")
    )


def list_members_with_roles(organization, roles, limit):
    """Up to `limit` memberships of the organization holding one of these roles, with their people."""
    return list(
        Membership.objects.filter(organization=organization, role__in=list(roles))
        .select_related("user")
        .only("id", "role", "organization_id", "user__id", "user__email", "user__full_name")
        .order_by("role", "user__email")[:limit]
    )


def count_members(organization):
    """How many people belong to the organization."""
    return Membership.objects.filter(organization=organization).count()


def get_member(organization, member_id):
    """One membership of the organization by id, with its person and that organization, or None."""
    member = Membership.objects.select_related("user").filter(organization=organization, pk=member_id).first()
    if member is not None:
        member.organization = organization
    return member


def get_membership(user, slug):
    """The person's membership in the org with this slug, or None (unknown and not-yours alike)."""
    # Every page and API call under an org starts here, so it is one hand-written join: the
    # ORM's select_related query building cost three times the query itself.
    sql = (
        f"SELECT o.*, m.id AS membership_id, m.role AS membership_role FROM {Organization._meta.db_table} o "  # noqa: S608
        f"JOIN {Membership._meta.db_table} m ON m.organization_id = o.id WHERE m.user_id = %s AND o.slug = %s"
    )
    org = next(iter(Organization.objects.raw(sql, [user.pk, slug])), None)
    if org is None:
        return None
    membership = Membership.from_db(
        org._state.db, ["id", "user_id", "organization_id", "role"], [org.membership_id, user.pk, org.pk, org.membership_role]
    )
    membership.organization, membership.user = org, user
    return membership


# The model training choice (issue 18): its terms, its state now, and its history.


def get_training_terms_version():
    """The terms version a decider accepts when allowing model training now (setting TRAINING_TERMS_VERSION)."""
    return settings.TRAINING_TERMS_VERSION


@dataclass(frozen=True)
class ModelTrainingState:
    """Whether the organization allows model training now and, while it does, since when, under which terms, by whom."""

    enabled: bool
    since: datetime | None = None
    terms_version: str = ""
    confirmed_by: str = ""


def get_model_training_state(organization):
    """The organization's model training choice now (no query while it is off)."""
    if not organization.model_training_enabled:
        return ModelTrainingState(enabled=False)
    period = get_open_model_training_period(organization)
    if period is None:  # only if a row was changed by hand past the service; the flag still says on
        return ModelTrainingState(enabled=True)
    return ModelTrainingState(
        enabled=True, since=period.started_at, terms_version=period.terms_version, confirmed_by=period.started_by_email
    )


def get_open_model_training_period(organization):
    """The organization's model training period still running, or None."""
    return ModelTrainingPeriod.objects.filter(organization=organization, ended_at__isnull=True).first()


def was_model_training_allowed(organization, at):
    """Whether the organization allowed model training at the instant ``at``.

    Periods are half-open: allowed from the instant of the confirmation on, no longer at the
    instant of the withdrawal. The one answer every caller asks.
    """
    return ModelTrainingPeriod.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=at), organization=organization, started_at__lte=at
    ).exists()


def list_model_training_periods(organization, limit=None):
    """The organization's model training periods, newest first (at most ``limit``)."""
    periods = ModelTrainingPeriod.objects.filter(organization=organization).order_by("-started_at", "-id")
    return list(periods[:limit] if limit else periods)
