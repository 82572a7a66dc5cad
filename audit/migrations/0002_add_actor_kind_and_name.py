"""Who acted, for actors that are not people: a kind (person, system, API key, SCIM token, SSO) and a name.

Existing events with no e-mail were the system's. created_at is now set by the recording function
(it is hashed, so it is known before the row is written).
"""

from django.conf import settings
from django.db import migrations, models


def mark_system_events(apps, schema_editor):
    apps.get_model("audit", "AuditEvent").objects.filter(actor_email="").update(actor_kind="system")


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0001_move_audit_event_from_orgs'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='actor_kind',
            field=models.CharField(choices=[('person', 'Person'), ('system', 'System'), ('api_key', 'Admin API key'), ('scim', 'SCIM token'), ('sso', 'Single sign-on')], default='person', max_length=16),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='actor_name',
            field=models.CharField(blank=True, help_text="A non-person actor's name: the API key's, the SCIM token's.", max_length=200),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='actor',
            field=models.ForeignKey(blank=True, help_text="The person's account; empty for the system and other actors, or once the account is deleted.", null=True, on_delete=models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='created_at',
            field=models.DateTimeField(db_index=True),
        ),
        migrations.RunPython(mark_system_events, migrations.RunPython.noop),
    ]
