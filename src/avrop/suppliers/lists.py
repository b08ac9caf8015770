"""The supplier register as a list (a supplier organisation sees its customers): sorting, filters and
export through the shared layer in core.lists."""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from avrop.core import lists
from avrop.suppliers.models import Supplier


class SupplierTable(lists.ListTable):
    name = tables.Column(
        verbose_name=_("Supplier"),
        accessor="organisation__name",
        linkify=("suppliers:detail", [tables.A("pk")]),
    )
    buyer = tables.Column(verbose_name=_("Buyer"), accessor="buyer__name")
    org_number = tables.Column(verbose_name=_("Organisation number"), accessor="organisation__org_number")
    connection = tables.Column(verbose_name=_("Connection"))
    is_active = tables.Column(verbose_name=_("Active"))

    class Meta(lists.ListTable.Meta):
        model = Supplier
        fields = ()

    def render_is_active(self, value: bool) -> str:
        return str(_("yes") if value else _("no"))

    def value_is_active(self, value: bool) -> str:
        return self.render_is_active(value)


class SupplierFilter(lists.ListFilter):
    q = django_filters.CharFilter(label=_("Name or organisation number"), method="search")
    connection = django_filters.ChoiceFilter(
        label=_("Connection"), choices=Supplier._meta.get_field("connection").choices, empty_label=_("Any")
    )
    is_active = django_filters.ChoiceFilter(
        label=_("Active"),
        choices=[("1", _("yes")), ("0", _("no"))],
        empty_label=_("Any"),
        method="active",
    )

    class Meta:
        model = Supplier
        fields: tuple[str, ...] = ()

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        return queryset.filter(
            Q(organisation__name__icontains=value)
            | Q(organisation__org_number__icontains=value)
            | Q(buyer__name__icontains=value)
        )

    def active(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(is_active=value == "1")
