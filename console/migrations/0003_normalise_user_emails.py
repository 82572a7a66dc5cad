"""Store every account's address in its one normal form (console.addresses); refuse to merge two that become one."""

from django.db import migrations

from console.addresses import normalise_stored_addresses

FIX = (
    "For each group, decide which account is the person's; give each other one another address "
    "(or retire it: deactivate it and set its address to e.g. retired-<id>@invalid.test) in the "
    "admin or `manage.py shell` (README, Deployment: \"Addresses that collide\")."
)


def normalise_user_emails(apps, schema_editor):
    User = apps.get_model("console", "User")
    normalise_stored_addresses(User.objects.all(), what="accounts", fix=FIX)


class Migration(migrations.Migration):

    dependencies = [
        ("console", "0002_add_outbox_message"),
    ]

    operations = [
        # The normal forms stay valid under the old code too: nothing to undo.
        migrations.RunPython(normalise_user_emails, migrations.RunPython.noop),
    ]
