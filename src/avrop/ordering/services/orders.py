"""Purchase orders: one per supplier per approved requisition, numbered without gaps per organisation,
with the expected delivery date from the agreement; the buyer's changes and cancellations before delivery;
orders without a response in time become a support case.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core import formatting
from avrop.core.audit import audit
from avrop.core.calendar import add_business_days
from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.core.locking import lock
from avrop.core.outbox import outbox_withdraw
from avrop.ordering.checks import lines_with_splits
from avrop.ordering.errors import Code
from avrop.ordering.models import (
    Channel,
    OrderEvent,
    OrderNumberSeries,
    PurchaseOrder,
    PurchaseOrderLine,
    Requisition,
    RequisitionLine,
    Transmission,
    money,
)
from avrop.ordering.services import _supplier_mail
from avrop.ordering.services._common import (
    OVERSIGHT_ROLES,
    lock_requisition,
    order_event,
    policy_for,
    quantity_of,
)
from avrop.ordering.services._transitions import move_order, move_transmissions
from avrop.ordering.services.transmission import OBJECT_TYPE as TRANSMISSION_OBJECT
from avrop.ordering.workflows import (
    OPEN_ORDER,
    UNSENT,
    LineDecision,
    OrderStatus,
    TransmissionStatus,
)
from avrop.organisations.models import User
from avrop.organisations.selectors import roles_in
from avrop.suppliers.models import CustomerNumber, Supplier


def next_order_number(organisation_id: int, year: int) -> str:
    """The next number of the organisation's series for ``year``, under a row lock: numbers are taken in the
    transaction that creates the order, so a rollback gives the number back and no gap appears."""
    return next_order_numbers(organisation_id, year, 1)[0]


def next_order_numbers(organisation_id: int, year: int, count: int) -> list[str]:
    """``count`` consecutive numbers at once: the series is advanced by one ``UPDATE`` (which takes its row
    lock until the commit) and its new last number read back in the same transaction. The year's first
    orders start the series (its new row stays locked until the commit); one created by a concurrent
    transaction a moment ago is advanced instead."""
    series = OrderNumberSeries.objects.filter(organisation_id=organisation_id, year=year)
    if not series.update(last_number=F("last_number") + count):
        try:
            with transaction.atomic():
                OrderNumberSeries.objects.create(
                    organisation_id=organisation_id, year=year, last_number=count
                )
            return [f"{year}-{n:06d}" for n in range(1, count + 1)]
        except IntegrityError:
            series.update(last_number=F("last_number") + count)
    last = series.values_list("last_number", flat=True).get()
    return [f"{year}-{n:06d}" for n in range(last - count + 1, last + 1)]


def channel_for(supplier: Supplier) -> str:
    """Punch-out suppliers return a cart to us; the order itself goes as a cXML OrderRequest to a cXML shop
    with an order address, else by Peppol when they have an id, else by e-mail."""
    if supplier.connection == Supplier.Connection.PEPPOL:
        return Channel.PEPPOL
    if supplier.connection == Supplier.Connection.PORTAL:
        return Channel.PORTAL
    if supplier.connection == Supplier.Connection.PUNCH_OUT:
        from avrop.catalogue.models import PunchOutConfig

        config = PunchOutConfig.objects.filter(supplier=supplier, is_active=True).first()
        if config is not None and config.protocol == PunchOutConfig.Protocol.CXML and config.order_url:
            return Channel.CXML
        if supplier.organisation.peppol_id:
            return Channel.PEPPOL
    return Channel.EMAIL


def expected_delivery(
    agreement: Any, lines: list[RequisitionLine], ordered_on: dt.date, country: str = "SE"
) -> tuple[dt.date | None, str]:
    """The date the goods are due and where it comes from: the agreement's terms (consumables in business
    days, everything else in calendar days) or a later requested date."""
    expected: dt.date | None = None
    source = ""
    if agreement is not None:
        if all(line.is_consumable for line in lines) and agreement.consumables_business_days is not None:
            expected = add_business_days(ordered_on, agreement.consumables_business_days, country)
            source = _("consumables within %(days)s business days (agreement %(ref)s)") % {
                "days": agreement.consumables_business_days,
                "ref": agreement.reference,
            }
        elif agreement.delivery_days is not None:
            expected = ordered_on + dt.timedelta(days=agreement.delivery_days)
            source = _("within %(days)s days (agreement %(ref)s)") % {
                "days": agreement.delivery_days,
                "ref": agreement.reference,
            }
    requested = max(
        (line.requested_delivery_date for line in lines if line.requested_delivery_date), default=None
    )
    if requested is not None and (expected is None or requested > expected):
        expected, source = requested, _("requested delivery date")
    return expected, source


def _accounting(line: RequisitionLine) -> str:
    return "; ".join(
        f"{s.text} {formatting.input_number(s.percent)}%"
        if s.percent is not None and len(line.splits.all()) > 1
        else s.text
        for s in line.splits.all()
    )[:200]


def lines_for_orders(requisition: Requisition) -> list[RequisitionLine]:
    """The requisition's lines with what the orders and their documents need (two queries)."""
    return lines_with_splits(requisition, for_orders=True)


def purchase_orders_create(
    *,
    requisition: Requisition,
    actor: User | None,
    lines: list[RequisitionLine] | None = None,
    first_orders: bool = False,
    events_before: list[OrderEvent] | None = None,
) -> list[PurchaseOrder]:
    """Create the orders of an approved requisition, one per supplier, and queue their transmission.
    ``lines``: its approved lines from ``lines_for_orders`` when the caller has them already.

    Runs inside the approval's transaction with the requisition locked; a supplier that already has its
    order (unique per requisition and supplier) is skipped, so a repeated call creates nothing twice.
    ``first_orders``: the caller has just approved a requisition that was waiting for its first approval,
    which therefore has no orders yet (the unique constraint still stands guard). ``events_before``: the
    caller's events not yet written, written first in the same insert as the orders' events."""
    from avrop.ordering.services.transmission import transmissions_enqueue_orders

    if lines is None:
        lines = [line for line in lines_for_orders(requisition) if line.decision == LineDecision.APPROVED]
    done = (
        set()
        if first_orders
        else set(
            PurchaseOrder.objects.filter(requisition=requisition)
            .order_by()
            .values_list("supplier_id", flat=True)
        )
    )
    by_supplier: dict[int, list[RequisitionLine]] = defaultdict(list)
    for line in lines:
        if line.supplier_id not in done:
            by_supplier[line.supplier_id].append(line)
    if not by_supplier:
        OrderEvent.objects.bulk_create(events_before or [])
        return []
    department = requisition.department
    organisation = requisition.organisation
    customer_numbers = dict(
        CustomerNumber.objects.filter(supplier_id__in=by_supplier, department=department).values_list(
            "supplier_id", "number"
        )
    )
    today = timezone.localdate()
    requisitioner = requisition.requisitioner
    reference = " ".join(p for p in [requisitioner.get_full_name(), department.code] if p).strip()
    orders: list[PurchaseOrder] = []
    order_lines: list[PurchaseOrderLine] = []
    numbers = iter(next_order_numbers(organisation.pk, today.year, len(by_supplier)))
    for supplier_id in sorted(by_supplier):
        group = by_supplier[supplier_id]
        supplier = group[0].supplier
        addresses = Counter(line.delivery_address_id for line in group if line.delivery_address_id)
        address_id = addresses.most_common(1)[0][0] if addresses else None
        agreements = Counter(line.agreement_id for line in group if line.agreement_id)
        agreement = next(
            (
                line.agreement
                for line in group
                if agreements and line.agreement_id == agreements.most_common(1)[0][0]
            ),
            None,
        )
        expected, source = expected_delivery(agreement, group, today, organisation.country)
        requested = min(
            (line.requested_delivery_date for line in group if line.requested_delivery_date), default=None
        )
        order = PurchaseOrder(
            organisation=organisation,
            requisition=requisition,
            supplier=supplier,
            department=department,
            agreement=agreement,
            number=next(numbers),
            channel=channel_for(supplier),
            currency=requisition.currency,
            total_amount=money(sum((line.line_amount for line in group), Decimal("0"))),
            customer_number=customer_numbers.get(supplier_id, ""),
            buyer_reference=reference[:200],
            buyer_gln=department.gln,
            delivery_address_id=address_id,
            ordered_on=today,
            requested_delivery_date=requested,
            expected_delivery_date=expected,
            expected_from=source[:200],
        )
        orders.append(order)
    PurchaseOrder.objects.bulk_create(orders)
    for order in orders:
        for number, line in enumerate(by_supplier[order.supplier_id], start=1):
            order_lines.append(
                PurchaseOrderLine(
                    purchase_order=order,
                    requisition_line=line,
                    line_number=number,
                    article_number=line.article_number,
                    gtin=line.gtin,
                    name=line.name,
                    unit=line.unit,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    line_amount=line.line_amount,
                    vat_rate=line.vat_rate,
                    requested_delivery_date=line.requested_delivery_date,
                    accounting=_accounting(line),
                )
            )
    PurchaseOrderLine.objects.bulk_create(order_lines)
    lines_of: dict[int, list[PurchaseOrderLine]] = defaultdict(list)
    for order_line in order_lines:
        lines_of[order_line.purchase_order_id].append(order_line)
    now = timezone.now()
    events = [
        OrderEvent(
            organisation=organisation,
            requisition=requisition,
            purchase_order=order,
            at=now,
            kind=OrderEvent.Kind.ORDER_CREATED,
            text=_("%(number)s to %(supplier)s, %(total)s %(currency)s, via %(channel)s")
            % {
                "number": order.number,
                "supplier": order.supplier,
                "total": formatting.amount(order.total_amount),
                "currency": order.currency,
                "channel": order.get_channel_display(),
            },
            actor_name=actor.get_full_name() if actor else "system",
        )
        for order in orders
    ]
    audit(
        actor=actor,
        action="purchase_order.create",
        obj=requisition,
        after={"orders": [o.number for o in orders]},
    )
    transmissions_enqueue_orders(
        orders=orders, lines_of=lines_of, requisition=requisition, source_lines=lines, events=events
    )
    OrderEvent.objects.bulk_create([*(events_before or []), *events])
    return orders


# --- the buyer's cancellation and changes -----------------------------------------------------------------


def _order_for_buyer(actor: User, order_id: int) -> PurchaseOrder:
    try:
        requisition_id = PurchaseOrder.objects.values_list("requisition_id", flat=True).get(pk=order_id)
    except (PurchaseOrder.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    requisition = lock_requisition(requisition_id)
    order = lock(PurchaseOrder, order_id)
    roles = roles_in(user=actor, organisation=order.organisation)
    if not roles:
        raise NotFound()
    if requisition.requisitioner_id != actor.pk and not roles & OVERSIGHT_ROLES:
        raise NotAllowed(_("Only the requisitioner or a coordinator changes or cancels an order."))
    return order


@transaction.atomic
def purchase_order_cancel(*, actor: User, order_id: int, reason: str) -> PurchaseOrder:
    """Cancel before delivery: an order not yet sent is simply not sent; otherwise the supplier is asked."""
    from avrop.ordering.services.transmission import transmission_enqueue

    order = _order_for_buyer(actor, order_id)
    reason = reason.strip()
    if not reason:
        raise DomainError(Code.NOT_CANCELLABLE, _("Say why you cancel the order."), field="reason")
    if order.status not in OPEN_ORDER:
        raise DomainError(
            Code.NOT_CANCELLABLE,
            _("Order %(number)s is %(status)s and can no longer be cancelled.")
            % {"number": order.number, "status": order.get_status_display().lower()},
        )
    order.cancel_reason = reason
    order.cancel_requested_by = actor
    order.cancel_requested_at = timezone.now()
    cancel_fields = ["cancel_reason", "cancel_requested_by", "cancel_requested_at"]
    if order.status == OrderStatus.QUEUED:
        unsent = list(
            order.transmissions.filter(kind=Transmission.Kind.ORDER, status__in=UNSENT).only(
                "pk", "status", "kind"
            )
        )
        if any(row.status == TransmissionStatus.SENDING for row in unsent):
            raise DomainError(
                Code.NOT_CANCELLABLE, _("The order is being sent right now; try again in a minute.")
            )
        if not outbox_withdraw(
            object_type=TRANSMISSION_OBJECT, object_ids=[row.pk for row in unsent], reason=reason[:300]
        ):
            raise DomainError(
                Code.NOT_CANCELLABLE, _("The order is being sent right now; try again in a minute.")
            )
        move_transmissions(unsent, TransmissionStatus.CANCELLED, order=order, actor=actor, comment=reason)
        order.cancelled_at = timezone.now()
        move_order(
            order,
            OrderStatus.CANCELLED,
            actor=actor,
            action="purchase_order.cancel",
            fields=[*cancel_fields, "cancelled_at"],
            comment=reason,
        )
        order_event(
            order,
            kind=OrderEvent.Kind.CANCEL,
            text=_("Cancelled before it was sent: %(r)s") % {"r": reason},
            actor=actor,
        )
    else:
        move_order(
            order,
            OrderStatus.CANCELLATION_REQUESTED,
            actor=actor,
            action="purchase_order.cancel",
            fields=cancel_fields,
            comment=reason,
        )
        transmission_enqueue(order=order, kind=Transmission.Kind.CANCELLATION, payload={"reason": reason})
        _supplier_mail.order_changed(
            order,
            what=_("%(buyer)s asks you to cancel order %(number)s: %(reason)s")
            % {"buyer": order.organisation.name, "number": order.number, "reason": reason},
        )
        order_event(
            order,
            kind=OrderEvent.Kind.CANCEL,
            text=_("Cancellation sent to the supplier: %(r)s") % {"r": reason},
            actor=actor,
        )
    return order


@transaction.atomic
def purchase_order_cancellation_confirm(
    *, actor: User | None, order_id: int, note: str = ""
) -> PurchaseOrder:
    """The supplier confirmed the cancellation (portal, e-mail registered by hand, or a response)."""
    order = lock(PurchaseOrder, order_id)
    order.cancelled_at = timezone.now()
    move_order(
        order,
        OrderStatus.CANCELLED,
        actor=actor,
        action="purchase_order.cancellation_confirm",
        fields=["cancelled_at"],
        comment=note,
    )
    order_event(
        order,
        kind=OrderEvent.Kind.CANCEL,
        text=_("The supplier confirmed the cancellation. %(n)s") % {"n": note},
        actor=actor,
    )
    return order


def _parse_changes(order: PurchaseOrder, changes: dict[Any, dict[str, Any]]) -> dict[str, dict[str, str]]:
    lines = {str(line.pk): line for line in order.lines.all()}
    parsed: dict[str, dict[str, str]] = {}
    for line_id, change in changes.items():
        line = lines.get(str(line_id))
        if line is None:
            raise NotFound()
        entry: dict[str, str] = {}
        if change.get("quantity") not in (None, ""):
            quantity = quantity_of(change["quantity"])
            if quantity != line.quantity:
                entry["quantity"] = str(quantity)
        date = change.get("requested_delivery_date")
        if date:
            day = date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date))
            if day < timezone.localdate():
                raise DomainError(
                    Code.NOT_CHANGEABLE,
                    _("The delivery date cannot be in the past."),
                    field="requested_delivery_date",
                )
            if day != line.requested_delivery_date:
                entry["requested_delivery_date"] = day.isoformat()
        if entry:
            parsed[str(line.pk)] = entry
    if not parsed:
        raise DomainError(Code.NOT_CHANGEABLE, _("Nothing was changed."))
    return parsed


def _new_amounts(order: PurchaseOrder, parsed: dict[str, dict[str, str]]) -> dict[int, Decimal]:
    amounts: dict[int, Decimal] = {}
    for line in order.lines.select_related("requisition_line"):
        entry = parsed.get(str(line.pk))
        if entry and "quantity" in entry:
            amounts[line.requisition_line_id] = money(Decimal(entry["quantity"]) * line.unit_price)
    return amounts


@transaction.atomic
def purchase_order_change_request(
    *, actor: User, order_id: int, changes: dict[Any, dict[str, Any]], note: str = ""
) -> PurchaseOrder:
    """Change quantities or requested dates before delivery. A total beyond the approval tolerance goes back
    for approval first; otherwise the change is sent to the supplier at once."""
    from avrop.ordering.services.approval import beyond_tolerance, reapproval_start

    order = _order_for_buyer(actor, order_id)
    if (
        order.status not in OPEN_ORDER - {OrderStatus.QUEUED, OrderStatus.CHANGES_AWAITING_APPROVAL}
        or order.pending_change
    ):
        raise DomainError(
            Code.NOT_CHANGEABLE,
            _("Order %(number)s cannot be changed now (%(status)s).")
            % {"number": order.number, "status": order.get_status_display().lower()},
        )
    parsed = _parse_changes(order, changes)
    requisition = order.requisition
    new_amounts = _new_amounts(order, parsed)
    current = {line.requisition_line_id: line.line_amount for line in order.lines.all()}
    new_total = requisition.total_amount + sum(
        (new_amounts[pk] - current[pk] for pk in new_amounts), Decimal("0")
    )
    order.pending_change = {"lines": parsed, "note": note.strip(), "by": actor.pk}
    order.save(update_fields=["pending_change", "updated_at"])
    if new_amounts and beyond_tolerance(requisition, new_total):
        reapproval_start(
            requisition=requisition,
            purchase_order=order,
            reason="change",
            new_amounts={pk: amount for pk, amount in new_amounts.items()},
            actor=actor,
        )
        order_event(
            order,
            kind=OrderEvent.Kind.CHANGE,
            text=_("Change waits for approval: new total %(t)s") % {"t": new_total},
            actor=actor,
        )
    else:
        _apply_change(order, actor)
    audit(actor=actor, action="purchase_order.change_request", obj=order, after=parsed, comment=note)
    return order


def _apply_change(order: PurchaseOrder, actor: User | None) -> None:
    from avrop.ordering.services.cart import recalculate
    from avrop.ordering.services.transmission import transmission_enqueue

    change = order.pending_change
    lines = {str(line.pk): line for line in order.lines.select_related("requisition_line")}
    summary = []
    for line_id, entry in change.get("lines", {}).items():
        line = lines[line_id]
        source = line.requisition_line
        if "quantity" in entry:
            line.quantity = source.quantity = Decimal(entry["quantity"])
            line.line_amount = source.line_amount = money(line.quantity * line.unit_price)
        if "requested_delivery_date" in entry:
            day = dt.date.fromisoformat(entry["requested_delivery_date"])
            line.requested_delivery_date = source.requested_delivery_date = day
        line.save()
        source.save(update_fields=["quantity", "line_amount", "requested_delivery_date"])
        from avrop.ordering.services.cart import _rescale_splits

        _rescale_splits(source)
        summary.append(f"{line.line_number}: " + ", ".join(f"{k}={v}" for k, v in entry.items()))
    order.total_amount = money(sum((line.line_amount for line in lines.values()), Decimal("0")))
    order.pending_change = {}
    order.save(update_fields=["total_amount", "pending_change", "updated_at"])
    requisition = recalculate(order.requisition)
    requisition.approved_amount = max(requisition.approved_amount or Decimal("0"), requisition.total_amount)
    requisition.save(update_fields=["approved_amount", "updated_at"])
    transmission_enqueue(
        order=order,
        kind=Transmission.Kind.CHANGE,
        payload={"lines": change.get("lines", {}), "note": change.get("note", "")},
    )
    order_event(
        order,
        kind=OrderEvent.Kind.CHANGE,
        text=_("Change sent to the supplier: %(s)s") % {"s": "; ".join(summary)},
        actor=actor,
    )
    _supplier_mail.order_changed(
        order,
        what=_("%(buyer)s changed order %(number)s: %(s)s")
        % {"buyer": order.organisation.name, "number": order.number, "s": "; ".join(summary)},
    )


def reapproval_decided(*, order_id: int, approved: bool, actor: User, comment: str = "") -> PurchaseOrder:
    """Called in the approval's transaction when the re-approval of an order's change or price increase
    ends."""
    order = lock(PurchaseOrder, order_id)
    requisition = order.requisition
    if order.status == OrderStatus.CHANGES_AWAITING_APPROVAL:
        if approved:
            order.total_amount = money(
                sum(
                    (line.effective_quantity * line.effective_unit_price for line in order.lines.all()),
                    Decimal("0"),
                )
            )
            move_order(
                order,
                OrderStatus.ACCEPTED_WITH_CHANGES,
                actor=actor,
                action="purchase_order.changes_approved",
                fields=["total_amount"],
                comment=comment,
                after={"total": order.total_amount},
            )
            requisition.approved_amount = (requisition.approved_amount or Decimal("0")) + max(
                Decimal("0"),
                order.total_amount - sum((line.line_amount for line in order.lines.all()), Decimal("0")),
            )
            requisition.save(update_fields=["approved_amount", "updated_at"])
            order_event(
                order,
                kind=OrderEvent.Kind.APPROVED,
                text=_("The supplier's new prices were approved."),
                actor=actor,
            )
        else:
            purchase_order_cancel(
                actor=requisition.requisitioner,
                order_id=order.pk,
                reason=_("The supplier's price increase was not approved: %(c)s") % {"c": comment},
            )
    elif order.pending_change:
        if approved:
            _apply_change(order, actor)
        else:
            order.pending_change = {}
            order.save(update_fields=["pending_change", "updated_at"])
            order_event(
                order,
                kind=OrderEvent.Kind.REJECTED,
                text=_("The change was not approved: %(c)s") % {"c": comment},
                actor=actor,
            )
    return order


# --- follow-up --------------------------------------------------------------------------------------------


def orders_without_response_check(*, now: dt.datetime | None = None) -> int:
    """Flag orders sent longer than the organisation's response time ago with no response, once each, and
    open a support case for the coordinator (the cases app's checklist "no order response")."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    flagged = 0
    candidates = (
        PurchaseOrder.objects.filter(status=OrderStatus.SENT, no_response_flagged_at__isnull=True)
        .select_related("requisition__requisitioner", "supplier__organisation", "organisation", "department")
        .order_by("pk")
    )
    for order in candidates:
        sent = (
            order.transmissions.filter(kind=Transmission.Kind.ORDER, sent_at__isnull=False)
            .values_list("sent_at", flat=True)
            .first()
        )
        if sent is None:
            continue
        policy = policy_for(order.organisation_id)
        due = add_business_days(
            timezone.localtime(sent).date(), policy.response_business_days, order.organisation.country
        )
        if today <= due:
            continue
        with transaction.atomic():
            locked = lock(PurchaseOrder, order.pk)
            if locked.no_response_flagged_at is not None or locked.status != OrderStatus.SENT:
                continue
            locked.no_response_flagged_at = now
            locked.case_id = _open_case(order)
            locked.save(update_fields=["no_response_flagged_at", "case_id", "updated_at"])
            order_event(
                locked,
                kind=OrderEvent.Kind.NO_RESPONSE,
                text=_("No order response %(days)s business days after sending%(case)s")
                % {
                    "days": policy.response_business_days,
                    "case": (" – " + _("support case #%(id)s") % {"id": locked.case_id})
                    if locked.case_id
                    else "",
                },
                is_error=True,
            )
            flagged += 1
    return flagged


def _open_case(order: PurchaseOrder) -> int | None:
    try:
        from avrop.cases.checklists import CaseType
        from avrop.cases.services import case_open
    except ImportError:
        return None
    try:
        with transaction.atomic():
            case = case_open(
                actor=order.requisition.requisitioner,
                organisation=order.organisation,
                case_type=CaseType.NO_ORDER_RESPONSE,
                subject=_("No order response for %(number)s from %(supplier)s")
                % {"number": order.number, "supplier": order.supplier},
                description=_("Sent on %(date)s via %(channel)s; no response has come in.")
                % {"date": order.ordered_on, "channel": order.get_channel_display()},
                supplier=order.supplier,
                department=order.department,
                order_reference=order.number,
            )
    except DomainError:
        return None
    return case.pk


@transaction.atomic
def purchase_order_cancellation_register(*, actor: User, order_id: int, note: str = "") -> PurchaseOrder:
    """The requisitioner or coordinator registers that the supplier confirmed a cancellation (e-mail,
    phone)."""
    order = _order_for_buyer(actor, order_id)
    if order.status != OrderStatus.CANCELLATION_REQUESTED:
        raise DomainError(
            Code.NOT_CANCELLABLE, _("No cancellation is waiting for the supplier's confirmation.")
        )
    return purchase_order_cancellation_confirm(actor=actor, order_id=order.pk, note=note)
