"""Despatch advices: the supplier's portal form, the coordinator's form for an e-mail supplier, and the
Peppol T16 from the ordering access point.

Each line ships at most what was ordered (or confirmed) minus what earlier despatch advices shipped;
partial despatches are the rule rather than the exception. When everything has shipped the order is
delivered (ordering's status). A T16 is validated with the official rules first, stored unchanged, matched
to the order (by number and buyer) and its lines (by order line number); an invalid one, one for an
unknown order, from a sender other than the order's supplier, or shipping more than is left is refused,
kept with the reason, and shown on the order when the order is known.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core import formatting
from avrop.core.audit import audit
from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.core.locking import lock
from avrop.edi.validation import validate
from avrop.fulfilment import despatch_listeners
from avrop.fulfilment.documents import read_despatch_advice
from avrop.fulfilment.errors import Code
from avrop.fulfilment.models import DespatchAdvice, DespatchAdviceLine, InboundDespatch
from avrop.fulfilment.services._common import OVERSIGHT_ROLES, buyer_roles, date_of
from avrop.ordering import selectors as ordering_selectors
from avrop.ordering import services as ordering
from avrop.ordering.documents import despatch_advice_xml
from avrop.ordering.models import Channel, OrderDocument, OrderEvent, PurchaseOrder, PurchaseOrderLine
from avrop.ordering.services._common import quantity_of
from avrop.ordering.services.responses import PORTAL_ANSWERABLE_CHANNELS
from avrop.ordering.workflows import OrderStatus
from avrop.organisations.models import Organisation, User

logger = logging.getLogger(__name__)

DESPATCHABLE = frozenset(
    {OrderStatus.SENT, OrderStatus.ACKNOWLEDGED, OrderStatus.ACCEPTED, OrderStatus.ACCEPTED_WITH_CHANGES}
)


def shipped_by_line(order: PurchaseOrder) -> dict[int, Decimal]:
    """Quantity shipped so far per order line id."""
    return {
        row["order_line_id"]: row["total"]
        for row in DespatchAdviceLine.objects.filter(despatch__purchase_order=order)
        .values("order_line_id")
        .annotate(total=Sum("quantity"))
    }


def remaining_by_line(order: PurchaseOrder, lines: Iterable[PurchaseOrderLine]) -> dict[int, Decimal]:
    """What each line may still ship: ordered (or confirmed) minus shipped; nothing for cancelled lines."""
    shipped = shipped_by_line(order)
    remaining: dict[int, Decimal] = {}
    for line in lines:
        wanted = Decimal("0") if line.is_cancelled else line.effective_quantity
        remaining[line.pk] = max(Decimal("0"), wanted - shipped.get(line.pk, Decimal("0")))
    return remaining


def _wanted(
    order: PurchaseOrder, lines: Mapping[Any, Any]
) -> tuple[list[PurchaseOrderLine], dict[int, Decimal], list[tuple[PurchaseOrderLine, Decimal]]]:
    order_lines = list(order.lines.order_by("line_number"))
    by_number = {str(line.line_number): line for line in order_lines}
    remaining = remaining_by_line(order, order_lines)
    wanted: list[tuple[PurchaseOrderLine, Decimal]] = []
    for number, raw in lines.items():
        line = by_number.get(str(number))
        if line is None:
            raise DomainError(
                Code.DESPATCH_INVALID,
                _("Order %(order)s has no line %(line)s.") % {"order": order.number, "line": number},
            )
        if raw in (None, "") or str(raw).strip() in {"0", "0.0", "0,0"}:
            continue
        field = f"quantity-{line.line_number}"
        quantity = quantity_of(raw, field=field)
        if quantity > remaining[line.pk]:
            raise DomainError(
                Code.DESPATCH_INVALID,
                _("Line %(line)s: at most %(left)s %(unit)s are left to ship, not %(asked)s.")
                % {
                    "line": line.line_number,
                    "left": formatting.qty(remaining[line.pk]),
                    "unit": formatting.unit_name(line.unit),
                    "asked": formatting.qty(quantity),
                },
                field=field,
            )
        wanted.append((line, quantity))
    if not wanted:
        raise DomainError(Code.DESPATCH_INVALID, _("Enter the quantity shipped on at least one line."))
    return order_lines, remaining, wanted


def _register(
    *,
    order: PurchaseOrder,
    actor: User | None,
    source: str,
    lines: Mapping[Any, Any],
    despatched_on: Any,
    expected_on: Any,
    carrier: str,
    tracking_number: str,
    note: str,
    key: uuid.UUID | None,
    number: str = "",
    document: OrderDocument | None = None,
) -> DespatchAdvice:
    """Register a despatch advice on the locked ``order``."""
    if order.status not in DESPATCHABLE:
        raise DomainError(
            Code.NOT_DESPATCHABLE,
            _("Order %(number)s is %(status)s; nothing can be despatched against it.")
            % {"number": order.number, "status": order.get_status_display().lower()},
        )
    despatched = date_of(despatched_on, "despatched_on", Code.DESPATCH_INVALID) or timezone.localdate()
    if despatched > timezone.localdate() + dt.timedelta(days=1):
        raise DomainError(
            Code.DESPATCH_INVALID,
            _("The despatch date cannot be in the future; register the despatch when the goods leave."),
            field="despatched_on",
        )
    expected = date_of(expected_on, "expected_on", Code.DESPATCH_INVALID)
    if expected is not None and expected < despatched:
        raise DomainError(
            Code.DESPATCH_INVALID,
            _("The expected delivery cannot be before the despatch."),
            field="expected_on",
        )
    order_lines, remaining, wanted = _wanted(order, lines)
    count = DespatchAdvice.objects.filter(purchase_order=order).count()
    own_number = f"{order.number}-D{count + 1}"
    number = (number or own_number)[:40]
    if number != own_number and DespatchAdvice.objects.filter(purchase_order=order, number=number).exists():
        raise DomainError(
            Code.DESPATCH_INVALID,
            _("Despatch advice %(number)s was already registered for this order.") % {"number": number},
        )
    despatch = DespatchAdvice.objects.create(
        organisation_id=order.organisation_id,
        purchase_order=order,
        number=number,
        source=source,
        despatched_on=despatched,
        expected_on=expected,
        carrier=carrier.strip()[:200],
        tracking_number=tracking_number.strip()[:100],
        note=note.strip(),
        registered_by=actor,
        document=document,
        submit_key=key,
    )
    DespatchAdviceLine.objects.bulk_create(
        DespatchAdviceLine(despatch=despatch, order_line=line, quantity=quantity) for line, quantity in wanted
    )
    left = {line.pk: remaining[line.pk] for line in order_lines}
    for line, quantity in wanted:
        left[line.pk] -= quantity
    complete = all(value <= 0 for value in left.values())
    ordering.purchase_order_despatched(
        order=order,
        actor=actor,
        complete=complete,
        expected_on=expected,
        expected_from=_("despatch advice %(number)s") % {"number": despatch.number},
        after={"despatch": despatch.number},
    )
    text = _("%(number)s: %(lines)s shipped on %(date)s") % {
        "number": despatch.number,
        "lines": ", ".join(
            _("line %(n)s × %(q)s") % {"n": line.line_number, "q": formatting.qty(quantity)}
            for line, quantity in wanted
        ),
        "date": formatting.day(despatched),
    }
    if despatch.carrier or despatch.tracking_number:
        text += " – " + _("carrier %(carrier)s, tracking number %(tracking)s") % {
            "carrier": despatch.carrier or "–",
            "tracking": despatch.tracking_number or "–",
        }
    text += " – " + (_("everything has shipped") if complete else _("partial delivery"))
    ordering.order_timeline_add(order=order, kind=OrderEvent.Kind.DESPATCH, text=text, actor=actor)
    if document is None:
        _despatch_document(order, despatch, wanted, left)
    despatch_listeners.notify(order, despatch, actor, expected)
    audit(
        actor=actor,
        action="portal.despatch_advice"
        if source == DespatchAdvice.Source.PORTAL
        else "despatch_advice.register",
        obj=order,
        organisation=order.organisation,
        after={
            "despatch": despatch.number,
            "source": source,
            "lines": {str(line.line_number): str(quantity) for line, quantity in wanted},
            "carrier": despatch.carrier,
            "tracking_number": despatch.tracking_number,
            "complete": complete,
        },
    )
    return despatch


def _earlier(key: uuid.UUID | None, order: PurchaseOrder) -> DespatchAdvice | None:
    if key is None:
        return None
    return DespatchAdvice.objects.filter(submit_key=key, purchase_order=order).first()


@transaction.atomic
def despatch_advice_register(
    *,
    actor: User,
    organisation: Organisation,
    order_id: int,
    lines: Mapping[Any, Any],
    despatched_on: Any = None,
    expected_on: Any = None,
    carrier: str = "",
    tracking_number: str = "",
    note: str = "",
    submit_key: uuid.UUID | str | None = None,
) -> DespatchAdvice:
    """The supplier tells in the portal what it shipped (line number → quantity). The same ``submit_key``
    twice (a double click) registers one despatch advice."""
    key = uuid.UUID(str(submit_key)) if submit_key else None
    found = ordering_selectors.portal_order_get(user=actor, organisation=organisation, order_id=order_id)
    if found.channel not in PORTAL_ANSWERABLE_CHANNELS:
        raise DomainError(
            Code.NOT_DESPATCHABLE,
            _("Order %(number)s came through Peppol: send the despatch advice from your own system.")
            % {"number": found.number},
        )
    order = lock(PurchaseOrder, found.pk)
    earlier = _earlier(key, order)
    if earlier is not None:
        return earlier
    return _register(
        order=order,
        actor=actor,
        source=DespatchAdvice.Source.PORTAL,
        lines=lines,
        despatched_on=despatched_on,
        expected_on=expected_on,
        carrier=carrier,
        tracking_number=tracking_number,
        note=note,
        key=key,
    )


@transaction.atomic
def despatch_advice_register_manual(
    *,
    actor: User,
    order_id: int,
    lines: Mapping[Any, Any],
    despatched_on: Any = None,
    expected_on: Any = None,
    carrier: str = "",
    tracking_number: str = "",
    note: str = "",
    submit_key: uuid.UUID | str | None = None,
) -> DespatchAdvice:
    """The coordinator registers the despatch an e-mail supplier announced (a delivery note, an e-mail)."""
    key = uuid.UUID(str(submit_key)) if submit_key else None
    try:
        order = lock(PurchaseOrder, int(order_id))
    except (PurchaseOrder.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    roles = buyer_roles(actor, order)
    if not roles & OVERSIGHT_ROLES:
        raise NotAllowed(
            _("Only the e-commerce coordinator registers a supplier's despatch."), Code.NOT_DESPATCHABLE
        )
    if order.channel == Channel.PEPPOL:
        raise DomainError(
            Code.NOT_DESPATCHABLE,
            _("Order %(number)s went through Peppol: its supplier sends despatch advices (T16) itself.")
            % {"number": order.number},
        )
    earlier = _earlier(key, order)
    if earlier is not None:
        return earlier
    return _register(
        order=order,
        actor=actor,
        source=DespatchAdvice.Source.MANUAL,
        lines=lines,
        despatched_on=despatched_on,
        expected_on=expected_on,
        carrier=carrier,
        tracking_number=tracking_number,
        note=note,
        key=key,
    )


def _despatch_document(
    order: PurchaseOrder,
    despatch: DespatchAdvice,
    wanted: list[tuple[PurchaseOrderLine, Decimal]],
    left: dict[int, Decimal],
) -> None:
    """Keep a despatch registered by hand as the Peppol T16 a connected supplier would have sent; a document
    that fails validation is logged and not kept (the despatch itself stands)."""
    try:
        content = despatch_advice_xml(order=order, despatch=despatch, lines=wanted, left=left)
    except Exception:  # building is best effort: the despatch advice is what the buyer relies on
        logger.exception("Despatch advice %s could not be built as T16", despatch.number)
        return
    report = validate(content)
    if not report.valid:
        logger.warning(
            "Despatch advice %s is no valid T16: %s",
            despatch.number,
            "; ".join(f"{f.rule}: {f.message}" for f in report.fatal)[:1000],
        )
        return
    document, _seen = ordering.order_document_store(
        content=content, kind=OrderDocument.Kind.DESPATCH_XML, filename=f"{despatch.number}.xml", order=order
    )
    despatch.document = document
    despatch.save(update_fields=["document", "updated_at"])


# --- Peppol T16 -------------------------------------------------------------------------------------------


def _normalise(participant: str) -> str:
    return participant.strip().lower().replace(" ", "")


def _refuse(
    inbound: InboundDespatch, outcome: str, reason: str, findings: list[Any] | None = None
) -> InboundDespatch:
    inbound.outcome = outcome
    inbound.reason = reason
    inbound.findings = findings or []
    inbound.save()
    logger.warning("Despatch advice %s refused (%s): %s", inbound.pk, outcome, reason)
    if inbound.purchase_order is not None:
        ordering.order_timeline_add(
            order=inbound.purchase_order, kind=OrderEvent.Kind.ERROR, text=reason, is_error=True
        )
    return inbound


@transaction.atomic
def despatch_advice_receive(*, content: bytes, filename: str = "") -> InboundDespatch:
    """Take in one T16 as received from the access point; the same file or document id twice is taken once."""
    document, seen = ordering.order_document_store(
        content=content, kind=OrderDocument.Kind.DESPATCH_XML, filename=filename
    )
    if seen:
        earlier = InboundDespatch.objects.filter(document=document).first()
        if earlier is not None:
            return earlier
    inbound = InboundDespatch(document=document, outcome=InboundDespatch.Outcome.INVALID)
    report = validate(content)
    if not report.valid or report.transaction != "T16":
        findings = [f.to_dict() for f in report.fatal][:50]
        reason = _("The document is not a valid Peppol despatch advice (T16): %(why)s") % {
            "why": "; ".join(f"{f.rule}: {f.message}" for f in report.fatal)[:1500]
            or _("it is a %(kind)s") % {"kind": report.transaction or "?"}
        }
        return _refuse(inbound, InboundDespatch.Outcome.INVALID, reason, findings)
    try:
        data = read_despatch_advice(content)
    except ValueError as exc:
        return _refuse(inbound, InboundDespatch.Outcome.INVALID, str(exc))
    duplicate = InboundDespatch.objects.filter(
        sender=data.sender[:300], external_id=data.document_id[:100]
    ).first()
    if duplicate is not None:
        return duplicate
    inbound.external_id = data.document_id[:100]
    inbound.sender = data.sender[:300]
    inbound.order_number = data.order_number[:100]
    found = PurchaseOrder.objects.filter(number=data.order_number).select_related(
        "organisation", "supplier__organisation"
    )
    candidates = [o for o in found if _normalise(o.organisation.peppol_id) == _normalise(data.buyer)]
    inbound.organisation = candidates[0].organisation if len(candidates) == 1 else None
    try:
        with transaction.atomic():
            inbound.save()
    except IntegrityError:
        return InboundDespatch.objects.get(sender=inbound.sender, external_id=inbound.external_id)
    if len(candidates) != 1:
        return _refuse(
            inbound,
            InboundDespatch.Outcome.UNKNOWN_ORDER,
            _("No order %(number)s for buyer %(buyer)s; the despatch advice was refused.")
            % {"number": data.order_number or "–", "buyer": data.buyer or "–"},
        )
    order = candidates[0]
    inbound.purchase_order = order
    expected_sender = order.supplier.organisation.peppol_id
    if not expected_sender or _normalise(expected_sender) != _normalise(data.sender):
        return _refuse(
            inbound,
            InboundDespatch.Outcome.WRONG_SENDER,
            _(
                "The despatch advice for %(number)s came from %(sender)s, "
                "but the order was sent to %(supplier)s (%(expected)s)."
            )
            % {
                "number": order.number,
                "sender": data.sender or "–",
                "supplier": order.supplier,
                "expected": expected_sender or "–",
            },
        )
    order = lock(PurchaseOrder, order.pk)
    quantities: dict[str, Decimal] = {}
    for line in data.lines:
        quantities[line.line_id] = quantities.get(line.line_id, Decimal("0")) + line.quantity
    try:
        with transaction.atomic():
            despatch = _register(
                order=order,
                actor=None,
                source=DespatchAdvice.Source.PEPPOL,
                lines=quantities,
                despatched_on=min(data.despatched_on, timezone.localdate()),
                expected_on=data.expected_on,
                carrier=data.carrier,
                tracking_number=data.tracking_number,
                note=data.note,
                key=None,
                number=data.document_id,
                document=document,
            )
    except DomainError as exc:
        return _refuse(
            inbound,
            InboundDespatch.Outcome.NOT_APPLIED,
            _("The despatch advice %(id)s for %(number)s was refused: %(why)s")
            % {"id": data.document_id, "number": order.number, "why": exc.message},
        )
    ordering.order_document_link(document=document, order=order)
    inbound.despatch = despatch
    inbound.outcome = InboundDespatch.Outcome.APPLIED
    inbound.save(update_fields=["despatch", "outcome", "purchase_order", "updated_at"])
    return inbound


def despatch_advices_intake(*, content: bytes, filename: str) -> None:
    """The handler ordering's access-point intake calls for a despatch advice (registered in ``apps``)."""
    despatch_advice_receive(content=content, filename=filename)
