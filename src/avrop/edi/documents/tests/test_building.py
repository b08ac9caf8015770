"""Documents built in code, unmodelled content kept in place, errors, equality and speed."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from avrop.edi.documents import (
    Address,
    AllowanceCharge,
    Amount,
    Code,
    Contact,
    Contract,
    Country,
    CustomerParty,
    Delivery,
    DocumentError,
    DocumentReference,
    DocumentType,
    FinancialAccount,
    Identifier,
    Invoice,
    InvoiceLine,
    Item,
    ItemIdentification,
    LineItem,
    Location,
    MonetaryTotal,
    Order,
    OrderLine,
    OrderLineReference,
    OrderReference,
    Party,
    PartyIdentification,
    PartyLegalEntity,
    PartyName,
    PartyTaxScheme,
    PaymentMeans,
    PaymentTerms,
    Period,
    Price,
    Quantity,
    RawElement,
    SupplierParty,
    TaxCategory,
    TaxSubtotal,
    TaxTotal,
    UnsupportedDocumentError,
    build,
    parse,
)
from avrop.edi.documents.codes import OrderTypeCode
from avrop.edi.resources import ubl21_schema_path
from avrop.edi.validation import validate
from avrop.edi.xmlsafe import XmlSafetyError

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
SEK = "SEK"


def _sek(value: str) -> Amount:
    return Amount(Decimal(value), SEK)


def _party(name: str, org_no: str, *, gln: str | None = None, vat: bool = True) -> Party:
    """A Swedish party; org.no 0007 endpoint, VAT number SE<org.no>01."""
    return Party(
        endpoint_id=Identifier(org_no, scheme_id="0007"),
        identifications=[PartyIdentification(id=Identifier(gln, scheme_id="0088"))] if gln else [],
        names=[PartyName(name=name)],
        postal_address=Address(
            street_name="Storgatan 1",
            city_name="Stockholm",
            postal_zone="11122",
            country=Country(identification_code="SE"),
        ),
        tax_schemes=[PartyTaxScheme(company_id=Identifier(f"SE{org_no}01"))] if vat else [],
        legal_entities=[
            PartyLegalEntity(registration_name=name, company_id=Identifier(org_no, scheme_id="0007"))
        ],
        contact=Contact(
            name="Anna Andersson", telephone="+46 8 123 45 67", electronic_mail="anna@example.se"
        ),
    )


def _item(number: int, name: str) -> Item:
    return Item(
        name=name,
        sellers_item_identification=ItemIdentification(id=Identifier(f"ART-{number}")),
        classified_tax_categories=[TaxCategory(id="S", percent=Decimal("25"))],
    )


def _order() -> Order:
    def line(number: int, quantity: str, price: str, name: str) -> OrderLine:
        return OrderLine(
            line_item=LineItem(
                id=str(number),
                quantity=Quantity(Decimal(quantity), "EA"),
                line_extension_amount=Amount(Decimal(quantity) * Decimal(price), SEK),
                partial_delivery_indicator=False,
                accounting_cost="6110",
                price=Price(price_amount=_sek(price), base_quantity=Quantity(Decimal("1"), "EA")),
                item=_item(number, name),
            )
        )

    return Order(
        id="PO-2026-0001",
        issue_date=date(2026, 11, 23),
        order_type_code=OrderTypeCode.ORDER,
        currency=SEK,
        customer_reference="KST 4711",
        validity_periods=[Period(end_date=date(2026, 12, 31))],
        contracts=[Contract(id="AVT-2024-17")],
        buyer=CustomerParty(party=_party("Region Exempel", "2120000142", gln="7300010000001")),
        seller=SupplierParty(party=_party("Kontorsleverantören AB", "5567321707", vat=False)),
        deliveries=[
            Delivery(
                delivery_location=Location(
                    id=Identifier("7300010000018", scheme_id="0088"),
                    address=Address(
                        street_name="Sjukhusvägen 3",
                        city_name="Uppsala",
                        postal_zone="75185",
                        country=Country(identification_code="SE"),
                    ),
                ),
                requested_delivery_period=Period(start_date=date(2026, 12, 1), end_date=date(2026, 12, 3)),
            )
        ],
        tax_totals=[TaxTotal(tax_amount=_sek("150.00"))],
        anticipated_monetary_total=MonetaryTotal(
            line_extension_amount=_sek("600.00"), payable_amount=_sek("750.00")
        ),
        lines=[line(1, "10", "45.00", "Kopieringspapper A4"), line(2, "2", "75.00", "Pärm A4")],
    )


def _invoice(lines: int = 2) -> Invoice:
    def line(number: int) -> InvoiceLine:
        return InvoiceLine(
            id=str(number),
            quantity=Quantity(Decimal("10"), "EA"),
            line_extension_amount=_sek("300.00"),
            accounting_cost="6110",
            order_line_references=[OrderLineReference(line_id=str(number))],
            item=_item(number, f"Artikel {number}"),
            price=Price(price_amount=_sek("30.00")),
        )

    cent = Decimal("0.01")
    net = Decimal("300.00") * lines
    vat = (net / 4).quantize(cent)
    gross = (net + vat).quantize(cent)
    return Invoice(
        id="F-1001",
        issue_date=date(2026, 11, 23),
        due_date=date(2026, 12, 23),
        currency=SEK,
        buyer_reference="KST 4711",
        order_reference=OrderReference(id="PO-2026-0001"),
        contract_document_references=[DocumentReference(id=Identifier("AVT-2024-17"))],
        seller=SupplierParty(party=_party("Kontorsleverantören AB", "5567321707")),
        buyer=CustomerParty(party=_party("Region Exempel", "2120000142")),
        payment_means=[
            PaymentMeans(
                payment_means_code=Code("30"),
                payment_ids=["1001"],
                payee_financial_account=FinancialAccount(id="55551234"),
            )
        ],
        payment_terms=[PaymentTerms(notes=["30 dagar netto"])],
        tax_totals=[
            TaxTotal(
                tax_amount=Amount(vat, SEK),
                subtotals=[
                    TaxSubtotal(
                        taxable_amount=Amount(net, SEK),
                        tax_amount=Amount(vat, SEK),
                        tax_category=TaxCategory(id="S", percent=Decimal("25")),
                    )
                ],
            )
        ],
        legal_monetary_total=MonetaryTotal(
            line_extension_amount=Amount(net, SEK),
            tax_exclusive_amount=Amount(net, SEK),
            tax_inclusive_amount=Amount(gross, SEK),
            payable_amount=Amount(gross, SEK),
        ),
        lines=[line(number) for number in range(1, lines + 1)],
    )


def _xsd_errors(data: bytes) -> list[str]:
    root = etree.fromstring(data)
    schema = etree.XMLSchema(etree.parse(str(ubl21_schema_path(etree.QName(root).localname))))
    schema.validate(root)
    return str(schema.error_log).splitlines()


# --- building from scratch ---------------------------------------------------------------------------


def test_an_order_built_in_code_is_a_valid_peppol_t01_order() -> None:
    data = build(_order())

    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<Order xmlns=")
    assert b'xmlns:cac="' + CAC.encode() + b'"' in data
    assert _xsd_errors(data) == []
    report = validate(data)
    assert report.transaction == "T01"
    assert report.findings == []
    again = parse(data)
    assert again == _order()
    assert again.document_type is DocumentType.ORDER


def test_an_invoice_built_in_code_passes_cen_and_peppol_rules() -> None:
    data = build(_invoice())

    assert _xsd_errors(data) == []
    report = validate(data)
    assert report.valid, [finding.rule for finding in report.findings]
    assert report.rules("fatal") == set()


def test_new_documents_get_peppol_identifiers() -> None:
    order = _order()
    invoice = _invoice()

    assert order.customization_id == "urn:fdc:peppol.eu:poacc:trns:order:3"
    assert order.profile_id == "urn:fdc:peppol.eu:poacc:bis:ordering:3"
    assert (
        invoice.customization_id
        == "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
    )
    assert invoice.type_code == "380"


def test_elements_are_written_in_schema_order_whatever_the_change() -> None:
    order = _order()
    order.notes.append("Leverans till godsmottagningen")
    order.accounting_cost = "4711"
    children = [etree.QName(child).localname for child in etree.fromstring(build(order))]

    assert children[:8] == ["CustomizationID", "ProfileID", "ID", "IssueDate", "OrderTypeCode", "Note"] + [
        "DocumentCurrencyCode",
        "CustomerReference",
    ]
    assert children.index("AccountingCost") < children.index("ValidityPeriod") < children.index("Contract")
    assert children[-3:] == ["AnticipatedMonetaryTotal", "OrderLine", "OrderLine"]


# --- unmodelled content ------------------------------------------------------------------------------

_UNKNOWN = b"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
 xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
 xmlns:x="urn:example:x">
  <ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent><x:Seal v="1">abc</x:Seal></ext:ExtensionContent>
  </ext:UBLExtension></ext:UBLExtensions>
  <cbc:ID>1</cbc:ID>
  <cbc:IssueDate>2026-11-23</cbc:IssueDate>
  <cbc:Note languageID="sv">Hej</cbc:Note>
  <x:Future>after the note</x:Future>
  <cbc:DocumentCurrencyCode>SEK</cbc:DocumentCurrencyCode>
  <cac:Signature><cbc:ID>sig-1</cbc:ID></cac:Signature>
  <cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>S</cbc:Name></cac:PartyName>
    <cac:AgentParty><cac:PartyName><cbc:Name>Agent</cbc:Name></cac:PartyName></cac:AgentParty>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>B</cbc:Name></cac:PartyName></cac:Party>
  </cac:AccountingCustomerParty>
  <cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="SEK">0</cbc:PayableAmount></cac:LegalMonetaryTotal>
  <cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:LineExtensionAmount currencyID="SEK">0</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>i</cbc:Name></cac:Item></cac:InvoiceLine>
</Invoice>"""


def test_unmodelled_elements_and_attributes_are_listed() -> None:
    invoice = parse(_UNKNOWN)

    assert invoice.unmodelled_paths() == [
        "/Invoice/ext:UBLExtensions[1]",
        "/Invoice/{urn:example:x}Future[1]",
        "/Invoice/cac:Signature[1]",
        "/Invoice/cbc:Note[1]/@languageID",
        "/Invoice/cac:AccountingSupplierParty[1]/cac:Party[1]/cac:AgentParty[1]",
    ]
    assert isinstance(invoice, Invoice)
    assert invoice.notes == ["Hej"]
    assert invoice.extra_attributes == {("cbc:Note", 0): {"languageID": "sv"}}


def test_unmodelled_elements_are_written_back_in_place() -> None:
    invoice = parse(_UNKNOWN)
    assert isinstance(invoice, Invoice)
    # Set fields on both sides of the kept elements: they must still land in schema order.
    invoice.due_date = date(2026, 12, 23)
    invoice.buyer_reference = "KST 4711"
    invoice.tax_totals.append(TaxTotal(tax_amount=_sek("0")))

    root = etree.fromstring(build(invoice))
    names = [etree.QName(child).localname for child in root]
    assert names == [
        "UBLExtensions",
        "ID",
        "IssueDate",
        "DueDate",
        "Note",
        "Future",  # not UBL 2.1: stays right after the element it followed
        "DocumentCurrencyCode",
        "BuyerReference",
        "Signature",
        "AccountingSupplierParty",
        "AccountingCustomerParty",
        "TaxTotal",
        "LegalMonetaryTotal",
        "InvoiceLine",
    ]
    note = root.find(f"{{{CBC}}}Note")
    assert note is not None
    assert note.get("languageID") == "sv"
    assert root.findtext("{urn:example:x}Future") == "after the note"
    seal = root.find(".//{urn:example:x}Seal")
    assert seal is not None
    assert (seal.get("v"), seal.text) == ("1", "abc")
    agent = root.find(f"{{{CAC}}}AccountingSupplierParty/{{{CAC}}}Party/{{{CAC}}}AgentParty")
    previous = agent.getprevious() if agent is not None else None
    assert previous is not None
    assert etree.QName(previous).localname == "PartyName"
    assert parse(build(invoice)) == invoice


def test_kept_elements_compare_by_content_not_formatting() -> None:
    compact = etree.fromstring(
        f'<cac:X xmlns:cac="{CAC}" xmlns:cbc="{CBC}"><cbc:A>1</cbc:A></cac:X>'.encode()
    )
    indented = etree.fromstring(
        f'<r xmlns:c="{CAC}" xmlns:cbc="{CBC}" xmlns:unused="urn:u">\n <c:X>\n   <cbc:A>1</cbc:A>\n </c:X>'
        "</r>".encode()
    )[0]
    other_value = etree.fromstring(
        f'<cac:X xmlns:cac="{CAC}" xmlns:cbc="{CBC}"><cbc:A>2</cbc:A></cac:X>'.encode()
    )

    as_kept = RawElement.from_element(compact)
    assert RawElement.from_element(compact) == as_kept
    assert RawElement.from_element(other_value) != as_kept
    # Same content, other prefix for the same namespace: canonical form keeps the prefix, so not equal
    # to the cac: version, but whitespace and unused declarations never matter.
    reindented = RawElement.from_element(indented)
    assert "unused" not in reindented.xml and "\n" not in reindented.xml
    assert reindented.name == "cac:X"
    assert reindented != as_kept
    assert RawElement.from_element(reindented.element()) == reindented


def test_the_source_spelling_of_a_value_is_kept_until_the_value_changes() -> None:
    invoice = _invoice()
    invoice.allowance_charges.append(
        AllowanceCharge(
            charge_indicator=True,
            reasons=["Frakt"],
            amount=_sek("0"),
            tax_categories=[TaxCategory(id="S", percent=Decimal("25"))],
        )
    )
    data = build(invoice).replace(b"<cbc:ChargeIndicator>true<", b"<cbc:ChargeIndicator>1<")
    data = data.replace(b">750.00</cbc:PayableAmount>", b">+750.000</cbc:PayableAmount>")
    parsed = parse(data)
    assert isinstance(parsed, Invoice)
    assert parsed.allowance_charges[0].charge_indicator is True
    assert parsed.legal_monetary_total.payable_amount == _sek("750")

    built = etree.fromstring(build(parsed))
    assert built.findtext(f".//{{{CBC}}}ChargeIndicator") == "1"
    assert built.findtext(f".//{{{CBC}}}PayableAmount") == "+750.000"

    parsed.allowance_charges[0].charge_indicator = False
    parsed.legal_monetary_total.payable_amount = _sek("749.50")
    built = etree.fromstring(build(parsed))
    assert built.findtext(f".//{{{CBC}}}ChargeIndicator") == "false"
    assert built.findtext(f".//{{{CBC}}}PayableAmount") == "749.50"


# --- errors ------------------------------------------------------------------------------------------


def test_an_unsupported_root_is_named_in_the_error() -> None:
    with pytest.raises(
        UnsupportedDocumentError, match=r"unsupported document root element .*Reminder-2\}Reminder"
    ):
        parse(b'<Reminder xmlns="urn:oasis:names:specification:ubl:schema:xsd:Reminder-2"><x/></Reminder>')
    with pytest.raises(
        UnsupportedDocumentError, match="supported are ApplicationResponse, Catalogue, CreditNote"
    ):
        parse(b"<Invoice><ID>1</ID></Invoice>")  # an Invoice outside the UBL namespace


def test_unsafe_or_broken_xml_is_refused_by_the_hardened_parser() -> None:
    with pytest.raises(XmlSafetyError):
        parse(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')
    with pytest.raises(XmlSafetyError):
        parse(b"<Invoice")
    with pytest.raises(XmlSafetyError):
        parse(build(_invoice()), max_bytes=100)


def test_a_bad_value_is_reported_with_its_location() -> None:
    data = build(_invoice())
    head, _, tail = data.rpartition(b'<cbc:InvoicedQuantity unitCode="EA">10<')
    with pytest.raises(DocumentError) as caught:
        parse(head + b'<cbc:InvoicedQuantity unitCode="EA">ten<' + tail)
    assert caught.value.path == "cac:InvoiceLine[2]/cbc:InvoicedQuantity[1]"
    assert "not a decimal number: 'ten'" in str(caught.value)

    with pytest.raises(DocumentError, match=r"cbc:DueDate\[1\]: not a date"):
        parse(data.replace(b"<cbc:DueDate>2026-12-23<", b"<cbc:DueDate>2026-W52-3<"))


def test_a_missing_mandatory_element_is_reported() -> None:
    data = build(_invoice())
    with pytest.raises(DocumentError, match="missing cbc:IssueDate"):
        parse(data.replace(b"<cbc:IssueDate>2026-11-23</cbc:IssueDate>", b""))
    without_currency = data.replace(b'<cbc:PriceAmount currencyID="SEK">', b"<cbc:PriceAmount>", 1)
    with pytest.raises(
        DocumentError, match=r"cac:InvoiceLine\[1\]/cac:Price\[1\]/cbc:PriceAmount\[1\]: amount"
    ):
        parse(without_currency)


# --- speed -------------------------------------------------------------------------------------------


def test_a_large_invoice_parses_and_builds_quickly() -> None:
    data = build(_invoice(lines=2000))

    started = time.perf_counter()
    invoice = parse(data)
    built = build(invoice)
    elapsed = time.perf_counter() - started

    assert isinstance(invoice, Invoice)
    assert len(invoice.lines) == 2000
    assert built == data
    # About 0.3 s on a quiet core; the bound only catches accidental quadratic behaviour.
    assert elapsed < 10


def test_wrong_value_types_are_refused_with_their_location() -> None:
    invoice = _invoice()
    invoice.lines[1].line_extension_amount = Amount(0.1, SEK)  # type: ignore[arg-type]
    with pytest.raises(
        DocumentError, match=r"cac:InvoiceLine\[2\]/cbc:LineExtensionAmount\[1\]: expected a Decimal"
    ):
        build(invoice)

    invoice = _invoice()
    invoice.legal_monetary_total.payable_amount = "750.00"  # type: ignore[assignment]
    with pytest.raises(
        DocumentError, match=r"cac:LegalMonetaryTotal\[1\]/cbc:PayableAmount\[1\]: cannot write str"
    ):
        build(invoice)

    invoice = _invoice()
    invoice.lines[0].quantity = Quantity(10, "EA")  # type: ignore[arg-type]
    assert b'<cbc:InvoicedQuantity unitCode="EA">10</cbc:InvoicedQuantity>' in build(invoice)
