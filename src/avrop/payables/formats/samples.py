"""EN 16931 CII and Svefaktura 1.0 invoices for the demo and the tests, made for given parties.

The CII invoice passes the D16B XSD and the official CEN CII rules; ``broken="totals"`` makes the amount due
disagree with the totals (BR-CO-16). The Svefaktura invoice follows the SFTI Svefaktura 1.0 specification
(BasicInvoice 1.0: seller with organisation number and F-tax, buyer, requisitioner's reference, bankgiro with
OCR reference, VAT breakdown, totals and lines).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from xml.sax.saxutils import escape

from avrop.payables.samples import CENT, Party

Line = tuple[str, str, Decimal, Decimal]  # name, unit code, quantity, unit price


def _lines_or_default(lines: list[Line] | None) -> list[Line]:
    return lines or [
        ("Kopieringspapper A4 80 g, 5 x 500 ark", "XBX", Decimal("4"), Decimal("189.00")),
        ("Servicebesök tekniker, per timme", "HUR", Decimal("2"), Decimal("850.00")),
    ]


def cii_xml(
    *,
    number: str,
    seller: Party,
    buyer: Party,
    buyer_reference: str = "",
    order_reference: str = "",
    issue_date: dt.date | None = None,
    due_days: int = 30,
    bankgiro: str = "5050-1055",
    ocr: str = "",
    lines: list[Line] | None = None,
    broken: str = "",
) -> bytes:
    """An EN 16931 invoice in the CII syntax (standard-rated 25 % VAT, paid by bankgiro)."""
    issue = issue_date or dt.date.today()
    due = issue + dt.timedelta(days=due_days)
    items = _lines_or_default(lines)
    net = sum((q * p).quantize(CENT) for _n, _u, q, p in items)
    tax = (net * Decimal("0.25")).quantize(CENT)
    payable = net + tax + (Decimal("1.00") if broken == "totals" else 0)
    line_xml = "".join(
        f"""<ram:IncludedSupplyChainTradeLineItem>
  <ram:AssociatedDocumentLineDocument><ram:LineID>{i}</ram:LineID></ram:AssociatedDocumentLineDocument>
  <ram:SpecifiedTradeProduct><ram:Name>{escape(name)}</ram:Name></ram:SpecifiedTradeProduct>
  <ram:SpecifiedLineTradeAgreement>{
            f"<ram:BuyerOrderReferencedDocument><ram:LineID>{i}</ram:LineID></ram:BuyerOrderReferencedDocument>"
            if order_reference
            else ""
        }<ram:NetPriceProductTradePrice><ram:ChargeAmount>{
            price
        }</ram:ChargeAmount></ram:NetPriceProductTradePrice>
  </ram:SpecifiedLineTradeAgreement>
  <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="{unit}">{quantity}</ram:BilledQuantity>
  </ram:SpecifiedLineTradeDelivery>
  <ram:SpecifiedLineTradeSettlement>
    <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode>
      <ram:RateApplicablePercent>25</ram:RateApplicablePercent></ram:ApplicableTradeTax>
    <ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>{
            (quantity * price).quantize(CENT)
        }</ram:LineTotalAmount>
    </ram:SpecifiedTradeSettlementLineMonetarySummation>
  </ram:SpecifiedLineTradeSettlement>
</ram:IncludedSupplyChainTradeLineItem>"""
        for i, (name, unit, quantity, price) in enumerate(items, start=1)
    )

    def party(p: Party, *, is_seller: bool) -> str:
        scheme, value = p.endpoint
        tax = (
            f'<ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">SE{p.digits}01</ram:ID>'
            "</ram:SpecifiedTaxRegistration>"
            if is_seller
            else ""
        )
        contact = (
            "<ram:DefinedTradeContact><ram:EmailURIUniversalCommunication>"
            f"<ram:URIID>{escape(p.email)}</ram:URIID></ram:EmailURIUniversalCommunication></ram:DefinedTradeContact>"
            if p.email
            else ""
        )
        return (
            f"<ram:Name>{escape(p.name)}</ram:Name>"
            f'<ram:SpecifiedLegalOrganization><ram:ID schemeID="0007">{p.digits}</ram:ID>'
            "</ram:SpecifiedLegalOrganization>"
            f"{contact}<ram:PostalTradeAddress><ram:PostcodeCode>11122</ram:PostcodeCode>"
            f"<ram:LineOne>Storgatan 1</ram:LineOne><ram:CityName>{escape(p.city)}</ram:CityName>"
            "<ram:CountryID>SE</ram:CountryID></ram:PostalTradeAddress>"
            f'<ram:URIUniversalCommunication><ram:URIID schemeID="{scheme}">{value}</ram:URIID>'
            f"</ram:URIUniversalCommunication>{tax}"
        )

    order = (
        "<ram:BuyerOrderReferencedDocument>"
        f"<ram:IssuerAssignedID>{escape(order_reference)}</ram:IssuerAssignedID>"
        "</ram:BuyerOrderReferencedDocument>"
        if order_reference
        else ""
    )
    reference = (
        f"<ram:BuyerReference>{escape(buyer_reference)}</ram:BuyerReference>" if buyer_reference else ""
    )
    payment_reference = f"<ram:PaymentReference>{escape(ocr)}</ram:PaymentReference>" if ocr else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
 xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100">
<rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017</ram:ID>
</ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>
<rsm:ExchangedDocument><ram:ID>{escape(number)}</ram:ID><ram:TypeCode>380</ram:TypeCode>
<ram:IssueDateTime><udt:DateTimeString format="102">{issue:%Y%m%d}</udt:DateTimeString></ram:IssueDateTime>
<ram:IncludedNote><ram:Content>Godkänd för F-skatt</ram:Content>
<ram:SubjectCode>REG</ram:SubjectCode></ram:IncludedNote>
</rsm:ExchangedDocument>
<rsm:SupplyChainTradeTransaction>
{line_xml}
<ram:ApplicableHeaderTradeAgreement>{reference}
<ram:SellerTradeParty>{party(seller, is_seller=True)}</ram:SellerTradeParty>
<ram:BuyerTradeParty>{party(buyer, is_seller=False)}</ram:BuyerTradeParty>{order}
</ram:ApplicableHeaderTradeAgreement>
<ram:ApplicableHeaderTradeDelivery><ram:ActualDeliverySupplyChainEvent><ram:OccurrenceDateTime>
<udt:DateTimeString format="102">{issue:%Y%m%d}</udt:DateTimeString></ram:OccurrenceDateTime>
</ram:ActualDeliverySupplyChainEvent></ram:ApplicableHeaderTradeDelivery>
<ram:ApplicableHeaderTradeSettlement>{payment_reference}
<ram:InvoiceCurrencyCode>SEK</ram:InvoiceCurrencyCode>
<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>30</ram:TypeCode>
<ram:PayeePartyCreditorFinancialAccount><ram:ProprietaryID>{bankgiro}</ram:ProprietaryID></ram:PayeePartyCreditorFinancialAccount>
</ram:SpecifiedTradeSettlementPaymentMeans>
<ram:ApplicableTradeTax><ram:CalculatedAmount>{tax}</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>
<ram:BasisAmount>{net}</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode>
<ram:RateApplicablePercent>25</ram:RateApplicablePercent></ram:ApplicableTradeTax>
<ram:SpecifiedTradePaymentTerms><ram:Description>30 dagar netto</ram:Description>
<ram:DueDateDateTime><udt:DateTimeString format="102">{due:%Y%m%d}</udt:DateTimeString></ram:DueDateDateTime>
</ram:SpecifiedTradePaymentTerms>
<ram:SpecifiedTradeSettlementHeaderMonetarySummation>
<ram:LineTotalAmount>{net}</ram:LineTotalAmount><ram:TaxBasisTotalAmount>{net}</ram:TaxBasisTotalAmount>
<ram:TaxTotalAmount currencyID="SEK">{tax}</ram:TaxTotalAmount>
<ram:GrandTotalAmount>{net + tax}</ram:GrandTotalAmount>
<ram:DuePayableAmount>{payable}</ram:DuePayableAmount>
</ram:SpecifiedTradeSettlementHeaderMonetarySummation>
</ram:ApplicableHeaderTradeSettlement>
</rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
""".encode()


def svefaktura_xml(
    *,
    number: str,
    seller: Party,
    buyer: Party,
    buyer_reference: str = "",
    order_reference: str = "",
    issue_date: dt.date | None = None,
    due_days: int = 30,
    bankgiro: str = "5050-1055",
    ocr: str = "",
    lines: list[Line] | None = None,
    encoding: str = "UTF-8",
) -> bytes:
    """A Svefaktura 1.0 invoice (SFTI BasicInvoice 1.0), 25 % VAT, paid by bankgiro."""
    issue = issue_date or dt.date.today()
    due = issue + dt.timedelta(days=due_days)
    items = _lines_or_default(lines)
    net = sum((q * p).quantize(CENT) for _n, _u, q, p in items)
    tax = (net * Decimal("0.25")).quantize(CENT)
    vat = (
        "<cac:TaxCategory><cac:ID>S</cac:ID><cbc:Percent>25</cbc:Percent>"
        "<cac:TaxScheme><cac:ID>VAT</cac:ID></cac:TaxScheme></cac:TaxCategory>"
    )
    line_xml = "".join(
        f"""
  <cac:InvoiceLine>
    <cac:ID>{i}</cac:ID>
    <cbc:InvoicedQuantity quantityUnitCode="{unit}">{quantity}</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount amountCurrencyID="SEK">{
            (quantity * price).quantize(CENT)
        }</cbc:LineExtensionAmount>{
            f"<cac:OrderLineReference><cac:BuyersLineID>{i}</cac:BuyersLineID></cac:OrderLineReference>"
            if order_reference
            else ""
        }
    <cac:Item>
      <cbc:Description>{escape(name)}</cbc:Description>
      <cac:SellersItemIdentification><cac:ID>ART-{i:03d}</cac:ID></cac:SellersItemIdentification>
      {vat}
      <cac:BasePrice><cbc:PriceAmount amountCurrencyID="SEK">{price}</cbc:PriceAmount></cac:BasePrice>
    </cac:Item>
  </cac:InvoiceLine>"""
        for i, (name, unit, quantity, price) in enumerate(items, start=1)
    )

    def party(p: Party, *, is_seller: bool) -> str:
        gln = (
            f'<cac:PartyIdentification><cac:ID schemeAgencyID="9">{p.gln}</cac:ID></cac:PartyIdentification>'
            if p.gln
            else ""
        )
        seller_tax = (
            f"<cac:PartyTaxScheme><cac:CompanyID>SE{p.digits}01</cac:CompanyID>"
            "<cac:TaxScheme><cac:ID>VAT</cac:ID></cac:TaxScheme></cac:PartyTaxScheme>"
            f"<cac:PartyTaxScheme><cbc:RegistrationName>{escape(p.name)}</cbc:RegistrationName>"
            f"<cac:CompanyID>{p.org_number}</cac:CompanyID>"
            "<cbc:ExemptionReason>Godkänd för F-skatt</cbc:ExemptionReason>"
            f"<cac:RegistrationAddress><cbc:CityName>{escape(p.city)}</cbc:CityName><cac:Country>"
            "<cac:IdentificationCode>SE</cac:IdentificationCode></cac:Country></cac:RegistrationAddress>"
            "<cac:TaxScheme><cac:ID>SWT</cac:ID></cac:TaxScheme></cac:PartyTaxScheme>"
        )
        buyer_tax = (
            f"<cac:PartyTaxScheme><cac:CompanyID>{p.org_number}</cac:CompanyID>"
            "<cac:TaxScheme><cac:ID>SWT</cac:ID></cac:TaxScheme></cac:PartyTaxScheme>"
        )
        contact = (
            f"<cac:Contact><cbc:ElectronicMail>{escape(p.email)}</cbc:ElectronicMail></cac:Contact>"
            if p.email
            else ""
        )
        return (
            f"<cac:Party>{gln}<cac:PartyName><cbc:Name>{escape(p.name)}</cbc:Name></cac:PartyName>"
            "<cac:Address><cbc:StreetName>Storgatan 1</cbc:StreetName>"
            f"<cbc:CityName>{escape(p.city)}</cbc:CityName><cbc:PostalZone>11122</cbc:PostalZone>"
            "<cac:Country><cac:IdentificationCode>SE</cac:IdentificationCode></cac:Country></cac:Address>"
            f"{seller_tax if is_seller else buyer_tax}{contact}</cac:Party>"
        )

    order = f"<cac:OrderReference><cac:BuyersID>{escape(order_reference)}</cac:BuyersID></cac:OrderReference>"
    requisitionist = (
        f"<RequisitionistDocumentReference><cac:ID>{escape(buyer_reference)}</cac:ID>"
        "</RequisitionistDocumentReference>"
        if buyer_reference
        else ""
    )
    instruction = f"<cac:PaymentInstructionID>{escape(ocr)}</cac:PaymentInstructionID>" if ocr else ""
    text = f"""<?xml version="1.0" encoding="{encoding}"?>
<Invoice xmlns="urn:sfti:documents:BasicInvoice:1:0"
 xmlns:cac="urn:sfti:CommonAggregateComponents:1:0"
 xmlns:cbc="urn:oasis:names:tc:ubl:CommonBasicComponents:1:0">
  <ID>{escape(number)}</ID>
  <cbc:IssueDate>{issue.isoformat()}</cbc:IssueDate>
  <InvoiceTypeCode>380</InvoiceTypeCode>
  <cbc:Note>Svefaktura 1.0</cbc:Note>
  <InvoiceCurrencyCode>SEK</InvoiceCurrencyCode>
  {order if order_reference else ""}
  <cac:BuyerParty>{party(buyer, is_seller=False)}</cac:BuyerParty>
  <cac:SellerParty>{party(seller, is_seller=True)}</cac:SellerParty>
  <cac:PaymentMeans>
    <cbc:PaymentMeansTypeCode>1</cbc:PaymentMeansTypeCode>
    <cbc:DuePaymentDate>{due.isoformat()}</cbc:DuePaymentDate>
    <cac:PayeeFinancialAccount><cac:ID schemeName="BGNR">{bankgiro}</cac:ID>{instruction}
    </cac:PayeeFinancialAccount>
  </cac:PaymentMeans>
  <cac:PaymentTerms><cbc:Note>30 dagar netto</cbc:Note></cac:PaymentTerms>
  <cac:TaxTotal>
    <cbc:TotalTaxAmount amountCurrencyID="SEK">{tax}</cbc:TotalTaxAmount>
    <cac:TaxSubTotal>
      <cbc:TaxableAmount amountCurrencyID="SEK">{net}</cbc:TaxableAmount>
      <cbc:TaxAmount amountCurrencyID="SEK">{tax}</cbc:TaxAmount>
      {vat}
    </cac:TaxSubTotal>
  </cac:TaxTotal>
  <cac:LegalTotal>
    <cbc:LineExtensionTotalAmount amountCurrencyID="SEK">{net}</cbc:LineExtensionTotalAmount>
    <cbc:TaxExclusiveTotalAmount amountCurrencyID="SEK">{net}</cbc:TaxExclusiveTotalAmount>
    <cbc:TaxInclusiveTotalAmount amountCurrencyID="SEK">{net + tax}</cbc:TaxInclusiveTotalAmount>
  </cac:LegalTotal>{line_xml}
  {requisitionist}
</Invoice>
"""
    return text.encode(encoding)
