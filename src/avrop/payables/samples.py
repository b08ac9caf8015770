"""Valid Peppol BIS Billing 3 invoices and credit notes for the demo, the tests and the benchmark.

The documents pass XSD, CEN and Peppol including the Swedish rules when the organisation numbers are valid
(Luhn): a Swedish seller has its VAT number, its F-tax statement and its organisation number; payment is by
bankgiro. ``broken=`` produces the usual supplier mistakes, each caught by a named rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

CENT = Decimal("0.01")
ARTICLES = [
    ("Kopieringspapper A4 80 g, 5 x 500 ark", "XBX", Decimal("189.00")),
    ("Toner svart, multifunktionsskrivare", "EA", Decimal("1249.00")),
    ("Kaffe mellanrost 450 g", "EA", Decimal("62.50")),
    ("Servicebesök tekniker, per timme", "HUR", Decimal("850.00")),
    ("Kulspetspenna blå, 12-pack", "XPK", Decimal("48.90")),
    ("Mjölk 1,5 % 1 l", "LTR", Decimal("13.20")),
    ("Hyra multifunktionsmaskin, månad", "MON", Decimal("1450.00")),
]


@dataclass(frozen=True)
class Party:
    name: str
    org_number: str  # NNNNNN-NNNN
    city: str = "Stockholm"
    peppol_id: str = ""  # scheme:value; default 0007:<org number>
    email: str = ""
    gln: str = ""

    @property
    def digits(self) -> str:
        return self.org_number.replace("-", "")

    @property
    def endpoint(self) -> tuple[str, str]:
        scheme, _sep, value = (self.peppol_id or f"0007:{self.digits}").partition(":")
        return scheme, value


def _party(party: Party, *, seller: bool) -> str:
    scheme, value = party.endpoint
    tax = ""
    if seller:
        tax = (
            f"<cac:PartyTaxScheme><cbc:CompanyID>SE{party.digits}01</cbc:CompanyID>"
            "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>"
            "<cac:PartyTaxScheme><cbc:CompanyID>Godkänd för F-skatt</cbc:CompanyID>"
            "<cac:TaxScheme><cbc:ID>TAX</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>"
        )
    identification = (
        f'<cac:PartyIdentification><cbc:ID schemeID="0088">{party.gln}</cbc:ID></cac:PartyIdentification>'
        if party.gln
        else ""
    )
    contact = (
        f"<cac:Contact><cbc:ElectronicMail>{escape(party.email)}</cbc:ElectronicMail></cac:Contact>"
        if party.email
        else ""
    )
    return (
        f'<cac:Party><cbc:EndpointID schemeID="{scheme}">{value}</cbc:EndpointID>{identification}'
        f"<cac:PartyName><cbc:Name>{escape(party.name)}</cbc:Name></cac:PartyName>"
        f"<cac:PostalAddress><cbc:StreetName>Storgatan 1</cbc:StreetName><cbc:CityName>{escape(party.city)}"
        "</cbc:CityName><cbc:PostalZone>11122</cbc:PostalZone><cac:Country><cbc:IdentificationCode>SE"
        "</cbc:IdentificationCode></cac:Country></cac:PostalAddress>"
        f"{tax}<cac:PartyLegalEntity><cbc:RegistrationName>{escape(party.name)}</cbc:RegistrationName>"
        f'<cbc:CompanyID schemeID="0007">{party.digits}</cbc:CompanyID></cac:PartyLegalEntity>{contact}'
        "</cac:Party>"
    )


def invoice_xml(
    *,
    number: str,
    seller: Party,
    buyer: Party,
    buyer_reference: str = "",
    order_reference: str = "",
    lines: int = 3,
    issue_date: dt.date | None = None,
    due_days: int = 30,
    bankgiro: str = "5050-1055",
    credit_note: bool = False,
    credited_invoice: str = "",
    seed: int = 0,
    broken: str = "",
    items: list[dict] | None = None,
) -> bytes:
    """An invoice (or credit note) with ``lines`` lines at 25 % VAT.

    ``items``: the lines instead, each a dict with ``quantity``, ``price`` and optionally ``name``, ``unit``,
    ``order_line`` (BT-132) and ``article`` (the seller's article number).
    ``broken``: ``"totals"`` (payable amount off by 100, BR-CO-15/16), ``"reference"`` (no buyer or order
    reference, PEPPOL-EN16931-R003), ``"xsd"`` (an element out of place).
    """
    issue = issue_date or dt.date.today()
    due = issue + dt.timedelta(days=due_days)
    root, line_tag, quantity_tag = (
        ("CreditNote", "CreditNoteLine", "CreditedQuantity")
        if credit_note
        else ("Invoice", "InvoiceLine", "InvoicedQuantity")
    )
    line_xml = []
    net = Decimal(0)
    specs = []
    for index in range(1, (len(items) if items is not None else lines) + 1):
        if items is not None:
            spec = items[index - 1]
            name, unit, price = (
                spec.get("name", f"Artikel {index}"),
                spec.get("unit", "EA"),
                Decimal(spec["price"]),
            )
            quantity = Decimal(spec["quantity"])
            order_line, article = str(spec.get("order_line", "")), str(spec.get("article", ""))
        else:
            name, unit, price = ARTICLES[(seed + index) % len(ARTICLES)]
            if index == 1:
                # Different seeds give different totals, so unrelated invoices do not look like duplicates.
                price += Decimal(seed % 99991) / 100
            quantity = Decimal((seed * 7 + index * 3) % 9 + 1)
            order_line = article = ""
        specs.append((index, name, unit, price, quantity, order_line, article))
    for index, name, unit, price, quantity, order_line, article in specs:
        amount = (quantity * price).quantize(CENT)
        net += amount
        reference = (
            f"<cac:OrderLineReference><cbc:LineID>{escape(order_line)}</cbc:LineID></cac:OrderLineReference>"
            if order_line
            else ""
        )
        seller_id = (
            f"<cac:SellersItemIdentification><cbc:ID>{escape(article)}</cbc:ID></cac:SellersItemIdentification>"
            if article
            else ""
        )
        line_xml.append(
            f"<cac:{line_tag}><cbc:ID>{index}</cbc:ID>"
            f'<cbc:{quantity_tag} unitCode="{unit}">{quantity}</cbc:{quantity_tag}>'
            f'<cbc:LineExtensionAmount currencyID="SEK">{amount}</cbc:LineExtensionAmount>{reference}'
            f"<cac:Item><cbc:Name>{escape(name)}</cbc:Name>{seller_id}"
            "<cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID>"
            "<cbc:Percent>25</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>"
            "</cac:ClassifiedTaxCategory></cac:Item>"
            f'<cac:Price><cbc:PriceAmount currencyID="SEK">{price}</cbc:PriceAmount></cac:Price>'
            f"</cac:{line_tag}>"
        )
    tax = (net * Decimal("0.25")).quantize(CENT)
    payable = net + tax
    if broken == "totals":
        payable += 100
    reference = "" if broken == "reference" else buyer_reference
    head = [
        "<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
        "</cbc:CustomizationID>",
        "<cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>",
        f"<cbc:ID>{escape(number)}</cbc:ID>",
        f"<cbc:IssueDate>{issue.isoformat()}</cbc:IssueDate>",
    ]
    if credit_note:
        head.append("<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>")
    else:
        head.append(f"<cbc:DueDate>{due.isoformat()}</cbc:DueDate>")
        head.append("<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>")
    head.append("<cbc:DocumentCurrencyCode>SEK</cbc:DocumentCurrencyCode>")
    if reference:
        head.append(f"<cbc:BuyerReference>{escape(reference)}</cbc:BuyerReference>")
    if order_reference and broken != "reference":
        head.append(f"<cac:OrderReference><cbc:ID>{escape(order_reference)}</cbc:ID></cac:OrderReference>")
    if credited_invoice:
        head.append(
            "<cac:BillingReference><cac:InvoiceDocumentReference>"
            f"<cbc:ID>{escape(credited_invoice)}</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference>"
        )
    due_in_means = f"<cbc:PaymentDueDate>{due.isoformat()}</cbc:PaymentDueDate>" if credit_note else ""
    body = [
        f"<cac:AccountingSupplierParty>{_party(seller, seller=True)}</cac:AccountingSupplierParty>",
        f"<cac:AccountingCustomerParty>{_party(buyer, seller=False)}</cac:AccountingCustomerParty>",
        f"<cac:Delivery><cbc:ActualDeliveryDate>{issue.isoformat()}</cbc:ActualDeliveryDate></cac:Delivery>",
        f'<cac:PaymentMeans><cbc:PaymentMeansCode name="Bankgiro">30</cbc:PaymentMeansCode>{due_in_means}'
        f"<cbc:PaymentID>{number.replace('-', '')[-20:] or '1'}</cbc:PaymentID>"
        f"<cac:PayeeFinancialAccount><cbc:ID>{bankgiro.replace('-', '')}</cbc:ID>"
        "<cac:FinancialInstitutionBranch><cbc:ID>SE:BANKGIRO</cbc:ID></cac:FinancialInstitutionBranch>"
        "</cac:PayeeFinancialAccount></cac:PaymentMeans>",
        "<cac:PaymentTerms><cbc:Note>30 dagar netto. Dröjsmålsränta enligt räntelagen.</cbc:Note>"
        "</cac:PaymentTerms>",
        f'<cac:TaxTotal><cbc:TaxAmount currencyID="SEK">{tax}</cbc:TaxAmount><cac:TaxSubtotal>'
        f'<cbc:TaxableAmount currencyID="SEK">{net}</cbc:TaxableAmount>'
        f'<cbc:TaxAmount currencyID="SEK">{tax}</cbc:TaxAmount><cac:TaxCategory><cbc:ID>S</cbc:ID>'
        "<cbc:Percent>25</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>"
        "</cac:TaxSubtotal></cac:TaxTotal>",
        f'<cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="SEK">{net}</cbc:LineExtensionAmount>'
        f'<cbc:TaxExclusiveAmount currencyID="SEK">{net}</cbc:TaxExclusiveAmount>'
        f'<cbc:TaxInclusiveAmount currencyID="SEK">{net + tax}</cbc:TaxInclusiveAmount>'
        f'<cbc:PayableAmount currencyID="SEK">{payable}</cbc:PayableAmount></cac:LegalMonetaryTotal>',
    ]
    if broken == "xsd":
        body.insert(0, body.pop())
    namespace = f"urn:oasis:names:specification:ubl:schema:xsd:{root}-2"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{root} xmlns="{namespace}" '
        'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
        'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
        + "".join(head)
        + "".join(body)
        + "".join(line_xml)
        + f"</{root}>"
    ).encode()


def invoice_pdf(
    *,
    number: str,
    seller: Party,
    buyer_reference: str,
    amount: Decimal,
    issue_date: dt.date,
    bankgiro: str = "5050-1055",
) -> bytes:
    """A simple text-based PDF invoice (rendered by WeasyPrint), as a small supplier would e-mail it."""
    import weasyprint

    from avrop.edi.render import safe_url_fetcher

    tax = (amount * Decimal("0.25")).quantize(CENT)
    html = f"""<html><body style="font-family: sans-serif">
    <h1>{escape(seller.name)}</h1><p>Org.nr: {seller.org_number}</p>
    <h2>Faktura</h2>
    <p>Fakturanummer: {escape(number)}</p>
    <p>Fakturadatum: {issue_date.isoformat()}</p>
    <p>Förfallodatum: {(issue_date + dt.timedelta(days=30)).isoformat()}</p>
    <p>Er referens: {escape(buyer_reference)}</p>
    <table><tr><td>Hantverkstjänst, 6 timmar</td><td>{amount}</td></tr></table>
    <p>Moms 25 %: {tax}</p>
    <p>Att betala: {amount + tax} SEK</p>
    <p>Bankgiro: {bankgiro}</p>
    </body></html>"""
    return bytes(weasyprint.HTML(string=html, url_fetcher=safe_url_fetcher()).write_pdf())
