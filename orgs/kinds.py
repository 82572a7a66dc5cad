"""What each kind of organization means, one record per kind: code asks the profile, never the kind."""

from dataclasses import dataclass

from audit import actions

from .roles import OrgKind, Plan, Role

# Coding sessions (Claude Code) are reported from organizations of either kind.
CODE_SURFACE = "code"


@dataclass(frozen=True)
class KindProfile:
    """The facts that vary by kind: the feedback setting, its page, the rating surface, who decides."""

    kind: str
    # The data setting that turns feedback on or off, and its audit action (DESIGN §5 names).
    setting_field: str
    setting_label: str
    setting_action: actions.Action
    # Settings page: URL name (in the ``orgs`` namespace, also the navigation key) and title.
    settings_page: str
    settings_title: str
    # Where people rate responses: the report's surface, the page's URL name (``feedback``) and title.
    surface: str
    rating_page: str
    rating_title: str
    # Every surface the organization's reports may come from: its rating page's, and Claude Code's.
    surfaces: tuple
    # Who rates, and who decides the data settings and members (highest first), as people say it.
    raters_label: str
    deciding_roles: tuple
    deciders_label: str
    # Who alone allows or withdraws model training (a subset of the deciders, on every plan).
    training_roles: tuple
    training_deciders_label: str
    # Whether deciders manage their peers (Org Admins do; Owners do not manage Owners), and
    # whether the org must always keep one admin (a console org's last Org Admin stays).
    peers_manage_each_other: bool
    needs_admin: bool
    # The plans an organization of this kind may be on ("" = none), and those where the setting may change.
    plans: tuple
    setting_plans: tuple
    # The plans on which people come in by verified domains, single sign-on and SCIM (identity app).
    identity_plans: tuple

    @property
    def settings_url_name(self):
        return f"orgs:{self.settings_page}"

    @property
    def rating_url_name(self):
        return f"feedback:{self.rating_page}"

    @property
    def has_plans(self):
        return self.plans != ("",)

    @property
    def setting_plans_label(self):
        return " or ".join(Plan(plan).label for plan in self.setting_plans)

    @property
    def surfaces_label(self):
        return " or ".join(self.surfaces)

    def accepts_surface(self, surface):
        """Whether reports from this surface are accepted for an organization of this kind."""
        return surface in self.surfaces

    def setting_changeable_on(self, plan):
        """Whether the feedback setting may be changed on this plan."""
        return plan in self.setting_plans


CLAUDE = KindProfile(
    kind=OrgKind.CLAUDE,
    setting_field="thumbs_feedback_enabled",
    setting_label="Thumbs Feedback",
    setting_action=actions.THUMBS_FEEDBACK_CHANGED,
    settings_page="data-management",
    settings_title="Data Management",
    surface="chat",
    rating_page="chat",
    rating_title="Chat",
    surfaces=("chat", CODE_SURFACE),
    raters_label="members",
    deciding_roles=(Role.PRIMARY_OWNER, Role.OWNER),
    deciders_label="the Primary Owner and Owners",
    training_roles=(Role.PRIMARY_OWNER,),
    training_deciders_label="the Primary Owner",
    peers_manage_each_other=False,
    needs_admin=False,
    plans=(Plan.TEAM, Plan.ENTERPRISE),
    setting_plans=(Plan.ENTERPRISE,),
    identity_plans=(Plan.ENTERPRISE,),
)

CONSOLE = KindProfile(
    kind=OrgKind.CONSOLE,
    setting_field="workbench_feedback_enabled",
    setting_label="Workbench feedback",
    setting_action=actions.WORKBENCH_FEEDBACK_CHANGED,
    settings_page="privacy",
    settings_title="Privacy",
    surface="workbench",
    rating_page="workbench",
    rating_title="Workbench",
    surfaces=("workbench", CODE_SURFACE),
    raters_label="people using the Workbench",
    deciding_roles=(Role.ADMIN,),
    deciders_label="the Org Admins",
    training_roles=(Role.ADMIN,),
    training_deciders_label="the Org Admins",
    peers_manage_each_other=True,
    needs_admin=True,
    plans=("",),
    setting_plans=("",),
    identity_plans=("",),
)

# The model training choice (DESIGN §1, §5): one setting of the same name in both kinds, off by default;
# only who decides it varies (``training_roles``).
MODEL_TRAINING_FIELD = "model_training_enabled"
MODEL_TRAINING_LABEL = "Model training"
MODEL_TRAINING_ACTION = actions.MODEL_TRAINING_CHANGED

PROFILES = {profile.kind: profile for profile in (CLAUDE, CONSOLE)}
PROFILE_BY_SETTINGS_PAGE = {profile.settings_page: profile for profile in PROFILES.values()}
PROFILE_BY_RATING_PAGE = {profile.rating_page: profile for profile in PROFILES.values()}


def profile_for(kind):
    """The profile of a kind of organization."""
    return PROFILES[OrgKind(kind)]
