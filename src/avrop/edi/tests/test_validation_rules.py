"""Hand-made positive and negative cases for individual rules.

Each case takes a valid official example, changes one thing with lxml, and asserts that the named rule
fires on the changed document (with the expected severity) while it does not fire on the original.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import pytest
from lxml import etree

from avrop.edi.tests._standards import STANDARDS
from avrop.edi.validation import Report, Severity, validate

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
CAC, CBC = (f"{{{NS[p]}}}" for p in ("cac", "cbc"))

POACC = STANDARDS / "peppol-poacc" / "examples"
BASE_FILES = {
    "invoice": STANDARDS / "peppol-billing" / "examples" / "bis" / "base-example.xml",
    "creditnote": STANDARDS / "peppol-billing" / "examples" / "bis" / "base-creditnote-correction.xml",
    "T01": POACC / "bis" / "Order use cases" / "UC3_Order.xml",
    "T76": POACC / "bis" / "Order-response use cases" / "UC3_Order_response.xml",
    "T110": POACC / "bis" / "OrderAgreement_Example.xml",
    "T16": POACC / "bis" / "Despatch Advice use cases" / "DespatchAdvice-BIS3_UseCase1.xml",
    "T19": POACC / "bis" / "Catalogue_Example.xml",
    "T58": POACC / "bis" / "CatalogueResponse_Example.xml",
    "T71": POACC / "bis" / "MessageLevelResponse_Example.xml",
    "T111": POACC / "bis" / "Invoice reponse use cases" / "T111-uc001-Invoice in process.xml",
    "T77": POACC / "bis" / "PunchOut_Example.xml",
    "T114": POACC / "bis" / "OrderChange_Example.xml",
    "T115": POACC / "bis" / "OrderCancellation_Example.xml",
    "T116": POACC / "bis" / "Advanced Ordering scenarios" / "advanced_ordering_sc5" / "OrderResponse_sc5.xml",
}

Mutation = Callable[[etree._Element], None]


def _nodes(root: etree._Element, path: str) -> list[etree._Element]:
    found = root.xpath(path, namespaces=NS)
    # A mutation that matches nothing would make the case pass for the wrong reason.
    assert found, f"the mutation path {path!r} matches nothing in the base document"
    return found


def remove(path: str) -> Mutation:
    def apply(root: etree._Element) -> None:
        for node in _nodes(root, path):
            parent = node.getparent()
            assert parent is not None, f"{path!r} matches the root element"
            parent.remove(node)

    return apply


def set_text(path: str, value: str) -> Mutation:
    def apply(root: etree._Element) -> None:
        for node in _nodes(root, path):
            node.text = value

    return apply


def set_attr(path: str, name: str, value: str) -> Mutation:
    def apply(root: etree._Element) -> None:
        for node in _nodes(root, path):
            node.set(name, value)

    return apply


def add_after(path: str, xml: str) -> Mutation:
    """Insert ``xml`` (using the cac:/cbc: prefixes) after the first node matching ``path``."""

    def apply(root: etree._Element) -> None:
        wrapper = etree.fromstring(f'<w xmlns:cac="{NS["cac"]}" xmlns:cbc="{NS["cbc"]}">{xml}</w>')
        anchor = _nodes(root, path)[0]
        for new in reversed(list(wrapper)):
            anchor.addnext(new)

    return apply


def duplicate(path: str) -> Mutation:
    def apply(root: etree._Element) -> None:
        node = _nodes(root, path)[0]
        node.addnext(copy.deepcopy(node))

    return apply


def both(*mutations: Mutation) -> Mutation:
    def apply(root: etree._Element) -> None:
        for mutation in mutations:
            mutation(root)

    return apply


# The base example's seller turned Swedish: valid org.no (Luhn) and VAT number, F-skatt statement.
SWEDISH_SELLER = both(
    set_attr("/*/cac:AccountingSupplierParty/cac:Party/cbc:EndpointID", "schemeID", "0007"),
    set_text("/*/cac:AccountingSupplierParty/cac:Party/cbc:EndpointID", "5567321707"),
    set_text(
        "/*/cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode", "SE"
    ),
    set_text("/*/cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID", "SE556732170701"),
    set_text("/*/cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID", "5567321707"),
    add_after(
        "/*/cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme",
        "<cac:PartyTaxScheme><cbc:CompanyID>Godkänd för F-skatt</cbc:CompanyID>"
        "<cac:TaxScheme><cbc:ID>TAX</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>",
    ),
)


@cache
def base_bytes(name: str) -> bytes:
    if name == "swedish":
        root = etree.fromstring(base_bytes("invoice"))
        SWEDISH_SELLER(root)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return BASE_FILES[name].read_bytes()


@cache
def base_report(name: str) -> Report:
    return validate(base_bytes(name))


@dataclass(frozen=True)
class Case:
    base: str
    rule: str
    mutate: Mutation
    severity: Severity = "fatal"
    what: str = ""
    transaction: str | None = None

    @property
    def id(self) -> str:
        return f"{self.rule}:{self.base}:{self.what}" if self.what else f"{self.rule}:{self.base}"


SELLER = "/*/cac:AccountingSupplierParty/cac:Party"
BUYER = "/*/cac:AccountingCustomerParty/cac:Party"
LINE1 = "/*/cac:InvoiceLine[1]"
TOTALS = "/*/cac:LegalMonetaryTotal"
SWEDISH_PAYMENT = "/*/cac:PaymentMeans"

CASES = [
    # EN 16931 core rules (CEN)
    Case("invoice", "BR-02", remove("/*/cbc:ID"), what="no invoice number"),
    Case("invoice", "BR-03", remove("/*/cbc:IssueDate")),
    Case("invoice", "BR-05", remove("/*/cbc:DocumentCurrencyCode")),
    Case("invoice", "BR-06", remove(f"{SELLER}/cac:PartyLegalEntity/cbc:RegistrationName")),
    Case("invoice", "BR-07", remove(f"{BUYER}/cac:PartyLegalEntity/cbc:RegistrationName")),
    Case("invoice", "BR-08", remove(f"{SELLER}/cac:PostalAddress")),
    Case("invoice", "BR-09", remove(f"{SELLER}/cac:PostalAddress/cac:Country")),
    Case("invoice", "BR-10", remove(f"{BUYER}/cac:PostalAddress")),
    Case("invoice", "BR-11", remove(f"{BUYER}/cac:PostalAddress/cac:Country")),
    Case("invoice", "BR-12", remove(f"{TOTALS}/cbc:LineExtensionAmount")),
    Case("invoice", "BR-13", remove(f"{TOTALS}/cbc:TaxExclusiveAmount")),
    Case("invoice", "BR-14", remove(f"{TOTALS}/cbc:TaxInclusiveAmount")),
    Case("invoice", "BR-15", remove(f"{TOTALS}/cbc:PayableAmount")),
    Case("invoice", "BR-16", remove("/*/cac:InvoiceLine")),
    Case("invoice", "BR-21", remove(f"{LINE1}/cbc:ID")),
    Case("invoice", "BR-22", remove(f"{LINE1}/cbc:InvoicedQuantity")),
    Case("invoice", "BR-24", remove(f"{LINE1}/cbc:LineExtensionAmount")),
    Case("invoice", "BR-25", remove(f"{LINE1}/cac:Item/cbc:Name")),
    Case("invoice", "BR-26", remove(f"{LINE1}/cac:Price/cbc:PriceAmount")),
    Case("invoice", "BR-27", set_text(f"{LINE1}/cac:Price/cbc:PriceAmount", "-400")),
    Case("invoice", "BR-CL-01", set_text("/*/cbc:InvoiceTypeCode", "999")),
    Case("invoice", "BR-CL-04", set_text("/*/cbc:DocumentCurrencyCode", "XXY")),
    Case("invoice", "BR-CL-23", set_attr(f"{LINE1}/cbc:InvoicedQuantity", "unitCode", "NOT-A-UNIT")),
    Case("invoice", "BR-S-08", set_text("/*/cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount", "1000")),
    Case("invoice", "BR-CO-04", remove(f"{LINE1}/cac:Item/cac:ClassifiedTaxCategory")),
    Case("invoice", "BR-CO-09", set_text(f"{SELLER}/cac:PartyTaxScheme/cbc:CompanyID", "1232434")),
    Case("invoice", "BR-CO-10", set_text(f"{TOTALS}/cbc:LineExtensionAmount", "1299")),
    Case("invoice", "BR-CO-13", set_text(f"{TOTALS}/cbc:TaxExclusiveAmount", "1324")),
    Case("invoice", "BR-CO-14", set_text("/*/cac:TaxTotal/cbc:TaxAmount", "331.24")),
    Case("invoice", "BR-CO-15", set_text(f"{TOTALS}/cbc:TaxInclusiveAmount", "1656.26")),
    Case("invoice", "BR-CO-16", set_text(f"{TOTALS}/cbc:PayableAmount", "1000")),
    Case("invoice", "BR-CO-22", remove("/*/cac:AllowanceCharge/cbc:AllowanceChargeReason")),
    Case("invoice", "BR-DEC-14", set_text(f"{TOTALS}/cbc:TaxInclusiveAmount", "1656.250")),
    Case("creditnote", "BR-CL-01", set_text("/*/cbc:CreditNoteTypeCode", "999"), what="credit note"),
    Case("creditnote", "BR-CO-10", set_text(f"{TOTALS}/cbc:LineExtensionAmount", "1"), what="credit note"),
    # Peppol BIS Billing 3.0 rules
    Case("invoice", "PEPPOL-EN16931-R001", remove("/*/cbc:ProfileID")),
    Case(
        "invoice",
        "PEPPOL-EN16931-R002",
        add_after("/*/cbc:DueDate", "<cbc:Note>a</cbc:Note><cbc:Note>b</cbc:Note>"),
    ),
    Case("invoice", "PEPPOL-EN16931-R003", remove("/*/cbc:BuyerReference")),
    Case("invoice", "PEPPOL-EN16931-R004", set_text("/*/cbc:CustomizationID", "urn:cen.eu:en16931:2017")),
    Case("invoice", "PEPPOL-EN16931-R007", set_text("/*/cbc:ProfileID", "urn:example:profile")),
    Case("invoice", "PEPPOL-EN16931-R008", add_after("/*/cbc:DueDate", "<cbc:Note/>")),
    Case("invoice", "PEPPOL-EN16931-R010", remove(f"{BUYER}/cbc:EndpointID")),
    Case("invoice", "PEPPOL-EN16931-R020", remove(f"{SELLER}/cbc:EndpointID")),
    Case("invoice", "PEPPOL-EN16931-R053", duplicate("/*/cac:TaxTotal")),
    Case("invoice", "PEPPOL-EN16931-R054", add_after("/*/cac:TaxTotal", "<cac:TaxTotal/>")),
    Case("invoice", "PEPPOL-EN16931-R120", set_text(f"{LINE1}/cbc:LineExtensionAmount", "2801")),
    Case("invoice", "PEPPOL-EN16931-CL008", set_attr(f"{BUYER}/cbc:EndpointID", "schemeID", "9999")),
    Case(
        "invoice",
        "PEPPOL-COMMON-R040",
        both(
            set_attr(f"{BUYER}/cbc:EndpointID", "schemeID", "0088"),
            set_text(f"{BUYER}/cbc:EndpointID", "7300010000002"),
        ),
        what="GLN check digit",
    ),
    Case("creditnote", "PEPPOL-EN16931-R003", remove("/*/cbc:BuyerReference"), what="credit note"),
    # Swedish rules (Peppol BIS Billing national rules for Swedish sellers)
    Case("swedish", "PEPPOL-COMMON-R049", set_text(f"{SELLER}/cbc:EndpointID", "5567321708")),
    Case("swedish", "SE-R-001", set_text(f"{SELLER}/cac:PartyTaxScheme[1]/cbc:CompanyID", "SE55673217070")),
    Case("swedish", "SE-R-002", set_text(f"{SELLER}/cac:PartyTaxScheme[1]/cbc:CompanyID", "SE5567321707AB")),
    Case("swedish", "SE-R-003", set_text(f"{SELLER}/cac:PartyLegalEntity/cbc:CompanyID", "556732170A")),
    Case("swedish", "SE-R-004", set_text(f"{SELLER}/cac:PartyLegalEntity/cbc:CompanyID", "556732170")),
    Case("swedish", "SE-R-013", set_text(f"{SELLER}/cac:PartyLegalEntity/cbc:CompanyID", "5567321708")),
    Case("swedish", "SE-R-005", set_text(f"{SELLER}/cac:PartyTaxScheme[2]/cbc:CompanyID", "F-skatt")),
    Case("swedish", "SE-R-006", set_text(f"{LINE1}/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent", "20")),
    Case(
        "swedish",
        "SE-R-007",
        both(
            set_text(f"{SWEDISH_PAYMENT}/cac:PayeeFinancialAccount/cbc:ID", "12A45"),
            set_text(
                f"{SWEDISH_PAYMENT}/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID",
                "SE:PLUSGIRO",
            ),
        ),
        severity="warning",
    ),
    Case(
        "swedish",
        "SE-R-009",
        both(
            set_text(f"{SWEDISH_PAYMENT}/cac:PayeeFinancialAccount/cbc:ID", "12345"),
            set_text(
                f"{SWEDISH_PAYMENT}/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID",
                "SE:BANKGIRO",
            ),
        ),
        severity="warning",
    ),
    Case(
        "swedish", "SE-R-012", set_text(f"{SWEDISH_PAYMENT}/cbc:PaymentMeansCode", "31"), severity="warning"
    ),
    # Peppol POACC transactions
    Case("T01", "PEPPOL-T01-R004", set_text("/*/cac:OrderLine[1]/cac:LineItem/cbc:Quantity", "-1")),
    Case("T01", "PEPPOL-T01-R006", set_text("/*/cac:AnticipatedMonetaryTotal/cbc:PayableAmount", "-400")),
    Case(
        "T01", "PEPPOL-T01-R013", remove("/*/cac:OrderLine[1]/cac:LineItem/cbc:Quantity"), severity="warning"
    ),
    Case(
        "T01",
        "PEPPOL-T01-R034",
        set_text("/*/cbc:CustomizationID", "urn:fdc:peppol.eu:poacc:trns:order:2"),
        transaction="T01",
        what="forced rule set",
    ),
    Case("T76", "PEPPOL-COMMON-R001", add_after("/*/cbc:Note", "<cbc:Note/>")),
    Case("T76", "PEPPOL-T76-B00103", remove("/*/cbc:ID")),
    Case("T110", "PEPPOL-T110-R005", set_text("/*/cac:LegalMonetaryTotal/cbc:PayableAmount", "-1")),
    Case("T16", "PEPPOL-T16-R004", remove("/*/cac:DespatchLine[1]/cac:Item/cbc:Name")),
    Case(
        "T16", "PEPPOL-T16-R005", remove("/*/cac:DespatchLine[1]/cbc:DeliveredQuantity"), severity="warning"
    ),
    Case("T19", "PEPPOL-T19-B01601", remove("/*/cac:ProviderParty/cbc:EndpointID")),
    Case("T58", "PEPPOL-T58-B00104", remove("/*/cbc:IssueDate")),
    Case("T71", "PEPPOL-T71-B00103", remove("/*/cbc:ID")),
    Case(
        "T111",
        "PEPPOL-T111-R004",
        add_after(
            "/*/cac:DocumentResponse/cac:Response/cbc:ResponseCode",
            '<cac:Status><cbc:StatusReasonCode listID="OPStatusReason">PPD</cbc:StatusReasonCode>'
            "</cac:Status>",
        ),
    ),
    Case(
        "T77",
        "PEPPOL-T77-B05101",
        remove("/*/cac:CatalogueLine[1]/cac:RequiredItemLocationQuantity/cac:Price/cbc:PriceAmount"),
    ),
    Case("T114", "PEPPOL-T114-R004", set_text("/*/cac:OrderLine[1]/cac:LineItem/cbc:Quantity", "-1")),
    Case("T115", "PEPPOL-T115-B00103", remove("/*/cbc:ID")),
    Case("T116", "PEPPOL-T116-B00104", remove("/*/cbc:IssueDate")),
]


def _mutated(case: Case) -> bytes:
    root = copy.deepcopy(etree.fromstring(base_bytes(case.base)))
    case.mutate(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@pytest.mark.parametrize("name", ["swedish", *BASE_FILES])
def test_base_documents_are_valid(name: str) -> None:
    report = base_report(name)
    assert report.valid, [f.to_dict() for f in report.fatal]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule_fires_on_mutation_only(case: Case) -> None:
    assert case.rule not in base_report(case.base).rules(), "the rule must not fire on the valid original"
    report = validate(_mutated(case), transaction=case.transaction)
    fired = {f.severity for f in report.findings if f.rule == case.rule}
    assert fired == {case.severity}, sorted(report.rules())
    assert report.valid == (case.severity == "warning" and not report.fatal)


def test_cases_cover_enough_distinct_rules() -> None:
    rules = {case.rule for case in CASES}
    assert len(rules) >= 40
    for family in ("BR-", "BR-CO-", "PEPPOL-EN16931-", "SE-R-", "PEPPOL-COMMON-"):
        assert any(rule.startswith(family) for rule in rules), family
    transactions = {rule.split("-")[1] for rule in rules if rule.startswith("PEPPOL-T")}
    assert transactions >= {
        "T01",
        "T76",
        "T110",
        "T16",
        "T19",
        "T58",
        "T71",
        "T111",
        "T77",
        "T114",
        "T115",
        "T116",
    }
