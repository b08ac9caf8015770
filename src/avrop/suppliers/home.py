from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from avrop.core import formatting
from avrop.core.home import ROWS_PER_SECTION, Row, Section
from avrop.organisations.models import Organisation
from avrop.organisations.roles import Role
from avrop.suppliers.selectors import bank_accounts_unverified, invitations_pending, supplier_list
from avrop.suppliers.services import BANK_ROLES, INVITE_ROLES


def sections(*, user: Any, organisation: Any, roles: frozenset[str]) -> list[Section]:
    result: list[Section] = []
    if organisation.is_buyer and roles & {
        Role.COORDINATOR,
        Role.PROCUREMENT_OFFICER,
        Role.AP_CLERK,
        Role.ADMIN,
    }:
        suppliers = supplier_list(user=user, organisation=organisation).filter(buyer=organisation)
        rows = [
            Row(
                text=s.organisation.name,
                url=reverse("suppliers:detail", args=[s.pk]),
                detail=s.get_connection_display(),
            )
            for s in suppliers[:ROWS_PER_SECTION]
        ]
        result.append(
            Section(
                title=_("Suppliers"),
                rows=rows,
                total=suppliers.count(),
                order=50,
                more_url=reverse("suppliers:list"),
                empty_text=_("No suppliers connected yet."),
            )
        )
    if organisation.is_buyer and roles & BANK_ROLES:
        accounts = bank_accounts_unverified(user=user, organisation=organisation)
        rows = [
            Row(
                text=f"{a.supplier.organisation.name}: {a}",
                url=reverse("suppliers:detail", args=[a.supplier_id]),
                detail=_("changed %(date)s") % {"date": formatting.day(a.created_at)},
            )
            for a in accounts[:ROWS_PER_SECTION]
        ]
        if rows:
            result.append(
                Section(
                    title=_("Changed bank details to verify"),
                    rows=rows,
                    total=accounts.count(),
                    order=12,
                    attention=True,
                )
            )
    if organisation.is_buyer and roles & INVITE_ROLES:
        invitations = invitations_pending(user=user, organisation=organisation)
        rows = [
            Row(
                text=i.supplier.organisation.name,
                url=reverse("suppliers:detail", args=[i.supplier_id]),
                detail=_("%(email)s, expires %(date)s")
                % {"email": i.email, "date": formatting.day(i.expires_at)},
            )
            for i in invitations[:ROWS_PER_SECTION]
        ]
        result.append(
            Section(
                title=_("Portal invitations pending"),
                rows=rows,
                total=invitations.count(),
                order=45,
                empty_text=_("No invitation is waiting for an answer."),
            )
        )
    if roles & {Role.SUPPLIER_USER, Role.SPOC, Role.SERVICE_PARTNER}:
        customers = supplier_list(user=user, organisation=organisation).filter(organisation=organisation)
        # A supplier organisation keeps its customers in the portal (departments, customer numbers, contacts).
        in_portal = organisation.kind == Organisation.Kind.SUPPLIER
        if in_portal:
            customers = customers.filter(is_active=True)
        rows = [
            Row(
                text=s.buyer.name,
                url=reverse("portal:customer" if in_portal else "suppliers:detail", args=[s.pk]),
                detail=s.get_connection_display(),
            )
            for s in customers[:ROWS_PER_SECTION]
        ]
        result.append(
            Section(
                title=_("Your customers"),
                rows=rows,
                total=customers.count(),
                order=20,
                more_url=reverse("portal:customers" if in_portal else "suppliers:list"),
                empty_text=_("No customers yet."),
            )
        )
    return result
