"""The hash chain: seq, prev_hash and hash on each event (filled by 0004), and a head row per chain."""

import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_add_actor_kind_and_name'),
        ('orgs', '0007_move_audit_event_to_audit_app'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='seq',
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='prev_hash',
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.CreateModel(
            name='AuditChain',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('head_seq', models.PositiveBigIntegerField(default=0)),
                ('head_hash', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64)),
                ('head_at', models.DateTimeField(blank=True, null=True)),
                ('checked_at', models.DateTimeField(blank=True, null=True)),
                ('verified_seq', models.PositiveBigIntegerField(default=0)),
                ('verified_hash', models.CharField(blank=True, max_length=64)),
                ('verified_at', models.DateTimeField(blank=True, null=True)),
                ('broken_seq', models.PositiveBigIntegerField(blank=True, null=True)),
                ('problem', models.CharField(blank=True, max_length=300)),
                ('organization', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organization')),
            ],
            options={
                'constraints': [models.UniqueConstraint(django.db.models.functions.comparison.Coalesce('organization', models.Value(0)), name='audit_one_chain_per_org')],
            },
        ),
    ]
