"""Typed values read from the official examples, and dispatch on root element and customisation."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from avrop.edi.documents import (
    Amount,
    ApplicationResponse,
    Catalogue,
    CatalogueResponse,
    Code,
    CreditNote,
    DespatchAdvice,
    DocumentType,
    Identifier,
    Invoice,
    InvoiceResponse,
    MessageLevelResponse,
    Order,
    OrderAgreement,
    OrderCancellation,
    OrderChange,
    OrderResponse,
    OrderResponseAdvanced,
    OrderResponseSimple,
    PunchOut,
    Quantity,
    build,
    parse,
)
from avrop.edi.documents.codes import (
    InvoiceResponseCode,
    InvoiceStatusAction,
    InvoiceStatusReason,
    LineStatusCode,
    OrderResponseCode,
    StatusReasonCode,
)
from avrop.edi.tests._standards import STANDARDS

BILLING = STANDARDS / "peppol-billing" / "examples"
POACC = STANDARDS / "peppol-poacc" / "examples"


def _parse(path: str) -> object:
    return parse((STANDARDS / path).read_bytes())


def test_invoice_header_parties_and_totals_are_typed() -> None:
    invoice = parse((BILLING / "bis" / "base-example.xml").read_bytes())

    assert isinstance(invoice, Invoice)
    assert invoice.document_type is DocumentType.INVOICE
    assert invoice.transaction == "T10"
    assert (
        invoice.customization_id
        == "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
    )
    assert invoice.profile_id == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    assert (invoice.id, invoice.issue_date, invoice.due_date) == (
        "Snippet1",
        date(2017, 11, 13),
        date(2017, 12, 1),
    )
    assert (invoice.type_code, invoice.currency, invoice.buyer_reference) == ("380", "EUR", "0150abc")
    assert invoice.accounting_cost == "4025:123:4343"

    seller = invoice.seller.party
    assert seller is not None
    assert seller.endpoint_id == Identifier("9482348239847239874", scheme_id="0088")
    assert seller.name == "SupplierTradingName Ltd."
    assert seller.legal_name == "SupplierOfficialName Ltd"
    assert seller.vat_id == "GB1232434"
    assert seller.legal_registration_id == Identifier("GB983294")
    assert seller.postal_address is not None
    address = seller.postal_address
    assert (address.street_name, address.additional_street_name) == ("Main street 1", "Postbox 123")
    assert (address.city_name, address.postal_zone, address.country_code) == ("London", "GB 123 EW", "GB")
    buyer = invoice.buyer.party
    assert buyer is not None
    assert buyer.identifier == Identifier("FR23342", scheme_id="0002")
    assert buyer.legal_registration_id == Identifier("39937423947", scheme_id="0183")
    assert buyer.contact is not None
    assert (buyer.contact.name, buyer.contact.electronic_mail) == ("Lisa Johnson", "lj@buyer.se")

    delivery = invoice.delivery
    assert delivery is not None
    assert delivery.actual_delivery_date == date(2017, 11, 1)
    assert delivery.delivery_location is not None
    assert delivery.delivery_location.id == Identifier("9483759475923478", scheme_id="0088")

    means = invoice.payment_means[0]
    assert means.payment_means_code == Code("30", name="Credit transfer")
    assert means.payment_id == "Snippet1"
    assert means.payee_financial_account is not None
    assert means.payee_financial_account.id == "IBAN32423940"
    assert means.payee_financial_account.bic == "BIC324098"
    assert invoice.payment_terms[0].notes == ["Payment within 10 days, 2% discount"]

    charge = invoice.allowance_charges[0]
    assert charge.charge_indicator is True
    assert (charge.reason, charge.amount) == ("Insurance", Amount(Decimal("25"), "EUR"))
    assert charge.tax_categories[0].percent == Decimal("25.0")

    tax_total = invoice.tax_total
    assert tax_total is not None
    assert tax_total.tax_amount == Amount(Decimal("331.25"), "EUR")
    subtotal = tax_total.subtotals[0]
    assert subtotal.taxable_amount == Amount(Decimal("1325"), "EUR")
    assert (subtotal.tax_category.id, subtotal.tax_category.tax_scheme.id) == ("S", "VAT")

    totals = invoice.legal_monetary_total
    assert totals.line_extension_amount == Amount(Decimal("1300"), "EUR")
    assert totals.tax_inclusive_amount == Amount(Decimal("1656.25"), "EUR")
    assert totals.payable_amount.value == Decimal("1656.25")
    assert isinstance(totals.payable_amount.value, Decimal)


def test_invoice_lines_are_typed() -> None:
    invoice = parse((BILLING / "bis" / "base-example.xml").read_bytes())
    assert isinstance(invoice, Invoice)

    assert [line.id for line in invoice.lines] == ["1", "2"]
    first, second = invoice.lines
    assert first.quantity == Quantity(Decimal("7"), "DAY")
    assert second.quantity == Quantity(Decimal("-3"), "DAY")
    assert first.line_extension_amount == Amount(Decimal("2800"), "EUR")
    assert first.accounting_cost == "Konteringsstreng"
    assert first.order_line_id == "123"
    assert first.item.name == "item name"
    assert first.item.description == "Description of item"
    assert first.item.standard_item_id == Identifier("21382183120983", scheme_id="0088")
    assert first.item.origin_country is not None
    assert first.item.origin_country.identification_code == "NO"
    assert first.item.commodity_classifications[0].item_classification_code == Code("09348023", list_id="SRV")
    assert first.item.classified_tax_category is not None
    assert first.item.classified_tax_category.percent == Decimal("25.0")
    assert first.price is not None
    assert first.price.price_amount == Amount(Decimal("400"), "EUR")


def test_attachment_keeps_the_file_bytes_mime_code_and_filename() -> None:
    invoice = parse((BILLING / "snippets" / "Snippet-full.xml").read_bytes())
    assert isinstance(invoice, Invoice)

    milage = next(ref for ref in invoice.attachments if ref.id.value == "mr4343")
    assert milage.document_descriptions == ["milage report"]
    assert milage.attachment is not None
    embedded = milage.attachment.embedded_document
    assert embedded is not None
    assert (embedded.content, embedded.mime_code, embedded.filename) == (
        b"milage report",
        "text/csv",
        "milage.csv",
    )
    assert "13 bytes" in repr(embedded)


def test_credit_note_reads_its_lines_billing_reference_and_due_date() -> None:
    correction = parse((BILLING / "bis" / "base-creditnote-correction.xml").read_bytes())
    assert isinstance(correction, CreditNote)
    assert (correction.transaction, correction.type_code) == ("T14", "381")
    reference = correction.billing_references[0].invoice_document_reference
    assert reference is not None
    assert reference.id == Identifier("Snippet1")

    full = _parse("en16931/examples/testfiles/CreditNote-Max_content.xml")
    assert isinstance(full, CreditNote)
    assert full.due_date is None  # the example has PaymentDueDate commented out
    full.payment_means[0].payment_due_date = date(2018, 3, 7)
    rebuilt = parse(build(full))
    assert isinstance(rebuilt, CreditNote)
    assert rebuilt.due_date == date(2018, 3, 7)  # UBL 2.1 credit notes carry it in cac:PaymentMeans
    assert full.lines[0].quantity == Quantity(Decimal("500"), "EA")
    assert full.lines[0].item is not None


def test_order_header_delivery_and_lines() -> None:
    order = parse((POACC / "bis" / "Order_Example.xml").read_bytes())

    assert isinstance(order, Order)
    assert (order.document_type, order.transaction) == (DocumentType.ORDER, "T01")
    assert (order.id, order.issue_date, order.order_type_code) == ("34", date(2018, 9, 1), "220")
    assert (order.buyer_reference, order.accounting_cost) == ("9000012345", "Project123")
    assert order.validity_period is not None
    assert order.validity_period.end_date == date(2013, 1, 31)
    assert order.contract is not None
    assert order.contract.id == "34322"
    assert order.quotation_document_reference is not None
    assert order.quotation_document_reference.id.value == "QuoteID123"
    assert order.buyer.party is not None
    assert order.buyer.party.identifier == Identifier("7300010000001", scheme_id="0088")

    delivery = order.delivery
    assert delivery is not None
    assert delivery.delivery_location is not None
    assert delivery.delivery_location.id == Identifier("7300010000001", scheme_id="0088")
    assert delivery.requested_delivery_period is not None
    assert delivery.requested_delivery_period.start_date == date(2012, 10, 10)
    assert [terms.id for terms in order.delivery_terms] == [Identifier("FOB")]
    assert order.anticipated_monetary_total is not None
    assert order.anticipated_monetary_total.payable_amount == Amount(Decimal("6363"), "NOK")

    line = order.lines[0].line_item
    assert (line.id, line.quantity) == ("1", Quantity(Decimal("120"), "EA"))
    assert line.line_extension_amount == Amount(Decimal("6300.00"), "NOK")
    assert line.partial_delivery_indicator is False
    assert line.accounting_cost == "12345678"
    assert line.delivery_period is not None
    assert (line.delivery_period.start_date, line.delivery_period.end_date) == (
        date(2010, 2, 10),
        date(2010, 2, 25),
    )
    assert line.price is not None
    assert line.price.price_amount == Amount(Decimal("50.000"), "NOK")
    assert str(line.price.price_amount.value) == "50.000"  # scale kept


def test_order_response_codes_and_line_status() -> None:
    response = parse((POACC / "bis" / "Order-response use cases" / "UC2_Order_response.xml").read_bytes())

    assert isinstance(response, OrderResponse)
    assert response.document_type is DocumentType.ORDER_RESPONSE
    assert response.response_code == OrderResponseCode.CONDITIONALLY_ACCEPTED
    assert response.note == "Response message with item identifiers"
    assert response.order_reference is not None
    assert response.order_reference.id == "1"
    assert response.issue_time == time(14, 23, 26)
    assert response.delivery is not None
    assert response.delivery.promised_delivery_period is not None
    assert response.delivery.promised_delivery_period.end_date == date(2013, 7, 16)
    assert [line.line_item.line_status_code for line in response.lines] == [LineStatusCode.ACCEPTED] * 2
    assert response.lines[0].order_line_references[0].line_id == "1"
    assert response.lines[0].line_item.item.sellers_item_id == "4545423"


def test_order_response_substituted_item() -> None:
    path = next((POACC / "bis" / "Order-response use cases").glob("*.xml"))
    responses = [parse(p.read_bytes()) for p in path.parent.glob("*.xml")]
    substituted = [
        line.seller_substituted_line_items[0]
        for response in responses
        if isinstance(response, OrderResponse)
        for line in response.lines
        if line.seller_substituted_line_items
    ]
    assert substituted, "the use cases include a substituted item"
    assert all(item.item.name for item in substituted)


def test_despatch_advice_shipment_lines_lot_and_serial() -> None:
    advice = parse((POACC / "bis" / "DespatchAdvice_Example.xml").read_bytes())

    assert isinstance(advice, DespatchAdvice)
    assert advice.transaction == "T16"
    assert advice.order_reference is not None
    assert advice.order_reference.id == "AEG012345"
    assert advice.delivery_customer.delivery_contact is not None
    assert advice.delivery_customer.delivery_contact.name == "Mr Fred Churchill"
    shipment = advice.shipment
    assert shipment is not None
    assert shipment.tracking_id == "456789"
    assert shipment.total_transport_handling_unit_quantity == Quantity(Decimal("3"))
    assert advice.delivery is not None
    assert advice.delivery.estimated_delivery_period is not None
    assert advice.delivery.estimated_delivery_period.start_date == date(2018, 9, 25)
    assert advice.delivery.despatch is not None
    assert advice.delivery.despatch.actual_despatch_time == time(13, 0)

    line = advice.lines[0]
    assert line.delivered_quantity == Quantity(Decimal("10"), "C62")
    assert line.outstanding_quantity == Quantity(Decimal("2"), "C62")
    assert line.outstanding_reasons == ["text"]
    assert line.order_line_id == "1"
    instance = line.item.item_instances[0]
    assert instance.serial_id == "4558784"
    assert instance.product_trace_id is not None
    assert instance.product_trace_id.scheme_id == "UDI"
    assert instance.lot_identification is not None
    assert instance.lot_identification.lot_number_id == "546378239"
    unit = line.shipments[0].transport_handling_units[0]
    assert [package.packaging_type_code for package in unit.packages] == ["BX", "BX"]


def test_catalogue_lines_prices_and_item_details() -> None:
    catalogue = parse((POACC / "bis" / "Catalogue_Example.xml").read_bytes())

    assert isinstance(catalogue, Catalogue)
    assert (catalogue.document_type, catalogue.transaction) == (DocumentType.CATALOGUE, "T19")
    assert (catalogue.action_code, catalogue.name, catalogue.version_id) == ("Add", "Spring Catalogue", "2.0")
    assert catalogue.contract_reference == "CRT1387"
    assert catalogue.validity_period is not None
    assert catalogue.validity_period.end_date == date(2019, 8, 31)

    line = catalogue.lines[0]
    assert (line.action_code, line.orderable_indicator, line.orderable_unit) == ("Update", True, "LBR")
    assert line.content_unit_quantity == Quantity(Decimal("10"), "C62")
    assert line.minimum_order_quantity == Quantity(Decimal("1"), "LBR")
    assert line.maximum_order_quantity == Quantity(Decimal("100"), "LBR")
    assert line.warranty_information == ["text"]
    assert [price.price_amount for price in line.prices] == [Amount(Decimal("10.00"), "EUR")]
    location = line.required_item_location_quantities[0]
    assert location.lead_time_measure is not None
    assert (location.lead_time_measure.value, location.lead_time_measure.unit_code) == (Decimal("2"), "DAY")
    item = line.item
    assert (item.keywords, item.brand_names) == (["text"], ["text"])
    assert item.standard_item_id == Identifier("1234567890114", scheme_id="0160")
    classification = item.commodity_classifications[0].item_classification_code
    assert classification == Code(
        "20101601", list_id="MP", list_version_id="19.0501", name="Office furniture"
    )
    certificate = item.certificates[0]
    assert (certificate.certificate_type_code, certificate.remarks) == ("SVANEN", ["Svanen"])
    assert item.dimensions[0].attribute_id == "LN"
    image = item.item_specification_document_references[0].attachment
    assert image is not None
    assert image.embedded_document is not None
    assert image.embedded_document.filename == "image1.png"
    assert image.external_reference is not None
    assert image.external_reference.uri == "http://www.supplier.com/image1.png"


def test_invoice_response_reasons_actions_and_clarifications() -> None:
    folder = POACC / "bis" / "Invoice reponse use cases"
    response = parse((folder / "T111-uc006c-Wrong detail partial credit.xml").read_bytes())

    assert isinstance(response, InvoiceResponse)
    assert (response.document_type, response.transaction) == (DocumentType.INVOICE_RESPONSE, "T111")
    assert response.response_code == InvoiceResponseCode.UNDER_QUERY
    assert response.referenced_document_id == "inv021"
    assert [s.status_reason_code.value for s in response.status_reasons if s.status_reason_code] == [
        InvoiceStatusReason.DELIVERY_ISSUES
    ]
    assert response.status_reasons[0].status_reason is not None
    assert response.status_reasons[0].status_reason.startswith("Delivered quantity for line number 1")
    assert [s.status_reason_code.value for s in response.status_actions if s.status_reason_code] == [
        InvoiceStatusAction.CREDIT_PARTIALLY
    ]
    with_conditions = [
        parse(path.read_bytes()) for path in folder.glob("*.xml") if b"cac:Condition" in path.read_bytes()
    ]
    conditions = [
        condition
        for doc in with_conditions
        if isinstance(doc, InvoiceResponse)
        for status in doc.statuses
        for condition in status.conditions
    ]
    assert conditions and all(condition.attribute_id for condition in conditions)


def test_message_level_response_error_location() -> None:
    mlr = parse((POACC / "bis" / "MessageLevelResponse_Example.xml").read_bytes())

    assert isinstance(mlr, MessageLevelResponse)
    assert mlr.transaction == "T71"
    assert mlr.response_code == "RE"
    document_response = mlr.document_response
    assert document_response is not None
    assert document_response.response.description == "Rejected due to validation errore"
    error = document_response.line_responses[0]
    assert error.line_reference.line_id.startswith("/Catalogue/cac:CatalogueLine[3]")
    assert error.responses[0].statuses[0].status_reason_code == Code(StatusReasonCode.BUSINESS_RULE_FATAL)


BIS = "peppol-poacc/examples/bis/"


@pytest.mark.parametrize(
    ("path", "cls", "document_type", "transaction"),
    [
        (BIS + "OrderAgreement_Example.xml", OrderAgreement, DocumentType.ORDER_AGREEMENT, "T110"),
        (BIS + "CatalogueResponse_Example.xml", CatalogueResponse, DocumentType.CATALOGUE_RESPONSE, "T58"),
        (BIS + "PunchOut_Example.xml", PunchOut, DocumentType.PUNCH_OUT, "T77"),
        (BIS + "OrderChange_Example.xml", OrderChange, DocumentType.ORDER_CHANGE, "T114"),
        (BIS + "OrderCancellation_Example.xml", OrderCancellation, DocumentType.ORDER_CANCELLATION, "T115"),
        (
            BIS + "OrderResponseAdvanced_Example.xml",
            OrderResponseAdvanced,
            DocumentType.ORDER_RESPONSE_ADVANCED,
            "T116",
        ),
        (
            "ubl-2.1/examples/UBL-OrderResponseSimple-2.1-Example.xml",
            OrderResponseSimple,
            DocumentType.ORDER_RESPONSE_SIMPLE,
            None,
        ),
        ("ubl-2.1/examples/UBL-Invoice-2.1-Example.xml", Invoice, DocumentType.INVOICE, "T10"),
    ],
)
def test_root_and_customization_choose_the_class(
    path: str, cls: type, document_type: str, transaction: str | None
) -> None:
    document = _parse(path)
    assert type(document) is cls
    assert getattr(document, "document_type") == document_type  # noqa: B009
    assert getattr(document, "transaction") == transaction  # noqa: B009


def test_an_application_response_without_peppol_customization_stays_generic() -> None:
    data = (POACC / "bis" / "MessageLevelResponse_Example.xml").read_bytes()
    generic = parse(data.replace(b"urn:fdc:peppol.eu:poacc:trns:mlr:3", b"urn:example:other"))
    assert type(generic) is ApplicationResponse
    assert generic.document_type is DocumentType.APPLICATION_RESPONSE
    assert generic.transaction is None


def test_advanced_order_response_keeps_the_ubl_23_reference() -> None:
    response = _parse("peppol-poacc/examples/bis/OrderResponseAdvanced_Example.xml")

    assert isinstance(response, OrderResponseAdvanced)
    assert response.response_code in set(OrderResponseCode)
    (kept,) = [raw for raw in response.extra if raw.name == "cac:OrderChangeDocumentReference"]
    assert "c1-11233" in kept.xml
    # Not a UBL 2.1 element, so it is anchored to the UBL 2.1 element that preceded it.
    assert (
        kept.after
        == "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}OrderReference"
    )
    assert "/OrderResponse/cac:OrderChangeDocumentReference[1]" in response.unmodelled_paths()
