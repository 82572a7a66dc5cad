"""The invitations move to the identity app: the table is renamed (identity_invitation), its rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0009_add_model_training_choice'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable('Invitation', 'identity_invitation')],
            state_operations=[migrations.DeleteModel('Invitation')],
        ),
    ]
