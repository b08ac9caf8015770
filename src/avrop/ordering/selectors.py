"""Reads of ordering, always scoped by the acting user.

Requisitioners see their own requisitions and orders; approvers also what waits for them and what they
decided; coordinators, administrators, procurement officers and auditors see the whole organisation. Supplier
users see the orders sent to their organisation through the portal, and its overdue orders. Other tenants'
ids raise ``NotFound``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from avrop.core.errors import NotFound
from avrop.ordering.models import (
    ApprovalStep,
    CodingSplit,
    FreeTextForm,
    OrderEvent,
    OrderResponse,
    PurchaseOrder,
    Requisition,
    RequisitionLine,
    Transmission,
)
from avrop.ordering.services._common import READ_ALL_ROLES
from avrop.ordering.workflows import (
    AWAITING_DELIVERY,
    OrderStatus,
    RequisitionStatus,
    StepStatus,
    TransmissionStatus,
)
from avrop.organisations.models import ApprovalDelegation, Membership, Organisation, User
from avrop.organisations.roles import Role
from avrop.organisations.selectors import organisation_get, roles_in

SUPPLIER_ROLES = frozenset({Role.SUPPLIER_USER, Role.SPOC, Role.ADMIN})


def _scope(user: User, organisation: Organisation) -> tuple[Organisation, frozenset[str]]:
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    return organisation, roles_in(user=user, organisation=organisation)


def _decided_by(user: User) -> Q:
    return Q(steps__decided_by=user)


# --- requisitions -----------------------------------------------------------------------------------------


def requisition_list(
    *, user: User, organisation: Organisation, everyone: bool = False
) -> QuerySet[Requisition]:
    organisation, roles = _scope(user, organisation)
    requisitions = Requisition.objects.filter(organisation=organisation).exclude(
        status=RequisitionStatus.DRAFT
    )
    if not (everyone and roles & READ_ALL_ROLES):
        requisitions = requisitions.filter(requisitioner=user)
    return requisitions.select_related("requisitioner", "department").order_by("-created_at", "-id")


def requisition_get(*, user: User, organisation: Organisation, requisition_id: int) -> Requisition:
    organisation, roles = _scope(user, organisation)
    requisitions = Requisition.objects.filter(organisation=organisation).select_related(
        "requisitioner", "department__default_cost_centre", "organisation", "rejected_by"
    )
    try:
        requisition = requisitions.get(pk=requisition_id)
    except (Requisition.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if requisition_visible(user=user, roles=roles, requisition=requisition):
        return requisition
    raise NotFound()


def requisition_visible(*, user: User, roles: frozenset[str], requisition: Requisition) -> bool:
    """May the user open this requisition of their organisation (``requisition_get``'s rule)? A goods
    receiver opens the order but not the requisition behind it."""
    if requisition.requisitioner_id == user.pk or roles & READ_ALL_ROLES:
        return True
    return Role.APPROVER in roles and requisition.status != RequisitionStatus.DRAFT


def requisition_lines(requisition: Requisition) -> list[RequisitionLine]:
    """All lines with what the pages show, in a fixed number of queries."""
    return list(
        requisition.lines.select_related("supplier__organisation", "delivery_address", "free_text_form")
        .prefetch_related("splits", "attachments")
        .order_by("position")
    )


def requisition_steps(requisition: Requisition) -> list[ApprovalStep]:
    return list(requisition.steps.select_related("decided_by").order_by("round", "position"))


def _principals_of(user: User, organisation: Organisation) -> set[int]:
    today = timezone.localdate()
    return set(
        ApprovalDelegation.objects.filter(
            organisation=organisation, deputy=user, is_active=True, valid_from__lte=today, valid_to__gte=today
        ).values_list("principal_id", flat=True)
    )


def approval_queue(*, user: User, organisation: Organisation) -> list[Requisition]:
    """Requisitions with a step of the current round waiting for ``user`` (or for someone they stand in for),
    oldest first, each with ``waiting_steps`` and ``waiting_amount``. Three queries whatever the size."""
    organisation, roles = _scope(user, organisation)
    if Role.APPROVER not in roles:
        return []
    people = {user.pk} | _principals_of(user, organisation)
    steps = (
        ApprovalStep.objects.filter(
            requisition__organisation=organisation,
            status=StepStatus.PENDING,
            requisition__status__in=[
                RequisitionStatus.PENDING_APPROVAL,
                RequisitionStatus.PENDING_REAPPROVAL,
            ],
        )
        .exclude(requisition__requisitioner=user)
        .select_related("requisition__requisitioner", "requisition__department")
        .order_by("requisition__submitted_at", "requisition_id", "position")
    )
    queue: dict[int, Requisition] = {}
    for step in steps:
        requisition = step.requisition
        if step.round != requisition.approval_round or not people & set(step.approver_ids):
            continue
        entry = queue.setdefault(requisition.pk, requisition)
        if not hasattr(entry, "waiting_steps"):
            entry.waiting_steps = []
        entry.waiting_steps.append(step)
    for requisition in queue.values():
        requisition.waiting_amount = sum((s.amount for s in requisition.waiting_steps), Decimal(0))
    return list(queue.values())


def approvals_decided(*, user: User, organisation: Organisation, limit: int = 20) -> list[ApprovalStep]:
    organisation, _roles = _scope(user, organisation)
    return list(
        ApprovalStep.objects.filter(requisition__organisation=organisation, decided_by=user)
        .select_related("requisition__requisitioner")
        .order_by("-decided_at")[:limit]
    )


def free_text_forms(*, user: User, organisation: Organisation) -> QuerySet[FreeTextForm]:
    organisation, _roles = _scope(user, organisation)
    return FreeTextForm.objects.filter(organisation=organisation, is_active=True).order_by("name")


def free_text_form_get(*, user: User, organisation: Organisation, form_id: int | str) -> FreeTextForm:
    try:
        return free_text_forms(user=user, organisation=organisation).get(pk=form_id)
    except (FreeTextForm.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


# --- purchase orders --------------------------------------------------------------------------------------


def _orders(user: User, organisation: Organisation, *, everyone: bool) -> QuerySet[PurchaseOrder]:
    organisation, roles = _scope(user, organisation)
    if organisation.kind == Organisation.Kind.SUPPLIER:
        if not roles & SUPPLIER_ROLES:
            return PurchaseOrder.objects.none()
        return PurchaseOrder.objects.filter(supplier__organisation=organisation).exclude(
            transmission_status__in=[
                TransmissionStatus.QUEUED,
                TransmissionStatus.FAILED,
                TransmissionStatus.CANCELLED,
            ]
        )
    orders = PurchaseOrder.objects.filter(organisation=organisation)
    if not (everyone and roles & READ_ALL_ROLES):
        orders = orders.filter(requisition__requisitioner=user)
    return orders


def purchase_order_list(
    *, user: User, organisation: Organisation, everyone: bool = False, status: str = "", overdue: bool = False
) -> QuerySet[PurchaseOrder]:
    orders = _orders(user, organisation, everyone=everyone)
    if status:
        orders = orders.filter(status=status)
    if overdue:
        orders = orders.filter(status__in=AWAITING_DELIVERY, expected_delivery_date__lt=timezone.localdate())
    return orders.select_related(
        "supplier__organisation", "requisition__requisitioner", "department", "organisation"
    ).order_by("-created_at", "-id")


def _receives_for(user: User, organisation: Organisation, department_id: int | None) -> bool:
    """Is the user a goods receiver for this department (or for every department of the organisation)?"""
    departments = set(
        Membership.objects.filter(
            user=user, organisation=organisation, role=Role.GOODS_RECEIVER, is_active=True
        ).values_list("department_id", flat=True)
    )
    return None in departments or department_id in departments


def purchase_order_get(*, user: User, organisation: Organisation, order_id: int) -> PurchaseOrder:
    scoped, roles = _scope(user, organisation)
    if scoped.kind != Organisation.Kind.SUPPLIER and roles & {Role.APPROVER, Role.GOODS_RECEIVER}:
        # Approvers see every sent requisition of their organisation (requisition_get), so its orders too;
        # a goods receiver sees the orders delivered to the departments they receive for (checked below).
        base = PurchaseOrder.objects.filter(organisation=scoped)
    else:
        base = _orders(user, organisation, everyone=True)
    orders = base.select_related(
        "supplier__organisation",
        "requisition__requisitioner",
        "department",
        "organisation",
        "delivery_address",
        "agreement",
    )
    try:
        order = orders.get(pk=order_id)
    except (PurchaseOrder.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if (
        scoped.kind != Organisation.Kind.SUPPLIER
        and not roles & READ_ALL_ROLES
        and order.requisition.requisitioner_id != user.pk
        and Role.APPROVER not in roles
        and not (Role.GOODS_RECEIVER in roles and _receives_for(user, scoped, order.department_id))
    ):
        raise NotFound()
    return order


def order_lines(order: PurchaseOrder) -> list[Any]:
    return list(order.lines.select_related("requisition_line").order_by("line_number"))


def order_responses(order: PurchaseOrder) -> list[OrderResponse]:
    return list(
        order.responses.select_related("registered_by").prefetch_related("lines").order_by("created_at", "id")
    )


def order_timeline(order: PurchaseOrder) -> list[OrderEvent]:
    """The requisition's events before the order existed, then everything about this order."""
    return list(
        OrderEvent.objects.filter(
            Q(purchase_order=order) | Q(requisition_id=order.requisition_id, purchase_order__isnull=True)
        ).order_by("at", "id")
    )


def order_transmissions(order: PurchaseOrder) -> list[Transmission]:
    return list(order.transmissions.order_by("id"))


def orders_overdue(
    *, user: User, organisation: Organisation, everyone: bool = False
) -> QuerySet[PurchaseOrder]:
    return purchase_order_list(
        user=user, organisation=organisation, everyone=everyone, overdue=True
    ).order_by("expected_delivery_date", "pk")


def portal_inbox(*, user: User, organisation: Organisation) -> QuerySet[PurchaseOrder]:
    """For a supplier's users: orders sent to them through the portal, newest first."""
    organisation, roles = _scope(user, organisation)
    if not roles & SUPPLIER_ROLES:
        return PurchaseOrder.objects.none()
    return (
        PurchaseOrder.objects.filter(supplier__organisation=organisation, channel="portal")
        .exclude(
            transmission_status__in=[
                TransmissionStatus.QUEUED,
                TransmissionStatus.FAILED,
                TransmissionStatus.CANCELLED,
            ]
        )
        .select_related("organisation", "department", "delivery_address")
        .order_by("-created_at", "-id")
    )


# Tabs of the supplier portal's order inbox: what each shows.
PORTAL_TABS: dict[str, Q] = {
    "new": Q(status=OrderStatus.SENT, portal_opened_at__isnull=True),
    "to_answer": Q(status=OrderStatus.SENT, portal_opened_at__isnull=False)
    | Q(status=OrderStatus.ACKNOWLEDGED),
    "to_deliver": Q(
        status__in=[
            OrderStatus.ACCEPTED,
            OrderStatus.ACCEPTED_WITH_CHANGES,
            OrderStatus.CHANGES_AWAITING_APPROVAL,
        ]
    ),
    "delivered": Q(status=OrderStatus.DELIVERED),
    "cancellation": Q(status=OrderStatus.CANCELLATION_REQUESTED),
    "closed": Q(status__in=[OrderStatus.CANCELLED, OrderStatus.REJECTED]),
    "all": Q(),
}


def portal_orders(
    *, user: User, organisation: Organisation, customer_id: int | None = None
) -> QuerySet[PurchaseOrder]:
    """A supplier's orders from every customer (all channels; Peppol ones are shown read-only)."""
    orders = _orders(user, organisation, everyone=True)
    if organisation.kind != Organisation.Kind.SUPPLIER:
        return PurchaseOrder.objects.none()
    if customer_id is not None:
        orders = orders.filter(supplier_id=customer_id)
    return orders


def portal_order_list(
    *, user: User, organisation: Organisation, tab: str = "all", customer_id: int | None = None
) -> QuerySet[PurchaseOrder]:
    orders = portal_orders(user=user, organisation=organisation, customer_id=customer_id)
    return (
        orders.filter(PORTAL_TABS.get(tab, Q()))
        .select_related("organisation", "department", "delivery_address", "requisition")
        .order_by("-created_at", "-id")
    )


def portal_order_counts(
    *, user: User, organisation: Organisation, customer_id: int | None = None
) -> dict[str, int]:
    """How many orders each tab holds, in one query."""
    orders = portal_orders(user=user, organisation=organisation, customer_id=customer_id)
    return orders.aggregate(**{tab: Count("pk", filter=q) for tab, q in PORTAL_TABS.items()})


def portal_order_get(*, user: User, organisation: Organisation, order_id: Any) -> PurchaseOrder:
    """One of the supplier's orders; another supplier's id is ``NotFound``."""
    if organisation.kind != Organisation.Kind.SUPPLIER:
        raise NotFound()
    return purchase_order_get(user=user, organisation=organisation, order_id=order_id)


# --- the coordinator's troubleshooting --------------------------------------------------------------------


def failing_transmissions(*, user: User, organisation: Organisation) -> QuerySet[Transmission]:
    organisation, roles = _scope(user, organisation)
    if not roles & READ_ALL_ROLES:
        return Transmission.objects.none()
    return (
        Transmission.objects.filter(organisation=organisation)
        .filter(
            Q(status=TransmissionStatus.FAILED)
            | Q(status__in=[TransmissionStatus.QUEUED, TransmissionStatus.SENDING], last_error__gt="")
        )
        .select_related("purchase_order", "supplier__organisation")
        .order_by("id")
    )


def refused_responses(*, user: User, organisation: Organisation, days: int = 30) -> QuerySet[OrderResponse]:
    organisation, roles = _scope(user, organisation)
    if not roles & READ_ALL_ROLES:
        return OrderResponse.objects.none()
    since = timezone.now() - dt.timedelta(days=days)
    return (
        OrderResponse.objects.filter(organisation=organisation, created_at__gte=since)
        .filter(
            outcome__in=[
                OrderResponse.Outcome.INVALID,
                OrderResponse.Outcome.UNKNOWN_ORDER,
                OrderResponse.Outcome.WRONG_SENDER,
            ]
        )
        .select_related("purchase_order")
        .order_by("-created_at")
    )


def orders_without_response(*, user: User, organisation: Organisation) -> QuerySet[PurchaseOrder]:
    organisation, roles = _scope(user, organisation)
    if not roles & READ_ALL_ROLES:
        return PurchaseOrder.objects.none()
    return (
        PurchaseOrder.objects.filter(
            organisation=organisation, no_response_flagged_at__isnull=False, status="sent"
        )
        .select_related("supplier__organisation", "requisition__requisitioner")
        .order_by("no_response_flagged_at")
    )


def response_list(
    *, user: User, organisation: Organisation, everyone: bool = True
) -> QuerySet[OrderResponse]:
    orders = _orders(user, organisation, everyone=everyone)
    return (
        OrderResponse.objects.filter(purchase_order__in=orders)
        .select_related("purchase_order")
        .prefetch_related(Prefetch("lines"))
        .order_by("-created_at", "-id")
    )


def response_get(*, user: User, organisation: Organisation, response_id: int) -> OrderResponse:
    try:
        return response_list(user=user, organisation=organisation).get(pk=response_id)
    except (OrderResponse.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def on_behalf_relations(*, user: User, organisation: Organisation) -> list[Any]:
    """The organisation's suppliers, each with ``on_behalf`` (its permission row, or None)."""
    from avrop.ordering.models import OnBehalfPermission
    from avrop.suppliers.models import Supplier

    organisation, roles = _scope(user, organisation)
    if not roles & READ_ALL_ROLES:
        raise NotFound()
    # Each relation gets an ``on_behalf`` attribute, which the Supplier model does not declare.
    relations: list[Any] = list(
        Supplier.objects.filter(buyer=organisation, is_active=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    permissions = {
        p.supplier_id: p
        for p in OnBehalfPermission.objects.filter(supplier__in=relations).select_related("granted_by")
    }
    for relation in relations:
        relation.on_behalf = permissions.get(relation.pk)
    return relations


# --- the purchase order an invoice refers to (for payables) -----------------------------------------------

_ORDER_NUMBER = re.compile(r"(?<![0-9])(20[0-9]{2})\s*[-/ ]?\s*([0-9]{1,6})(?![0-9])")


def order_number_candidates(reference: str) -> list[str]:
    """The order numbers an invoice's order reference may mean, best first: the reference as written, then
    the canonical form (``2026-000123``) of every year-and-sequence it contains, as suppliers write them:
    ``2026-123``, ``PO 2026-000123``, ``2026000123``, ``Order no. 2026/123``."""
    text = " ".join(reference.split())
    candidates = [text] if text else []
    for year, sequence in _ORDER_NUMBER.findall(text):
        if int(sequence) == 0:
            continue
        canonical = f"{year}-{int(sequence):06d}"
        if canonical not in candidates:
            candidates.append(canonical)
    return candidates


def purchase_order_for_invoice(
    *, organisation: Organisation, reference: str, supplier_id: int | None = None
) -> PurchaseOrder | None:
    """The purchase order of buyer ``organisation`` that an invoice's order reference names (see
    ``order_number_candidates``), from ``supplier_id`` when the invoice's supplier is known; None when no
    order, or more than one equally good, matches. For the invoice intake, which runs as the system."""
    candidates = order_number_candidates(reference)
    if not candidates:
        return None
    orders = PurchaseOrder.objects.filter(organisation=organisation, number__in=candidates)
    if supplier_id is not None:
        orders = orders.filter(supplier_id=supplier_id)
    found = list(orders.select_related("department", "requisition__requisitioner")[:10])
    for candidate in candidates:
        matches = [order for order in found if order.number == candidate]
        if len(matches) == 1:
            return matches[0]
        if matches:
            return None
    return None


def order_approver(order: PurchaseOrder) -> User | None:
    """Who approved the requisition behind ``order`` last (None when it needed no approval)."""
    step = (
        ApprovalStep.objects.filter(requisition_id=order.requisition_id, status=StepStatus.APPROVED)
        .exclude(decided_by=None)
        .select_related("decided_by")
        .order_by("-decided_at", "-pk")
        .first()
    )
    return step.decided_by if step is not None else None


def order_coding(order: PurchaseOrder) -> list[tuple[str, str, Any]]:
    """The coding of ``order``'s lines that are not cancelled, as (account, cost centre, amount) summed per
    account and cost centre, in the order they first appear."""
    rows = (
        CodingSplit.objects.filter(
            line__order_line__purchase_order=order, line__order_line__is_cancelled=False
        )
        .values("account", "cost_centre")
        .annotate(total=Sum("amount"), first=Min("pk"))
        .order_by("first")
    )
    return [(row["account"], row["cost_centre"], row["total"]) for row in rows]


def orders_per_month(
    *, user: User, organisation: Organisation, months: int = 12
) -> list[tuple[dt.date, int, Decimal]]:
    """The organisation's purchase orders of the last ``months`` months (this one included): the first day of
    each month, how many were ordered and their value (cancelled orders left out). One query; months
    without orders are listed with zeros, oldest first."""
    from django.db.models.functions import TruncMonth

    today = timezone.localdate()
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    orders = (
        _orders(user, organisation, everyone=True)
        .filter(ordered_on__gte=first)
        .exclude(status=OrderStatus.CANCELLED)
        .annotate(month=TruncMonth("ordered_on"))
        .values("month")
        .annotate(n=Count("pk"), value=Sum("total_amount"))
        .order_by("month")
    )
    found = {
        (row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]): row
        for row in orders
    }
    result = []
    month = first
    while month <= today:
        row = found.get(month)
        result.append((month, row["n"] if row else 0, (row["value"] or Decimal(0)) if row else Decimal(0)))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return result
