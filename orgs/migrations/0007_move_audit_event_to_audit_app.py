"""The audit events move to the audit app: the table is renamed (audit_auditevent), its rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0006_membership_user_protect'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable('AuditEvent', 'audit_auditevent')],
            state_operations=[migrations.DeleteModel('AuditEvent')],
        ),
    ]
