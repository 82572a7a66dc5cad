"""What a staff change in the admin means, in terms of orgs.services: the admin only calls these."""

from django.core.exceptions import ValidationError
from django.db.models import Count

from console.refusals import code_of

from . import permissions, services
from .kinds import profile_for
from .models import ERR_ALREADY_MEMBER, Membership
from .roles import Role, role_label, roles_for_kind

# Which form field a refusal belongs beside, by its code; the others are shown above the form.
ERROR_FIELDS = {ERR_ALREADY_MEMBER.code: "user"}


class StaffError(Exception):
    """A refused staff change, with the form field it belongs to (None: the whole form)."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors  # {field or None: [message, ...]}


def _refused(error, default_field=None, fields=ERROR_FIELDS):
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return StaffError({(None if f == "__all__" else f): list(m) for f, m in error.message_dict.items()})
        return StaffError({default_field: list(error.messages)})
    return StaffError({fields.get(code_of(error.message), default_field): [error.message]})


def organization_fields(kind):
    """The fields staff see on an organization of this kind (None: the add form, kind not chosen yet)."""
    if kind is None:
        return ["name", "slug", "kind", "plan"]
    profile = profile_for(kind)
    plan = ["plan"] if profile.has_plans else []
    return ["name", "slug", "kind", *plan, profile.setting_field, "created_at"]


def role_choices(kind):
    """The roles staff may choose in an organization of this kind, labelled as its people see them."""
    return [(role, role_label(kind, role)) for role in roles_for_kind(kind)]


def count_members_by_role(organization):
    """How many members hold each role of the organization's kind (one grouped query)."""
    counts = dict(
        Membership.objects.filter(organization=organization)
        .order_by()
        .values_list("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    )
    return [(label, counts.get(role, 0)) for role, label in role_choices(organization.kind)]


def create_organization(*, actor, values, request_meta):
    """Create an organization from the admin's add form."""
    try:
        return services.create_organization(
            actor=actor, name=values["name"], slug=values["slug"], kind=values["kind"],
            plan=values.get("plan", ""), request_meta=request_meta,
        )
    except (services.ServiceError, ValidationError) as error:
        raise _refused(error) from error


def change_organization(*, actor, organization, values, changed, request_meta):
    """Apply the admin's changed fields to an organization: details, then its kind's data setting."""
    try:
        details = {f: values[f] for f in services.DETAIL_FIELDS if f in changed}
        if details:
            services.update_organization_details(
                actor=actor, organization=organization, changes=details, request_meta=request_meta
            )
        setting = organization.profile.setting_field
        if setting in changed:
            services.set_feedback_setting(
                actor=actor, organization=organization, enabled=values[setting], request_meta=request_meta
            )
    except (services.ServiceError, ValidationError) as error:
        # A plan without the setting is refused beside the setting's own field.
        raise _refused(error, fields={permissions.ERR_SETTING_PLAN.code: organization.profile.setting_field}) from error


def add_member(*, actor, organization, user, role, request_meta):
    """Add a person to an organization from the admin."""
    try:
        return services.add_member(
            actor=actor, organization=organization, user=user, role=role, request_meta=request_meta
        )
    except (services.ServiceError, ValidationError) as error:
        raise _refused(error, "role") from error


def change_member(*, actor, membership, role, request_meta):
    """Give a member a new role from the admin; choosing Primary Owner is a transfer."""
    try:
        if role == Role.PRIMARY_OWNER:
            return services.transfer_primary_ownership(actor=actor, membership=membership, request_meta=request_meta)
        return services.change_member_role(actor=actor, membership=membership, role=role, request_meta=request_meta)
    except (services.ServiceError, ValidationError) as error:
        raise _refused(error, "role") from error


def remove_member(*, actor, membership, request_meta):
    """Remove a member from the admin."""
    try:
        services.remove_member(actor=actor, membership=membership, request_meta=request_meta)
    except (services.ServiceError, ValidationError) as error:
        raise _refused(error) from error
