"""Intake: stored first, validated, checked, routed or returned; duplicates; bad input."""

from __future__ import annotations

from avrop.payables.models import InboundDocument, InvoiceMessage, SupplierInvoice

Status = SupplierInvoice.Status


def test_valid_invoice_is_routed_to_the_reference_person(world, receive):
    invoice = receive(world.xml("F-1"))
    assert invoice.status == Status.PRECHECK, invoice.findings
    assert invoice.organisation == world.buyer
    assert invoice.department == world.department
    assert invoice.reviewer == world.reviewer
    assert invoice.supplier == world.supplier
    assert invoice.payable_amount and invoice.line_count == 3
    assert invoice.document.status == InboundDocument.Status.PROCESSED
    assert len(invoice.document.sha256) == 64


def test_invalid_invoice_is_returned_with_a_valid_t111(world, receive):
    invoice = receive(world.xml("F-2", broken="totals"))
    assert invoice.status == Status.RETURNED
    message = InvoiceMessage.objects.get(invoice=invoice)
    assert message.code == "RE" and message.via == "peppol"
    assert message.valid, message.validation_findings
    assert message.status == InvoiceMessage.Status.SENT
    assert b"BR-CO-16" in bytes(message.content)
