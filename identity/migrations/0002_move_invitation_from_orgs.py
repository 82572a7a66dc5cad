"""identity.Invitation takes over the table orgs.0010 renamed: the same columns, indexes and constraints, nothing copied.

The content type moves too, so staff permissions on invitations (identity.change_invitation) keep
the groups and people that held them.
"""

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor, old="orgs", new="identity"):
    content_types = apps.get_model("contenttypes", "ContentType")
    if not content_types.objects.filter(app_label=new, model="invitation").exists():
        content_types.objects.filter(app_label=old, model="invitation").update(app_label=new)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="identity", new="orgs")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('identity', '0001_add_domains_sso_scim'),
        ('orgs', '0010_move_invitation_to_identity'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Invitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email', models.EmailField(max_length=254)),
                        ('role', models.CharField(choices=[('primary_owner', 'Primary Owner'), ('owner', 'Owner'), ('admin', 'Admin'), ('member', 'Member'), ('developer', 'Developer'), ('billing', 'Billing'), ('user', 'User')], max_length=16)),
                        ('token_hash', models.CharField(max_length=64, unique=True)),
                        ('invited_by_email', models.EmailField(blank=True, max_length=254)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('sent_at', models.DateTimeField(help_text='When the latest link was issued; it is valid for a week from then.')),
                        ('expires_at', models.DateTimeField()),
                        ('accepted_at', models.DateTimeField(blank=True, null=True)),
                        ('revoked_at', models.DateTimeField(blank=True, null=True)),
                        ('accepted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('invited_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='orgs.organization')),
                    ],
                    options={
                        'ordering': ['-sent_at', '-id'],
                        'indexes': [models.Index(fields=['-sent_at', '-id'], name='invitation_newest'), models.Index(fields=['email'], name='invitation_email')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('accepted_at__isnull', True), ('revoked_at__isnull', True)), fields=('organization', 'email'), name='one_open_invitation_per_email_and_org', violation_error_message='This address already has an open invitation to the organization.'), models.CheckConstraint(condition=models.Q(('accepted_at__isnull', True), ('revoked_at__isnull', True), _connector='OR'), name='invitation_accepted_or_revoked_not_both'), models.CheckConstraint(condition=models.Q(('email', django.db.models.functions.text.Lower('email'))), name='invitation_email_lowercase')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
