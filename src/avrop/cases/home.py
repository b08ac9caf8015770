from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from avrop.cases.selectors import cases_active
from avrop.cases.services import CASE_WORKER_ROLES
from avrop.core.home import ROWS_PER_SECTION, Row, Section


def sections(*, user: Any, organisation: Any, roles: frozenset[str]) -> list[Section]:
    if not organisation.is_buyer or not roles:
        return []
    active = cases_active(user=user, organisation=organisation)
    rows = [
        Row(
            text=f"#{c.pk} {c.subject}",
            url=reverse("cases:detail", args=[c.pk]),
            detail=f"{c.get_status_display()} · {c.requester.get_full_name() or c.requester.username}",
        )
        for c in active[:ROWS_PER_SECTION]
    ]
    if roles & CASE_WORKER_ROLES:
        return [
            Section(
                title=_("Open support cases"),
                attention=True,
                rows=rows,
                total=active.count(),
                order=11,
                more_url=reverse("cases:list"),
                empty_text=_("No open cases."),
            )
        ]
    if not rows:
        return []
    return [
        Section(
            title=_("Your support cases"),
            rows=rows,
            total=active.count(),
            order=90,
            more_url=reverse("cases:list"),
        )
    ]
