"""Every state change of a service-partner order, its SLA clocks, the billing statement and the check of the
partner's invoice. One service per transition: lock, check the move and its guards, set, audit, and write
messages to the outbox in the same transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import DomainError, NotFound
from avrop.core.formatting import day
from avrop.core.locking import lock, lock_many
from avrop.core.outbox import outbox_email
from avrop.core.workflows import move_status
from avrop.organisations.models import Organisation
from avrop.serviceorders import checks, clocks, pdf
from avrop.serviceorders.errors import ServiceOrderError
from avrop.serviceorders.models import (
    CHECKLIST,
    BillingStatement,
    PartnerInvoice,
    ServiceOrder,
    ServiceOrderStep,
    ServiceOrderStepDay,
    checklist_label,
)
from avrop.serviceorders.workflows import STATEMENT_TRANSITIONS, TRANSITIONS, assert_transition

Status = ServiceOrder.Status
Step = ServiceOrderStep.Step


@dataclass(frozen=True)
class ServiceOrderData:
    sales_order_ref: str
    product: str
    service: str
    customer_name: str
    amount: Decimal
    currency: str = "CHF"
    customer_street: str = ""
    customer_postal_code: str = ""
    customer_city: str = ""
    customer_phone: str = ""
    customer_email: str = ""
    prepaid: bool = False
    sp_id: str = ""


# --- helpers ------------------------------------------------------------------------------------------


def _move(
    order: ServiceOrder, to: str, *, actor: Any, action: str, fields: Iterable[str] = (), **after: Any
) -> None:
    move_status(
        order, to, transitions=TRANSITIONS, actor=actor, action=action, fields=list(fields), after=after
    )


def _own_partner_order(order_id: int, partner: Organisation) -> ServiceOrder:
    order = lock(ServiceOrder, order_id)
    if order.partner_id != partner.pk or order.status in {Status.PENDING, Status.AWAITING_PAYMENT}:
        raise NotFound()
    return order


def _own_supplier_order(order_id: int, supplier: Organisation) -> ServiceOrder:
    order = lock(ServiceOrder, order_id)
    if order.supplier_id != supplier.pk:
        raise NotFound()
    return order


def _start_step(
    order: ServiceOrder, step: str, *, started_at: dt.datetime, due_on: dt.date
) -> ServiceOrderStep:
    order.due_on = due_on
    return ServiceOrderStep.objects.create(
        order=order,
        partner_id=order.partner_id,
        supplier_id=order.supplier_id,
        step=step,
        started_at=started_at,
        due_on=due_on,
    )


def _end_step(order: ServiceOrder, step: str, *, actor: Any, at: dt.datetime) -> ServiceOrderStep | None:
    """Stop the step's clock: business days taken and whether on time. A late step is allowed and recorded as
    a breach (with an audit event of its own), whether or not the clock task saw it first."""
    row = (
        ServiceOrderStep.objects.select_for_update()
        .filter(order=order, step=step, done_at__isnull=True)
        .first()
    )
    if row is None:
        return None
    partner = order.partner
    done_on = clocks.local_day(at)
    row.done_at = at
    row.done_on = done_on
    row.business_days = clocks.taken(partner, clocks.local_day(row.started_at), done_on)
    row.on_time = done_on <= row.due_on
    fields = ["done_at", "done_on", "business_days", "on_time"]
    if not row.on_time and row.breached_at is None:
        row.breached_at = at
        fields.append("breached_at")
        audit(
            actor=actor,
            action="service_order.deadline_missed",
            obj=order,
            after={"step": step, "due_on": row.due_on.isoformat(), "done_on": done_on.isoformat()},
        )
    row.save(update_fields=fields)
    _count_day(row)
    return row


def _count_day(row: ServiceOrderStep) -> None:
    """One more step ended on its day in the SLA report's histogram (in the caller's transaction)."""
    keys = {
        "partner_id": row.partner_id,
        "supplier_id": row.supplier_id,
        "day": row.done_on,
        "step": row.step,
        "business_days": row.business_days or 0,
        "on_time": bool(row.on_time),
    }
    if ServiceOrderStepDay.objects.filter(**keys).update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():  # a savepoint: another transaction may have made the row meanwhile
            ServiceOrderStepDay.objects.create(count=1, **keys)
    except IntegrityError:
        ServiceOrderStepDay.objects.filter(**keys).update(count=F("count") + 1)


@transaction.atomic
def sla_days_rebuild(*, partner_ids: Iterable[int] | None = None) -> int:
    """Recount the SLA histogram from the steps (after steps were loaded or corrected in bulk). Returns the
    number of day rows."""
    steps = ServiceOrderStep.objects.filter(done_on__isnull=False)
    days = ServiceOrderStepDay.objects.all()
    if partner_ids is not None:
        ids = list(partner_ids)
        steps = steps.filter(partner_id__in=ids)
        days = days.filter(partner_id__in=ids)
    days.delete()
    grouped = (
        steps.values("partner_id", "supplier_id", "done_on", "step", "business_days", "on_time")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = [
        ServiceOrderStepDay(
            partner_id=g["partner_id"],
            supplier_id=g["supplier_id"],
            day=g["done_on"],
            step=g["step"],
            business_days=g["business_days"] or 0,
            on_time=bool(g["on_time"]),
            count=g["n"],
        )
        for g in grouped.iterator(chunk_size=5000)
    ]
    ServiceOrderStepDay.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _partner_address(partner: Organisation) -> str:
    return partner.email


# --- hand-over ----------------------------------------------------------------------------------------


@transaction.atomic
def service_order_create(
    *,
    actor: Any,
    supplier: Organisation,
    partner: Organisation,
    data: ServiceOrderData,
    ordered_at: dt.datetime | None = None,
) -> ServiceOrder:
    """The service part of a sales order, to be handed to the partner: after the hand-over delay, or when the
    payment arrives for a prepaid order."""
    if supplier.kind != Organisation.Kind.SUPPLIER:
        raise DomainError(ServiceOrderError.WRONG_SUPPLIER, _("Only a supplier hands over service orders."))
    if partner.kind != Organisation.Kind.SERVICE_PARTNER or not partner.is_active:
        raise DomainError(
            ServiceOrderError.WRONG_PARTNER,
            _("The service order must go to an active service partner."),
            field="partner",
        )
    if data.sp_id and ServiceOrder.objects.filter(sp_id=data.sp_id).exists():
        raise DomainError(
            ServiceOrderError.SP_ID_TAKEN,
            _("The SP-ID %(sp_id)s is already used.") % {"sp_id": data.sp_id},
            field="sp_id",
        )
    fields = {name: getattr(data, name) for name in data.__dataclass_fields__ if name != "sp_id"}
    order = ServiceOrder.objects.create(
        sp_id=data.sp_id or f"~{uuid.uuid4().hex[:16]}",  # replaced by the SP-ID of its id below
        supplier=supplier,
        partner=partner,
        status=Status.AWAITING_PAYMENT if data.prepaid else Status.PENDING,
        status_changed_at=timezone.now(),
        ordered_at=ordered_at or timezone.now(),
        **fields,
    )
    if not data.sp_id:
        order.sp_id = f"SP-{order.pk:07d}"
        order.save(update_fields=["sp_id"])
    audit(
        actor=actor,
        action="service_order.create",
        obj=order,
        after={"sp_id": order.sp_id, "prepaid": order.prepaid},
    )
    return order


def _hand_over(order: ServiceOrder, *, actor: Any, now: dt.datetime) -> None:
    order.handed_over_at = now
    _start_step(
        order,
        Step.ACCEPT,
        started_at=now,
        due_on=clocks.due(order.partner, clocks.local_day(now), clocks.ACCEPT_DAYS),
    )
    late = order.prepaid is False and now - order.ordered_at > clocks.HANDOVER_WITHIN
    _move(
        order,
        Status.NEW,
        actor=actor,
        action="service_order.hand_over",
        fields=["handed_over_at", "due_on"],
        late=late,
    )
    if order.partner.email:
        outbox_email(
            recipient=order.partner.email,
            subject=_("New service order %(sp_id)s") % {"sp_id": order.sp_id},
            body=_(
                "A new service order is waiting in your work queue: %(sp_id)s, %(service)s for %(customer)s. "
                "Please accept it by %(due)s."
            )
            % {
                "sp_id": order.sp_id,
                "service": order.service,
                "customer": order.customer_name,
                "due": day(order.due_on),
            },
            organisation=order.partner,
            obj=order,
        )


def service_orders_hand_over_due(*, now: dt.datetime | None = None) -> int:
    """Hand over the orders whose sales order is at least 30 minutes old (run every few minutes, so each order
    reaches the partner within 45 minutes). Each order in its own transaction: one bad row stops no other."""
    now = now or timezone.now()
    ids = list(
        ServiceOrder.objects.filter(status=Status.PENDING, ordered_at__lte=now - clocks.HANDOVER_AFTER)
        .order_by("ordered_at")
        .values_list("pk", flat=True)[:1000]
    )
    done = 0
    for pk in ids:
        with transaction.atomic():
            order = lock(ServiceOrder, pk)
            if order.status == Status.PENDING:
                _hand_over(order, actor=None, now=now)
                done += 1
    return done


@transaction.atomic
def service_order_payment_received(
    *, actor: Any, order_id: int, supplier: Organisation, paid_at: dt.datetime | None = None
) -> ServiceOrder:
    """A prepaid order's payment arrived: it goes to the partner now."""
    order = _own_supplier_order(order_id, supplier)
    assert_transition(order, to=Status.NEW)
    order.paid_at = paid_at or timezone.now()
    order.save(update_fields=["paid_at"])
    _hand_over(order, actor=actor, now=timezone.now())
    return order


# --- the partner's five steps -------------------------------------------------------------------------


@transaction.atomic
def service_order_accept(*, actor: Any, order_id: int, partner: Organisation) -> ServiceOrder:
    """Step 1: accept (within one business day; later is allowed and recorded as a breach)."""
    order = _own_partner_order(order_id, partner)
    assert_transition(
        order, to=Status.REQUIREMENTS_CHECK
    )  # before any clock moves: a second click is refused
    now = timezone.now()
    order.accepted_at = now
    order.accepted_by = actor
    step = _end_step(order, Step.ACCEPT, actor=actor, at=now)
    _start_step(
        order,
        Step.CONTACT,
        started_at=now,
        due_on=clocks.due(order.partner, clocks.local_day(now), clocks.CONTACT_DAYS),
    )
    _move(
        order,
        Status.REQUIREMENTS_CHECK,
        actor=actor,
        action="service_order.accept",
        fields=["accepted_at", "accepted_by", "due_on"],
        on_time=step.on_time if step else None,
    )
    return order


@transaction.atomic
def service_order_record_check(
    *, actor: Any, order_id: int, partner: Organisation, checks_done: Mapping[str, bool], note: str = ""
) -> ServiceOrder:
    """Step 2: the first customer contact and what it found on site (no delivery date is agreed yet)."""
    order = _own_partner_order(order_id, partner)
    if order.status != Status.REQUIREMENTS_CHECK:
        assert_transition(order, to=Status.REQUIREMENTS_MET)
    now = timezone.now()
    before = {name: getattr(order, name) for name in CHECKLIST}
    for name in CHECKLIST:
        setattr(order, name, bool(checks_done.get(name, False)))
    order.check_note = note
    fields = [*CHECKLIST, "check_note"]
    if order.contacted_at is None:
        order.contacted_at = now
        fields.append("contacted_at")
        _end_step(order, Step.CONTACT, actor=actor, at=now)
    order.save(update_fields=[*fields, "updated_at"])
    audit(
        actor=actor,
        action="service_order.check",
        obj=order,
        before=before,
        after={name: getattr(order, name) for name in CHECKLIST},
        comment=note,
    )
    return order


@transaction.atomic
def service_order_requirements_met(*, actor: Any, order_id: int, partner: Organisation) -> ServiceOrder:
    """Step 2 done: every point checked; this triggers the shipment of the product (a message to the
    supplier). The order leaves the overview until the goods are shipped."""
    order = _own_partner_order(order_id, partner)
    assert_transition(order, to=Status.REQUIREMENTS_MET)
    missing = [checklist_label(name) for name in CHECKLIST if not getattr(order, name)]
    if missing:
        raise DomainError(
            ServiceOrderError.CHECKLIST_INCOMPLETE,
            _("Not every requirement is checked yet: %(missing)s.") % {"missing": "; ".join(missing)},
        )
    now = timezone.now()
    if order.contacted_at is None:
        order.contacted_at = now
    _end_step(order, Step.CONTACT, actor=actor, at=now)
    order.requirements_met_at = now
    order.requirements_met_by = actor
    order.due_on = None
    _move(
        order,
        Status.REQUIREMENTS_MET,
        actor=actor,
        action="service_order.requirements_met",
        fields=["contacted_at", "requirements_met_at", "requirements_met_by", "due_on"],
    )
    if order.supplier.email:
        outbox_email(
            recipient=order.supplier.email,
            subject=_("Ship the product for service order %(sp_id)s") % {"sp_id": order.sp_id},
            body=_(
                "The service partner %(partner)s has checked the requirements on site for %(sp_id)s "
                "(sales order %(ref)s, %(product)s). The product can be shipped."
            )
            % {
                "partner": order.partner.name,
                "sp_id": order.sp_id,
                "ref": order.sales_order_ref,
                "product": order.product,
            },
            organisation=order.supplier,
            obj=order,
        )
    return order


@transaction.atomic
def service_order_ship(
    *, actor: Any, order_id: int, supplier: Organisation, arrival_on: dt.date | None = None
) -> ServiceOrder:
    """The supplier shipped the product: the order comes back to the partner's overview to set the customer
    appointment, two to three business days after the goods arrive."""
    order = _own_supplier_order(order_id, supplier)
    assert_transition(order, to=Status.APPOINTMENT_TO_SET)
    now = timezone.now()
    partner = order.partner
    arrival = arrival_on or clocks.due(partner, clocks.local_day(now), 1)
    order.shipped_at = now
    order.goods_arrival_on = arrival
    _start_step(
        order, Step.APPOINTMENT, started_at=now, due_on=clocks.due(partner, arrival, clocks.APPOINTMENT_DAYS)
    )
    _move(
        order,
        Status.APPOINTMENT_TO_SET,
        actor=actor,
        action="service_order.ship",
        fields=["shipped_at", "goods_arrival_on", "due_on"],
        arrival_on=arrival.isoformat(),
    )
    return order


def service_orders_goods_despatched(order: Any, despatch: Any, actor: Any, arrival: dt.date | None) -> int:
    """A despatch advice for the purchase order a service order's product comes on (registered in
    fulfilment, in its transaction): each such service order waiting for the product moves to "appointment
    to set", its goods arriving on the despatch's expected date (else the partner's next business day).
    Returns how many moved. Called through ``fulfilment.despatch_listeners``."""
    ids = list(
        ServiceOrder.objects.filter(purchase_order_id=order.pk, status=Status.REQUIREMENTS_MET).values_list(
            "pk", flat=True
        )
    )
    now = timezone.now()
    for row in lock_many(ServiceOrder, ids):
        if row.status != Status.REQUIREMENTS_MET:
            continue
        partner = row.partner
        goods = arrival or clocks.due(partner, clocks.local_day(now), 1)
        row.shipped_at = now
        row.goods_arrival_on = goods
        _start_step(
            row, Step.APPOINTMENT, started_at=now, due_on=clocks.due(partner, goods, clocks.APPOINTMENT_DAYS)
        )
        _move(
            row,
            Status.APPOINTMENT_TO_SET,
            actor=actor,
            action="service_order.ship",
            fields=["shipped_at", "goods_arrival_on", "due_on"],
            arrival_on=goods.isoformat(),
            despatch=despatch.number,
        )
    return len(ids)


@transaction.atomic
def service_order_set_appointment(
    *, actor: Any, order_id: int, partner: Organisation, on: dt.date, time: str = ""
) -> ServiceOrder:
    """Step 3: the appointment agreed with the customer."""
    order = _own_partner_order(order_id, partner)
    assert_transition(order, to=Status.EXECUTION_TO_CONFIRM)
    today = timezone.localdate()
    if on < today:
        raise DomainError(
            ServiceOrderError.APPOINTMENT_INVALID, _("The appointment cannot be in the past."), field="on"
        )
    now = timezone.now()
    _end_step(order, Step.APPOINTMENT, actor=actor, at=now)
    order.appointment_on = on
    order.appointment_time = time
    order.appointment_set_at = now
    _start_step(
        order, Step.EXECUTION, started_at=now, due_on=clocks.due(order.partner, on, clocks.EXECUTION_DAYS)
    )
    _move(
        order,
        Status.EXECUTION_TO_CONFIRM,
        actor=actor,
        action="service_order.set_appointment",
        fields=["appointment_on", "appointment_time", "appointment_set_at", "due_on"],
        appointment_on=on.isoformat(),
    )
    return order


@transaction.atomic
def service_order_confirm_execution(
    *, actor: Any, order_id: int, partner: Organisation, note: str = ""
) -> ServiceOrder:
    """Step 4: the service was performed at the customer's."""
    order = _own_partner_order(order_id, partner)
    assert_transition(order, to=Status.COMPLETED)
    if order.appointment_on and order.appointment_on > timezone.localdate():
        raise DomainError(
            ServiceOrderError.NOT_YET_PERFORMED,
            _("The appointment is on %(day)s: the service can be confirmed from that day on.")
            % {"day": day(order.appointment_on)},
        )
    now = timezone.now()
    _end_step(order, Step.EXECUTION, actor=actor, at=now)
    order.executed_at = now
    order.executed_by = actor
    order.execution_note = note
    order.due_on = None
    _move(
        order,
        Status.COMPLETED,
        actor=actor,
        action="service_order.confirm_execution",
        fields=["executed_at", "executed_by", "execution_note", "due_on"],
    )
    return order


@transaction.atomic
def service_order_cancel(*, actor: Any, order_id: int, supplier: Organisation, reason: str) -> ServiceOrder:
    order = _own_supplier_order(order_id, supplier)
    assert_transition(order, to=Status.CANCELLED)
    now = timezone.now()
    order.cancelled_at = now
    order.cancel_reason = reason
    order.due_on = None
    ServiceOrderStep.objects.filter(order=order, done_at__isnull=True).delete()
    _move(
        order,
        Status.CANCELLED,
        actor=actor,
        action="service_order.cancel",
        fields=["cancelled_at", "cancel_reason", "due_on"],
    )
    return order


# --- the clocks ---------------------------------------------------------------------------------------


def service_order_clocks_tick(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Warn the partner of steps due by the next business day and record the breach of steps past their
    deadline (the work stays allowed). Returns (warned, breached)."""
    now = now or timezone.now()
    today = clocks.local_day(now)
    warned = breached = 0
    # The widest warning window is one business day; four calendar days cover a weekend with a holiday.
    candidates = (
        ServiceOrderStep.objects.filter(done_at__isnull=True, due_on__lte=today + dt.timedelta(days=4))
        .filter(Q(warned_at__isnull=True) | Q(breached_at__isnull=True, due_on__lt=today))
        .select_related("order", "partner")
        .order_by("pk")
    )
    for row in candidates.iterator(chunk_size=500):
        with transaction.atomic():
            if row.breached_at is None and row.due_on < today:
                ServiceOrderStep.objects.filter(pk=row.pk, breached_at__isnull=True).update(breached_at=now)
                audit(
                    actor=None,
                    action="service_order.deadline_missed",
                    obj=row.order,
                    organisation=row.partner,
                    after={"step": row.step, "due_on": row.due_on.isoformat()},
                )
                breached += 1
            elif (
                row.warned_at is None
                and today >= clocks.warn_from(row.partner, row.due_on)
                and ServiceOrderStep.objects.filter(pk=row.pk, warned_at__isnull=True).update(warned_at=now)
            ):
                warned += 1
                if row.partner.email:
                    outbox_email(
                        recipient=row.partner.email,
                        subject=_("Service order %(sp_id)s is due on %(day)s")
                        % {"sp_id": row.order.sp_id, "day": day(row.due_on)},
                        body=_("“%(step)s” for %(sp_id)s is due on %(day)s.")
                        % {
                            "step": row.get_step_display(),
                            "sp_id": row.order.sp_id,
                            "day": day(row.due_on),
                        },
                        organisation=row.partner,
                        obj=row.order,
                    )
    return warned, breached


# --- billing ------------------------------------------------------------------------------------------


@transaction.atomic
def statement_create(*, actor: Any, partner: Organisation, order_ids: Iterable[int]) -> BillingStatement:
    """Step 5: the partner's monthly statement of completed, unbilled orders, with its PDF. Orders already on
    a statement are refused by SP-ID: the PDF is not a second bill."""
    ids = sorted(set(order_ids))
    if not ids:
        raise DomainError(ServiceOrderError.NOTHING_SELECTED, _("Select at least one completed order."))
    orders = lock_many(ServiceOrder, ids)
    if len(orders) != len(ids) or any(o.partner_id != partner.pk for o in orders):
        raise NotFound()
    billed = [o.sp_id for o in orders if o.statement_id is not None or o.status == Status.BILLED]
    if billed:
        raise DomainError(
            ServiceOrderError.ALREADY_BILLED,
            _("Already billed: %(sp_ids)s. A statement is made once for each order.")
            % {"sp_ids": ", ".join(billed)},
        )
    open_ = [o.sp_id for o in orders if o.status != Status.COMPLETED]
    if open_:
        raise DomainError(
            ServiceOrderError.NOTHING_SELECTED,
            _("Not completed yet: %(sp_ids)s.") % {"sp_ids": ", ".join(open_)},
        )
    if len({(o.supplier_id, o.currency) for o in orders}) > 1:
        raise DomainError(
            ServiceOrderError.MIXED_STATEMENT,
            _("A statement bills one supplier in one currency: select the orders of one supplier."),
        )
    first = orders[0]
    total = sum((o.amount for o in orders), Decimal("0"))
    statement = BillingStatement.objects.create(
        number=f"~{uuid.uuid4().hex[:16]}",  # replaced by the billing id of its id below
        partner=partner,
        supplier_id=first.supplier_id,
        created_by=actor,
        order_count=len(orders),
        total_amount=total,
        currency=first.currency,
        status_changed_at=timezone.now(),
        pdf=b"",
        pdf_sha256="",
    )
    statement.number = f"VR-{timezone.localdate():%Y}-{statement.pk:05d}"
    for order in orders:
        order.statement = statement
        _move(
            order,
            Status.BILLED,
            actor=actor,
            action="service_order.bill",
            fields=["statement"],
            statement=statement.number,
        )
    document = pdf.statement_pdf(statement, orders)
    statement.pdf = document
    statement.pdf_sha256 = hashlib.sha256(document).hexdigest()
    statement.save(update_fields=["number", "pdf", "pdf_sha256", "updated_at"])
    audit(
        actor=actor,
        action="service_order.statement_create",
        obj=statement,
        organisation=partner,
        after={"number": statement.number, "sp_ids": [o.sp_id for o in orders], "total": str(total)},
    )
    return statement


@transaction.atomic
def partner_invoice_check(
    *,
    actor: Any,
    statement_id: int,
    organisation: Organisation,
    file_name: str,
    content: bytes,
    entered: checks.Figures | None = None,
) -> PartnerInvoice:
    """Read the partner's invoice for a statement (a Peppol BIS Billing 3 invoice, or a PDF with its figures
    entered) and check it: the billing id quoted, every SP-ID of the statement listed once, none of another
    statement, the amounts agreeing. A deviation goes to the supplier with the reasons in words."""
    statement = lock(BillingStatement, statement_id)
    if organisation.pk not in {statement.partner_id, statement.supplier_id}:
        raise NotFound()
    if entered is None:
        try:
            figures = checks.read_peppol(content)
        except checks.Unreadable as exc:
            raise DomainError(ServiceOrderError.INVOICE_UNREADABLE, exc.message, field="file") from None
        kind = PartnerInvoice.Kind.PEPPOL
    else:
        figures = entered
        kind = PartnerInvoice.Kind.PDF
    findings = checks.check(statement=statement, figures=figures)
    invoice = PartnerInvoice.objects.create(
        statement=statement,
        kind=kind,
        uploaded_by=actor,
        file_name=file_name[:200],
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        invoice_number=figures.invoice_number[:60],
        billing_id=(figures.billing_id or "")[:60],
        sp_ids=[sp for line in figures.lines for sp in line.sp_ids],
        total_amount=figures.total,
        currency=figures.currency,
        result=PartnerInvoice.Result.DEVIATES if findings else PartnerInvoice.Result.AGREES,
        findings=findings,
    )
    to = BillingStatement.Status.DEVIATION if findings else BillingStatement.Status.INVOICED
    if statement.status != to:
        move_status(
            statement,
            to,
            transitions=STATEMENT_TRANSITIONS,
            actor=actor,
            action="service_order.invoice_check",
            after={"invoice": invoice.invoice_number, "findings": len(findings)},
        )
    else:
        audit(
            actor=actor,
            action="service_order.invoice_check",
            obj=statement,
            organisation=statement.partner,
            after={"invoice": invoice.invoice_number, "findings": len(findings)},
        )
    if findings and statement.supplier.email:
        outbox_email(
            recipient=statement.supplier.email,
            subject=_("The invoice for billing statement %(number)s deviates") % {"number": statement.number},
            body="\n".join(
                [
                    _("The invoice %(invoice)s of %(partner)s does not agree with statement %(number)s:")
                    % {
                        "invoice": invoice.invoice_number or invoice.file_name,
                        "partner": statement.partner.name,
                        "number": statement.number,
                    }
                ]
                + ["– " + checks.finding_text(f) for f in findings]
            ),
            organisation=statement.supplier,
            obj=statement,
        )
    return invoice
