from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.agreements.selectors import agreement_list, agreements_expiring, agreements_follow_up_due
from avrop.core import formatting
from avrop.core.home import ROWS_PER_SECTION, Row, Section
from avrop.organisations.roles import Role


def sections(*, user: Any, organisation: Any, roles: frozenset[str]) -> list[Section]:
    result: list[Section] = []
    if roles & {Role.COORDINATOR, Role.PROCUREMENT_OFFICER, Role.ADMIN}:
        expiring = agreements_expiring(user=user, organisation=organisation, within_days=180)
        rows = [
            Row(
                text=f"{a.reference} {a.title}",
                url=reverse("agreements:detail", args=[a.pk]),
                detail=_("ends %(date)s") % {"date": formatting.day(a.valid_to)},
            )
            for a in expiring[:ROWS_PER_SECTION]
        ]
        result.append(
            Section(
                title=_("Agreements ending within 180 days"),
                attention=True,
                rows=rows,
                total=expiring.count(),
                order=30,
                more_url=reverse("agreements:list"),
                empty_text=_("No agreement ends within 180 days."),
            )
        )
        due = agreements_follow_up_due(user=user, organisation=organisation)
        rows = [
            Row(
                text=f"{a.reference} {a.supplier.name}",
                url=reverse("agreements:detail", args=[a.pk]),
                detail=_("last meeting %(date)s") % {"date": formatting.day(a.last_meeting)}
                if a.last_meeting
                else _("no meeting yet"),
            )
            for a in due[:ROWS_PER_SECTION]
        ]
        result.append(
            Section(
                title=_("Agreements without a follow-up meeting this period"),
                attention=True,
                rows=rows,
                total=len(due),
                order=35,
                more_url=reverse("agreements:list"),
                empty_text=_("Every agreement has had its follow-up meeting."),
            )
        )
    if roles & {Role.REQUISITIONER}:
        today = timezone.localdate()
        current = agreement_list(user=user, organisation=organisation).filter(
            valid_from__lte=today, valid_to__gte=today
        )
        rows = [
            Row(text=a.supplier.name, url=reverse("agreements:detail", args=[a.pk]), detail=a.title)
            for a in current[:ROWS_PER_SECTION]
        ]
        result.append(
            Section(
                title=_("Suppliers you can order from"),
                rows=rows,
                total=current.count(),
                order=15,
                more_url=reverse("agreements:list"),
                empty_text=_("Your organisation has no current agreements."),
            )
        )
    return result
