"""Organization kinds, plans and roles: the vocabulary the permission rules are written in."""

from django.db import models


class OrgKind(models.TextChoices):
    CLAUDE = "claude", "Claude for Work"
    CONSOLE = "console", "API Console"


class Plan(models.TextChoices):
    TEAM = "team", "Team"
    ENTERPRISE = "enterprise", "Enterprise"


class Role(models.TextChoices):
    PRIMARY_OWNER = "primary_owner", "Primary Owner"
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"
    DEVELOPER = "developer", "Developer"
    BILLING = "billing", "Billing"
    USER = "user", "User"


# The article each role's name takes, by its sound ("a User", "an Owner", "an Org Admin"; one Primary Owner).
ROLE_ARTICLES = {
    Role.PRIMARY_OWNER: "the",
    Role.OWNER: "an",
    Role.ADMIN: "an",
    Role.MEMBER: "a",
    Role.DEVELOPER: "a",
    Role.USER: "a",
}

# Roles per kind, highest first, with their rank: a person may only act on ranks below
# their own (or equal, where the kind lets peers manage each other).
ROLE_RANKS = {
    OrgKind.CLAUDE: {
        Role.PRIMARY_OWNER: 4,
        Role.OWNER: 3,
        Role.ADMIN: 2,
        Role.MEMBER: 1,
    },
    OrgKind.CONSOLE: {
        Role.ADMIN: 3,
        Role.DEVELOPER: 2,
        Role.BILLING: 2,
        Role.USER: 1,
    },
}

def roles_for_kind(kind):
    """The roles an organization of this kind can give, highest first."""
    return list(ROLE_RANKS[OrgKind(kind)])


def role_label(kind, role):
    """The name shown for a role; a console org's admin is an "Org Admin"."""
    if kind == OrgKind.CONSOLE and role == Role.ADMIN:
        return "Org Admin"
    return Role(role).label


def your_role_in(kind, role):
    """The start of "… this organization" naming the reader's role, with the article it needs.

    "You are the Primary Owner of", "You are an Org Admin of", "You are a User of"; Billing is a
    duty rather than a kind of person: "You have the Billing role in".
    """
    label = role_label(kind, role)
    if role == Role.BILLING:
        return f"You have the {label} role in"
    return f"You are {ROLE_ARTICLES[role]} {label} of"


def rank(kind, role):
    """The rank of a role in an organization of this kind (0 when it does not belong)."""
    return ROLE_RANKS[OrgKind(kind)].get(role, 0)


def is_demotion(kind, old_role, new_role):
    """Whether moving from old_role to new_role lowers the person's rank (and so takes powers away)."""
    return rank(kind, new_role) < rank(kind, old_role)


def is_role_valid_for_kind(kind, role):
    """Whether an organization of this kind has this role."""
    return rank(kind, role) > 0
