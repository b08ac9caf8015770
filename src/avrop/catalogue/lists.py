"""The price-list list: sorting, filters (supplier, agreement, status, received) and export (core.lists)."""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django.db.models import Q, QuerySet
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from avrop.catalogue.models import CatalogueVersion
from avrop.core import lists

Status = CatalogueVersion.Status


class CountColumn(lists.QuantityColumn):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("attrs", {"th": {"class": "number"}, "td": {"class": "number"}})
        super().__init__(*args, **kwargs)


class PriceListTable(lists.ListTable):
    created_at = lists.MomentColumn(verbose_name=_("Received"))
    agreement = tables.Column(verbose_name=_("Agreement"), accessor="agreement__reference")
    supplier = tables.Column(verbose_name=_("Supplier"), accessor="supplier__name")
    number = tables.Column(verbose_name=_("Version"), linkify=("catalogue:price_list", [tables.A("pk")]))
    file = tables.Column(verbose_name=_("File"), accessor="inbound_file__filename")
    status = tables.Column(verbose_name=_("Status"))
    added = CountColumn(verbose_name=_("Added"))
    changed = CountColumn(verbose_name=_("Changed"))
    removed = CountColumn(verbose_name=_("Removed"))
    error_rows = CountColumn(verbose_name=_("Errors"))

    class Meta(lists.ListTable.Meta):
        model = CatalogueVersion
        fields = ()

    def render_number(self, value: int) -> str:
        return gettext("Version %(n)s") % {"n": value}

    def render_status(self, value: str, record: CatalogueVersion) -> str:
        if record.status == Status.REVIEW:
            text = format_html("<strong>{}</strong>", value)
            if record.over_limit:
                above = ngettext(
                    "%(n)s price above the limit", "%(n)s prices above the limit", record.over_limit
                ) % {"n": record.over_limit}
                text = format_html('{} <span class="warn">{}</span>', text, above)
            return text
        if record.status in (Status.FAILED, Status.REJECTED):
            return format_html('<span class="warn">{}</span>', value)
        return str(value)

    def value_status(self, value: str) -> str:
        return str(value)


class PriceListFilter(lists.ListFilter):
    q = django_filters.CharFilter(label=_("Supplier, agreement or file"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices, empty_label=_("Any"))
    received_from = lists.date_from("created_at", _("Received from"))
    received_to = lists.date_to("created_at", _("Received until"))

    class Meta:
        model = CatalogueVersion
        fields: tuple[str, ...] = ()

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        return queryset.filter(
            Q(supplier__name__icontains=value)
            | Q(agreement__reference__icontains=value)
            | Q(inbound_file__filename__icontains=value)
        )
