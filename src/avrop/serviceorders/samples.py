"""A partner's invoice for a statement as a Peppol BIS Billing 3 document (UBL 2.1): what the demo and the
tests send through the check, shaped as a partner's accounting system writes it — the billing id as the
buyer reference and an additional document reference, one invoice line per SP-ID."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape


def partner_invoice_xml(
    *,
    statement: Any,
    lines: Sequence[tuple[str, Decimal]],
    invoice_number: str = "R-2026-0001",
    billing_id: str | None = None,
    total: Decimal | None = None,
    issue_date: str = "2026-12-01",
) -> bytes:
    """``lines`` are (SP-ID, amount) as the invoice lists them, repeats and strangers included."""
    reference = statement.number if billing_id is None else billing_id
    currency = statement.currency
    net = sum((amount for _sp, amount in lines), Decimal("0")) if total is None else total
    vat = (net * Decimal("0.081")).quantize(Decimal("0.01"))
    body = "".join(
        f"""
  <cac:InvoiceLine>
    <cbc:ID>{index}</cbc:ID>
    <cbc:InvoicedQuantity unitCode="C62">1</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="{currency}">{amount:.2f}</cbc:LineExtensionAmount>
    <cac:OrderLineReference><cbc:LineID>{escape(sp_id)}</cbc:LineID></cac:OrderLineReference>
    <cac:Item><cbc:Name>Montage {escape(sp_id)}</cbc:Name>
      <cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>8.1</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="{currency}">{amount:.2f}</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>"""
        for index, (sp_id, amount) in enumerate(lines, start=1)
    )
    reference_xml = (
        f"<cac:AdditionalDocumentReference><cbc:ID>{escape(reference)}</cbc:ID>"
        "<cbc:DocumentDescription>Verrechnung</cbc:DocumentDescription></cac:AdditionalDocumentReference>"
        if reference
        else ""
    )
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
  <cbc:ID>{escape(invoice_number)}</cbc:ID>
  <cbc:IssueDate>{issue_date}</cbc:IssueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>{currency}</cbc:DocumentCurrencyCode>
  <cbc:BuyerReference>{escape(reference or "n/a")}</cbc:BuyerReference>
  {reference_xml}
  <cac:AccountingSupplierParty><cac:Party><cac:PartyLegalEntity><cbc:RegistrationName>{escape(statement.partner.name)}</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party><cac:PartyLegalEntity><cbc:RegistrationName>{escape(statement.supplier.name)}</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party></cac:AccountingCustomerParty>
  <cac:TaxTotal><cbc:TaxAmount currencyID="{currency}">{vat:.2f}</cbc:TaxAmount></cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="{currency}">{net:.2f}</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="{currency}">{net:.2f}</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="{currency}">{net + vat:.2f}</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="{currency}">{net + vat:.2f}</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>{body}
</Invoice>
"""
    return xml.encode("utf-8")
