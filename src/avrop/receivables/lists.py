"""The customer-invoice list: sorting, search, invoice and due dates, export (core.lists). The status tabs of
the page stay as they are (``?status=``); these filters narrow within the chosen tab."""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from avrop.core import formatting, lists
from avrop.receivables.models import CustomerInvoice

INVOICE = CustomerInvoice.Kind.INVOICE


class OpenColumn(lists.AmountColumn):
    """What is left to pay of an invoice (a credit note has none)."""

    def render(self, value: Any, record: Any = None) -> str:
        return formatting.amount(record.open_amount) if record.kind == INVOICE else "–"

    def value(self, value: Any, record: Any = None) -> Any:
        return record.open_amount if record.kind == INVOICE else None


class CustomerInvoiceTable(lists.ListTable):
    number = tables.Column(
        verbose_name=_("Number"), linkify=("receivables:invoice", [tables.A("pk")]), empty_values=()
    )
    customer = tables.Column(verbose_name=_("Customer"), accessor="customer__name")
    status = lists.StatusColumn(verbose_name=_("Status"))
    issue_date = lists.DateColumn(verbose_name=_("Invoice date"))
    due_date = lists.DateColumn(verbose_name=_("Due date"))
    total_amount = lists.MoneyColumn(verbose_name=_("Total"))
    open_amount = OpenColumn(
        verbose_name=_("Open"),
        accessor="pk",
        order_by=("open_sort",),
    )
    ocr_reference = tables.Column(verbose_name=_("OCR reference"))

    class Meta(lists.ListTable.Meta):
        model = CustomerInvoice
        fields = ()

    def render_number(self, value: str, record: CustomerInvoice) -> str:
        return f"{record.get_kind_display()} {value or gettext('(draft)')}"

    def value_number(self, value: str, record: CustomerInvoice) -> str:
        return self.render_number(value, record)

    def render_due_date(self, value: Any, record: CustomerInvoice) -> str:
        return formatting.day(value) if record.kind == INVOICE else "–"

    def value_due_date(self, value: Any, record: CustomerInvoice) -> Any:
        return value if record.kind == INVOICE else None


def with_open_amount(rows: QuerySet[CustomerInvoice]) -> QuerySet[CustomerInvoice]:
    """The open amount as a column the database can sort by (the model computes the same)."""
    return rows.annotate(open_sort=F("total_amount") - F("paid_amount") - F("credited_amount"))


class CustomerInvoiceFilter(lists.ListFilter):
    q = django_filters.CharFilter(label=_("Number, customer or OCR reference"), method="search")
    issued_from = lists.date_from("issue_date", _("Invoice date from"))
    issued_to = lists.date_to("issue_date", _("Invoice date until"))
    due_to = lists.date_to("due_date", _("Due by"))

    class Meta:
        model = CustomerInvoice
        fields: tuple[str, ...] = ()

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        term = value.strip()
        return queryset.filter(
            Q(number__icontains=term) | Q(customer__name__icontains=term) | Q(ocr_reference=term)
        )
