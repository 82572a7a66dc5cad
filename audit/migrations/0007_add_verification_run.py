from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0006_audit_event_append_only_trigger'),
    ]

    operations = [
        migrations.CreateModel(
            name='VerificationRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_at', models.DateTimeField()),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('chains', models.PositiveIntegerField(default=0)),
                ('events', models.PositiveBigIntegerField(default=0)),
                ('broken', models.PositiveIntegerField(default=0)),
                ('report', models.TextField(blank=True)),
            ],
            options={
                'ordering': ['-started_at', '-id'],
            },
        ),
    ]
