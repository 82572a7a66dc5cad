"""audit.AuditEvent takes over the table orgs.0007 renamed: the same columns and indexes, nothing copied.

The content type moves too, so staff permissions on audit events keep working.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor, old="orgs", new="audit"):
    content_types = apps.get_model("contenttypes", "ContentType")
    if not content_types.objects.filter(app_label=new, model="auditevent").exists():
        content_types.objects.filter(app_label=old, model="auditevent").update(app_label=new)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="audit", new="orgs")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('orgs', '0007_move_audit_event_to_audit_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('actor_email', models.EmailField(blank=True, max_length=254)),
                        ('action', models.CharField(db_index=True, max_length=100)),
                        ('target', models.CharField(blank=True, max_length=255)),
                        ('old_value', models.JSONField(blank=True, null=True)),
                        ('new_value', models.JSONField(blank=True, null=True)),
                        ('ip_address', models.GenericIPAddressField(blank=True, null=True)),
                        ('user_agent', models.CharField(blank=True, max_length=512)),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('actor', models.ForeignKey(blank=True, help_text='Empty when the system acted.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('organization', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='audit_events', to='orgs.organization')),
                    ],
                    options={
                        'ordering': ['-created_at', '-id'],
                        'indexes': [
                            models.Index(fields=['organization', '-created_at', '-id'], name='audit_org_newest'),
                            models.Index(fields=['action'], name='audit_action_prefix', opclasses=['varchar_pattern_ops']),
                            models.Index(fields=['actor_email', '-created_at', '-id'], name='audit_actor_email'),
                            models.Index(fields=['organization', 'action'], name='audit_org_action'),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
