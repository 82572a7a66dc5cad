"""The organization pages' side navigation: only the links the person's role may open."""

from dataclasses import dataclass

from django.urls import reverse

from . import permissions


@dataclass(frozen=True)
class NavLink:
    key: str
    label: str
    url: str


# Settings pages of apps above orgs (identity, api), registered from their AppConfig.ready(): orgs links
# to them without importing them. Each is (key, label, URL name, predicate on the membership).
_registered_settings_links = []


def register_settings_link(key, label, url_name, allowed):
    """Add a page of another app to the organization's Settings navigation (once per key)."""
    if all(link[0] != key for link in _registered_settings_links):
        _registered_settings_links.append((key, label, url_name, allowed))


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
    for key, label, url_name, allowed in _registered_settings_links:
        yield key, label, url_name, allowed(membership)


def _build(rows, slug):
    return [NavLink(key, label, reverse(name, args=[slug])) for key, label, name, allowed in rows if allowed]


def org_navigation(membership):
    """The main and Settings links this person may open in their organization."""
    slug = membership.organization.slug
    return {
        "main_links": _build(_links(membership), slug),
        "settings_links": _build(_settings_links(membership), slug),
    }
