"""Key figures of the AP team for a period: matched and touchless shares, lead times in business days,
invoices paid late and the late-payment interest they cost. Reads only; scoped to one organisation."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from avrop.core.calendar import count_business_days
from avrop.payables import conf
from avrop.payables.matching.models import InvoiceMatch
from avrop.payables.models import SupplierInvoice

Status = SupplierInvoice.Status
MATCHING = {InvoiceMatch.MATCHED, InvoiceMatch.WITHIN_TOLERANCE}


@dataclass
class KeyFigures:
    start: dt.date
    end: dt.date  # exclusive
    received: int = 0
    with_order: int = 0
    matched: int = 0
    touchless: int = 0
    by_subscription: int = 0  # of the touchless: approved by a subscription's rule
    match_results: dict[str, int] = field(default_factory=dict)
    attest_days: list[int] = field(default_factory=list)
    payment_days: list[int] = field(default_factory=list)
    paid: int = 0
    paid_late: int = 0
    late_interest: Decimal = Decimal("0.00")

    @staticmethod
    def _share(part: int, whole: int) -> Decimal | None:
        return (Decimal(part) * 100 / whole).quantize(Decimal("0.1")) if whole else None

    @property
    def order_share(self) -> Decimal | None:
        return self._share(self.with_order, self.received)

    @property
    def matched_share(self) -> Decimal | None:
        """Of the invoices naming an order, those matching it (exactly or within tolerance)."""
        return self._share(self.matched, self.with_order)

    @property
    def touchless_share(self) -> Decimal | None:
        return self._share(self.touchless, self.received)

    @property
    def attest_median(self) -> float | None:
        return statistics.median(self.attest_days) if self.attest_days else None

    @property
    def payment_median(self) -> float | None:
        return statistics.median(self.payment_days) if self.payment_days else None

    @property
    def late_share(self) -> Decimal | None:
        return self._share(self.paid_late, self.paid)


def key_figures(*, organisation: Any, start: dt.date, end: dt.date) -> KeyFigures:
    """Figures for invoices received, attested and paid in [start, end)."""
    from avrop.payables.selectors import reference_rate_on

    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end, dt.time.min, tzinfo=tz)
    figures = KeyFigures(start=start, end=end)
    invoices = SupplierInvoice.objects.filter(organisation=organisation, kind=SupplierInvoice.Kind.INVOICE)
    received = list(
        invoices.filter(created_at__gte=since, created_at__lt=until).values_list(
            "purchase_order_id", "match_status", "touchless", "subscription_match__within_tolerance"
        )
    )
    figures.received = len(received)
    figures.with_order = sum(1 for order, _m, _t, _s in received if order)
    figures.matched = sum(1 for order, match, _t, _s in received if order and match in MATCHING)
    figures.touchless = sum(1 for _o, _m, touchless, _s in received if touchless)
    figures.by_subscription = sum(1 for _o, _m, touchless, rule in received if touchless and rule)
    rates: dict[dt.date, Decimal] = {}
    figures.match_results = dict(Counter(match or "" for order, match, _t, _s in received if order))
    for created, approved in invoices.filter(approved_at__gte=since, approved_at__lt=until).values_list(
        "created_at", "approved_at"
    ):
        figures.attest_days.append(
            count_business_days(timezone.localdate(created), timezone.localdate(approved))
        )
    for approved, paid, due, amount in invoices.filter(
        Q(paid_at__gte=since) & Q(paid_at__lt=until), status=Status.PAID
    ).values_list("approved_at", "paid_at", "due_date", "payable_amount"):
        figures.paid += 1
        paid_on = timezone.localdate(paid)
        if approved is not None:
            figures.payment_days.append(count_business_days(timezone.localdate(approved), paid_on))
        if due is not None and paid_on > due and amount is not None:
            figures.paid_late += 1
            if due not in rates:  # the reference rate changes twice a year: one read per due date
                rates[due] = reference_rate_on(due) + conf.LATE_PAYMENT_MARGIN
            yearly = rates[due]
            figures.late_interest += (amount * yearly / 100 / 365 * (paid_on - due).days).quantize(
                Decimal("0.01")
            )
    return figures
