"""Reads of service-partner orders, scoped by the acting organisation: a partner sees the orders handed to it,
a supplier the orders it handed over; anything else is ``NotFound``."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from avrop.core.errors import NotFound
from avrop.organisations.models import Organisation
from avrop.serviceorders import clocks
from avrop.serviceorders.models import (
    BillingStatement,
    PartnerInvoice,
    ServiceOrder,
    ServiceOrderStep,
    ServiceOrderStepDay,
)
from avrop.serviceorders.workflows import BEFORE_HANDOVER, QUEUE_SECTIONS

Status = ServiceOrder.Status
Step = ServiceOrderStep.Step
ROWS_PER_SECTION = 8
QUEUE_COLUMNS = (
    "pk",
    "sp_id",
    "status",
    "service",
    "product",
    "customer_name",
    "customer_city",
    "due_on",
    "appointment_on",
    "goods_arrival_on",
    "amount",
    "currency",
    "supplier__name",
)


def is_partner(organisation: Any) -> bool:
    return getattr(organisation, "kind", "") == Organisation.Kind.SERVICE_PARTNER


def is_supplier(organisation: Any) -> bool:
    return getattr(organisation, "kind", "") == Organisation.Kind.SUPPLIER


def partner_orders(*, user: Any, organisation: Organisation) -> QuerySet[ServiceOrder]:
    if not is_partner(organisation):
        return ServiceOrder.objects.none()
    return ServiceOrder.objects.filter(partner=organisation).exclude(status__in=BEFORE_HANDOVER)


def supplier_orders(*, user: Any, organisation: Organisation) -> QuerySet[ServiceOrder]:
    if not is_supplier(organisation):
        return ServiceOrder.objects.none()
    return ServiceOrder.objects.filter(supplier=organisation)


def order_for(*, user: Any, organisation: Organisation, pk: int) -> ServiceOrder:
    """One order of the partner's (or the supplier's) with its parties and clocked steps."""
    base = (
        partner_orders(user=user, organisation=organisation)
        if is_partner(organisation)
        else supplier_orders(user=user, organisation=organisation)
    )
    order = (
        base.select_related("supplier", "partner", "statement")
        .prefetch_related("steps")
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise NotFound()
    return order


@dataclass
class QueueSection:
    status: str
    label: str
    count: int
    rows: list[dict[str, Any]] = field(default_factory=list)


def _mark(rows: list[dict[str, Any]], today: dt.date, soon: dt.date) -> list[dict[str, Any]]:
    for row in rows:
        due = row["due_on"]
        row["clock"] = "" if due is None else "late" if today > due else "due_soon" if due <= soon else "ok"
    return rows


def work_queue(
    *, user: Any, organisation: Organisation, section: str | None = None, limit: int = ROWS_PER_SECTION
) -> list[QueueSection]:
    """The partner's welcome page: each section of the seed with its count and its most urgent orders (the
    earliest deadline first). One query for the counts and one per section shown: the page's query count does
    not grow with the orders."""
    orders = partner_orders(user=user, organisation=organisation)
    # Only the queue's statuses: the billed orders of past years (most of them) are not read at all.
    counts = dict(
        orders.filter(status__in=QUEUE_SECTIONS).values_list("status").annotate(n=Count("pk")).order_by()
    )
    today = timezone.localdate()
    soon = clocks.due(organisation, today, clocks.WARN_DAYS_BEFORE)
    labels = dict(Status.choices)
    sections = []
    for status in QUEUE_SECTIONS:
        shown = limit > 0 and (section is None or section == status)
        rows: list[dict[str, Any]] = []
        if shown and counts.get(status):
            rows = _mark(
                list(orders.filter(status=status).order_by("due_on", "pk").values(*QUEUE_COLUMNS)[:limit]),
                today,
                soon,
            )
        sections.append(
            QueueSection(status=status, label=str(labels[status]), count=counts.get(status, 0), rows=rows)
        )
    return sections


def supplier_queue(
    *, user: Any, organisation: Organisation, status: str | None, limit: int = 100
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    orders = supplier_orders(user=user, organisation=organisation)
    counts = dict(orders.values_list("status").annotate(n=Count("pk")).order_by())
    chosen = (
        orders.filter(status=status)
        if status
        else orders.exclude(status__in=[Status.BILLED, Status.CANCELLED])
    )
    rows = (
        []
        if not limit
        else list(chosen.order_by("due_on", "pk").values(*QUEUE_COLUMNS[:-1], "partner__name")[:limit])
    )
    today = timezone.localdate()
    return counts, _mark(rows, today, today + dt.timedelta(days=1))


def billable_orders(*, user: Any, organisation: Organisation) -> QuerySet[ServiceOrder]:
    return (
        partner_orders(user=user, organisation=organisation)
        .filter(status=Status.COMPLETED, statement__isnull=True)
        .select_related("supplier")
        .order_by("supplier__name", "executed_at", "pk")
    )


def statements(*, user: Any, organisation: Organisation) -> QuerySet[BillingStatement]:
    if is_partner(organisation):
        scoped = BillingStatement.objects.filter(partner=organisation)
    elif is_supplier(organisation):
        scoped = BillingStatement.objects.filter(supplier=organisation)
    else:
        return BillingStatement.objects.none()
    return scoped.select_related("partner", "supplier").defer("pdf")


def statement_for(*, user: Any, organisation: Organisation, pk: int) -> BillingStatement:
    statement = statements(user=user, organisation=organisation).filter(pk=pk).first()
    if statement is None:
        raise NotFound()
    return statement


def statement_pdf(*, user: Any, organisation: Organisation, pk: int) -> tuple[str, bytes]:
    row = statements(user=user, organisation=organisation).filter(pk=pk).values_list("number", "pdf").first()
    if row is None:
        raise NotFound()
    return row[0], bytes(row[1])


def statement_invoices(*, statement: BillingStatement) -> QuerySet[PartnerInvoice]:
    return statement.invoices.select_related("uploaded_by").defer("content")


# --- SLA report ---------------------------------------------------------------------------------------


@dataclass
class StepFigures:
    step: str
    label: str
    done: int = 0
    on_time: int = 0
    median: float | None = None
    p95: float | None = None
    open_late: int = 0

    @property
    def share_on_time(self) -> float | None:
        return self.on_time / self.done if self.done else None


def _percentile(histogram: list[tuple[int, int]], total: int, share: float) -> float | None:
    """The nearest-rank percentile of business days from (days, count) pairs in ascending days."""
    if not total:
        return None
    rank = max(math.ceil(share * total), 1)
    seen = 0
    for days, count in histogram:
        seen += count
        if seen >= rank:
            return float(days)
    return float(histogram[-1][0])


def sla_report(
    *,
    user: Any,
    organisation: Organisation,
    since: dt.date | None = None,
    until: dt.date | None = None,
    by: int | None = None,
) -> list[StepFigures]:
    """Per step: how many were done in the period, the share on time, median and 95th percentile of the lead
    time in business days, and how many open steps are past their deadline. A partner sees its own figures;
    a supplier those of all its partners (or of one, ``by`` its id). One sum over the daily histogram and one
    count of the late open steps."""
    if is_partner(organisation):
        steps = ServiceOrderStep.objects.filter(partner=organisation)
        days = ServiceOrderStepDay.objects.filter(partner=organisation)
    elif is_supplier(organisation):
        steps = ServiceOrderStep.objects.filter(supplier=organisation)
        days = ServiceOrderStepDay.objects.filter(supplier=organisation)
        if by:
            steps = steps.filter(partner_id=by)
            days = days.filter(partner_id=by)
    else:
        raise NotFound()
    until = until or timezone.localdate()
    since = since or until - dt.timedelta(days=365)
    done = (
        days.filter(day__gte=since, day__lte=until)
        .values_list("step", "business_days", "on_time")
        .annotate(n=Sum("count"))
        .order_by()
    )
    histograms: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    figures = {step: StepFigures(step=step, label=str(label)) for step, label in Step.choices}
    for step, days, on_time, n in done:
        figures[step].done += n
        if on_time:
            figures[step].on_time += n
        histograms[step][days or 0] += n
    for step, histogram in histograms.items():
        ordered = sorted(histogram.items())
        figures[step].median = _percentile(ordered, figures[step].done, 0.5)
        figures[step].p95 = _percentile(ordered, figures[step].done, 0.95)
    late = (
        # done_on, not done_at: it follows the owner in the steps' index (the open steps are one short range).
        steps.filter(done_on__isnull=True, due_on__lt=timezone.localdate())
        .values_list("step")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for step, n in late:
        figures[step].open_late = n
    return list(figures.values())


def partners_of(*, user: Any, organisation: Organisation) -> list[tuple[int, str]]:
    if not is_supplier(organisation):
        return []
    ids = ServiceOrder.objects.filter(supplier=organisation).values_list("partner_id").distinct()
    return list(Organisation.objects.filter(pk__in=ids).order_by("name").values_list("pk", "name"))
