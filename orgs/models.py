"""Organizations, who belongs to them, and their model training choices over time."""


from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from console.refusals import CONFLICT, INVALID, Refusal

from .kinds import profile_for
from .roles import OrgKind, Plan, Role, is_role_valid_for_kind, role_label

ERR_PLAN_FOR_KIND = "Claude organizations need a plan (Team or Enterprise); Console organizations have none."
ERR_ROLE_NOT_IN_KIND = Refusal("role_not_in_kind", "The role “{role}” does not exist in a {kind} organization.", INVALID)
ERR_ALREADY_MEMBER = Refusal("already_member", "This person is already a member of the organization.", CONFLICT)
ERR_TRAINING_PERIOD_KEPT = (
    "Model training periods are kept as recorded: an open period can only be ended, never changed or deleted."
)


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=16, choices=OrgKind.choices)
    plan = models.CharField(max_length=16, choices=Plan.choices, blank=True)
    thumbs_feedback_enabled = models.BooleanField(
        default=True, help_text="Claude orgs: members may rate responses (thumbs up / down)."
    )
    workbench_feedback_enabled = models.BooleanField(
        default=True, help_text="Console orgs: feedback may be given in the Workbench."
    )
    # Changed only by orgs.services.set_model_training, which keeps its periods (ModelTrainingPeriod).
    model_training_enabled = models.BooleanField(
        default=False,
        help_text="Conversations from the moment a decider confirmed it, until withdrawn, may be used to train models.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="org_plan_matches_kind",
                condition=(
                    Q(kind=OrgKind.CLAUDE, plan__in=[Plan.TEAM, Plan.ENTERPRISE])
                    | Q(kind=OrgKind.CONSOLE, plan="")
                ),
                violation_error_message=ERR_PLAN_FOR_KIND,
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def profile(self):
        """What this organization's kind means: its setting, pages, surface and deciders (orgs.kinds)."""
        return profile_for(self.kind)

    @property
    def feedback_enabled(self):
        """Whether the organization currently lets its people give feedback."""
        return getattr(self, self.profile.setting_field)


class Membership(models.Model):
    # A person leaves an organization only through the services (the rules, the audit event):
    # deleting the account of someone who still belongs to one is refused by the database.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"],
                name="one_membership_per_user_and_org",
                violation_error_message=ERR_ALREADY_MEMBER,
            ),
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(role=Role.PRIMARY_OWNER),
                name="one_primary_owner_per_org",
                violation_error_message="An organization has exactly one Primary Owner.",
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.organization} ({self.role})"

    def save(self, *args, **kwargs):
        # The role must fit the org's kind; the database cannot check across tables.
        self._check_role_fits_kind()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.organization_id:
            self._check_role_fits_kind()

    def _check_role_fits_kind(self):
        if not is_role_valid_for_kind(self.organization.kind, self.role):
            raise ValidationError(
                {"role": ERR_ROLE_NOT_IN_KIND.format(role=self.role, kind=self.organization.get_kind_display())}
            )

    @property
    def role_label(self):
        return role_label(self.organization.kind, self.role)


class ModelTrainingPeriodQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError(ERR_TRAINING_PERIOD_KEPT)

    def delete(self):
        raise PermissionError(ERR_TRAINING_PERIOD_KEPT)


class ModelTrainingPeriod(models.Model):
    """A span in which an organization allowed model training: [started_at, ended_at), kept forever.

    Prospective only: it covers conversations from the moment a decider confirmed it (under
    ``terms_version``) until the moment it was withdrawn (open while ``ended_at`` is empty).
    """

    ENDING_FIELDS = frozenset({"ended_at", "ended_by", "ended_by_email"})

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="model_training_periods")
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The e-mails are kept beside the keys so the record still names the people if an account goes.
    started_by_email = models.EmailField(blank=True)
    terms_version = models.CharField(max_length=64)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ended_by_email = models.EmailField(blank=True)

    objects = ModelTrainingPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["organization", "-started_at"], name="training_period_org_start")]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(ended_at__isnull=True),
                name="one_open_training_period_per_org",
                violation_error_message="An organization has at most one open model training period.",
            ),
            models.CheckConstraint(
                name="training_period_ends_after_it_starts",
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
            ),
            models.CheckConstraint(name="training_period_names_its_terms", condition=~Q(terms_version="")),
        ]

    def __str__(self):
        return f"Model training in {self.organization} from {self.started_at:%Y-%m-%d %H:%M} UTC"

    def save(self, *args, **kwargs):
        # The one change a stored period allows is its ending, once.
        if not self._state.adding:
            fields = set(kwargs.get("update_fields") or ())
            if not fields or not fields <= self.ENDING_FIELDS or not getattr(self, "_stored_open", False):
                raise PermissionError(ERR_TRAINING_PERIOD_KEPT)
        super().save(*args, **kwargs)
        self._stored_open = self.ended_at is None

    def delete(self, *args, **kwargs):
        raise PermissionError(ERR_TRAINING_PERIOD_KEPT)

    @classmethod
    def from_db(cls, db, field_names, values):
        period = super().from_db(db, field_names, values)
        period._stored_open = period.__dict__.get("ended_at", False) is None
        return period

    @property
    def is_open(self):
        return self.ended_at is None
