"""orgs.kinds: one record per kind, and everything that varies by kind reads it."""

import pytest
from django.urls import reverse

from feedback.models import Surface
from orgs.kinds import CODE_SURFACE, PROFILES, profile_for
from orgs.models import Organization
from orgs.roles import OrgKind, is_role_valid_for_kind


def test_every_kind_has_one_profile():
    assert set(PROFILES) == set(OrgKind.values)


@pytest.mark.parametrize("profile", list(PROFILES.values()), ids=str)
def test_a_profile_names_real_fields_pages_surfaces_and_roles(profile):
    assert Organization._meta.get_field(profile.setting_field).default is True
    assert profile.surface in Surface.values
    assert set(profile.surfaces) <= set(Surface.values)
    assert profile.accepts_surface(profile.surface)
    assert reverse(profile.settings_url_name, args=["x"]) == f"/orgs/x/settings/{profile.settings_page}/"
    assert reverse(profile.rating_url_name, args=["x"]) == f"/orgs/x/{profile.rating_page}/"
    assert all(is_role_valid_for_kind(profile.kind, role) for role in profile.deciding_roles)


def test_kinds_differ_in_setting_page_and_surface():
    profiles = list(PROFILES.values())
    for attribute in ("setting_field", "setting_action", "settings_page", "surface", "rating_page"):
        assert len({getattr(p, attribute) for p in profiles}) == len(profiles), attribute


def test_coding_sessions_are_accepted_for_organizations_of_both_kinds_and_nothing_else_is_shared():
    profiles = list(PROFILES.values())
    assert all(p.accepts_surface(CODE_SURFACE) for p in profiles)
    shared = set.intersection(*(set(p.surfaces) for p in profiles))
    assert shared == {CODE_SURFACE}
    assert set().union(*(p.surfaces for p in profiles)) == set(Surface.values)


def test_design_names_per_kind():
    claude, console = profile_for("claude"), profile_for("console")
    assert (claude.setting_field, claude.settings_page, claude.surface) == (
        "thumbs_feedback_enabled", "data-management", "chat")
    assert (console.setting_field, console.settings_page, console.surface) == (
        "workbench_feedback_enabled", "privacy", "workbench")
    assert claude.setting_action.code == "settings.thumbs_feedback.changed"
    assert console.setting_action.code == "settings.workbench_feedback.changed"
    assert claude.setting_changeable_on("enterprise") and not claude.setting_changeable_on("team")
    assert console.setting_changeable_on("")
