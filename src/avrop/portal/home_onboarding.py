"""Start-page sections of portal onboarding: departments without customer number, bank details to confirm."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from avrop.core.home import ROWS_PER_SECTION, Row, Section
from avrop.portal.access import PORTAL_ROLES
from avrop.suppliers.selectors import bank_change_pending, departments_missing_numbers


def sections(*, user: Any, organisation: Any, roles: frozenset[str]) -> list[Section]:
    if not roles & PORTAL_ROLES:
        return []
    result: list[Section] = []
    pending = bank_change_pending(user=user, organisation=organisation)
    if pending is not None:
        proposer = pending.proposed_by.get_full_name() or pending.proposed_by.username
        mine = pending.proposed_by_id == user.pk
        result.append(
            Section(
                title=_("Bank details waiting for a colleague")
                if mine
                else _("New bank details waiting for your confirmation"),
                rows=[
                    Row(
                        text=f"{pending.get_kind_display()} {pending.display_number}",
                        url=reverse("portal:bank_details"),
                        detail=_("proposed by %(who)s") % {"who": proposer},
                    )
                ],
                total=1,
                order=5,
            )
        )
    departments = departments_missing_numbers(user=user, organisation=organisation)
    rows = [
        Row(
            text=f"{d.organisation.name}: {d.name}",
            url=reverse("portal:customer_numbers", args=[d.relation_id]),
            detail=_("new department") if d.is_new else "",
        )
        for d in departments[:ROWS_PER_SECTION]
    ]
    if rows:
        result.append(
            Section(
                title=_("Departments without your customer number"),
                rows=rows,
                total=departments.count(),
                more_url=reverse("portal:customers"),
                order=15,
            )
        )
    return result
