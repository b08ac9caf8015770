"""The supplier-invoice queue as a list: sorting, search, overdue and due dates, export (core.lists). The
queue tabs (``?status=``) and the supplier (``?supplier=``) stay with the selector."""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from avrop.core import formatting, lists
from avrop.payables import selectors
from avrop.payables.models import SupplierInvoice


class InvoiceTable(lists.ListTable):
    number = tables.Column(
        verbose_name=_("Invoice"), linkify=("payables:invoice", [tables.A("pk")]), empty_values=()
    )
    seller_name = tables.Column(verbose_name=_("Supplier"))
    status = tables.Column(verbose_name=_("Status"))
    department = tables.Column(
        verbose_name=_("Department / reviewer"), accessor="department__name", empty_values=()
    )
    payable_amount = lists.MoneyColumn(verbose_name=_("Amount due"))
    due_date = lists.DateColumn(verbose_name=_("Due"))
    late = lists.AmountColumn(verbose_name=_("Late-payment cost per day"), accessor="pk", orderable=False)
    findings = tables.Column(
        verbose_name=_("Findings"), accessor="fatal_count", order_by=("-fatal_count", "-warning_count")
    )

    class Meta(lists.ListTable.Meta):
        model = SupplierInvoice
        fields = ()

    def __init__(self, *args: Any, rate: Any = None, **kwargs: Any) -> None:
        self.rate = rate
        super().__init__(*args, **kwargs)

    def _late(self, record: SupplierInvoice) -> Any:
        return selectors.late_cost(record, rate=self.rate)

    def render_number(self, value: str, record: SupplierInvoice) -> SafeString:
        text = f"{record.get_kind_display()} {value or '–'}"
        if record.channel == "pdf":
            return format_html('{} <span class="badge">PDF</span>', text)
        return format_html("{}", text)

    def value_number(self, value: str, record: SupplierInvoice) -> str:
        return f"{record.get_kind_display()} {value or ''}".strip()

    def render_status(self, value: str) -> SafeString:
        return format_html('<span class="badge">{}</span>', value)

    def value_status(self, value: str) -> str:
        return str(value)

    def render_department(self, value: Any, record: SupplierInvoice) -> SafeString:
        name = value or "–"
        if record.reviewer is not None:
            who = record.reviewer.get_full_name() or record.reviewer.username
            return format_html('{}<br><span class="detail">{}</span>', name, who)
        return format_html("{}", name)

    def value_department(self, value: Any, record: SupplierInvoice) -> str:
        reviewer = record.reviewer
        who = (reviewer.get_full_name() or reviewer.username) if reviewer is not None else ""
        return " / ".join(p for p in (value or "", who) if p)

    def render_due_date(self, value: Any, record: SupplierInvoice) -> SafeString:
        late = self._late(record)
        if late and late.days_late:
            n = late.days_late
            days = ngettext("%(counter)s day late", "%(counter)s days late", n) % {"counter": n}
            return format_html(
                '<span class="overdue">{}</span><br><span class="overdue">{}</span>',
                formatting.day(value),
                days,
            )
        return format_html("{}", formatting.day(value))

    def value_due_date(self, value: Any) -> Any:
        return value

    def render_late(self, record: SupplierInvoice) -> SafeString:
        late = self._late(record)
        if not late:
            return mark_safe("–")  # noqa: S308 - a constant dash, no input
        text = formatting.money(late.per_day, record.currency)
        if late.accrued:
            accrued = gettext("accrued %(amount)s") % {
                "amount": formatting.money(late.accrued, record.currency)
            }
            return format_html('{}<br><span class="overdue">{}</span>', text, accrued)
        return format_html("{}", text)

    def value_late(self, record: SupplierInvoice) -> Any:
        late = self._late(record)
        return late.per_day if late else None

    def render_findings(self, record: SupplierInvoice) -> str:
        return self.value_findings(record) or "–"

    def value_findings(self, record: SupplierInvoice) -> str:
        parts = []
        if n := record.fatal_count:
            parts.append(ngettext("%(counter)s error", "%(counter)s errors", n) % {"counter": n})
        if n := record.warning_count:
            parts.append(ngettext("%(counter)s warning", "%(counter)s warnings", n) % {"counter": n})
        return ", ".join(parts)


class InvoiceFilter(lists.ListFilter):
    q = django_filters.CharFilter(label=_("Search: number, supplier or reference"), method="search")
    overdue = django_filters.BooleanFilter(
        label=_("Only past the due date"), method="past_due", widget=forms.CheckboxInput
    )
    due_from = lists.date_from("due_date", _("Due from"))
    due_to = lists.date_to("due_date", _("Due by"))

    class Meta:
        model = SupplierInvoice
        fields: tuple[str, ...] = ()

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        term = value.strip()
        return queryset.filter(
            Q(number__icontains=term) | Q(seller_name__icontains=term) | Q(buyer_reference__icontains=term)
        )

    def past_due(self, queryset: QuerySet[Any], name: str, value: bool) -> QuerySet[Any]:
        return queryset.filter(due_date__lt=timezone.localdate()) if value else queryset
