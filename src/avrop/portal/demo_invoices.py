"""Demo invoicing in the portal for Fatima Lyreco (``supplier_user``) at Lyreco Sverige AB.

The order Lyreco accepted with changes stays untouched, ready to be turned into an invoice; an invoice sent
from the portal for the acknowledged order is disputed by the municipality's AP clerk with a question; a free
invoice sent from the portal waits in pre-check; a draft has a freight line with a negative price, which
breaks a Peppol rule (BR-27) and is shown on the form. Everything goes through the services. Idempotent:
nothing happens when Lyreco already has portal drafts.
"""

from __future__ import annotations

from typing import Any

from avrop.organisations.demo import MUNICIPALITY
from avrop.organisations.models import Organisation, User
from avrop.payables.models import SupplierInvoice
from avrop.portal.models import InvoiceDraft
from avrop.portal.services import invoice_reads, invoicing
from avrop.suppliers.models import Supplier

SUPPLIER = "Lyreco Sverige AB"


def _fill(
    draft: InvoiceDraft, user: User, number: str, lines: list[dict[str, Any]] | None = None
) -> InvoiceDraft:
    return invoicing.draft_save(
        actor=user,
        organisation=draft.organisation,
        draft_id=draft.pk,
        values={
            "number": number,
            "issue_date": draft.issue_date,
            "due_date": draft.due_date,
            "buyer_reference": draft.buyer_reference or "Anna Berg",
            "order_reference": draft.order_reference,
            "bank_account": draft.bank_account,
            "note": "",
        },
        lines=lines if lines is not None else draft.lines,
    )


def load_late(stdout: Any) -> None:
    lyreco = Organisation.objects.filter(name=SUPPLIER, kind=Organisation.Kind.SUPPLIER).first()
    fatima = User.objects.filter(username="supplier_user").first()
    municipality = Organisation.objects.filter(org_number=MUNICIPALITY).first()
    clerk = User.objects.filter(username="ap_clerk").first()
    if lyreco is None or fatima is None or municipality is None or clerk is None:
        return
    if InvoiceDraft.objects.filter(organisation=lyreco).exists():
        stdout.write(
            f"portal invoices: {InvoiceDraft.objects.filter(organisation=lyreco).count()} (already loaded)"
        )
        return
    relation = Supplier.objects.filter(organisation=lyreco, buyer=municipality).first()
    if relation is None:
        return

    # Sent for the acknowledged order, then disputed by the buyer.
    acknowledged = (
        invoice_reads.orders_of(lyreco)
        .filter(organisation=municipality, status="acknowledged")
        .order_by("pk")
        .first()
    )
    if acknowledged is not None:
        draft = invoicing.draft_from_order(actor=fatima, organisation=lyreco, order_id=acknowledged.pk)
        draft = _fill(draft, fatima, "LYR-P-2001")
        if draft.is_valid:
            sent = invoicing.draft_send(actor=fatima, organisation=lyreco, draft_id=draft.pk)
            invoice = sent.sent_invoice
            if invoice is not None and invoice.status == SupplierInvoice.Status.PRECHECK:
                from avrop.payables import services as payables

                payables.invoice_query(
                    actor=clerk,
                    invoice_id=invoice.pk,
                    question="Kopieringspappret på rad 1 är inte levererat enligt vår varumottagning. "
                    "Skicka en ny faktura när leveransen är komplett, eller kreditera rad 1.",
                )

    # A free invoice without an order, waiting in the buyer's pre-check.
    free = invoicing.draft_create(actor=fatima, organisation=lyreco, relation_id=relation.pk)
    free = _fill(
        free,
        fatima,
        "LYR-P-2002",
        [
            {
                "description": "Installation av hyllsystem, förråd plan 2",
                "quantity": "4",
                "unit": "HUR",
                "unit_price": "650",
                "vat_rate": "25",
            }
        ],
    )
    if free.is_valid:
        invoicing.draft_send(actor=fatima, organisation=lyreco, draft_id=free.pk)

    # A draft whose freight line breaks a rule: a price cannot be negative (BR-27).
    draft = invoicing.draft_create(actor=fatima, organisation=lyreco, relation_id=relation.pk)
    _fill(
        draft,
        fatima,
        "LYR-P-2003",
        [
            {
                "description": "Kontorsstolar, ergonomiska",
                "article_number": "LY-88412",
                "quantity": "6",
                "unit": "EA",
                "unit_price": "2490",
                "vat_rate": "25",
            },
            {"description": "Frakt", "quantity": "1", "unit": "EA", "unit_price": "-250", "vat_rate": "25"},
        ],
    )
    stdout.write(
        f"portal invoices: {InvoiceDraft.objects.filter(organisation=lyreco).count()} drafts and sent"
    )
