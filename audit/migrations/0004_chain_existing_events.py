"""Chain the events recorded before the chain existed: per organization, in the order they were recorded."""

from django.db import migrations

from audit.chain import GENESIS, event_hash

BATCH = 2000


def chain_existing_events(apps, schema_editor):
    events = apps.get_model("audit", "AuditEvent").objects
    chains = apps.get_model("audit", "AuditChain").objects
    organization_ids = set(events.order_by().values_list("organization_id", flat=True).distinct())
    for organization_id in organization_ids:
        seq, prev_hash, last_at, batch = 0, GENESIS, None, []
        for event in events.filter(organization_id=organization_id).order_by("created_at", "id").iterator(chunk_size=BATCH):
            seq += 1
            event.seq, event.prev_hash = seq, prev_hash
            event.hash = prev_hash = event_hash(event)
            last_at = event.created_at
            batch.append(event)
            if len(batch) == BATCH:
                events.bulk_update(batch, ["seq", "prev_hash", "hash"])
                batch = []
        events.bulk_update(batch, ["seq", "prev_hash", "hash"])
        chains.create(organization_id=organization_id, head_seq=seq, head_hash=prev_hash, head_at=last_at)


def unchain(apps, schema_editor):
    apps.get_model("audit", "AuditChain").objects.all().delete()
    apps.get_model("audit", "AuditEvent").objects.update(seq=None, prev_hash=None, hash=None)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_add_hash_chain'),
    ]

    operations = [
        migrations.RunPython(chain_existing_events, unchain),
    ]
