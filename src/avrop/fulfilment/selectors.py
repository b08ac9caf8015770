"""Reads of fulfilment, scoped by the acting user: deliveries to receive, an order's despatches, receipts,
attempts and tasks, quantities received per order line (for payables' 3-way matching) and whether an order
is ready to invoice."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from avrop.fulfilment.models import (
    DeliveryAttempt,
    DeliveryRequirement,
    DespatchAdvice,
    DespatchAdviceLine,
    GoodsReceipt,
    GoodsReceiptLine,
    InboundDespatch,
    InstalledMachine,
    PostDeliveryTask,
)
from avrop.fulfilment.models.receipt import ACCEPTED_CONDITIONS
from avrop.fulfilment.workflows import DeliveryState, TaskStatus
from avrop.ordering.models import PurchaseOrder, PurchaseOrderLine
from avrop.ordering.workflows import OrderStatus
from avrop.organisations.models import Membership, Organisation, User
from avrop.organisations.roles import Role
from avrop.organisations.selectors import roles_in

# Orders goods may arrive for: sent and not cancelled or rejected.
RECEIVABLE = frozenset(
    {
        OrderStatus.SENT,
        OrderStatus.ACKNOWLEDGED,
        OrderStatus.ACCEPTED,
        OrderStatus.ACCEPTED_WITH_CHANGES,
        OrderStatus.DELIVERED,
    }
)
RECEIVER_ROLES = frozenset({Role.GOODS_RECEIVER, Role.COORDINATOR, Role.ADMIN})


# --- one order --------------------------------------------------------------------------------------------


def order_despatches(order: PurchaseOrder) -> list[DespatchAdvice]:
    lines = DespatchAdviceLine.objects.select_related("order_line").order_by("order_line__line_number")
    return list(
        DespatchAdvice.objects.filter(purchase_order=order)
        .order_by("created_at", "id")
        .prefetch_related(Prefetch("lines", queryset=lines))
    )


def order_refused_despatches(order: PurchaseOrder) -> list[InboundDespatch]:
    return list(
        InboundDespatch.objects.filter(purchase_order=order)
        .exclude(outcome=InboundDespatch.Outcome.APPLIED)
        .order_by("-created_at")
    )


def order_receipts(order: PurchaseOrder) -> list[GoodsReceipt]:
    lines = GoodsReceiptLine.objects.select_related("order_line").order_by("order_line__line_number")
    return list(
        GoodsReceipt.objects.filter(purchase_order=order)
        .select_related("received_by")
        .order_by("created_at", "id")
        .prefetch_related(Prefetch("lines", queryset=lines))
    )


def order_attempts(order: PurchaseOrder) -> list[DeliveryAttempt]:
    return list(
        DeliveryAttempt.objects.filter(purchase_order=order)
        .select_related("logged_by")
        .order_by("attempted_at")
    )


def received_by_line(orders: Iterable[int | PurchaseOrder]) -> dict[int, Decimal]:
    """Quantity received in good order (or late) per order line id, over the given orders: what 3-way
    matching compares an invoice line with. Damaged and wrong goods are not counted; lines with nothing
    received are left out."""
    ids = [o.pk if isinstance(o, PurchaseOrder) else int(o) for o in orders]
    return {
        row["order_line_id"]: row["total"]
        for row in GoodsReceiptLine.objects.filter(
            receipt__purchase_order_id__in=ids, condition__in=ACCEPTED_CONDITIONS
        )
        .values("order_line_id")
        .annotate(total=Sum("quantity"))
    }


def shipped_by_line(order: PurchaseOrder) -> dict[int, Decimal]:
    return {
        row["order_line_id"]: row["total"]
        for row in DespatchAdviceLine.objects.filter(despatch__purchase_order=order)
        .values("order_line_id")
        .annotate(total=Sum("quantity"))
    }


def wanted_by_line(lines: Iterable[PurchaseOrderLine]) -> dict[int, Decimal]:
    """What each line is to deliver: ordered or confirmed, nothing for a cancelled line."""
    return {line.pk: Decimal("0") if line.is_cancelled else line.effective_quantity for line in lines}


def requirements_for(order: PurchaseOrder) -> list[DeliveryRequirement]:
    """The active requirements of the order's organisation that hold for its agreement or a category of its
    lines (and those with neither, which hold for every order)."""
    categories = set(
        order.lines.exclude(requisition_line__category="").values_list(
            "requisition_line__category", flat=True
        )
    )
    found = DeliveryRequirement.objects.filter(organisation_id=order.organisation_id, is_active=True).filter(
        Q(agreement__isnull=True) | Q(agreement_id=order.agreement_id)
    )
    return [r for r in found if not r.category or r.category in categories]


def required_tasks(order: PurchaseOrder, requirements: list[DeliveryRequirement] | None = None) -> list[str]:
    requirements = requirements_for(order) if requirements is None else requirements
    kinds: list[str] = []
    for requirement in requirements:
        for kind in requirement.tasks:
            if kind in PostDeliveryTask.Kind.values and kind not in kinds:
                kinds.append(kind)
    return sorted(kinds, key=PostDeliveryTask.Kind.values.index)


def checklist_questions(order: PurchaseOrder) -> list[str]:
    questions: list[str] = []
    for requirement in requirements_for(order):
        questions += [q for q in requirement.checklist if q not in questions]
    return questions


@dataclass
class Readiness:
    """Where an order stands between despatch and invoice, with the reasons it is not ready yet."""

    state: str
    delivery_accepted: bool
    tasks: list[PostDeliveryTask] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def ready_to_invoice(self) -> bool:
        return self.state == DeliveryState.READY_TO_INVOICE

    @property
    def state_label(self) -> str:
        return str(DeliveryState(self.state).label)


def order_readiness(order: PurchaseOrder) -> Readiness:
    """Delivery accepted (every line received in good order, signed) and every required task done: ready to
    invoice. The tasks are listed as they stand, required ones not yet begun included (unsaved)."""
    lines = list(order.lines.all())
    wanted = wanted_by_line(lines)
    received = received_by_line([order])
    shipped = shipped_by_line(order)
    accepted = bool(lines) and all(received.get(pk, Decimal("0")) >= qty for pk, qty in wanted.items())
    existing = {
        t.kind: t for t in PostDeliveryTask.objects.filter(purchase_order=order).select_related("done_by")
    }
    tasks = [
        existing.get(kind) or PostDeliveryTask(purchase_order=order, kind=kind)
        for kind in required_tasks(order)
    ]
    tasks += [t for kind, t in existing.items() if t not in tasks]
    reasons: list[str] = []
    if not accepted:
        reasons.append(_("The delivery has not been received and signed in full."))
    for task in tasks:
        if task.status != TaskStatus.DONE:
            reasons.append(_("%(task)s is not done.") % {"task": task.get_kind_display()})
    if accepted:
        state = DeliveryState.READY_TO_INVOICE if not reasons else DeliveryState.RECEIVED
    elif received:
        state = DeliveryState.PARTLY_RECEIVED
    elif shipped:
        state = DeliveryState.DESPATCHED
    else:
        state = DeliveryState.AWAITING_DESPATCH
    return Readiness(state=state, delivery_accepted=accepted, tasks=tasks, reasons=reasons)


def order_ready_to_invoice(order: PurchaseOrder | int) -> tuple[bool, list[str]]:
    """For payables: may an invoice for this order be matched and paid? ``(ready, reasons in words)``."""
    if not isinstance(order, PurchaseOrder):
        order = PurchaseOrder.objects.get(pk=order)
    readiness = order_readiness(order)
    return readiness.ready_to_invoice, readiness.reasons


# --- the goods receiver's list ----------------------------------------------------------------------------


def receiver_departments(*, user: User, organisation: Organisation) -> list[int] | None:
    """The departments the user receives goods for; None for all of the organisation's (a goods receiver
    without department, a coordinator)."""
    roles = roles_in(user=user, organisation=organisation)
    if roles & {Role.COORDINATOR, Role.ADMIN}:
        return None
    departments = list(
        Membership.objects.filter(
            user=user, organisation=organisation, role=Role.GOODS_RECEIVER, is_active=True
        ).values_list("department_id", flat=True)
    )
    if any(d is None for d in departments):
        return None
    return [d for d in departments if d is not None]


def deliveries_to_receive(*, user: User, organisation: Organisation) -> QuerySet[PurchaseOrder]:
    """Orders of the user's departments that goods may arrive for and that are not received in full yet:
    some line still wants more than was received in good order. Empty for anyone not receiving goods."""
    roles = roles_in(user=user, organisation=organisation)
    if not roles & RECEIVER_ROLES:
        return PurchaseOrder.objects.none()
    received = (
        GoodsReceiptLine.objects.filter(order_line=OuterRef("pk"), condition__in=ACCEPTED_CONDITIONS)
        .values("order_line")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    open_lines = (
        PurchaseOrderLine.objects.filter(purchase_order=OuterRef("pk"), is_cancelled=False)
        .annotate(got=received)
        .filter(
            Q(got__isnull=True)
            | Q(confirmed_quantity__isnull=True, got__lt=F("quantity"))
            | Q(confirmed_quantity__isnull=False, got__lt=F("confirmed_quantity"))
        )
    )
    orders = PurchaseOrder.objects.filter(organisation=organisation, status__in=RECEIVABLE).filter(
        Exists(open_lines)
    )
    departments = receiver_departments(user=user, organisation=organisation)
    if departments is not None:
        orders = orders.filter(department_id__in=departments)
    return (
        orders.select_related("supplier__organisation", "department", "requisition__requisitioner")
        .annotate(despatched=Exists(DespatchAdvice.objects.filter(purchase_order=OuterRef("pk"))))
        .order_by("-despatched", "expected_delivery_date", "id")
    )


def tasks_open(*, user: User, organisation: Organisation) -> QuerySet[PostDeliveryTask]:
    roles = roles_in(user=user, organisation=organisation)
    tasks = PostDeliveryTask.objects.filter(organisation=organisation, status=TaskStatus.OPEN)
    if not roles & {Role.COORDINATOR, Role.ADMIN, Role.GOODS_RECEIVER}:
        tasks = tasks.filter(purchase_order__requisition__requisitioner=user)
    return tasks.select_related("purchase_order").order_by("created_at")


def receipts_by_order(orders: Iterable[int]) -> dict[int, list[GoodsReceipt]]:
    found: dict[int, list[GoodsReceipt]] = defaultdict(list)
    for receipt in GoodsReceipt.objects.filter(purchase_order_id__in=list(orders)).order_by("id"):
        found[receipt.purchase_order_id].append(receipt)
    return found


def portal_delivery(order: PurchaseOrder) -> dict[str, Any]:
    """What the supplier sees of the buyer's side in the portal: attempts, receipts with their deviations
    and support case numbers."""
    return {
        "attempts": order_attempts(order),
        "receipts": order_receipts(order),
        "attempt_outcomes": DeliveryAttempt.Outcome.choices,
        "can_log_attempt": order.status in RECEIVABLE,
    }


@dataclass
class LineStatus:
    line: PurchaseOrderLine
    wanted: Decimal
    shipped: Decimal
    received: Decimal

    @property
    def label(self) -> str:
        if self.wanted <= 0:
            return _("Cancelled")
        if self.received >= self.wanted:
            return _("Received")
        if self.received > 0:
            return _("Partly received")
        if self.shipped >= self.wanted:
            return _("Shipped")
        if self.shipped > 0:
            return _("Partly shipped")
        return _("Not shipped")


def line_statuses(order: PurchaseOrder) -> list[LineStatus]:
    """Each order line's delivery status: ordered (or confirmed), shipped and received in good order."""
    lines = list(order.lines.order_by("line_number"))
    wanted = wanted_by_line(lines)
    shipped = shipped_by_line(order)
    received = received_by_line([order])
    zero = Decimal("0")
    return [
        LineStatus(line, wanted[line.pk], shipped.get(line.pk, zero), received.get(line.pk, zero))
        for line in lines
    ]


def refused_despatches(*, user: User, organisation: Organisation) -> QuerySet[InboundDespatch]:
    """T16s refused for the organisation's orders, newest first; for the coordinator (empty otherwise)."""
    if not roles_in(user=user, organisation=organisation) & {Role.COORDINATOR, Role.ADMIN, Role.AUDITOR}:
        return InboundDespatch.objects.none()
    return (
        InboundDespatch.objects.filter(organisation=organisation)
        .exclude(outcome=InboundDespatch.Outcome.APPLIED)
        .select_related("purchase_order")
        .order_by("-created_at", "-id")
    )


# --- the installed base -----------------------------------------------------------------------------------


def installed_base(*, user: User, organisation: Organisation) -> QuerySet[InstalledMachine]:
    """The buyer's machines (every member sees them: a requisitioner picks one for consumables)."""
    if not roles_in(user=user, organisation=organisation):
        return InstalledMachine.objects.none()
    return (
        InstalledMachine.objects.filter(organisation=organisation)
        .select_related("department", "supplier__organisation", "agreement")
        .order_by("department__name", "serial_number")
    )


def installed_base_for_supplier(*, user: User, organisation: Organisation) -> QuerySet[InstalledMachine]:
    """The machines this supplier organisation delivered to its customers."""
    if not roles_in(user=user, organisation=organisation) & {Role.SUPPLIER_USER, Role.SPOC, Role.ADMIN}:
        return InstalledMachine.objects.none()
    return (
        InstalledMachine.objects.filter(supplier__organisation=organisation)
        .select_related("organisation", "department", "agreement")
        .order_by("organisation__name", "serial_number")
    )


def order_machines(order: PurchaseOrder) -> list[InstalledMachine]:
    return list(InstalledMachine.objects.filter(order_line__purchase_order=order).order_by("serial_number"))
