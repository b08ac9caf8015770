"""The outbox: in order, exactly once, retries with backoff, failures visible, resend after a fix, e-mail."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone, translation

from avrop.core.errors import NotAllowed
from avrop.core.models import OutboxMessage
from avrop.edi.validation import validate
from avrop.ordering import services
from avrop.ordering.channels import order_xlsx, safe_cell
from avrop.ordering.models import OrderEvent, PurchaseOrder, Transmission
from avrop.ordering.tests.helpers import FlakyAccessPoint, cart_with, ordered

pytestmark = pytest.mark.django_db


@pytest.fixture
def flaky(settings):
    settings.ORDERING_ACCESS_POINT = "avrop.ordering.tests.helpers.flaky_access_point"
    FlakyAccessPoint.down = True
    FlakyAccessPoint.sent = []
    return FlakyAccessPoint


def _due_now(**extra):
    """Let the waiting outbox rows of transmissions go now (their backoff passed)."""
    OutboxMessage.objects.filter(channel="ordering.transmission", status="queued").update(
        next_attempt_at=timezone.now(), **extra
    )


def _order_twice(world, capture, n):
    orders = []
    for _ in range(n):
        _requisition, by_channel = ordered(world, capture, email=0, peppol=1)
        orders.append(by_channel["peppol"])
    return orders


def test_peppol_order_is_valid_t01_in_the_ordering_outbound_folder(
    world, django_capture_on_commit_callbacks, tmp_path
):
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks)
    order = orders["peppol"]
    files = list((tmp_path / "peppol-ordering" / "outbound").glob("*.xml"))
    assert [f.name for f in files] == [
        f"order-0007_{order.supplier.organisation.peppol_id[5:]}-{order.number}.xml"
    ]
    content = files[0].read_bytes()
    report = validate(content)
    assert report.valid and report.transaction == "T01", report.findings
    assert b"K-4711" in content and world.department.gln.encode() in content
    assert not (tmp_path / "peppol" / "inbound").exists()  # the invoice intake's folder stays untouched


def test_a_channel_down_for_a_day_holds_orders_in_order_and_sends_each_once(
    world, django_capture_on_commit_callbacks, flaky
):
    orders = _order_twice(world, django_capture_on_commit_callbacks, 3)
    rows = list(Transmission.objects.order_by("id"))
    assert [r.status for r in rows] == ["queued"] * 3
    assert rows[0].attempts == 1 and "refused" in rows[0].last_error
    assert rows[1].attempts == 0  # waited behind the first instead of overtaking it
    assert PurchaseOrder.objects.get(pk=orders[0].pk).status == "queued"
    with translation.override("en"):
        health = services.transmission_health(organisation_id=world.buyer.pk)
    assert not health[0]["ok"] and "All 1 Peppol transmissions since" in health[0]["sentence"]

    for _hour in range(1, 24):
        _due_now()
        services.transmissions_dispatch()
    assert Transmission.objects.filter(status="queued").count() == 3
    assert flaky.sent == []
    assert Transmission.objects.get(pk=rows[0].pk).attempts == 24
    assert Transmission.objects.get(pk=rows[1].pk).attempts == 0

    flaky.down = False
    _due_now()
    assert services.transmissions_dispatch() == 3
    assert flaky.sent == [o.number for o in orders]
    services.transmissions_dispatch()
    assert flaky.sent == [o.number for o in orders]  # nothing twice
    assert set(Transmission.objects.values_list("status", flat=True)) == {"sent"}
    assert set(PurchaseOrder.objects.values_list("status", flat=True)) == {"sent"}
    assert OrderEvent.objects.filter(purchase_order=orders[0], is_error=True).count() >= 2


def test_backoff_doubles_and_gives_up_after_the_policy_time(world, django_capture_on_commit_callbacks, flaky):
    [order] = _order_twice(world, django_capture_on_commit_callbacks, 1)
    row = Transmission.objects.get(purchase_order=order)
    first_wait = row.next_attempt_at - row.last_attempt_at
    _due_now()
    services.transmissions_send_for_supplier(supplier_id=order.supplier_id)
    row.refresh_from_db()
    assert row.attempts == 2
    assert row.next_attempt_at - row.last_attempt_at >= first_wait * 2 - dt.timedelta(seconds=1)
    Transmission.objects.filter(pk=row.pk).update(queued_at=timezone.now() - dt.timedelta(hours=73))
    _due_now()
    services.transmissions_send_for_supplier(supplier_id=order.supplier_id)
    row.refresh_from_db()
    order.refresh_from_db()
    assert row.status == "failed" and order.transmission_status == "failed"
    assert "refused" in row.last_error


def test_resend_after_a_fix(world, django_capture_on_commit_callbacks, flaky):
    [order] = _order_twice(world, django_capture_on_commit_callbacks, 1)
    row = Transmission.objects.get(purchase_order=order)
    Transmission.objects.filter(pk=row.pk).update(status="failed")
    with pytest.raises(NotAllowed):
        services.transmission_resend(actor=world.requisitioner, transmission_id=row.pk)
    flaky.down = False
    with django_capture_on_commit_callbacks(execute=True):
        services.transmission_resend(actor=world.coordinator, transmission_id=row.pk)
    row.refresh_from_db()
    assert row.status == "sent" and flaky.sent == [order.number]
    assert OrderEvent.objects.filter(purchase_order=order, kind="resent").exists()


def test_missing_peppol_id_fails_at_once_with_the_reason_and_does_not_block(
    world, django_capture_on_commit_callbacks
):
    organisation = world.peppol.organisation
    organisation.peppol_id = ""
    organisation.save()
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks, email=0, peppol=1)
    row = Transmission.objects.get(purchase_order=orders["peppol"])
    assert row.status == "failed"
    assert "Peppol" in row.last_error
    organisation.peppol_id = "0007:5560123456"
    organisation.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.transmission_resend(actor=world.coordinator, transmission_id=row.pk)
    row.refresh_from_db()
    assert row.status == "sent"


def test_email_order_reaches_a_real_smtp_server_with_pdf_and_spreadsheet(
    world, django_capture_on_commit_callbacks, smtp_server
):
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks, peppol=0, email=2)
    order = orders["email"]
    assert order.status == "sent"
    # The order itself (with its files); a notice about the new order may go to the supplier too.
    supplier_mails = [
        m
        for m in smtp_server.messages
        if m["To"] == "order@procurator.example" and any(True for _part in m.iter_attachments())
    ]
    assert len(supplier_mails) == 1
    message = supplier_mails[0]
    assert order.number in message["Subject"]
    names = {part.get_filename(): part for part in message.iter_attachments()}
    assert set(names) == {f"order-{order.number}.pdf", f"order-{order.number}.xlsx"}
    assert names[f"order-{order.number}.pdf"].get_content().startswith(b"%PDF")
    assert message["Reply-To"] == world.requisitioner.email
    assert len(mail.outbox) == 0  # everything went through the SMTP backend


def test_spreadsheet_neutralises_formula_injection(world, django_capture_on_commit_callbacks):
    from io import BytesIO

    from openpyxl import load_workbook

    requisition = cart_with(world, peppol=0, email=1)
    line = requisition.lines.get()
    line.name = '=HYPERLINK("http://evil.example","klicka")'
    line.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.requisition_submit(actor=world.requisitioner, requisition_id=requisition.pk)
    with django_capture_on_commit_callbacks(execute=False):
        services.requisition_decide(requisition_id=requisition.pk, approver=world.approver, approve=True)
    order = PurchaseOrder.objects.get(requisition=requisition)
    sheet = load_workbook(BytesIO(order_xlsx(order))).active
    values = [cell.value for row in sheet.iter_rows() for cell in row if cell.value]
    assert '\'=HYPERLINK("http://evil.example","klicka")' in values
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell("Papper") == "Papper" and safe_cell(5) == 5


def test_attachments_travel_with_the_order(world, django_capture_on_commit_callbacks, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    requisition = cart_with(world, peppol=1, email=1)
    peppol_line = requisition.lines.get(supplier=world.peppol)
    services.attachment_add(
        actor=world.requisitioner,
        requisition_id=requisition.pk,
        upload=SimpleUploadedFile("ritning.pdf", b"%PDF-1.4 ritning", content_type="application/pdf"),
        line_id=peppol_line.pk,
    )
    services.attachment_add(
        actor=world.requisitioner,
        requisition_id=requisition.pk,
        upload=SimpleUploadedFile("villkor.txt", b"Leverans via port 3", content_type="text/plain"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.requisition_submit(actor=world.requisitioner, requisition_id=requisition.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.requisition_decide(requisition_id=requisition.pk, approver=world.approver, approve=True)
    [t01] = (tmp_path / "peppol-ordering" / "outbound").glob("order-*.xml")
    content = t01.read_bytes()
    assert validate(content).valid and b"ritning.pdf" in content and b"villkor.txt" not in content
    supplier_mail = next(m for m in mail.outbox if m.to == ["order@procurator.example"])
    names = {name for name, _content, _type in supplier_mail.attachments}
    assert "villkor.txt" in names and "ritning.pdf" not in names


def test_upgrade_gives_waiting_transmissions_their_outbox_row(
    world, django_capture_on_commit_callbacks, flaky
):
    """Rows queued (or being sent) by the former delivery loop get an outbox row, once."""
    from importlib import import_module

    from django.apps import apps

    upgrade = import_module("avrop.ordering.migrations.0004_transmissions_to_outbox")
    orders = _order_twice(world, django_capture_on_commit_callbacks, 2)
    OutboxMessage.objects.filter(channel="ordering.transmission").delete()
    Transmission.objects.filter(purchase_order=orders[1]).update(status="sending")
    upgrade.forwards(apps, None)
    upgrade.forwards(apps, None)
    rows = OutboxMessage.objects.filter(channel="ordering.transmission").order_by("pk")
    assert [r.object_id for r in rows] == [
        str(t.pk) for t in Transmission.objects.filter(purchase_order__in=orders).order_by("pk")
    ]
    assert set(Transmission.objects.values_list("status", flat=True)) == {"queued"}
    flaky.down = False
    _due_now()
    assert services.transmissions_dispatch() == 2
    assert flaky.sent == [o.number for o in orders]
