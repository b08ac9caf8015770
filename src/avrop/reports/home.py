"""Start-page section for the procurement officer and the coordinator (and a supplier's users): the reports,
with the default period (last year in January, this year so far otherwise)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from avrop.core.home import Row, Section
from avrop.organisations.roles import Role
from avrop.reports.scope import default_period, may_read

SHOWN_TO = frozenset({Role.PROCUREMENT_OFFICER, Role.COORDINATOR, Role.SUPPLIER_USER, Role.SPOC})


def sections(*, user: Any, organisation: Any, roles: frozenset[str]) -> list[Section]:
    if not roles & SHOWN_TO or not may_read(organisation, roles):
        return []
    start, end = default_period()
    period = f"start={start.isoformat()}&end={end.isoformat()}"
    detail = _("%(start)s – %(end)s") % {"start": start.isoformat(), "end": end.isoformat()}
    rows = [
        Row(text=_("Purchase statistics"), url=f"{reverse('reports:statistics')}?{period}", detail=detail)
    ]
    if organisation.is_buyer:
        rows += [
            Row(text=_("Contract loyalty"), url=f"{reverse('reports:loyalty')}?{period}", detail=detail),
            Row(text=_("Spend"), url=f"{reverse('reports:spend')}?{period}", detail=detail),
        ]
    rows.append(Row(text=_("Contract follow-up"), url=f"{reverse('reports:agreements')}?{period}"))
    return [
        Section(title=_("Reports and statistics"), rows=rows, order=40, more_url=reverse("reports:index"))
    ]
