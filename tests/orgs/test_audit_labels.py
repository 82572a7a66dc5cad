"""One table of labels for every audit action, and values in words."""

import pytest

from orgs import services
from orgs.audit_labels import ACTION_LABELS, action_label, describe_changes, target_words


def test_every_action_the_services_record_has_a_label():
    codes = {value for name, value in vars(services).items() if name.startswith("ACTION_")}
    assert codes, "orgs.services names its actions ACTION_*"
    assert codes <= set(ACTION_LABELS), f"no label for {codes - set(ACTION_LABELS)}"


def test_labels_are_distinct_so_the_filter_can_tell_them_apart():
    assert len(set(ACTION_LABELS.values())) == len(ACTION_LABELS)


def test_an_unknown_code_is_shown_as_stored_rather_than_hidden():
    assert action_label("future.thing") == "future.thing"


@pytest.mark.parametrize(("kind", "action", "old", "new", "words"), [
    ("claude", "settings.thumbs_feedback.changed", True, False, ["Thumbs Feedback: On → Off"]),
    ("console", "settings.workbench_feedback.changed", False, True, ["Workbench feedback: Off → On"]),
    ("claude", "settings.model_training.changed", {"model_training_enabled": False},
     {"model_training_enabled": True, "terms_version": "2025-10-01"}, ["Model training: Off → On", "Terms version: 2025-10-01"]),
    ("console", "settings.model_training.changed", {"model_training_enabled": True},
     {"model_training_enabled": False, "terms_version": "admin"}, ["Model training: On → Off", "Terms version: admin"]),
    ("claude", "member.role.changed", "member", "owner", ["Role: Member → Owner"]),
    ("console", "member.role.changed", "developer", "admin", ["Role: Developer → Org Admin"]),
    ("claude", "member.added", None, "admin", ["Role: Admin"]),
    ("claude", "member.removed", "admin", None, ["Role: Admin → removed"]),
    ("claude", "org.created", None, {"name": "Acme", "slug": "acme", "kind": "claude", "plan": "enterprise"},
     ["Name: Acme", "Address (slug): acme", "Kind: Claude for Work", "Plan: Enterprise"]),
    ("claude", "org.details.changed", {"plan": "team"}, {"plan": "enterprise"}, ["Plan: Team → Enterprise"]),
    ("claude", "member.invited", None, {"email": "new@acme.test", "role": "member"},
     ["E-mail: new@acme.test", "Role: Member"]),
])
def test_values_read_in_words(kind, action, old, new, words):
    assert [str(c) for c in describe_changes(kind, action, old, new)] == words


def test_targets_read_without_their_codes():
    assert target_words("member:ada@acme.test") == "ada@acme.test"
    assert target_words("organization:acme") == "The organization"
    assert target_words("") == ""
