"""Reads of inbound documents that did not become invoices (unreadable, or set aside after an error).

Scoped like the invoices: the AP clerks, administrators and auditors of the buyer a document is for see it.
A document whose buyer is not known (a Peppol file that names none we can read) is for operators only, in
the admin, since it may belong to any organisation.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from avrop.core.errors import NotFound
from avrop.organisations.roles import Role
from avrop.organisations.selectors import roles_in
from avrop.payables.models import InboundDocument

SEE_ROLES = frozenset({Role.AP_CLERK, Role.ADMIN, Role.AUDITOR})
SET_ASIDE_STATUSES = (InboundDocument.Status.UNREADABLE, InboundDocument.Status.SET_ASIDE)


def set_aside_list(*, user: Any, organisation: Any) -> QuerySet[InboundDocument]:
    """The documents of ``organisation`` that did not become invoices, newest first."""
    if not organisation.is_buyer or not roles_in(user=user, organisation=organisation) & SEE_ROLES:
        return InboundDocument.objects.none()
    return InboundDocument.objects.filter(organisation=organisation, status__in=SET_ASIDE_STATUSES).order_by(
        "-created_at", "-pk"
    )


def set_aside_count(*, user: Any, organisation: Any) -> int:
    return set_aside_list(user=user, organisation=organisation).count()


def set_aside_get(*, user: Any, organisation: Any, document_id: int) -> InboundDocument:
    try:
        return set_aside_list(user=user, organisation=organisation).get(pk=document_id)
    except (InboundDocument.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
