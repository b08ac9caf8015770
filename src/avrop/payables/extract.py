"""Read what intake needs from a UBL invoice or credit note: parties, references, amounts, VAT, bank account.

Lenient on purpose: it runs on documents that failed validation too, so that a rejected invoice can still be
routed and answered. A value that cannot be read is ``None``; nothing here raises for bad content.
The full typed document (``avrop.edi.documents``) is read only when a person opens the invoice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lxml import etree

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"


def _b(name: str) -> str:
    return f"{{{CBC}}}{name}"


def _a(name: str) -> str:
    return f"{{{CAC}}}{name}"


@dataclass
class TaxLine:
    category: str
    percent: Decimal | None
    taxable: Decimal | None
    tax: Decimal | None


@dataclass
class PartyInfo:
    endpoint: str = ""  # scheme:value
    legal_id: str = ""
    legal_scheme: str = ""
    vat_id: str = ""
    identifiers: list[str] = field(default_factory=list)  # scheme:value of cac:PartyIdentification
    name: str = ""
    country: str = ""
    email: str = ""
    contact_name: str = ""


@dataclass
class LineInfo:
    """One invoice or credit-note line as matching needs it (BT-126 … BT-158)."""

    line_id: str
    quantity: Decimal | None = None
    unit_code: str = ""
    net_amount: Decimal | None = None
    unit_price: Decimal | None = None  # PriceAmount divided by BaseQuantity
    name: str = ""
    seller_item_id: str = ""
    standard_item_id: str = ""
    order_line_reference: str = ""
    classification: str = ""  # the first UNSPSC (or other) commodity code


# Lines kept per invoice: matching works on these; an invoice with more lines is matched on the first ones
# and says so.
MAX_LINES = 2000


@dataclass
class InvoiceHeader:
    """The intake view of an invoice; also built from a PDF registration form."""

    kind: str  # "invoice" or "credit_note"
    number: str = ""
    issue_date: dt.date | None = None
    due_date: dt.date | None = None
    type_code: str = ""
    currency: str = ""
    buyer_reference: str = ""
    order_reference: str = ""
    contract_reference: str = ""
    invoice_references: list[str] = field(default_factory=list)
    seller: PartyInfo = field(default_factory=PartyInfo)
    buyer: PartyInfo = field(default_factory=PartyInfo)
    delivery_gln: str = ""
    line_count: int = 0
    line_sum: Decimal | None = None
    line_extension: Decimal | None = None
    allowances: Decimal | None = None
    charges: Decimal | None = None
    tax_exclusive: Decimal | None = None
    tax_inclusive: Decimal | None = None
    prepaid: Decimal | None = None
    rounding: Decimal | None = None
    payable: Decimal | None = None
    tax_total: Decimal | None = None
    tax_lines: list[TaxLine] = field(default_factory=list)
    payee_accounts: list[tuple[str, str]] = field(default_factory=list)  # (means code, account id)
    payment_reference: str = ""
    unreadable: list[str] = field(default_factory=list)  # names of values present but malformed
    lines: list[LineInfo] = field(default_factory=list)

    @property
    def seller_key(self) -> str:
        """A stable id of the seller: Peppol endpoint, else legal id, else VAT number."""
        if self.seller.endpoint:
            return self.seller.endpoint
        if self.seller.legal_id:
            return f"{self.seller.legal_scheme or '0007'}:{self.seller.legal_id}"
        return f"VAT:{self.seller.vat_id}" if self.seller.vat_id else ""


def _text(element: etree._Element | None, path: str) -> str:
    if element is None:
        return ""
    value = element.findtext(path)
    return value.strip() if value else ""


def _scheme_value(element: etree._Element | None) -> str:
    if element is None or not (element.text or "").strip():
        return ""
    scheme = (element.get("schemeID") or "").strip()
    value = (element.text or "").strip()
    return f"{scheme}:{value}" if scheme else value


def _decimal(header: InvoiceHeader, element: etree._Element | None, path: str, name: str) -> Decimal | None:
    raw = _text(element, path)
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        header.unreadable.append(name)
        return None
    if not value.is_finite():
        header.unreadable.append(name)
        return None
    return value


def _date(header: InvoiceHeader, raw: str, name: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        header.unreadable.append(name)
        return None


def _line(header: InvoiceHeader, line: etree._Element, quantity_tag: str, amount: Decimal | None) -> LineInfo:
    quantity_element = line.find(quantity_tag)
    info = LineInfo(
        line_id=_text(line, _b("ID"))[:40],
        quantity=_decimal(header, line, quantity_tag, "InvoicedQuantity"),
        unit_code=((quantity_element.get("unitCode") or "") if quantity_element is not None else "")[:3],
        net_amount=amount,
        order_line_reference=_text(line, f"{_a('OrderLineReference')}/{_b('LineID')}")[:40],
    )
    price = _decimal(header, line, f"{_a('Price')}/{_b('PriceAmount')}", "PriceAmount")
    base = _decimal(header, line, f"{_a('Price')}/{_b('BaseQuantity')}", "BaseQuantity")
    if price is not None:
        info.unit_price = price / base if base else price
    item = line.find(_a("Item"))
    info.name = _text(item, _b("Name"))[:300]
    info.seller_item_id = _text(item, f"{_a('SellersItemIdentification')}/{_b('ID')}")[:60]
    info.standard_item_id = _text(item, f"{_a('StandardItemIdentification')}/{_b('ID')}")[:40]
    info.classification = _text(item, f"{_a('CommodityClassification')}/{_b('ItemClassificationCode')}")[:20]
    return info


def _party(party: etree._Element | None) -> PartyInfo:
    info = PartyInfo()
    if party is None:
        return info
    info.endpoint = _scheme_value(party.find(_b("EndpointID")))
    info.identifiers = [
        v for v in (_scheme_value(e) for e in party.iterfind(f"{_a('PartyIdentification')}/{_b('ID')}")) if v
    ]
    legal = party.find(_a("PartyLegalEntity"))
    if legal is not None:
        company = legal.find(_b("CompanyID"))
        if company is not None and (company.text or "").strip():
            info.legal_id = (company.text or "").strip()
            info.legal_scheme = (company.get("schemeID") or "").strip()
        info.name = _text(legal, _b("RegistrationName"))
    trading = _text(party, f"{_a('PartyName')}/{_b('Name')}")
    info.name = trading or info.name
    for scheme in party.iterfind(_a("PartyTaxScheme")):
        if _text(scheme, f"{_a('TaxScheme')}/{_b('ID')}") == "VAT":
            info.vat_id = _text(scheme, _b("CompanyID"))
    info.country = _text(party, f"{_a('PostalAddress')}/{_a('Country')}/{_b('IdentificationCode')}")
    info.email = _text(party, f"{_a('Contact')}/{_b('ElectronicMail')}")
    info.contact_name = _text(party, f"{_a('Contact')}/{_b('Name')}")
    return info


def kind_of(root: etree._Element) -> str | None:
    """``invoice``, ``credit_note`` or None for any other document."""
    if root.tag == f"{{{INVOICE_NS}}}Invoice":
        return "invoice"
    if root.tag == f"{{{CREDIT_NOTE_NS}}}CreditNote":
        return "credit_note"
    return None


def extract(root: etree._Element) -> InvoiceHeader | None:
    """The header of an Invoice or CreditNote root element, or None for other documents."""
    kind = kind_of(root)
    if kind is None:
        return None
    header = InvoiceHeader(kind=kind)
    header.number = _text(root, _b("ID"))
    header.issue_date = _date(header, _text(root, _b("IssueDate")), "IssueDate")
    if kind == "invoice":
        header.due_date = _date(header, _text(root, _b("DueDate")), "DueDate")
        header.type_code = _text(root, _b("InvoiceTypeCode"))
        line_tag = _a("InvoiceLine")
    else:
        header.type_code = _text(root, _b("CreditNoteTypeCode"))
        line_tag = _a("CreditNoteLine")
    for means in root.iterfind(_a("PaymentMeans")):
        if header.due_date is None:
            header.due_date = _date(header, _text(means, _b("PaymentDueDate")), "PaymentDueDate")
        account = _text(means, f"{_a('PayeeFinancialAccount')}/{_b('ID')}")
        if account:
            header.payee_accounts.append((_text(means, _b("PaymentMeansCode")), account))
        if not header.payment_reference:
            header.payment_reference = _text(means, _b("PaymentID"))
    header.currency = _text(root, _b("DocumentCurrencyCode"))
    header.buyer_reference = _text(root, _b("BuyerReference"))
    header.order_reference = _text(root, f"{_a('OrderReference')}/{_b('ID')}")
    header.contract_reference = _text(root, f"{_a('ContractDocumentReference')}/{_b('ID')}")
    header.invoice_references = [
        v
        for v in (
            _text(ref, f"{_a('InvoiceDocumentReference')}/{_b('ID')}")
            or _text(ref, f"{_a('CreditNoteDocumentReference')}/{_b('ID')}")
            for ref in root.iterfind(_a("BillingReference"))
        )
        if v
    ]
    header.seller = _party(root.find(f"{_a('AccountingSupplierParty')}/{_a('Party')}"))
    header.buyer = _party(root.find(f"{_a('AccountingCustomerParty')}/{_a('Party')}"))
    header.delivery_gln = _scheme_value(root.find(f"{_a('Delivery')}/{_a('DeliveryLocation')}/{_b('ID')}"))

    line_sum = Decimal(0)
    count = 0
    quantity_tag = _b("InvoicedQuantity" if kind == "invoice" else "CreditedQuantity")
    for line in root.iterfind(line_tag):
        count += 1
        amount = _decimal(header, line, _b("LineExtensionAmount"), "LineExtensionAmount")
        if amount is not None:
            line_sum += amount
        if count <= MAX_LINES:
            header.lines.append(_line(header, line, quantity_tag, amount))
    header.line_count = count
    header.line_sum = line_sum if count else None

    for charge in root.iterfind(_a("AllowanceCharge")):
        amount = _decimal(header, charge, _b("Amount"), "AllowanceCharge/Amount")
        if amount is None:
            continue
        if _text(charge, _b("ChargeIndicator")).lower() == "true":
            header.charges = (header.charges or Decimal(0)) + amount
        else:
            header.allowances = (header.allowances or Decimal(0)) + amount

    totals = root.find(_a("LegalMonetaryTotal"))
    header.line_extension = _decimal(header, totals, _b("LineExtensionAmount"), "LineExtensionAmount")
    header.tax_exclusive = _decimal(header, totals, _b("TaxExclusiveAmount"), "TaxExclusiveAmount")
    header.tax_inclusive = _decimal(header, totals, _b("TaxInclusiveAmount"), "TaxInclusiveAmount")
    header.prepaid = _decimal(header, totals, _b("PrepaidAmount"), "PrepaidAmount")
    header.rounding = _decimal(header, totals, _b("PayableRoundingAmount"), "PayableRoundingAmount")
    header.payable = _decimal(header, totals, _b("PayableAmount"), "PayableAmount")

    for total in root.iterfind(_a("TaxTotal")):
        amount_element = total.find(_b("TaxAmount"))
        subtotals = total.findall(_a("TaxSubtotal"))
        # The tax total in the tax currency (BT-111) has no breakdown; the one in document currency does.
        if (
            not subtotals
            and amount_element is not None
            and amount_element.get("currencyID") != header.currency
        ):
            continue
        header.tax_total = _decimal(header, total, _b("TaxAmount"), "TaxAmount")
        for subtotal in subtotals:
            category = subtotal.find(_a("TaxCategory"))
            header.tax_lines.append(
                TaxLine(
                    category=_text(category, _b("ID")),
                    percent=_decimal(header, category, _b("Percent"), "Percent"),
                    taxable=_decimal(header, subtotal, _b("TaxableAmount"), "TaxableAmount"),
                    tax=_decimal(header, subtotal, _b("TaxAmount"), "TaxAmount"),
                )
            )
        break
    return header
