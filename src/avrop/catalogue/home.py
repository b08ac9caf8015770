"""Start-page sections: the Monday review for coordinators, templates for requisitioners."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from avrop.catalogue import selectors
from avrop.core.home import ROWS_PER_SECTION, Row, Section
from avrop.organisations.roles import Role


def sections(*, user: Any, organisation: Any, roles: frozenset[str]) -> list[Section]:
    result: list[Section] = []
    if not organisation.is_buyer:
        return result
    if roles & {Role.COORDINATOR, Role.ADMIN}:
        waiting = selectors.price_lists_waiting(user=user, organisation=organisation)
        rows = []
        for version in waiting[:ROWS_PER_SECTION]:
            detail = ngettext(
                "%(n)s change", "%(n)s changes", version.added + version.changed + version.removed
            ) % {"n": version.added + version.changed + version.removed}
            if version.over_limit:
                detail += ", " + ngettext(
                    "%(n)s price above the limit", "%(n)s prices above the limit", version.over_limit
                ) % {"n": version.over_limit}
            if version.unmapped:
                detail += ", " + ngettext(
                    "%(n)s new item without account", "%(n)s new items without account", version.unmapped
                ) % {"n": version.unmapped}
            rows.append(
                Row(
                    text=f"{version.supplier.name} – {version.agreement.reference}",
                    url=reverse("catalogue:price_list", args=[version.pk]),
                    detail=detail,
                )
            )
        result.append(
            Section(
                title=_("Price lists to review"),
                attention=True,
                rows=rows,
                total=waiting.count(),
                order=12,
                more_url=reverse("catalogue:price_lists"),
                empty_text=_("No price list is waiting for you."),
            )
        )
        zero = selectors.zero_result_searches(
            user=user, organisation=organisation, days=30, limit=ROWS_PER_SECTION
        )
        result.append(
            Section(
                title=_("Searches without hits"),
                attention=True,
                rows=[
                    Row(
                        text=z["normalised"],
                        url=reverse("catalogue:missing"),
                        detail=ngettext("%(n)s time", "%(n)s times", z["times"]) % {"n": z["times"]},
                    )
                    for z in zero
                ],
                order=40,
                more_url=reverse("catalogue:missing"),
                empty_text=_("Every search found something."),
            )
        )
    if roles & {Role.REQUISITIONER}:
        templates = selectors.template_list(user=user, organisation=organisation)
        result.append(
            Section(
                title=_("Your templates"),
                rows=[
                    Row(
                        text=t.name,
                        url=reverse("catalogue:template", args=[t.pk]),
                        detail=ngettext("%(n)s item", "%(n)s items", t.line_count) % {"n": t.line_count},
                    )
                    for t in templates[:ROWS_PER_SECTION]
                ],
                total=templates.count(),
                order=16,
                more_url=reverse("catalogue:templates"),
                empty_text=_("No templates yet: search the catalogue and add items to a template."),
            )
        )
    return result
