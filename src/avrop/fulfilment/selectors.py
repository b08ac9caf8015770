"""Reads of fulfilment, scoped by the acting user: deliveries to receive, an order's despatches, receipts,
attempts and tasks, quantities received per order line (for payables' 3-way matching) and whether an order
is ready to invoice."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, Min, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from avrop.core import calendar
from avrop.fulfilment.models import (
    DeliveryAttempt,
    DeliveryRequirement,
    DespatchAdvice,
    DespatchAdviceLine,
    DistributedOrder,
    DistributionCentre,
    DistributionDay,
    GoodsReceipt,
    GoodsReceiptLine,
    InboundDespatch,
    InstalledMachine,
    PostDeliveryTask,
    TaskKind,
)
from avrop.fulfilment.models.receipt import ACCEPTED_CONDITIONS, DEVIATIONS
from avrop.fulfilment.workflows import DeliveryState, DistributionStatus, TaskStatus
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


def requirement_holds(
    agreement_id: int | None, category: str, *, order_agreement_id: int | None, order_categories: set[str]
) -> bool:
    """Whether a requirement of the order's organisation (its agreement, its category) holds for the order:
    one without agreement holds for every agreement, one without category for every line. The one rule of
    :func:`requirements_for` and the batch reads below."""
    return (agreement_id is None or agreement_id == order_agreement_id) and (
        not category or category in order_categories
    )


def _order_categories(order: PurchaseOrder) -> set[str]:
    return set(
        order.lines.exclude(requisition_line__category="").values_list(
            "requisition_line__category", flat=True
        )
    )


def requirements_for(order: PurchaseOrder) -> list[DeliveryRequirement]:
    """The active requirements of the order's organisation that hold for its agreement or a category of its
    lines (and those with neither, which hold for every order)."""
    categories = _order_categories(order)
    found = DeliveryRequirement.objects.filter(organisation_id=order.organisation_id, is_active=True).filter(
        Q(agreement__isnull=True) | Q(agreement_id=order.agreement_id)
    )
    return [
        r
        for r in found
        if requirement_holds(
            r.agreement_id, r.category, order_agreement_id=order.agreement_id, order_categories=categories
        )
    ]


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


def delivery_accepted(wanted: dict[int, Decimal], received: dict[int, Decimal]) -> bool:
    """Every line (``wanted``: per order line what it is to deliver) received in good order in full."""
    return bool(wanted) and all(received.get(pk, Decimal("0")) >= quantity for pk, quantity in wanted.items())


def tasks_not_done(required: Iterable[str], begun: dict[str, str]) -> list[str]:
    """The task kinds keeping an order from being invoiced: each required one not done (begun or not) and
    each begun one not done (``begun``: status by kind), required ones first."""
    kinds = list(dict.fromkeys([*required, *begun]))
    return [kind for kind in kinds if begun.get(kind) != TaskStatus.DONE]


def ready_to_invoice(wanted: dict[int, Decimal], received: dict[int, Decimal], open_tasks: list[str]) -> bool:
    """The ready-to-invoice rule, for one order as for a batch: delivery accepted and no task left."""
    return delivery_accepted(wanted, received) and not open_tasks


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
    invoice (:func:`ready_to_invoice`). The tasks are listed as they stand, required ones not yet begun
    included (unsaved)."""
    lines = list(order.lines.all())
    wanted = wanted_by_line(lines)
    received = received_by_line([order])
    shipped = shipped_by_line(order)
    accepted = delivery_accepted(wanted, received)
    existing = {
        t.kind: t for t in PostDeliveryTask.objects.filter(purchase_order=order).select_related("done_by")
    }
    required = required_tasks(order)
    tasks = [existing.get(kind) or PostDeliveryTask(purchase_order=order, kind=kind) for kind in required]
    tasks += [t for kind, t in existing.items() if t not in tasks]
    open_kinds = tasks_not_done(required, {kind: t.status for kind, t in existing.items()})
    reasons: list[str] = []
    if not accepted:
        reasons.append(_("The delivery has not been received and signed in full."))
    for task in tasks:
        if task.kind in open_kinds:
            reasons.append(_("%(task)s is not done.") % {"task": task.get_kind_display()})
    if ready_to_invoice(wanted, received, open_kinds):
        state = DeliveryState.READY_TO_INVOICE
    elif accepted:
        state = DeliveryState.RECEIVED
    elif received:
        state = DeliveryState.PARTLY_RECEIVED
    elif shipped:
        state = DeliveryState.DESPATCHED
    else:
        state = DeliveryState.AWAITING_DESPATCH
    return Readiness(state=state, delivery_accepted=accepted, tasks=tasks, reasons=reasons)


@dataclass
class _Batch:
    """What the ready-to-invoice rule reads of a batch of orders: a fixed number of statements."""

    orders: dict[int, tuple[int, int | None]]  # order: (organisation, agreement)
    requirements: dict[
        int, list[tuple[int | None, str, list[str]]]
    ]  # organisation: (agreement, category, tasks)
    wanted: dict[int, dict[int, Decimal]] = field(default_factory=dict)  # order: order line: to deliver
    categories: dict[int, set[str]] = field(default_factory=dict)  # order: its lines' categories

    @classmethod
    def read(cls, ids: list[int]) -> _Batch:
        """The orders and their organisations' active requirements (two statements)."""
        orders: dict[int, tuple[int, int | None]] = {
            pk: (organisation_id, agreement_id)
            for pk, organisation_id, agreement_id in PurchaseOrder.objects.filter(pk__in=ids)
            .order_by()
            .values_list("pk", "organisation_id", "agreement_id")
        }
        requirements: dict[int, list[tuple[int | None, str, list[str]]]] = defaultdict(list)
        for organisation_id, agreement_id, category, kinds in DeliveryRequirement.objects.filter(
            organisation_id__in={organisation for organisation, _agreement in orders.values()}, is_active=True
        ).values_list("organisation_id", "agreement_id", "category", "tasks"):
            requirements[organisation_id].append((agreement_id, category or "", list(kinds or [])))
        return cls(orders=orders, requirements=requirements)

    def read_lines(self, ids: Iterable[int]) -> None:
        """What each line of the orders is to deliver, and the lines' categories (one statement)."""
        for pk, order_id, cancelled, quantity, confirmed, category in PurchaseOrderLine.objects.filter(
            purchase_order_id__in=sorted(ids)
        ).values_list(
            "pk",
            "purchase_order_id",
            "is_cancelled",
            "quantity",
            "confirmed_quantity",
            "requisition_line__category",
        ):
            self.wanted.setdefault(order_id, {})[pk] = (
                Decimal("0") if cancelled else (confirmed if confirmed is not None else quantity)
            )
            if category:
                self.categories.setdefault(order_id, set()).add(category)

    def holding(self, order_id: int) -> list[tuple[int | None, str, list[str]]]:
        """The requirements that hold for the order (its lines read when a requirement names a category)."""
        organisation_id, agreement = self.orders[order_id]
        return [
            (agreement_id, category, kinds)
            for agreement_id, category, kinds in self.requirements.get(organisation_id, [])
            if requirement_holds(
                agreement_id,
                category,
                order_agreement_id=agreement,
                order_categories=self.categories.get(order_id, set()),
            )
        ]

    def not_ready(self, ids: list[int], received: dict[int, Decimal]) -> set[int]:
        """Those of ``ids`` (their lines read) that :func:`ready_to_invoice` says no to (one statement)."""
        tasks: dict[int, dict[str, str]] = defaultdict(dict)
        for order_id, kind, status in PostDeliveryTask.objects.filter(purchase_order_id__in=ids).values_list(
            "purchase_order_id", "kind", "status"
        ):
            tasks[order_id][kind] = status
        known = set(PostDeliveryTask.Kind.values)
        found: set[int] = set()
        for order_id in ids:
            if order_id not in self.orders:
                found.add(order_id)
                continue
            required = [
                kind
                for _agreement, _category, kinds in self.holding(order_id)
                for kind in kinds
                if kind in known
            ]
            open_tasks = tasks_not_done(required, tasks.get(order_id, {}))
            if not ready_to_invoice(self.wanted.get(order_id, {}), received, open_tasks):
                found.add(order_id)
        return found


def orders_not_ready(order_ids: Iterable[int]) -> set[int]:
    """Those of ``order_ids`` that are not ready to invoice, by the rule of :func:`order_readiness`
    (:func:`ready_to_invoice`: every line received in good order as wanted, every required and every begun
    task done), in five statements whatever the number of orders."""
    ids = sorted(set(order_ids))
    if not ids:
        return set()
    batch = _Batch.read(ids)
    batch.read_lines(ids)
    return batch.not_ready(ids, received_by_line(ids))


@dataclass
class InvoicingReadiness:
    """What payables' matching asks of fulfilment for the orders of a batch of invoices."""

    # Quantity received in good order per order line, of the orders in ``with_receipts``.
    received: dict[int, Decimal] = field(default_factory=dict)
    # Orders a goods receipt was signed for: their invoices are matched 3-way (the others 2-way).
    with_receipts: set[int] = field(default_factory=set)
    # Orders that keep receipts (one was signed, or a delivery requirement of their organisation holds for
    # them) and are not ready to invoice: their invoices are held.
    not_ready: set[int] = field(default_factory=set)


def orders_for_invoicing(order_ids: Iterable[int]) -> InvoicingReadiness:
    """For payables' matching of a batch: which orders are matched 3-way against what was received, and which
    are held. Orders of organisations without receipts or requirements are matched 2-way and never held. At
    most seven statements however many orders (three when none has a receipt or a requirement)."""
    ids = sorted(set(order_ids))
    if not ids:
        return InvoicingReadiness()
    batch = _Batch.read(ids)
    with_receipts = set(
        GoodsReceipt.objects.filter(purchase_order_id__in=ids)
        .order_by()
        .values_list("purchase_order_id", flat=True)
        .distinct()
    )
    categorised = any(category for found in batch.requirements.values() for _a, category, _k in found)
    if categorised:
        batch.read_lines(ids)  # the lines' categories decide which requirements hold
    required = {pk for pk in batch.orders if batch.holding(pk)}
    candidates = sorted(with_receipts | required)
    if not candidates:
        return InvoicingReadiness(with_receipts=with_receipts)
    if not categorised:
        batch.read_lines(candidates)
    received = received_by_line(candidates)
    return InvoicingReadiness(
        received=received,
        with_receipts=with_receipts,
        not_ready=batch.not_ready(candidates, received),
    )


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
        # A department's receiver does not receive what goes to the distribution centre first.
        orders = orders.filter(department_id__in=departments).exclude(
            Exists(
                DistributedOrder.objects.filter(
                    purchase_order=OuterRef("pk"), status=DistributionStatus.ON_ITS_WAY
                )
            )
        )
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
        # The storage wipe the agreement asks for, and whether its certificate is still to be uploaded.
        "wipe_required": TaskKind.STORAGE_WIPE in required_tasks(order),
        "wipe_done": PostDeliveryTask.objects.filter(
            purchase_order=order, kind=TaskKind.STORAGE_WIPE, status=TaskStatus.DONE
        ).exists(),
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


# --- delivery outcomes, for the reports' contract follow-up -----------------------------------------------


@dataclass(frozen=True)
class DeliveryOutcome:
    """How an order was delivered: the day the first goods receipt was signed, the received lines with a
    deviation by condition, and the support cases opened from its receipts."""

    order_id: int
    first_received_on: dt.date | None = None
    deviations: dict[str, int] = field(default_factory=dict)
    case_ids: tuple[int, ...] = ()


def delivery_outcomes(orders: QuerySet[PurchaseOrder] | Iterable[int]) -> dict[int, DeliveryOutcome]:
    """The delivery outcome of each order that has a goods receipt (``orders``: a queryset of orders or
    their ids), in three grouped queries whatever the number of orders."""
    if isinstance(orders, QuerySet) and orders.model is not PurchaseOrder:
        raise TypeError("delivery_outcomes takes purchase orders or their ids, not " + orders.model.__name__)
    ids = orders.values("pk") if isinstance(orders, QuerySet) else list(orders)
    receipts = GoodsReceipt.objects.filter(purchase_order_id__in=ids)
    first = dict(
        receipts.values("purchase_order_id")
        .annotate(first=Min("received_on"))
        .values_list("purchase_order_id", "first")
        .order_by()
    )
    deviations: dict[int, dict[str, int]] = defaultdict(dict)
    for order_id, condition, n in (
        GoodsReceiptLine.objects.filter(receipt__purchase_order_id__in=ids, condition__in=DEVIATIONS)
        .values("receipt__purchase_order_id", "condition")
        .annotate(n=Count("pk"))
        .values_list("receipt__purchase_order_id", "condition", "n")
        .order_by()
    ):
        deviations[order_id][condition] = n
    cases: dict[int, set[int]] = defaultdict(set)
    for order_id, case_id in receipts.filter(case_id__isnull=False).values_list(
        "purchase_order_id", "case_id"
    ):
        if case_id is not None:
            cases[order_id].add(case_id)
    return {
        order_id: DeliveryOutcome(
            order_id=order_id,
            first_received_on=first.get(order_id),
            deviations=deviations.get(order_id, {}),
            case_ids=tuple(sorted(cases.get(order_id, ()))),
        )
        for order_id in set(first) | set(deviations) | set(cases)
    }


# --- coordinated distribution -----------------------------------------------------------------------------

# How far ahead a delivery day is looked for (a centre delivering every other week still finds one).
HORIZON_DAYS = 28


def next_delivery_day(weekdays: Iterable[int], *, after: dt.date) -> dt.date | None:
    """The first business day after ``after`` that falls on one of the centre's weekdays for a department
    (a public holiday is skipped: the centre does not drive then); None when it has no days for it."""
    days = set(weekdays)
    if not days:
        return None
    for offset in range(1, HORIZON_DAYS + 1):
        day = after + dt.timedelta(days=offset)
        if day.weekday() in days and calendar.is_business_day(day, "SE"):
            return day
    return None


def distribution_centres(*, user: User, organisation: Organisation) -> QuerySet[DistributionCentre]:
    """The organisation's active centres, for those who receive goods there (a goods receiver for every
    department, a coordinator, an administrator); empty for anyone else."""
    if receiver_departments(user=user, organisation=organisation) is not None or not (
        roles_in(user=user, organisation=organisation) & RECEIVER_ROLES
    ):
        return DistributionCentre.objects.none()
    return DistributionCentre.objects.filter(organisation=organisation, is_active=True).order_by("name")


def centre_left_to_receive(order_ids: list[int]) -> dict[int, dict[int, Decimal]]:
    """Per order, per line number: shipped (despatch advices) and not yet received in good order. Two
    queries however many orders."""
    shipped: dict[int, Decimal] = {}
    numbers: dict[int, tuple[int, int]] = {}
    for row in (
        DespatchAdviceLine.objects.filter(despatch__purchase_order_id__in=order_ids)
        .values("order_line_id", "order_line__line_number", "despatch__purchase_order_id")
        .annotate(total=Sum("quantity"))
    ):
        shipped[row["order_line_id"]] = row["total"]
        numbers[row["order_line_id"]] = (row["despatch__purchase_order_id"], row["order_line__line_number"])
    received = received_by_line(order_ids)
    left: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for line_id, total in shipped.items():
        rest = total - received.get(line_id, Decimal("0"))
        if rest > 0:
            order_id, number = numbers[line_id]
            left[order_id][number] = rest
    return dict(left)


@dataclass
class CentreOrder:
    row: DistributedOrder
    order: PurchaseOrder
    left: dict[int, Decimal]  # line number → arrived and not yet received

    @property
    def lines(self) -> list[tuple[PurchaseOrderLine, Decimal]]:
        return [
            (line, self.left[line.line_number])
            for line in self.order.lines.all()
            if line.line_number in self.left
        ]


@dataclass
class CentreDepartment:
    department: Any
    next_day: dt.date | None
    arrived: list[CentreOrder] = field(default_factory=list)
    expected: list[CentreOrder] = field(default_factory=list)
    to_hand_over: list[CentreOrder] = field(default_factory=list)


def centre_overview(centre: DistributionCentre, *, today: dt.date) -> list[CentreDepartment]:
    """The centre's work per department: what arrived (shipped, not yet received), what is still expected,
    and what is received and waits to be handed on, with the next delivery day to each department. A fixed
    number of queries however many orders and departments."""
    rows = list(
        DistributedOrder.objects.filter(
            centre=centre, status__in=[DistributionStatus.ON_ITS_WAY, DistributionStatus.AT_CENTRE]
        )
        .select_related(
            "department",
            "purchase_order__supplier__organisation",
            "purchase_order__requisition__requisitioner",
        )
        .prefetch_related(
            Prefetch("purchase_order__lines", queryset=PurchaseOrderLine.objects.order_by("line_number"))
        )
        .order_by("department__name", "purchase_order__number")
    )
    left = centre_left_to_receive([r.purchase_order_id for r in rows])
    weekdays: dict[int, list[int]] = defaultdict(list)
    for day in DistributionDay.objects.filter(centre=centre):
        weekdays[day.department_id].append(day.weekday)
    groups: dict[int, CentreDepartment] = {}
    for row in rows:
        group = groups.get(row.department_id)
        if group is None:
            group = groups[row.department_id] = CentreDepartment(
                department=row.department,
                next_day=next_delivery_day(
                    weekdays.get(row.department_id, []), after=today - dt.timedelta(days=1)
                ),
            )
        item = CentreOrder(row=row, order=row.purchase_order, left=left.get(row.purchase_order_id, {}))
        if item.left:
            group.arrived.append(item)
        elif row.status == DistributionStatus.ON_ITS_WAY:
            group.expected.append(item)
        if row.status == DistributionStatus.AT_CENTRE:
            group.to_hand_over.append(item)
    return list(groups.values())


@dataclass
class OrderDistribution:
    row: DistributedOrder
    next_day: dt.date | None


def order_distribution(order: PurchaseOrder, *, today: dt.date) -> OrderDistribution | None:
    """Whether ``order`` goes through a distribution centre, and the centre's next delivery day to the
    order's department (what the requisitioner sees on the order page)."""
    row = (
        DistributedOrder.objects.filter(purchase_order=order)
        .select_related("centre", "department", "handover__handed_over_by")
        .first()
    )
    if row is None:
        return None
    weekdays = DistributionDay.objects.filter(centre_id=row.centre_id, department_id=row.department_id)
    return OrderDistribution(
        row=row,
        next_day=next_delivery_day(
            weekdays.values_list("weekday", flat=True), after=today - dt.timedelta(days=1)
        ),
    )


# --- consumables for an installed machine -----------------------------------------------------------------


@dataclass
class ConsumableSla:
    """A consumable order for machines of the installed base: the agreement's business-day promise, its due
    date counted from the order day, and whether the delivery (first receipt in good order) kept it."""

    machines: list[InstalledMachine]
    serials: list[str]
    days: int
    due: dt.date
    received_on: dt.date | None

    @property
    def on_time(self) -> bool | None:
        return None if self.received_on is None else self.received_on <= self.due


def consumable_sla(order: PurchaseOrder) -> ConsumableSla | None:
    """None unless the order's lines are consumables for a machine and its agreement sets the consumables
    SLA (seed 000: 3 business days). Three queries."""
    if order.agreement_id is None:
        return None
    days = order.agreement.consumables_business_days if order.agreement is not None else None
    serials = sorted(
        {
            serial
            for serial in PurchaseOrderLine.objects.filter(
                purchase_order=order, requisition_line__is_consumable=True
            ).values_list("requisition_line__machine_serial", flat=True)
            if serial
        }
    )
    if days is None or not serials:
        return None
    machines = list(
        InstalledMachine.objects.filter(
            organisation_id=order.organisation_id, supplier_id=order.supplier_id, serial_number__in=serials
        ).order_by("serial_number")
    )
    received_on = (
        GoodsReceipt.objects.filter(
            purchase_order=order, lines__condition__in=ACCEPTED_CONDITIONS, lines__quantity__gt=0
        )
        .aggregate(first=Min("received_on"))
        .get("first")
    )
    return ConsumableSla(
        machines=machines,
        serials=serials,
        days=days,
        due=calendar.add_business_days(order.ordered_on, days, "SE"),
        received_on=received_on,
    )
