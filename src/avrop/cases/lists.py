"""The support-case list: columns, sorting and filters (the shared layer in core.lists). The status tabs of
the page stay as they are (``?status=``); these filters narrow within the chosen tab."""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from avrop.cases.checklists import CaseType
from avrop.cases.models import Case
from avrop.core import lists

PERSON = ("requester__first_name", "requester__last_name", "requester__username")


class CaseTable(lists.ListTable):
    subject = tables.Column(
        verbose_name=_("Case"), linkify=("cases:detail", [tables.A("pk")]), order_by=("pk",)
    )
    case_type = tables.Column(verbose_name=_("Type"))
    requester = tables.Column(verbose_name=_("Requester"), order_by=PERSON)
    concerns = tables.Column(
        verbose_name=_("Concerns"),
        accessor="pk",
        order_by=("supplier__organisation__name", "department__name"),
    )
    status = lists.StatusColumn(verbose_name=_("Status"))
    checklist = tables.Column(verbose_name=_("Checklist"), accessor="steps_total", orderable=False)
    updated_at = lists.MomentColumn(verbose_name=_("Updated"))

    class Meta(lists.ListTable.Meta):
        model = Case
        fields = ()

    def render_subject(self, value: str, record: Case) -> str:
        return f"#{record.pk} {value}"

    def value_subject(self, value: str, record: Case) -> str:
        return f"#{record.pk} {value}"

    def render_concerns(self, record: Case) -> str:
        parts = []
        if record.supplier:
            parts.append(record.supplier.organisation.name)
        if record.department:
            parts.append(record.department.name)
        text = ", ".join(parts)
        if record.order_reference:
            order = f"{gettext('order')} {record.order_reference}"
            text = f"{text} · {order}" if text else order
        return text or "–"

    def value_concerns(self, record: Case) -> str:
        return self.render_concerns(record)

    def render_checklist(self, value: int, record: Any) -> str:
        return f"{record.steps_done}/{value}" if value else "–"

    def value_checklist(self, value: int, record: Any) -> str:
        return self.render_checklist(value, record)


class CaseFilter(lists.ListFilter):
    q = django_filters.CharFilter(label=_("Case number or subject"), method="search")
    case_type = django_filters.ChoiceFilter(label=_("Type"), choices=CaseType.choices, empty_label=_("Any"))
    updated_from = lists.date_from("updated_at", _("Updated from"))
    updated_to = lists.date_to("updated_at", _("Updated until"))

    class Meta:
        model = Case
        fields: tuple[str, ...] = ()

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        match = Q(subject__icontains=value)
        if value.lstrip("#").isdigit():
            match |= Q(pk=int(value.lstrip("#")))
        return queryset.filter(match)
