"""The people list: sorting, search by name, user name or e-mail, a role filter and export (core.lists)."""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django.db.models import Q, QuerySet
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from avrop.core import lists
from avrop.organisations.models import User
from avrop.organisations.roles import Role
from avrop.organisations.selectors import member_history


def _roles_text(record: Any) -> str:
    return ", ".join(
        f"{m.get_role_display()} ({m.department.name})" if m.department else str(m.get_role_display())
        for m in getattr(record, "active_roles", [])
    )


class PersonTable(lists.ListTable):
    name = tables.Column(
        verbose_name=_("Name"),
        accessor="pk",
        order_by=("last_name", "first_name", "username"),
        linkify=("organisations:person_detail", [tables.A("pk")]),
    )
    username = tables.Column(verbose_name=_("User name"))
    email = tables.Column(verbose_name=_("E-mail"))
    roles = tables.Column(verbose_name=_("Roles"), accessor="pk", orderable=False)

    class Meta(lists.ListTable.Meta):
        model = User
        fields = ()

    def render_name(self, record: User) -> str:
        name = record.get_full_name() or record.username
        if not record.is_active:
            return format_html('{} <span class="badge">{}</span>', name, gettext("deactivated"))
        return name

    def value_name(self, record: User) -> str:
        return record.get_full_name() or record.username

    def render_roles(self, record: User) -> str:
        memberships = getattr(record, "active_roles", [])
        if not memberships:
            return format_html('<span class="detail">{}</span>', gettext("no role"))
        return format_html_join(", ", "{}", ((text,) for text in _roles_text(record).split(", ")))

    def value_roles(self, record: User) -> str:
        return _roles_text(record)


class PersonFilter(lists.ListFilter):
    q = django_filters.CharFilter(label=_("Name, user name or e-mail"), method="search")
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=Role.choices, empty_label=_("Any"), method="with_role"
    )

    class Meta:
        model = User
        fields: tuple[str, ...] = ()

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        match = Q()
        for word in value.split():
            match &= (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(username__icontains=word)
                | Q(email__icontains=word)
            )
        return queryset.filter(match)

    def with_role(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # Through the scoped selector: a role in this organisation, never in another one.
        request = self.request
        holders = member_history(user=request.user, organisation=request.organisation).filter(
            role=value, is_active=True
        )
        return queryset.filter(pk__in=holders.values("user_id"))
