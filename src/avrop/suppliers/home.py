from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from avrop.core.home import ROWS_PER_SECTION, Row, Section
from avrop.organisations.roles import Role
from avrop.suppliers.selectors import supplier_list


def sections(*, user: Any, organisation: Any, roles: frozenset[str]) -> list[Section]:
    if roles & {Role.COORDINATOR, Role.PROCUREMENT_OFFICER, Role.AP_CLERK, Role.ADMIN}:
        suppliers = supplier_list(user=user, organisation=organisation).filter(buyer=organisation)
        rows = [
            Row(text=s.organisation.name, url=reverse("suppliers:detail", args=[s.pk]),
                detail=s.get_connection_display())
            for s in suppliers[:ROWS_PER_SECTION]
        ]
        return [Section(title=_("Suppliers"), rows=rows, total=suppliers.count(), order=50,
                        more_url=reverse("suppliers:list"), empty_text=_("No suppliers connected yet."))]
    if roles & {Role.SUPPLIER_USER, Role.SPOC, Role.SERVICE_PARTNER}:
        customers = supplier_list(user=user, organisation=organisation).filter(organisation=organisation)
        rows = [
            Row(text=s.buyer.name, url=reverse("suppliers:detail", args=[s.pk]), detail=s.get_connection_display())
            for s in customers[:ROWS_PER_SECTION]
        ]
        return [Section(title=_("Your customers"), rows=rows, total=customers.count(), order=20,
                        more_url=reverse("suppliers:list"), empty_text=_("No customers yet."))]
    return []
