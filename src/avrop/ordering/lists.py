"""The purchase-order and requisition lists: columns, sorting and filters (the shared layer in core.lists)."""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from avrop.core import lists
from avrop.ordering.models import PurchaseOrder, Requisition
from avrop.ordering.workflows import OrderStatus, RequisitionStatus

PERSON_ORDER = ("requisitioner__first_name", "requisitioner__last_name", "requisitioner__username")


class OrderTable(lists.ListTable):
    number = tables.Column(verbose_name=_("Order"), linkify=("ordering:order", [tables.A("pk")]))
    supplier = tables.Column(verbose_name=_("Supplier"), order_by=("supplier__organisation__name",))
    requisitioner = tables.Column(
        verbose_name=_("Requisitioner"),
        accessor="requisition__requisitioner",
        order_by=tuple(f"requisition__{f}" for f in PERSON_ORDER),
    )
    ordered_on = lists.DateColumn(verbose_name=_("Ordered"))
    total_amount = lists.MoneyColumn(verbose_name=_("Total"))
    status = lists.StatusColumn(verbose_name=_("Status"))
    transmission_status = lists.StatusColumn(verbose_name=_("Transmission"))
    expected_delivery_date = lists.DateColumn(verbose_name=_("Expected delivery"))

    class Meta(lists.ListTable.Meta):
        model = PurchaseOrder
        fields = ()


class OrderFilter(lists.ListFilter):
    q = django_filters.CharFilter(label=_("Order number or supplier"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=OrderStatus.choices, empty_label=_("Any"))
    ordered_from = lists.date_from("ordered_on", _("Ordered from"))
    ordered_to = lists.date_to("ordered_on", _("Ordered until"))

    class Meta:
        model = PurchaseOrder
        fields: tuple[str, ...] = ()

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        return queryset.filter(Q(number__icontains=value) | Q(supplier__organisation__name__icontains=value))


class RequisitionTable(lists.ListTable):
    number = tables.Column(
        verbose_name=_("Number"), linkify=("ordering:requisition", [tables.A("pk")]), order_by=("id",)
    )
    title = tables.Column(verbose_name=_("Title"))
    requisitioner = tables.Column(verbose_name=_("Requisitioner"), order_by=PERSON_ORDER)
    department = tables.Column(verbose_name=_("Department"), accessor="department__name")
    total_amount = lists.MoneyColumn(verbose_name=_("Total"))
    status = lists.StatusColumn(verbose_name=_("Status"))
    submitted_at = lists.MomentColumn(verbose_name=_("Sent"))

    class Meta(lists.ListTable.Meta):
        model = Requisition
        fields = ()


class RequisitionFilter(lists.ListFilter):
    q = django_filters.CharFilter(label=_("Number or title"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[c for c in RequisitionStatus.choices if c[0] != RequisitionStatus.DRAFT],
        empty_label=_("Any"),
    )
    sent_from = lists.date_from("submitted_at", _("Sent from"))
    sent_to = lists.date_to("submitted_at", _("Sent until"))

    class Meta:
        model = Requisition
        fields: tuple[str, ...] = ()

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # A requisition's number is ``R-<id>``: "R-12" or "12" finds it, other words search the title.
        value = value.strip()
        digits = value.upper().removeprefix("R-")
        match = Q(title__icontains=value)
        if digits.isdigit():
            match |= Q(pk=int(digits))
        return queryset.filter(match)
