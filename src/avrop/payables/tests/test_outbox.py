"""Invoice responses go out through the core outbox; the response row mirrors the outbox result."""

from __future__ import annotations

from pathlib import Path

from avrop.core.models import OutboxMessage
from avrop.core.outbox import MAX_ATTEMPTS, outbox_deliver_due
from avrop.payables.models import InvoiceMessage
from avrop.payables.services.intake import Incoming, process


class BrokenAccessPoint:
    def send(self, *, content: bytes, document_id: str, receiver: str, document_type: str) -> str:
        raise OSError(28, "No space left on device")


def broken_access_point() -> BrokenAccessPoint:
    return BrokenAccessPoint()


def _returned_without_running_on_commit(world, capture) -> InvoiceMessage:
    """Intake returns an invalid invoice and the process dies right after the commit."""
    with capture(execute=False):
        result = process([Incoming(content=world.xml("F-9", broken="totals"), filename="f.xml")])
    return InvoiceMessage.objects.get(invoice=result.invoices[0])


def test_a_response_committed_before_a_crash_is_sent_once_by_the_sweep(
    world, settings, django_capture_on_commit_callbacks
):
    message = _returned_without_running_on_commit(world, django_capture_on_commit_callbacks)
    assert message.status == InvoiceMessage.Status.QUEUED
    row = OutboxMessage.objects.get(object_type="payables.invoicemessage", object_id=str(message.pk))
    assert (row.channel, row.recipient, row.sequence_key) == (
        "payables.peppol",
        message.recipient,
        f"invoice:{message.invoice_id}",
    )
    outbound = Path(settings.PAYABLES_PEPPOL_DIR) / "outbound"
    assert not any(outbound.glob("*.xml"))

    assert outbox_deliver_due() == 1
    assert outbox_deliver_due() == 0
    files = list(outbound.glob("*.xml"))
    assert len(files) == 1 and files[0].read_bytes() == bytes(message.content)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (InvoiceMessage.Status.SENT, 1, "")


def test_a_response_the_access_point_never_takes_is_failed_with_a_plain_reason(
    world, settings, django_capture_on_commit_callbacks
):
    settings.PAYABLES_ACCESS_POINT = f"{__name__}.broken_access_point"
    message = _returned_without_running_on_commit(world, django_capture_on_commit_callbacks)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        outbox_deliver_due()
        message.refresh_from_db()
        assert message.attempts == attempt
        OutboxMessage.objects.filter(status=OutboxMessage.Status.QUEUED).update(next_attempt_at=None)
    assert message.status == InvoiceMessage.Status.FAILED
    assert message.last_error.startswith(
        f"Given up after {MAX_ATTEMPTS} attempts. Last error: The network or the file system failed."
    )


def test_responses_queued_before_the_upgrade_get_their_outbox_row_and_go_out(
    world, settings, django_capture_on_commit_callbacks
):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("avrop.payables.migrations.0004_invoice_messages_to_outbox")
    message = _returned_without_running_on_commit(world, django_capture_on_commit_callbacks)
    OutboxMessage.objects.all().delete()  # as before the upgrade: the payables task was to send it
    migration.forwards(apps, None)
    migration.forwards(apps, None)  # run twice: still one row
    row = OutboxMessage.objects.get()
    assert (row.object_id, row.channel, bytes(row.payload)) == (
        str(message.pk),
        "payables.peppol",
        bytes(message.content),
    )
    assert outbox_deliver_due() == 1
    message.refresh_from_db()
    assert message.status == InvoiceMessage.Status.SENT
    assert len(list((Path(settings.PAYABLES_PEPPOL_DIR) / "outbound").glob("*.xml"))) == 1
