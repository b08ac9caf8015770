"""The audit trail as a list: search by person, object, action and date, sortable, exported (core.lists)."""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django.db.models import Q, QuerySet
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from avrop.core import lists
from avrop.core.models import AuditEvent
from avrop.web.audit_labels import audit_action_label


class AuditTable(lists.ListTable):
    occurred_at = lists.MomentColumn(verbose_name=_("When"))
    actor_name = tables.Column(verbose_name=_("Who"))
    action = tables.Column(verbose_name=_("Action"))
    object_repr = tables.Column(verbose_name=_("Object"))
    request_id = tables.Column(verbose_name=_("Request id"), orderable=False)

    class Meta(lists.ListTable.Meta):
        model = AuditEvent
        fields = ()

    def render_action(self, value: str) -> str:
        # The action in words; the code stays in a details line for support.
        return format_html(
            '{}<br><span class="detail"><code>{}</code></span>', audit_action_label(value), value
        )

    def value_action(self, value: str) -> str:
        return f"{audit_action_label(value)} ({value})"

    def render_request_id(self, value: str) -> str:
        return format_html("<code>{}</code>", value[:12])


class AuditFilter(lists.ListFilter):
    person = django_filters.CharFilter(label=_("Person"), field_name="actor_name", lookup_expr="icontains")
    object = django_filters.CharFilter(label=_("Object"), method="search_object")
    action = django_filters.CharFilter(label=_("Action code"), field_name="action", lookup_expr="icontains")
    occurred_from = lists.date_from("occurred_at")
    occurred_to = lists.date_to("occurred_at")

    class Meta:
        model = AuditEvent
        fields: tuple[str, ...] = ()

    def search_object(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """The object's name as shown, or its type and id (``purchase_order:12`` or just ``12``)."""
        value = value.strip()
        match = Q(object_repr__icontains=value)
        kind, _sep, ident = value.rpartition(":")
        if kind and ident:
            match |= Q(object_type=kind.strip(), object_id=ident.strip())
        elif value.isdigit():
            match |= Q(object_id=value)
        return queryset.filter(match)
