"""Reads of supplier invoices, always scoped by the acting user.

AP clerks, administrators and auditors of an organisation see all its invoices; any other member sees the
invoices they are the reviewer of. Supplier users see the invoices their organisation sent, to any buyer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.errors import NotFound
from avrop.organisations.roles import Role
from avrop.payables import conf
from avrop.payables.models import (
    CodingLine,
    InvoiceMessage,
    ReferenceRate,
    SupplierCodingDefault,
    SupplierInvoice,
)
from avrop.payables.workflows import PRECHECK_QUEUE

Status = SupplierInvoice.Status
SEE_ALL_ROLES = frozenset({Role.AP_CLERK, Role.ADMIN, Role.AUDITOR})
SUPPLIER_ROLES = frozenset({Role.SUPPLIER_USER, Role.SPOC})


def _roles(user: Any, organisation: Any) -> frozenset[str]:
    from avrop.organisations.selectors import roles_in

    return roles_in(user=user, organisation=organisation)


def invoice_list(*, user: Any, organisation: Any) -> QuerySet[SupplierInvoice]:
    """The invoices the user may see in the active organisation."""
    roles = _roles(user, organisation)
    if not roles:
        return SupplierInvoice.objects.none()
    invoices = SupplierInvoice.objects.select_related("supplier__organisation", "department", "reviewer")
    if organisation.is_buyer:
        invoices = invoices.filter(organisation=organisation)
        if not roles & SEE_ALL_ROLES:
            # Their own, and those waiting for someone they are deputy for today (attest in their place).
            from avrop.organisations.models import ApprovalDelegation

            today = timezone.localdate()
            principals = ApprovalDelegation.objects.filter(
                organisation=organisation,
                deputy=user,
                is_active=True,
                valid_from__lte=today,
                valid_to__gte=today,
            ).values("principal_id")
            invoices = invoices.filter(
                Q(reviewer=user) | Q(reviewer__in=principals, status=SupplierInvoice.Status.WAITING_REVIEW)
            )
        return invoices
    if roles & (SUPPLIER_ROLES | {Role.ADMIN}):
        return invoices.filter(supplier__organisation=organisation).select_related("organisation")
    return SupplierInvoice.objects.none()


def invoice_get(*, user: Any, organisation: Any, invoice_id: int) -> SupplierInvoice:
    try:
        return (
            invoice_list(user=user, organisation=organisation)
            .select_related("document", "duplicate_of", "organisation", "purchase_order")
            .get(pk=invoice_id)
        )
    except (SupplierInvoice.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def can_work_queue(*, user: Any, organisation: Any) -> bool:
    return bool(_roles(user, organisation) & {Role.AP_CLERK, Role.ADMIN})


@dataclass
class QueueFilter:
    status: str = ""
    supplier: str = ""
    search: str = ""
    overdue: bool = False


def queue(*, user: Any, organisation: Any, filters: QueueFilter) -> QuerySet[SupplierInvoice]:
    invoices = invoice_list(user=user, organisation=organisation)
    if filters.status:
        invoices = invoices.filter(status=filters.status)
    else:
        invoices = invoices.filter(status__in=PRECHECK_QUEUE).exclude(status=Status.RETURNED)
    if filters.supplier:
        invoices = invoices.filter(supplier_id=filters.supplier)
    if filters.search:
        term = filters.search.strip()
        invoices = invoices.filter(
            Q(number__icontains=term) | Q(seller_name__icontains=term) | Q(buyer_reference__icontains=term)
        )
    if filters.overdue:
        invoices = invoices.filter(due_date__lt=timezone.localdate())
    return invoices.order_by("due_date", "pk")


def queue_counts(*, user: Any, organisation: Any) -> dict[str, int]:
    """One query: how many invoices are in each queue status."""
    invoices = invoice_list(user=user, organisation=organisation)
    aggregates = {str(status): Count("pk", filter=Q(status=status)) for status in PRECHECK_QUEUE}
    return invoices.aggregate(**aggregates)


def messages_of(invoice: SupplierInvoice) -> QuerySet[InvoiceMessage]:
    return invoice.messages.order_by("created_at", "pk")


# --- late payment ------------------------------------------------------------------------------------


def reference_rate_on(day: dt.date) -> Decimal:
    """The Riksbank reference rate in force on ``day`` (the latest one registered from before it)."""
    rate = ReferenceRate.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
    return rate.rate if rate is not None else conf.default_reference_rate()


@dataclass
class LateCost:
    rate: Decimal  # interest in percent per year: reference rate + 8
    per_day: Decimal
    days_late: int
    accrued: Decimal


def late_cost(
    invoice: SupplierInvoice, *, rate: Decimal | None = None, today: dt.date | None = None
) -> LateCost | None:
    """What paying late costs: interest per day, and what has accrued if the due date has passed."""
    if (
        invoice.payable_amount is None
        or invoice.due_date is None
        or invoice.kind != SupplierInvoice.Kind.INVOICE
    ):
        return None
    today = today or timezone.localdate()
    yearly = (rate if rate is not None else reference_rate_on(today)) + conf.LATE_PAYMENT_MARGIN
    per_day = (invoice.payable_amount * yearly / 100 / 365).quantize(Decimal("0.01"))
    days_late = max((today - invoice.due_date).days, 0)
    return LateCost(rate=yearly, per_day=per_day, days_late=days_late, accrued=per_day * days_late)


# --- suggested coding --------------------------------------------------------------------------------


@dataclass
class SuggestedLine:
    account: str
    cost_centre: str
    project: str
    amount: Decimal


@dataclass
class Suggestion:
    source: str
    explanation: str
    lines: list[SuggestedLine] = field(default_factory=list)
    from_invoice: SupplierInvoice | None = None


def _split(amount: Decimal, lines: list[CodingLine]) -> list[SuggestedLine]:
    """Spread ``amount`` over the earlier lines in the same proportions; the last line takes the rounding."""
    total = sum((line.amount for line in lines), Decimal(0))
    result = []
    remaining = amount
    for index, line in enumerate(lines):
        if index == len(lines) - 1 or not total:
            share = remaining
        else:
            share = (amount * line.amount / total).quantize(Decimal("0.01"))
        remaining -= share
        result.append(SuggestedLine(line.account, line.cost_centre, line.project, share))
        if not total:
            break
    return result


def coding_suggestion(invoice: SupplierInvoice) -> Suggestion:
    """Suggested coding: from the linked order (when ordering exists), else this supplier's latest coded
    invoice to the same department, else the supplier's default account. Says where it came from."""
    amount = invoice.net_amount if invoice.net_amount is not None else (invoice.payable_amount or Decimal(0))
    existing = list(invoice.coding_lines.all())
    if existing:
        return Suggestion(
            CodingLine.Source.MANUAL,
            _("The coding saved for this invoice."),
            [SuggestedLine(c.account, c.cost_centre, c.project, c.amount) for c in existing],
        )
    order_coding = _order_coding(invoice)
    if order_coding and invoice.purchase_order is not None:
        return Suggestion(
            CodingLine.Source.ORDER,
            _("From the coding of order %(order)s.") % {"order": invoice.purchase_order.number},
            order_coding,
        )
    if invoice.supplier_id:
        earlier = (
            SupplierInvoice.objects.filter(
                Q(department_id=invoice.department_id)
                if invoice.department_id is not None
                else Q(department_id__isnull=True),
                supplier_id=invoice.supplier_id,
                status__in=[Status.WAITING_REVIEW, Status.APPROVED, Status.PAID],
                coding_lines__isnull=False,
            )
            .exclude(pk=invoice.pk)
            .order_by("-sent_to_review_at", "-pk")
            .first()
        )
        if earlier is not None:
            lines = list(earlier.coding_lines.all())
            return Suggestion(
                CodingLine.Source.HISTORY,
                _("As invoice %(number)s from %(supplier)s to %(department)s was coded.")
                % {
                    "number": earlier.number,
                    "supplier": invoice.seller_name,
                    "department": invoice.department.name if invoice.department else _("no department"),
                },
                _split(amount, lines),
                earlier,
            )
        default = SupplierCodingDefault.objects.filter(supplier_id=invoice.supplier_id).first()
        if default is not None:
            cost_centre = default.cost_centre or _department_cost_centre(invoice)
            return Suggestion(
                CodingLine.Source.SUPPLIER_DEFAULT,
                _("The default account of %(supplier)s.") % {"supplier": invoice.seller_name},
                [SuggestedLine(default.account, cost_centre, "", amount)],
            )
    return Suggestion(
        CodingLine.Source.MANUAL,
        _("No suggestion: code the invoice by hand."),
        [SuggestedLine("", _department_cost_centre(invoice), "", amount)],
    )


def _department_cost_centre(invoice: SupplierInvoice) -> str:
    department = invoice.department
    centre = getattr(department, "default_cost_centre", None) if department is not None else None
    return centre.code if centre is not None else ""


def _order_coding(invoice: SupplierInvoice) -> list[SuggestedLine]:
    """The coding of the purchase order the invoice refers to, spread over the invoice's amount excl. VAT
    in the order's proportions."""
    if invoice.purchase_order is None:
        return []
    from avrop.ordering.selectors import order_coding

    coding = [
        CodingLine(account=account, cost_centre=centre, amount=amount)
        for account, centre, amount in order_coding(invoice.purchase_order)
    ]
    if not coding:
        return []
    amount = invoice.net_amount if invoice.net_amount is not None else (invoice.payable_amount or Decimal(0))
    return _split(amount, coding)


def reviewers_for(*, organisation: Any) -> QuerySet[Any]:
    """The people an invoice can be sent to for approval: active approvers of ``organisation`` who are not
    its auditors (whether their limits cover a given invoice is checked when it is sent)."""
    from avrop.organisations.models import Membership, User

    auditors = Membership.objects.filter(organisation=organisation, role=Role.AUDITOR, is_active=True)
    return (
        User.objects.filter(
            memberships__organisation=organisation,
            memberships__role=Role.APPROVER,
            memberships__is_active=True,
            is_active=True,
        )
        .exclude(pk__in=auditors.values("user_id"))
        .distinct()
        .order_by("last_name", "first_name")
    )


def status_for_supplier(
    *, user: Any, organisation: Any, supplier_id: int, number: str
) -> list[SupplierInvoice]:
    """For the API: this invoice number from supplier relation ``supplier_id``, as the caller may see it."""
    invoices = invoice_list(user=user, organisation=organisation).filter(
        supplier_id=supplier_id, number=number
    )
    return list(invoices.prefetch_related("messages").order_by("pk"))
