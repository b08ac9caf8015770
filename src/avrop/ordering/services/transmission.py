"""The ordering outbox: a ``Transmission`` row is written in the transaction that creates the order (or its
cancellation or change); a task sends it after commit.

Exactly once and in order: a worker claims a queued row with a conditional update (only one worker can move
it from queued to sending), sends outside any transaction, then records the outcome. Rows to the same
supplier go out in the order they were written; while the first one fails (the channel is down), the later
ones wait behind it and follow when it goes through. Retries back off exponentially up to an hour; after the
organisation's give-up time the row is FAILED with its reason, and the coordinator can send it again after a
fix. Permanent problems (no address, an invalid document) fail at once and do not hold the queue.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from avrop.core import plainsql as plain
from avrop.core.errors import DomainError, NotFound
from avrop.core.locking import lock
from avrop.edi.validation import validate
from avrop.ordering import channels, conf, documents
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
    move_order,
    move_transmission,
    release_transmission,
)
from avrop.ordering.workflows import OrderStatus, TransmissionStatus
from avrop.organisations.models import DeliveryAddress, User
from avrop.organisations.permissions import require_role

logger = logging.getLogger(__name__)

STALE_CLAIM = dt.timedelta(minutes=10)
MAX_DELAY = 3600


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
) -> tuple[bytes, str]:
    """The T01 bytes and, when the validation found fatal problems, their text ('' when valid)."""
    data = documents.OrderData(
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
    # ``Attachment.objects.filter(requisition=requisition)`` in plain SQL (see ``plain``), for every order.
    files = [
        attachment
        for (attachment,) in plain.rows(
            f"SELECT {plain.columns(Attachment, 'a')} FROM {Attachment._meta.db_table} a "  # noqa: S608 (names from model meta)
            "WHERE a.requisition_id = %s ORDER BY a.created_at, a.id",
            [requisition.pk],
            Attachment,
        )
    ]
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
                order, lines_of[order.pk], by_id, addresses, attachments_for(mine, wanted) if mine else None
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
        else:
            row.recipient = order.supplier.organisation.name
        rows.append(row)
    plain.insert(docs)
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
    plain.insert(rows)
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
        plain.insert(queued_events)
    else:
        events.extend(queued_events)
    _send_after_commit({row.supplier_id for row in rows if row.status == TransmissionStatus.QUEUED})
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
        else order.supplier.organisation.name,
    )
    _send_after_commit({order.supplier_id})
    return row


def _send_after_commit(supplier_ids: set[int]) -> None:
    if not supplier_ids:
        return
    from avrop.ordering.tasks import transmissions_send

    def enqueue() -> None:
        for supplier_id in sorted(supplier_ids):
            transmissions_send(supplier_id)

    transaction.on_commit(enqueue)


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
    return "portal", []


def _backoff(attempts: int) -> int:
    return min(conf.retry_base_seconds() * 2 ** max(attempts - 1, 0), MAX_DELAY)


def _record_success(row: Transmission, message_id: str, kept: list[OrderDocument]) -> None:
    with transaction.atomic():
        row = lock(Transmission, row.pk)
        order = lock(PurchaseOrder, row.purchase_order_id)
        row.sent_at = timezone.now()
        row.message_id = message_id[:300]
        row.last_error = ""
        row.next_attempt_at = None
        move_transmission(
            row,
            TransmissionStatus.SENT,
            order=order,
            fields=["sent_at", "message_id", "last_error", "next_attempt_at"],
        )
        OrderDocument.objects.bulk_create(kept)
        # The first time the order document goes out, the order is sent; a resend after a later failure
        # leaves the order where the supplier's answers took it.
        if row.kind == Transmission.Kind.ORDER and order.status == OrderStatus.QUEUED:
            move_order(order, OrderStatus.SENT, actor=None, action="purchase_order.sent")
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


def _record_failure(row: Transmission, error: str, *, permanent: bool) -> bool:
    """Record a failed attempt; True when the row is now FAILED."""
    with transaction.atomic():
        row = lock(Transmission, row.pk)
        order = lock(PurchaseOrder, row.purchase_order_id)
        now = timezone.now()
        give_up = now - row.queued_at > dt.timedelta(
            hours=policy_for(row.organisation_id).transmission_give_up_hours
        )
        row.last_error = error[:4000]
        row.claimed_at = None
        fields = ["last_error", "claimed_at", "next_attempt_at"]
        if permanent or give_up:
            row.failed_at = now
            row.next_attempt_at = None
            move_transmission(
                row,
                TransmissionStatus.FAILED,
                order=order,
                fields=[*fields, "failed_at"],
                comment=error[:4000],
            )
        else:
            row.next_attempt_at = now + dt.timedelta(seconds=_backoff(row.attempts))
            move_transmission(row, TransmissionStatus.QUEUED, order=order, fields=fields)
        order_event(
            order,
            kind=OrderEvent.Kind.FAILED if row.status == TransmissionStatus.FAILED else OrderEvent.Kind.ERROR,
            text=(
                _("Attempt %(n)s failed: %(error)s") % {"n": row.attempts, "error": error}
                + (
                    " "
                    + _("Next attempt at %(at)s.")
                    % {"at": timezone.localtime(row.next_attempt_at).strftime("%H:%M:%S")}
                    if row.next_attempt_at
                    else " " + _("Not retried: fix the cause and send it again.")
                )
            ),
            is_error=True,
        )
        logger.warning("Transmission %s of order %s failed: %s", row.pk, order.number, error)
        return row.status == TransmissionStatus.FAILED


def transmission_send(*, transmission_id: int) -> str:
    """Send one claimed-or-queued transmission (used by tests and the resend button); returns its status."""
    row = Transmission.objects.get(pk=transmission_id)
    if row.status != TransmissionStatus.QUEUED:
        return row.status
    _send_claimed(row)
    return Transmission.objects.values_list("status", flat=True).get(pk=transmission_id)


def _send_claimed(row: Transmission) -> bool:
    """Claim and send; False when it failed or someone else has it."""
    if not claim_transmission(row, timezone.now()):
        return False
    row = Transmission.objects.select_related(
        "document",
        "purchase_order__supplier__organisation",
        "purchase_order__organisation",
        "purchase_order__department",
    ).get(pk=row.pk)
    order = row.purchase_order
    try:
        message_id, kept = _deliver(row, order)
    except channels.PermanentError as exc:
        _record_failure(row, str(exc), permanent=True)
        return False
    except channels.TransientError as exc:
        _record_failure(row, str(exc), permanent=False)
        return False
    except Exception as exc:  # a bug or an unforeseen channel error must not lose the row
        logger.exception("Transmission %s failed unexpectedly", row.pk)
        _record_failure(row, f"{type(exc).__name__}: {exc}", permanent=False)
        return False
    _record_success(row, message_id, kept)
    return True


def transmissions_send_for_supplier(*, supplier_id: int, limit: int = 200) -> int:
    """Send the supplier's queued transmissions in the order they were written; stop at the first one that
    is not due or fails, so nothing overtakes it. Returns how many went out."""
    sent = 0
    while sent < limit:
        now = timezone.now()
        head = (
            Transmission.objects.filter(
                supplier_id=supplier_id, status__in=[TransmissionStatus.QUEUED, TransmissionStatus.SENDING]
            )
            .order_by("id")
            .first()
        )
        if head is None:
            break
        if head.status == TransmissionStatus.SENDING:
            if head.claimed_at is not None and now - head.claimed_at > STALE_CLAIM:
                # The worker that claimed it died; the channel may or may not have it. Peppol receivers drop a
                # repeated document id, and e-mail suppliers get the same order number again.
                release_transmission(head, reason=_("The worker sending it stopped."), now=now)
                continue
            break
        if head.next_attempt_at is not None and head.next_attempt_at > now:
            break
        if not _send_claimed(head):
            refreshed = Transmission.objects.values_list("status", flat=True).get(pk=head.pk)
            if refreshed != TransmissionStatus.FAILED:
                break
            continue
        sent += 1
    return sent


def transmissions_dispatch(*, now: dt.datetime | None = None) -> int:
    """Send everything due, supplier by supplier (the periodic task; it also catches rows whose task was
    lost)."""
    now = now or timezone.now()
    suppliers = (
        Transmission.objects.filter(status__in=[TransmissionStatus.QUEUED, TransmissionStatus.SENDING])
        .values_list("supplier_id", flat=True)
        .distinct()
    )
    return sum(
        transmissions_send_for_supplier(supplier_id=supplier_id) for supplier_id in sorted(set(suppliers))
    )


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
            order, lines, source, addresses, attachments_for(files, set(source)) or None
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
    _send_after_commit({order.supplier_id})
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
                "time": timezone.localtime(first_failure).strftime("%Y-%m-%d %H:%M"),
                "error": failing[-1]["last_error"][:300],
            }
            ok = False
        else:
            sentence = _("%(channel)s works: last sent %(time)s.") % {
                "channel": label,
                "time": timezone.localtime(last_ok).strftime("%Y-%m-%d %H:%M") if last_ok else "–",
            }
            ok = True
        health.append(
            {
                "channel": channel,
                "label": label,
                "ok": ok,
                "sentence": sentence,
                "failing": len(failing),
                "waiting": waiting,
                "last_ok": last_ok,
            }
        )
    return health


def transmission_failed(*, transmission_id: int, error: str) -> Transmission:
    """The channel reported afterwards that it could not deliver (an access point's error receipt, a bounce):
    the transmission is FAILED with that reason and waits for the coordinator to send it again. A queued one
    is claimed first (another worker may be sending it); one already failed keeps its first reason; one the
    supplier is known to have (delivered) or that was cancelled is refused with ``InvalidTransition``."""
    row = Transmission.objects.get(pk=transmission_id)
    if row.status == TransmissionStatus.FAILED:
        return row  # reported again: the first report's reason stands
    if row.status == TransmissionStatus.QUEUED and not claim_transmission(row, timezone.now()):
        return Transmission.objects.get(pk=transmission_id)
    _record_failure(row, error, permanent=True)
    return Transmission.objects.get(pk=transmission_id)
