from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from avrop.core import formatting
from avrop.core.home import ROWS_PER_SECTION, Row, Section
from avrop.organisations.models import DepartmentRequest
from avrop.organisations.roles import Role
from avrop.organisations.selectors import department_list, department_request_list, memberships_of
from avrop.organisations.selectors.approval import authority_of

CLOSED = [
    DepartmentRequest.Status.COMPLETED,
    DepartmentRequest.Status.REJECTED,
    DepartmentRequest.Status.CANCELLED,
]


def sections(*, user: Any, organisation: Any, roles: frozenset[str]) -> list[Section]:
    result: list[Section] = []
    if roles & {Role.REQUISITIONER, Role.GOODS_RECEIVER, Role.APPROVER}:
        own = [
            m for m in memberships_of(user=user) if m.organisation_id == organisation.pk and m.department_id
        ]
        rows = [
            Row(
                text=m.department.name if m.department else "",
                url=reverse("organisations:department_detail", args=[m.department_id]),
                detail=m.get_role_display(),
            )
            for m in own
        ]
        result.append(
            Section(
                title=_("Your departments"),
                rows=rows,
                order=10,
                empty_text=_("You are not placed in a department yet. Ask your coordinator."),
            )
        )
    if roles & {Role.COORDINATOR, Role.ADMIN}:
        departments = department_list(user=user, organisation=organisation)
        total = departments.count()
        rows = [
            Row(
                text=d.name,
                url=reverse("organisations:department_detail", args=[d.pk]),
                detail=(f"GLN {d.gln}" if d.gln else _("no GLN yet"))
                + ("" if d.is_active else " · " + _("not ready")),
            )
            for d in departments[:ROWS_PER_SECTION]
        ]
        result.append(
            Section(
                title=_("Departments"),
                rows=rows,
                total=total,
                order=40,
                more_url=reverse("organisations:departments"),
                empty_text=_("No departments yet."),
            )
        )
    if roles & {Role.COORDINATOR, Role.ADMIN}:
        waiting = (
            department_request_list(user=user, organisation=organisation)
            .exclude(status__in=CLOSED)
            .annotate(
                suppliers=Count("supplier_steps"),
                numbers=Count("supplier_steps", filter=~Q(supplier_steps__customer_number="")),
            )
        )
        total = waiting.count()
        rows = [
            Row(
                text=f"{r.reference} {r.name}",
                url=reverse("organisations:request_detail", args=[r.pk]),
                detail=_request_detail(r),
            )
            for r in waiting[:ROWS_PER_SECTION]
        ]
        result.append(
            Section(
                title=_("Department requests in progress"),
                attention=True,
                rows=rows,
                total=total,
                order=35,
                more_url=reverse("organisations:requests"),
                empty_text=_("No department requests waiting."),
            )
        )
    if Role.APPROVER in roles:
        rules = list(authority_of(user=user, organisation=organisation)[:ROWS_PER_SECTION])
        rows = [
            Row(
                text=_("%(kind)s up to %(limit)s %(currency)s")
                % {
                    "kind": r.get_document_kind_display(),
                    "limit": formatting.amount(r.amount_limit),
                    "currency": r.currency,
                },
                detail=_cost_centres(r, user),
            )
            for r in rules
        ]
        result.append(
            Section(
                title=_("Your approval authority"),
                rows=rows,
                order=20,
                empty_text=_("You have no approval rule yet. Ask your coordinator."),
            )
        )
    return result


def _request_detail(request: Any) -> str:
    if request.status == DepartmentRequest.Status.SUPPLIERS_NOTIFIED:
        return _("%(numbers)s of %(suppliers)s customer numbers") % {
            "numbers": request.numbers,
            "suppliers": request.suppliers,
        }
    return str(request.get_status_display())


def _cost_centres(rule: Any, user: Any) -> str:
    centres = (
        _("all cost centres") if rule.all_cost_centres else ", ".join(c.code for c in rule.cost_centres.all())
    )
    if rule.approver_id != user.pk:
        return _("%(centres)s – as deputy for %(principal)s") % {
            "centres": centres,
            "principal": rule.approver,
        }
    return str(centres)
