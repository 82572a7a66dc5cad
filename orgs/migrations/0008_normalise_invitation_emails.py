"""Store every invitation's address in its normal form; refuse when two open ones to one organization become one."""

from django.db import migrations

from console.addresses import normalise_stored_addresses

FIX = "For each group, revoke all but one of the open invitations (admin: Invitations, the revoke action)."


def normalise_invitation_emails(apps, schema_editor):
    Invitation = apps.get_model("orgs", "Invitation")
    open_ = Invitation.objects.filter(accepted_at=None, revoked_at=None)
    normalise_stored_addresses(open_, scope=("organization_id",), what="open invitations to one organization", fix=FIX)
    # Closed invitations are history: several to one person are expected (each row its own scope).
    normalise_stored_addresses(Invitation.objects.exclude(accepted_at=None, revoked_at=None), scope=("pk",))


class Migration(migrations.Migration):

    dependencies = [
        ("console", "0003_normalise_user_emails"),
        ("orgs", "0007_move_audit_event_to_audit_app"),
    ]

    operations = [
        migrations.RunPython(normalise_invitation_emails, migrations.RunPython.noop),
    ]
