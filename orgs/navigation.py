"""The organization pages' side navigation: only the links the person's role may open."""

from dataclasses import dataclass

from django.urls import reverse

from . import permissions


@dataclass(frozen=True)
class NavLink:
    key: str
    label: str
    url: str


def _links(membership):
    org = membership.organization
    yield "overview", "Overview", "orgs:overview", True
    yield "chat", "Chat", "feedback:chat", org.is_claude
    yield "workbench", "Workbench", "feedback:workbench", org.is_console


def _settings_links(membership):
    yield "data-management", "Data Management", "orgs:data-management", permissions.can_open_data_management(membership)
    yield "privacy", "Privacy", "orgs:privacy", permissions.can_open_privacy(membership)
    yield "members", "Members", "orgs:members", permissions.can_view_members(membership)
    yield "audit-log", "Audit log", "orgs:audit-log", permissions.can_view_audit_log(membership)


def _build(rows, slug):
    return [NavLink(key, label, reverse(name, args=[slug])) for key, label, name, allowed in rows if allowed]


def org_navigation(membership):
    """The main and Settings links this person may open in their organization."""
    slug = membership.organization.slug
    return {
        "main_links": _build(_links(membership), slug),
        "settings_links": _build(_settings_links(membership), slug),
    }
