"""Registration of PDF invoices: the AP clerk types in what the PDF says; then the same checks as for XML."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit, snapshot
from avrop.core.errors import DomainError
from avrop.core.locking import lock
from avrop.payables.checks import Directory
from avrop.payables.errors import Code
from avrop.payables.extract import InvoiceHeader, PartyInfo, TaxLine
from avrop.payables.models import SupplierInvoice
from avrop.payables.services.guards import require_ap_clerk
from avrop.payables.workflows import assert_transition

Status = SupplierInvoice.Status


def pdf_supplier_guess(*, buyer: Any, sender: Any, org_number: str) -> Any:
    """The supplier relation of a PDF: the portal's sender, else the organisation number printed on it."""
    from avrop.suppliers.models import Supplier

    if buyer is None:
        return None
    suppliers = Supplier.objects.filter(buyer=buyer).select_related("organisation")
    if sender is not None:
        return suppliers.filter(organisation=sender).first()
    if org_number:
        return suppliers.filter(organisation__org_number=org_number).first()
    return None


@transaction.atomic
def invoice_register(
    *,
    actor: Any,
    invoice_id: int,
    supplier_id: int,
    kind: str,
    number: str,
    issue_date: dt.date,
    due_date: dt.date | None,
    currency: str,
    net_amount: Decimal,
    tax_amount: Decimal,
    payable_amount: Decimal,
    buyer_reference: str = "",
    order_reference: str = "",
    invoice_reference: str = "",
    payee_account: str = "",
    payment_reference: str = "",
) -> SupplierInvoice:
    """Record what a PDF invoice says and run the business checks on it, as for an e-invoice."""
    invoice = lock(SupplierInvoice, invoice_id)
    require_ap_clerk(actor, invoice.organisation)
    buyer_org = invoice.organisation
    assert buyer_org is not None  # a document registered by hand is the AP clerk's organisation's
    if invoice.status != Status.REGISTRATION:
        assert_transition(invoice, to=Status.PRECHECK)
    supplier = buyer_org.supplier_relations.select_related("organisation").filter(pk=supplier_id).first()
    if supplier is None:
        raise DomainError(
            Code.REGISTRATION_INVALID, _("Choose one of the organisation's suppliers."), field="supplier"
        )
    if net_amount + tax_amount != payable_amount:
        raise DomainError(
            Code.REGISTRATION_INVALID,
            _("Amount excl. VAT plus VAT must equal the amount due (%(net)s + %(tax)s ≠ %(due)s).")
            % {"net": net_amount, "tax": tax_amount, "due": payable_amount},
            field="payable_amount",
        )
    before = snapshot(invoice, ["status", "number", "supplier", "payable_amount"])
    seller_org = supplier.organisation
    header = InvoiceHeader(
        kind=kind,
        number=number.strip(),
        issue_date=issue_date,
        due_date=due_date,
        currency=currency,
        buyer_reference=buyer_reference.strip(),
        order_reference=order_reference.strip(),
        invoice_references=[invoice_reference.strip()] if invoice_reference.strip() else [],
        seller=PartyInfo(
            endpoint=seller_org.peppol_id,
            legal_id=seller_org.org_number.replace("-", ""),
            vat_id=seller_org.vat_number,
            name=seller_org.name,
            country=seller_org.country,
            email=seller_org.email,
        ),
        buyer=PartyInfo(
            endpoint=buyer_org.peppol_id,
            legal_id=buyer_org.org_number.replace("-", ""),
            name=buyer_org.name,
            country=buyer_org.country,
        ),
        tax_exclusive=net_amount,
        tax_inclusive=payable_amount,
        payable=payable_amount,
        tax_total=tax_amount,
        tax_lines=[TaxLine("S", None, net_amount, tax_amount)],
        payee_accounts=[("30", payee_account)] if payee_account.strip() else [],
        payment_reference=payment_reference.strip(),
    )
    directory = Directory([header], fingerprints=[invoice.content_fingerprint], buyer_hints=[buyer_org])
    # This invoice itself is among the known ones (same fingerprint): it must not be its own duplicate.
    directory._known = [k for k in directory._known if k.pk != invoice.pk]
    outcome = directory.check(header, fingerprint=invoice.content_fingerprint, buyer_hint=buyer_org)
    assert_transition(invoice, to=outcome.status)
    invoice.status = outcome.status
    invoice.status_changed_at = timezone.now()
    invoice.supplier = supplier
    invoice.kind = kind
    invoice.number = header.number
    invoice.seller_key = header.seller_key
    invoice.seller_name = seller_org.name
    invoice.seller_country = seller_org.country
    invoice.seller_endpoint = seller_org.peppol_id
    invoice.buyer_endpoint = buyer_org.peppol_id
    invoice.buyer_name = buyer_org.name
    invoice.issue_date, invoice.due_date, invoice.currency = issue_date, due_date, currency
    invoice.net_amount, invoice.tax_amount, invoice.payable_amount = net_amount, tax_amount, payable_amount
    invoice.buyer_reference = header.buyer_reference
    invoice.order_reference = header.order_reference
    invoice.invoice_references = ", ".join(header.invoice_references)
    invoice.payee_account = outcome.payee_account
    invoice.payee_account_kind = outcome.payee_account_kind
    invoice.payment_reference = header.payment_reference
    invoice.department, invoice.reviewer = outcome.department, outcome.reviewer
    invoice.purchase_order = outcome.purchase_order
    invoice.routing_note = outcome.routing_note
    invoice.findings = outcome.findings
    invoice.fatal_count = sum(1 for f in outcome.findings if f["severity"] == "fatal")
    invoice.warning_count = len(outcome.findings) - invoice.fatal_count
    invoice.duplicate_of = outcome.duplicate_of if isinstance(outcome.duplicate_of, SupplierInvoice) else None
    invoice.duplicate_reason = outcome.duplicate_reason
    invoice.claims_number = outcome.status != Status.RETURNED and invoice.duplicate_of is None
    invoice.registered_by, invoice.registered_at = actor, timezone.now()
    if outcome.status == Status.RETURNED:
        from avrop.payables.services.messages import message_queue

        invoice.returned_by, invoice.returned_at = actor, timezone.now()
        message = message_queue(invoice=invoice, code="RE", actor=actor, findings=outcome.findings)
        invoice.return_reason = message.text
    invoice.save()
    audit(
        actor=actor,
        action="supplier_invoice.register",
        obj=invoice,
        before=before,
        after=snapshot(invoice, ["status", "number", "supplier", "payable_amount"]),
    )
    return invoice
