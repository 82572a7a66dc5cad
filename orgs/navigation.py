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
    profile = membership.organization.profile
    yield "overview", "Overview", "orgs:overview", True
    yield profile.rating_page, profile.rating_title, profile.rating_url_name, True


def _settings_links(membership):
    profile = membership.organization.profile
    yield (
        profile.settings_page, profile.settings_title, profile.settings_url_name,
        permissions.can_open_feedback_settings(membership),
    )
    yield "members", "Members", "orgs:members", permissions.can_view_members(membership)
    yield "audit-log", "Audit log", "orgs:audit-log", permissions.can_view_audit_log(membership)
    yield "api-keys", "API keys", "api_keys:list", permissions.can_manage_api_keys(membership)


def _build(rows, slug):
    return [NavLink(key, label, reverse(name, args=[slug])) for key, label, name, allowed in rows if allowed]


def org_navigation(membership):
    """The main and Settings links this person may open in their organization."""
    slug = membership.organization.slug
    return {
        "main_links": _build(_links(membership), slug),
        "settings_links": _build(_settings_links(membership), slug),
    }
