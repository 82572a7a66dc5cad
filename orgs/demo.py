"""The demo organizations and people of DESIGN §5, as data."""

from .roles import role_label

DEMO_ORGS = [
    {"slug": "acme", "name": "Acme Corp", "kind": "claude", "plan": "enterprise", "members": [
        ("primary@acme.test", "primary_owner"),
        ("owner@acme.test", "owner"),
        ("admin@acme.test", "admin"),
        ("member@acme.test", "member"),
    ]},
    {"slug": "acme-team", "name": "Acme Team", "kind": "claude", "plan": "team", "members": [
        ("primary@acme.test", "primary_owner"),
        ("member@acme.test", "member"),
    ]},
    {"slug": "acme-api", "name": "Acme API", "kind": "console", "plan": "", "members": [
        ("admin@acme.test", "admin"),
        ("dev@acme.test", "developer"),
        ("member@acme.test", "user"),
    ]},
]

DEMO_NAMES = {
    "primary@acme.test": "Priya Primary",
    "owner@acme.test": "Omar Owner",
    "admin@acme.test": "Ada Admin",
    "member@acme.test": "Mia Member",
    "dev@acme.test": "Dev Developer",
    "staff@acme.test": "Sam Staff",
}
STAFF_EMAIL = "staff@acme.test"


def demo_sign_ins():
    """Each demo address with the roles it holds (the development sign-in page lists them), staff last."""
    held = {}
    for org in DEMO_ORGS:
        for email, role in org["members"]:
            held.setdefault(email, []).append(f"{role_label(org['kind'], role)} of {org['name']}")
    return [*((email, ", ".join(roles)) for email, roles in held.items()), (STAFF_EMAIL, "staff: the staff admin")]
