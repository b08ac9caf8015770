"""Documents to suppliers (orders, cancellations, changes): a ``Transmission`` row and its outbox row are
written in the transaction that creates the document; the outbox engine (``avrop.core.outbox``) delivers
it.

The engine claims the outbox row, calls ``transmission_transport_send`` outside any transaction (it first
moves the transmission queued → sending, the order's "being sent" state, in one conditional UPDATE), and
records the result in a short transaction in which ``transmission_outcome`` mirrors it on the transmission and
its order. Rows to the same supplier share a sequence key, so they go out in the order they were written;
while the first one fails (the channel is down), the later ones wait behind it. Retries back off exponentially
up to an hour (``ORDERING_RETRY_BASE_SECONDS``); after the organisation's give-up time the row is FAILED with
its reason, and the coordinator can send it again after a fix. Permanent problems (no address, an invalid
document) fail at once and do not hold the queue."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from avrop.core import formatting, outbox
from avrop.core.errors import DomainError, NotFound
from avrop.core.locking import lock
from avrop.core.models import OutboxMessage
from avrop.core.transport import Withdrawn
from avrop.edi.validation import validate
from avrop.ordering import channels, conf, cxml, delivery_routes, documents
from avrop.ordering.display import transport_error_text
from avrop.ordering.errors import Code
from avrop.ordering.models import (
    Attachment,
    Channel,
    OrderDocument,
    OrderEvent,
    PurchaseOrder,
    PurchaseOrderLine,
    Requisition,
    RequisitionLine,
    Transmission,
)
from avrop.ordering.services import _supplier_mail
from avrop.ordering.services._common import OVERSIGHT_ROLES, order_event, policy_for
from avrop.ordering.services._transitions import (
    claim_transmission,
    fail_unsendable,
    lock_with_order,
    move_order,
    move_transmission,
)
from avrop.ordering.workflows import OrderStatus, TransmissionStatus
from avrop.organisations.models import DeliveryAddress, User
from avrop.organisations.permissions import require_role

logger = logging.getLogger(__name__)

# The outbox channel (a transport registered by ``avrop.ordering.outbox``) and the label of its rows' object.
TRANSPORT = "ordering.transmission"
OBJECT_TYPE = "ordering.transmission"


def _document(
    order: PurchaseOrder, kind: str, filename: str, content: bytes, content_type: str
) -> OrderDocument:
    return OrderDocument(
        organisation_id=order.organisation_id,
        purchase_order=order,
        direction=OrderDocument.Direction.OUT,
        kind=kind,
        filename=filename,
        content_type=content_type,
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _line_notes(line: RequisitionLine) -> list[str]:
    notes = []
    if line.note_to_supplier:
        notes.append(line.note_to_supplier)
    if line.is_consumable:
        notes.append(
            "Maskin/Machine: "
            + ", ".join(
                f"{label} {value}"
                for label, value in [
                    ("serienr/serial", line.machine_serial),
                    ("placering/placement", line.machine_placement),
                    ("byggnad/building", line.machine_building),
                    ("våning/floor", line.machine_floor),
                    ("kontakt/contact", line.machine_contact),
                ]
                if value
            )
        )
    if line.form_answers:
        notes.append("; ".join(f"{k}: {v}" for k, v in line.form_answers.items() if v))
    if line.description and line.kind == RequisitionLine.Kind.FREE_TEXT:
        notes.append(line.description)
    return [n[:1000] for n in notes if n]


def _findings_text(report: Any) -> str:
    return "; ".join(f"{f.rule}: {f.message}" for f in report.fatal)[:3000]


def attachments_for(attachments: list[Attachment], line_ids: set[int]) -> list[tuple[str, bytes, str]]:
    """The requisition's files that belong to an order: those of its lines (``line_ids``, requisition line
    ids) and those of the whole requisition."""
    files = []
    for attachment in attachments:
        if attachment.line_id is None or attachment.line_id in line_ids:
            with attachment.file.open("rb") as handle:
                files.append((attachment.original_name, handle.read(), attachment.content_type))
    return files


def peppol_order_content(
    order: PurchaseOrder,
    lines: list[PurchaseOrderLine],
    source_lines: dict[int, RequisitionLine],
    addresses: dict[int, DeliveryAddress],
    attachments: list[tuple[str, bytes, str]] | None = None,
    route: delivery_routes.DeliveryRoute | None = None,
) -> tuple[bytes, str]:
    """The T01 bytes and, when the validation found fatal problems, their text ('' when valid). ``route``:
    the order goes through a distribution centre (delivery location) to its department (final recipient)."""
    data = documents.OrderData(
        route=route,
        order=order,
        lines=lines,
        buyer=order.organisation,
        supplier=order.supplier.organisation,
        department=order.department,
        requisitioner=order.requisition.requisitioner,
        delivery_address=addresses.get(order.delivery_address_id) if order.delivery_address_id else None,
        agreement_reference=order.agreement.reference if order.agreement is not None else "",
        line_addresses={
            line.pk: address
            for line in lines
            if (address_id := source_lines[line.requisition_line_id].delivery_address_id) is not None
            and (address := addresses.get(address_id)) is not None
        },
        line_notes={line.pk: _line_notes(source_lines[line.requisition_line_id]) for line in lines},
        attachments=attachments or [],
    )
    content = documents.order_xml(data)
    report = validate(content, transaction="T01")
    return content, "" if report.valid else _findings_text(report)


def transmissions_enqueue_orders(
    *,
    orders: list[PurchaseOrder],
    lines_of: dict[int, list[PurchaseOrderLine]],
    requisition: Requisition,
    source_lines: list[RequisitionLine],
    events: list[OrderEvent] | None = None,
) -> list[Transmission]:
    """Queue new orders. Peppol orders are built and validated here, in the transaction, so what waits in the
    outbox is exactly the document that will be sent."""
    by_id = {line.pk: line for line in source_lines}
    # Lines usually come with their address joined; only the others are read.
    addresses: dict[int, DeliveryAddress] = {}
    for line in source_lines:
        if line.delivery_address_id and RequisitionLine.delivery_address.is_cached(line):
            joined = line.delivery_address
            if joined is not None:
                addresses[line.delivery_address_id] = joined
    address_ids = {line.delivery_address_id for line in source_lines if line.delivery_address_id} - set(
        addresses
    )
    if address_ids:
        addresses.update((a.pk, a) for a in DeliveryAddress.objects.filter(pk__in=address_ids).order_by())
    files = list(Attachment.objects.filter(requisition=requisition).order_by("created_at", "id"))
    routes = delivery_routes.route(orders, lines_of, by_id)
    now = timezone.now()
    docs: list[OrderDocument] = []
    rows: list[Transmission] = []
    problems: dict[int, str] = {}
    for order in orders:
        order.requisition = requisition
        row = Transmission(
            organisation_id=order.organisation_id,
            purchase_order=order,
            supplier_id=order.supplier_id,
            kind=Transmission.Kind.ORDER,
            channel=order.channel,
            next_attempt_at=now,
        )
        if order.channel == Channel.PEPPOL:
            wanted = {line.requisition_line_id for line in lines_of[order.pk]}
            mine = [a for a in files if a.line_id is None or a.line_id in wanted]
            content, problem = peppol_order_content(
                order,
                lines_of[order.pk],
                by_id,
                addresses,
                attachments_for(mine, wanted) if mine else None,
                route=routes.get(order.pk),
            )
            doc = _document(
                order, OrderDocument.Kind.ORDER_XML, f"{order.number}.xml", content, "application/xml"
            )
            docs.append(doc)
            row.document = doc
            row.recipient = order.supplier.organisation.peppol_id
            if not row.recipient:
                problem = problem or _("The supplier has no Peppol participant id.")
            if problem:
                problems[order.pk] = problem
        elif order.channel == Channel.EMAIL:
            row.recipient = order.supplier.order_email
        elif order.channel == Channel.CXML:
            row.recipient = cxml.order_url(order.supplier)
        else:
            row.recipient = order.supplier.organisation.name
        rows.append(row)
    OrderDocument.objects.bulk_create(docs)
    for row in rows:
        if row.document is not None:
            row.document_id = row.document.pk
    fail_unsendable(
        rows,
        requisition=requisition,
        problems={
            order_id: _("The order is not a valid Peppol order: %(why)s") % {"why": problem}
            for order_id, problem in problems.items()
        },
        now=now,
    )
    Transmission.objects.bulk_create(rows)
    _queue([row for row in rows if row.status == TransmissionStatus.QUEUED], now=now)
    queued_events = [
        OrderEvent(
            organisation_id=row.organisation_id,
            requisition=requisition,
            purchase_order_id=row.purchase_order_id,
            at=now,
            kind=OrderEvent.Kind.FAILED
            if row.status == TransmissionStatus.FAILED
            else OrderEvent.Kind.QUEUED,
            text=row.last_error
            or _("Waiting to be sent via %(channel)s to %(to)s")
            % {"channel": row.get_channel_display(), "to": row.recipient},
            is_error=row.status == TransmissionStatus.FAILED,
            actor_name="system",
        )
        for row in rows
    ]
    if events is None:
        OrderEvent.objects.bulk_create(queued_events)
    else:
        events.extend(queued_events)
    return rows


def transmission_enqueue(
    *, order: PurchaseOrder, kind: str, payload: dict[str, Any] | None = None
) -> Transmission:
    """Queue a cancellation or change of an order (inside the caller's transaction)."""
    row = Transmission.objects.create(
        organisation_id=order.organisation_id,
        purchase_order=order,
        supplier_id=order.supplier_id,
        kind=kind,
        channel=order.channel,
        payload=payload or {},
        next_attempt_at=timezone.now(),
        recipient=order.supplier.order_email
        if order.channel == Channel.EMAIL
        else order.supplier.organisation.peppol_id
        if order.channel == Channel.PEPPOL
        else cxml.order_url(order.supplier)
        if order.channel == Channel.CXML
        else order.supplier.organisation.name,
    )
    _queue([row])
    return row


def _queue(rows: list[Transmission], *, now: dt.datetime | None = None) -> None:
    """Write the outbox rows of saved, queued transmissions (in the caller's transaction)."""
    if not rows:
        return
    now = now or timezone.now()
    outbox.outbox_put_many(
        OutboxMessage(
            organisation_id=row.organisation_id,
            channel=TRANSPORT,
            recipient=row.recipient[:300],
            sequence_key=f"supplier:{row.supplier_id}",
            object_type=OBJECT_TYPE,
            object_id=str(row.pk),
            next_attempt_at=now,
        )
        for row in rows
    )


def transmission_retry_policy(message: OutboxMessage) -> outbox.RetryPolicy:
    """A failed attempt is retried until the organisation's give-up time after the transmission was queued
    (``OrderingPolicy.transmission_give_up_hours``), first after ``ORDERING_RETRY_BASE_SECONDS``."""
    row = Transmission.objects.only("queued_at", "organisation_id").get(pk=int(message.object_id))
    hours = policy_for(row.organisation_id).transmission_give_up_hours
    return outbox.RetryPolicy(
        give_up_at=row.queued_at + dt.timedelta(hours=hours), base_seconds=conf.retry_base_seconds()
    )


# --- sending ----------------------------------------------------------------------------------------------


def _payload_of(row: Transmission, order: PurchaseOrder) -> tuple[str, bytes, str]:
    """(document type, content, document id) for Peppol."""
    if row.kind == Transmission.Kind.ORDER:
        assert row.document is not None
        return "order", bytes(row.document.content), order.number
    if row.kind == Transmission.Kind.CANCELLATION:
        content = documents.cancellation_xml(
            order=order,
            buyer=order.organisation,
            supplier=order.supplier.organisation,
            reason=row.payload.get("reason", ""),
            issue_date=timezone.localdate(),
        )
        return "order_cancellation", content, f"{order.number}-C{row.pk}"
    raise channels.PermanentError(
        "Order changes are not sent by Peppol basic ordering; tell the supplier through their order contact."
    )


def _email_for(row: Transmission, order: PurchaseOrder) -> tuple[str, str, list[tuple[str, bytes, str]]]:
    from django.template.loader import render_to_string

    language = "sv"
    with translation.override(language):
        context = {**channels.order_context(order), "transmission": row, "payload": row.payload}
        body = render_to_string(f"ordering/email/supplier_{row.kind}.txt", context)
        subjects: dict[str, str] = {
            Transmission.Kind.ORDER: _("Order %(number)s from %(buyer)s"),
            Transmission.Kind.CANCELLATION: _("Cancellation of order %(number)s from %(buyer)s"),
            Transmission.Kind.CHANGE: _("Change of order %(number)s from %(buyer)s"),
        }
        subject = subjects[row.kind] % {"number": order.number, "buyer": order.organisation.name}
    attachments: list[tuple[str, bytes, str]] = []
    if row.kind == Transmission.Kind.ORDER:
        line_ids = set(order.lines.values_list("requisition_line_id", flat=True))
        files = list(Attachment.objects.filter(requisition_id=order.requisition_id))
        attachments.extend(attachments_for(files, line_ids))
    if row.kind in {Transmission.Kind.ORDER, Transmission.Kind.CHANGE}:
        attachments.append(
            (f"order-{order.number}.pdf", channels.order_pdf(order, language=language), "application/pdf")
        )
        attachments.append(
            (
                f"order-{order.number}.xlsx",
                channels.order_xlsx(order, language=language),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        )
    return subject, body, attachments


def _deliver(row: Transmission, order: PurchaseOrder) -> tuple[str, list[OrderDocument]]:
    """Hand the document to its channel; returns the channel's message id and the documents to keep."""
    if row.channel == Channel.PEPPOL:
        document_type, content, document_id = _payload_of(row, order)
        message_id = channels.send_peppol(
            content=content, document_id=document_id, receiver=row.recipient, document_type=document_type
        )
        kept = []
        if row.kind == Transmission.Kind.CANCELLATION:
            kept.append(
                _document(
                    order,
                    OrderDocument.Kind.CANCELLATION_XML,
                    f"{document_id}.xml",
                    content,
                    "application/xml",
                )
            )
        return message_id, kept
    if row.channel == Channel.EMAIL:
        subject, body, attachments = _email_for(row, order)
        requisitioner = order.requisition.requisitioner
        message_id = channels.send_email(
            recipient=row.recipient,
            subject=subject,
            body=body,
            attachments=attachments,
            reply_to=requisitioner.email,
        )
        kinds = {".pdf": OrderDocument.Kind.ORDER_PDF, ".xlsx": OrderDocument.Kind.ORDER_XLSX}
        ours = f"order-{order.number}."
        return message_id, [
            _document(order, kinds[name[name.rindex(".") :]], name, content, mimetype)
            for name, content, mimetype in attachments
            if name.startswith(ours)
        ]
    if row.channel == Channel.CXML:
        content = cxml.order_request(order, kind=row.kind, payload=row.payload)
        message_id = cxml.send(url=row.recipient, content=content)
        name = f"{order.number}-{row.kind}-{row.pk}.xml"
        return message_id, [_document(order, OrderDocument.Kind.ORDER_CXML, name, content, "application/xml")]
    return "portal", []


def _record_success(
    row: Transmission, order: PurchaseOrder, message_id: str, kept: list[OrderDocument]
) -> None:
    row.sent_at = timezone.now()
    row.message_id = message_id[:300]
    row.last_error = ""
    row.next_attempt_at = None
    row.claimed_at = None
    # The first time the order document goes out, the order is sent (one write of the order, one audit
    # event for both moves); a resend after a later failure leaves the order where the supplier's answers
    # took it.
    first = row.kind == Transmission.Kind.ORDER and order.status == OrderStatus.QUEUED
    move_transmission(
        row,
        TransmissionStatus.SENT,
        order=None if first else order,
        fields=["sent_at", "message_id", "last_error", "next_attempt_at", "claimed_at"],
        audited=not first,
    )
    if kept:
        OrderDocument.objects.bulk_create(kept)
    if first:
        move_order(
            order,
            OrderStatus.SENT,
            actor=None,
            action="purchase_order.sent",
            after={"channel": row.channel, "message_id": row.message_id},
            transmission=row,
        )
        _supplier_mail.new_order(order)
    order_event(
        order,
        kind=OrderEvent.Kind.SENT,
        text=_("%(what)s sent via %(channel)s to %(to)s (attempt %(n)s)")
        % {
            "what": row.get_kind_display(),
            "channel": row.get_channel_display(),
            "to": row.recipient,
            "n": row.attempts,
        },
    )


def _record_failure(
    row: Transmission, order: PurchaseOrder, error: str, *, next_attempt_at: dt.datetime | None
) -> None:
    """Record a failed attempt on the locked rows: back in the queue until ``next_attempt_at``, or FAILED
    (None) with the reason, waiting for the coordinator."""
    now = timezone.now()
    row.last_error = error[:4000]
    row.claimed_at = None
    row.next_attempt_at = next_attempt_at
    fields = ["last_error", "claimed_at", "next_attempt_at"]
    if next_attempt_at is None:
        row.failed_at = now
        move_transmission(
            row, TransmissionStatus.FAILED, order=order, fields=[*fields, "failed_at"], comment=error[:4000]
        )
    else:
        move_transmission(row, TransmissionStatus.QUEUED, order=order, fields=fields)
    order_event(
        order,
        kind=OrderEvent.Kind.FAILED if row.status == TransmissionStatus.FAILED else OrderEvent.Kind.ERROR,
        text=(
            _("Attempt %(n)s failed: %(error)s") % {"n": row.attempts, "error": error}
            + (
                " "
                + _("Next attempt at %(at)s.")
                % {"at": timezone.localtime(next_attempt_at).strftime("%H:%M:%S")}
                if next_attempt_at
                else " " + _("Not retried: fix the cause and send it again.")
            )
        ),
        is_error=True,
    )
    logger.warning("Transmission %s of order %s failed: %s", row.pk, order.number, error)


def transmission_transport_send(message: OutboxMessage) -> outbox.Sent:
    """The outbox transport: take the transmission (queued → sending, one conditional UPDATE, no transaction
    held), hand its document to the channel, return the message id and the documents to keep. A transmission
    that no longer waits (cancelled, failed by a late error report) is withdrawn, not sent."""
    claim_transmission(int(message.object_id), timezone.now())
    row = Transmission.objects.select_related(
        "document",
        "purchase_order__supplier__organisation",
        "purchase_order__organisation",
        "purchase_order__department",
        "purchase_order__requisition__requisitioner",
    ).get(pk=int(message.object_id))
    if row.status != TransmissionStatus.SENDING:
        raise Withdrawn(f"transmission {row.pk} is {row.status}")
    message_id, kept = _deliver(row, row.purchase_order)
    return outbox.Sent(message_id, kept)


def transmission_outcome(message: OutboxMessage, sent: outbox.Sent | None) -> None:
    """The outbox recorded an attempt (in its transaction): the transmission and its order show it."""
    row = lock_with_order(int(message.object_id))
    if row.status != TransmissionStatus.SENDING:
        return  # moved meanwhile (a late error report failed it); nothing of this attempt to show
    order = row.purchase_order
    if message.status == OutboxMessage.Status.SENT:
        _record_success(row, order, message.message_id, list(sent.keep or []) if sent else [])
    elif message.status == OutboxMessage.Status.QUEUED:
        _record_failure(row, order, message.last_error, next_attempt_at=message.next_attempt_at)
    else:
        _record_failure(row, order, message.last_error, next_attempt_at=None)


def transmission_send(*, transmission_id: int) -> str:
    """Send one queued transmission now if it is due and first of its supplier's (tests and tools); returns
    its status."""
    found = outbox.outbox_latest(object_type=OBJECT_TYPE, object_id=transmission_id)
    if found is not None and found.status == OutboxMessage.Status.QUEUED:
        outbox.outbox_deliver_now(message_id=found.pk)
    return Transmission.objects.values_list("status", flat=True).get(pk=transmission_id)


def transmissions_send_for_supplier(*, supplier_id: int, limit: int = 200) -> int:
    """Send the supplier's due transmissions in the order they were written. Returns how many went out."""
    return outbox.outbox_deliver_due(
        limit=limit, channels=[TRANSPORT], sequence_key=f"supplier:{supplier_id}"
    )


def transmissions_dispatch() -> int:
    """Send every transmission that is due now (the outbox's sweep does this every minute anyway)."""
    return outbox.outbox_deliver_due(channels=[TRANSPORT])


@transaction.atomic
def transmission_resend(*, actor: User, transmission_id: int) -> Transmission:
    """The coordinator sends a failed transmission again after fixing the cause; a Peppol order is built and
    validated again from the current master data."""
    try:
        row = Transmission.objects.select_related("organisation").get(pk=transmission_id)
    except (Transmission.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    require_role(user=actor, organisation=row.organisation, roles=OVERSIGHT_ROLES)
    row = lock(Transmission, row.pk)
    order = lock(PurchaseOrder, row.purchase_order_id)
    if row.status != TransmissionStatus.FAILED:
        raise DomainError(
            Code.NOT_RESENDABLE,
            _("Only a failed transmission is sent again; this one is %(status)s.")
            % {"status": row.get_status_display().lower()},
        )
    if order.status in {OrderStatus.CANCELLED, OrderStatus.REJECTED}:
        raise DomainError(
            Code.NOT_RESENDABLE, _("The order is %(s)s.") % {"s": order.get_status_display().lower()}
        )
    supplier = order.supplier
    if row.channel == Channel.PEPPOL and row.kind == Transmission.Kind.ORDER:
        row.recipient = supplier.organisation.peppol_id
        lines = list(order.lines.all())
        source = {
            line.pk: line
            for line in RequisitionLine.objects.filter(pk__in=[x.requisition_line_id for x in lines])
        }
        addresses = {
            a.pk: a
            for a in DeliveryAddress.objects.filter(
                pk__in={s.delivery_address_id for s in source.values()} | {order.delivery_address_id}
            )
        }
        files = list(Attachment.objects.filter(requisition_id=order.requisition_id))
        content, problem = peppol_order_content(
            order,
            lines,
            source,
            addresses,
            attachments_for(files, set(source)) or None,
            route=delivery_routes.route([order], {order.pk: lines}, source).get(order.pk),
        )
        if problem or not row.recipient:
            raise DomainError(
                Code.ORDER_INVALID,
                _("The order is still not valid: %(why)s")
                % {"why": problem or _("the supplier has no Peppol participant id")},
            )
        document = _document(
            order, OrderDocument.Kind.ORDER_XML, f"{order.number}.xml", content, "application/xml"
        )
        document.save()
        row.document = document
    elif row.channel == Channel.EMAIL:
        row.recipient = supplier.order_email
    elif row.channel == Channel.CXML:
        row.recipient = cxml.order_url(supplier)
    row.next_attempt_at = timezone.now()
    row.failed_at = None
    row.queued_at = timezone.now()
    move_transmission(
        row,
        TransmissionStatus.QUEUED,
        order=order,
        actor=actor,
        fields=["recipient", "document", "next_attempt_at", "failed_at", "queued_at"],
    )
    order_event(
        order,
        kind=OrderEvent.Kind.RESENT,
        text=_("Queued again by %(who)s") % {"who": actor.get_full_name()},
        actor=actor,
    )
    # A row still waiting from before (it cannot be sending: the transmission was failed) makes way.
    outbox.outbox_withdraw(object_type=OBJECT_TYPE, object_ids=[row.pk], reason="sent again")
    _queue([row])
    return row


def transmission_delivered(*, transmission_id: int, note: str = "") -> Transmission | None:
    """The channel confirmed the supplier has the document (an access-point receipt, a response, the
    portal). A receipt for a transmission that is not (or no longer) sent changes nothing: receipts come
    again and late, after a failure report or a delivery already recorded."""
    with transaction.atomic():
        row = lock(Transmission, transmission_id)
        if row.status != TransmissionStatus.SENT:
            return row
        _delivered(row, lock(PurchaseOrder, row.purchase_order_id), note)
    return row


def _delivered(row: Transmission, order: PurchaseOrder, note: str) -> None:
    row.delivered_at = timezone.now()
    move_transmission(row, TransmissionStatus.DELIVERED, order=order, fields=["delivered_at"], comment=note)
    order_event(order, kind=OrderEvent.Kind.DELIVERED, text=note or row.get_channel_display())


def order_delivered_to_supplier(order: PurchaseOrder, note: str) -> None:
    """Mark the locked order's sent order document delivered (in the caller's transaction)."""
    for row_id in order.transmissions.filter(
        kind=Transmission.Kind.ORDER, status=TransmissionStatus.SENT
    ).values_list("pk", flat=True):
        _delivered(lock(Transmission, row_id), order, note)


def transmission_health(*, organisation_id: int, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Per channel: the last success, failures since then, and a sentence such as "all Peppol orders since
    09:12 failed" for the coordinator's troubleshooting view."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=7)
    rows = list(
        Transmission.objects.filter(organisation_id=organisation_id, created_at__gte=since)
        .values("channel", "status", "last_error", "sent_at", "last_attempt_at", "created_at")
        .order_by("created_at")
    )
    per_channel: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        per_channel[row["channel"]].append(row)
    health = []
    for channel, items in sorted(per_channel.items()):
        last_ok = max((r["sent_at"] for r in items if r["sent_at"]), default=None)
        failing = [
            r
            for r in items
            if r["status"]
            in {TransmissionStatus.QUEUED, TransmissionStatus.SENDING, TransmissionStatus.FAILED}
            and r["last_error"]
            and (last_ok is None or (r["last_attempt_at"] or r["created_at"]) >= last_ok)
        ]
        waiting = sum(
            1 for r in items if r["status"] in {TransmissionStatus.QUEUED, TransmissionStatus.SENDING}
        )
        first_failure = min((r["created_at"] for r in failing), default=None)
        label = Channel(channel).label
        if failing and first_failure is not None:
            sentence = _(
                "All %(n)s %(channel)s transmissions since %(time)s have failed. Last error: %(error)s"
            ) % {
                "n": len(failing),
                "channel": label,
                "time": formatting.moment(first_failure),
                "error": transport_error_text(failing[-1]["last_error"]),
            }
            ok = False
        else:
            sentence = _("%(channel)s works: last sent %(time)s.") % {
                "channel": label,
                "time": formatting.moment(last_ok) if last_ok else "–",
            }
            ok = True
        health.append(
            {
                "channel": channel,
                "label": label,
                "ok": ok,
                "sentence": sentence,
                "last_error": failing[-1]["last_error"] if failing else "",
                "failing": len(failing),
                "waiting": waiting,
                "last_ok": last_ok,
            }
        )
    return health


def transmission_failed(*, transmission_id: int, error: str) -> Transmission:
    """The channel reported afterwards that it could not deliver (an access point's error receipt, a bounce):
    the transmission is FAILED with that reason and waits for the coordinator to send it again. A queued one
    is withdrawn from the outbox first (unless a worker is sending it right now: then the attempt's own
    result stands); one already failed keeps its first reason; one the supplier is known to have (delivered)
    or that was cancelled is refused with ``InvalidTransition``."""
    with transaction.atomic():
        row = lock(Transmission, transmission_id)
        if row.status == TransmissionStatus.FAILED:
            return row  # reported again: the first report's reason stands
        if row.status == TransmissionStatus.QUEUED and not outbox.outbox_withdraw(
            object_type=OBJECT_TYPE, object_ids=[row.pk], reason=error[:300]
        ):
            return row
        _record_failure(row, lock(PurchaseOrder, row.purchase_order_id), error, next_attempt_at=None)
    return row
