"""Start-page sections of the portal's invoicing: orders to invoice, drafts, disputed invoices."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from avrop.core.home import ROWS_PER_SECTION, Row, Section
from avrop.payables.models import SupplierInvoice
from avrop.portal.access import PORTAL_ROLES
from avrop.portal.models import InvoiceDraft
from avrop.portal.services import invoice_reads


def sections(*, user: Any, organisation: Any, roles: frozenset[str]) -> list[Section]:
    if not roles & PORTAL_ROLES:
        return []
    orders_query = invoice_reads.orders_to_invoice(organisation)
    drafts_query = invoice_reads.drafts_of(organisation).filter(status=InvoiceDraft.Status.DRAFT)
    disputed_query = invoice_reads.invoices_of(organisation).filter(status=SupplierInvoice.Status.UNDER_QUERY)
    orders = list(orders_query[:ROWS_PER_SECTION])
    drafts = list(drafts_query.order_by("-updated_at", "-id")[:ROWS_PER_SECTION])
    disputed = list(disputed_query[:ROWS_PER_SECTION])
    return [
        Section(
            title=_("Orders to invoice"),
            rows=[
                Row(
                    text=_("Order %(number)s") % {"number": order.number},
                    url=reverse("portal:invoice_orders"),
                    detail=f"{order.organisation.name} · {order.total_amount} {order.currency}",
                )
                for order in orders
            ],
            total=_total(orders, orders_query),
            more_url=reverse("portal:invoice_orders"),
            empty_text=_("No orders waiting to be invoiced."),
            order=32,
        ),
        Section(
            title=_("Invoice drafts"),
            rows=[
                Row(
                    text=f"{draft.get_kind_display()} {draft.number or '–'}",
                    url=reverse("portal:invoice_draft", args=[draft.pk]),
                    detail=draft.relation.buyer.name
                    + (" · " + _("needs correction") if draft.checked_at and not draft.is_valid else ""),
                )
                for draft in drafts
            ],
            total=_total(drafts, drafts_query),
            more_url=reverse("portal:invoices"),
            empty_text=_("No drafts."),
            order=33,
        ),
        Section(
            title=_("Disputed invoices"),
            rows=[
                Row(
                    text=_("Invoice %(number)s") % {"number": invoice.number},
                    url=reverse("portal:invoice", args=[invoice.pk]),
                    detail=invoice.query_text[:120],
                )
                for invoice in disputed
            ],
            total=_total(disputed, disputed_query),
            more_url=reverse("portal:invoices") + "?status=disputed",
            empty_text=_("No disputed invoices."),
            order=34,
        ),
    ]


def _total(rows: list[Any], query: Any) -> int:
    """The number of rows in all; counted only when the section shows fewer than there are."""
    return len(rows) if len(rows) < ROWS_PER_SECTION else int(query.count())
