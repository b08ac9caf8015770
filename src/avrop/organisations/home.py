from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from avrop.core.home import ROWS_PER_SECTION, Row, Section
from avrop.organisations.roles import Role
from avrop.organisations.selectors import department_list, memberships_of


def sections(*, user: Any, organisation: Any, roles: frozenset[str]) -> list[Section]:
    result: list[Section] = []
    if roles & {Role.REQUISITIONER, Role.GOODS_RECEIVER, Role.APPROVER}:
        own = [
            m for m in memberships_of(user=user) if m.organisation_id == organisation.pk and m.department_id
        ]
        rows = [
            Row(
                text=m.department.name,
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
                detail=f"GLN {d.gln}" if d.gln else _("no GLN yet"),
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
    return result
