"""Migrations that change what existing organizations hold, run against rows made before them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# The migration that adds the model training choice, and the one before it.
BEFORE_TRAINING = ("orgs", "0008_normalise_invitation_emails")
TRAINING = ("orgs", "0009_add_model_training_choice")


def _migrate(target):
    """Migrate to the targets and return the app registry as it is there."""
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.fixture
def migrated_back():
    """Run the test from BEFORE_TRAINING; whatever happens, leave the database at the latest migrations."""
    yield _migrate([BEFORE_TRAINING])
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_model_training_is_off_for_every_organization_that_existed_before_the_migration(migrated_back):
    old = migrated_back.get_model("orgs", "Organization")
    old.objects.bulk_create([
        old(name="Ent", slug="ent", kind="claude", plan="enterprise", thumbs_feedback_enabled=True),
        old(name="Ent off", slug="ent-off", kind="claude", plan="enterprise", thumbs_feedback_enabled=False),
        old(name="Team", slug="team", kind="claude", plan="team"),
        old(name="API", slug="api", kind="console", plan="", workbench_feedback_enabled=True),
    ])

    apps = _migrate([TRAINING])

    organization = apps.get_model("orgs", "Organization")
    assert sorted(organization.objects.values_list("slug", "model_training_enabled")) == [
        ("api", False), ("ent", False), ("ent-off", False), ("team", False),
    ]
    assert not apps.get_model("orgs", "ModelTrainingPeriod").objects.exists()
    # Feedback settings are left as they were.
    assert organization.objects.get(slug="ent-off").thumbs_feedback_enabled is False


BEFORE_MOVE = [("orgs", "0009_add_model_training_choice"), ("identity", "0001_add_domains_sso_scim")]


@pytest.fixture
def before_the_invitations_moved():
    """Run the test from before the invitations moved to identity; leave the database at the latest migrations."""
    yield _migrate(BEFORE_MOVE)
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_the_invitations_move_to_identity_with_every_row_and_the_staff_permission(before_the_invitations_moved):
    old_apps = before_the_invitations_moved
    org = old_apps.get_model("orgs", "Organization").objects.create(name="Ent", slug="ent", kind="claude", plan="enterprise")
    invitation = old_apps.get_model("orgs", "Invitation").objects.create(
        organization=org, email="kate@acme.test", role="member", token_hash="a" * 64,
        sent_at="2026-12-01T00:00:00Z", expires_at="2026-12-08T00:00:00Z",
    )
    content_type = old_apps.get_model("contenttypes", "ContentType").objects.get(app_label="orgs", model="invitation")
    permission = old_apps.get_model("auth", "Permission").objects.get(content_type=content_type, codename="change_invitation")
    group = old_apps.get_model("auth", "Group").objects.create(name="Support")
    group.permissions.add(permission)

    apps = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    moved = apps.get_model("identity", "Invitation").objects.get()
    assert (moved.pk, moved.email, moved.token_hash, moved.organization_id) == (invitation.pk, "kate@acme.test", "a" * 64, org.pk)
    held = apps.get_model("auth", "Group").objects.get(name="Support").permissions.get()
    assert (held.content_type.app_label, held.codename) == ("identity", "change_invitation")
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    assert "identity_invitation" in tables and "orgs_invitation" not in tables
