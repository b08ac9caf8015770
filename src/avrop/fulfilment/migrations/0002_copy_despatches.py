"""Despatch advices move from ordering to fulfilment: copy every row of ordering's tables into fulfilment's
before ordering's migration 0006 drops them. Ids are not kept (nothing refers to a despatch advice but its
lines), so no sequence needs resetting on PostgreSQL. A despatch registered before the move came from the
portal form, the only way there was."""

from django.db import migrations


def copy(apps, schema_editor):
    OldAdvice = apps.get_model("ordering", "DespatchAdvice")
    OldLine = apps.get_model("ordering", "DespatchAdviceLine")
    Advice = apps.get_model("fulfilment", "DespatchAdvice")
    Line = apps.get_model("fulfilment", "DespatchAdviceLine")
    alias = schema_editor.connection.alias
    new_ids = {}
    for old in OldAdvice.objects.using(alias).order_by("id").iterator():
        new = Advice.objects.using(alias).create(
            organisation_id=old.organisation_id,
            purchase_order_id=old.purchase_order_id,
            number=old.number,
            source="portal",
            despatched_on=old.despatched_on,
            expected_on=old.expected_on,
            carrier=old.carrier,
            tracking_number=old.tracking_number,
            note=old.note,
            registered_by_id=old.registered_by_id,
            document_id=old.document_id,
            submit_key=old.submit_key,
        )
        # created_at/updated_at are set on create; keep the original times.
        Advice.objects.using(alias).filter(pk=new.pk).update(
            created_at=old.created_at, updated_at=old.updated_at
        )
        new_ids[old.pk] = new.pk
    Line.objects.using(alias).bulk_create(
        [
            Line(despatch_id=new_ids[old.despatch_id], order_line_id=old.order_line_id, quantity=old.quantity)
            for old in OldLine.objects.using(alias).order_by("id").iterator()
        ],
        batch_size=500,
    )


def copy_back(apps, schema_editor):
    Advice = apps.get_model("fulfilment", "DespatchAdvice")
    Line = apps.get_model("fulfilment", "DespatchAdviceLine")
    OldAdvice = apps.get_model("ordering", "DespatchAdvice")
    OldLine = apps.get_model("ordering", "DespatchAdviceLine")
    alias = schema_editor.connection.alias
    old_ids = {}
    for new in Advice.objects.using(alias).order_by("id").iterator():
        if new.registered_by_id is None:
            continue  # a T16 from the access point: ordering's table cannot hold it (no user)
        old = OldAdvice.objects.using(alias).create(
            organisation_id=new.organisation_id,
            purchase_order_id=new.purchase_order_id,
            number=new.number,
            despatched_on=new.despatched_on,
            expected_on=new.expected_on,
            carrier=new.carrier,
            tracking_number=new.tracking_number,
            note=new.note,
            registered_by_id=new.registered_by_id,
            document_id=new.document_id,
            submit_key=new.submit_key,
        )
        old_ids[new.pk] = old.pk
    OldLine.objects.using(alias).bulk_create(
        [
            OldLine(
                despatch_id=old_ids[line.despatch_id],
                order_line_id=line.order_line_id,
                quantity=line.quantity,
            )
            for line in Line.objects.using(alias).order_by("id").iterator()
            if line.despatch_id in old_ids
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("fulfilment", "0001_despatch_receipt_tasks"),
        ("ordering", "0005_fewer_indexes"),
    ]

    operations = [migrations.RunPython(copy, copy_back)]
