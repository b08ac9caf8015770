"""Read an EN 16931 invoice in the CII syntax (UN/CEFACT CrossIndustryInvoice D16B) into the intake header.

The same :class:`~avrop.payables.extract.InvoiceHeader` as a UBL invoice, filled from the CII business terms
(EN 16931-3-3 syntax binding), so that routing, the business checks, matching, attest and payment treat both
syntaxes alike. Lenient like the UBL reader: it runs on rejected invoices too, so that they can be answered;
a value that cannot be read is ``None`` and its name is listed in ``header.unreadable``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from lxml import etree

from avrop.edi.cii import RAM, RSM, UDT
from avrop.payables.extract import (
    MAX_LINES,
    InvoiceHeader,
    LineInfo,
    PartyInfo,
    TaxLine,
    _scheme_value,
    _text,
)

# UNTDID 1001 document types that EN 16931 treats as credit notes (BR-CL-01 lists the allowed codes).
CREDIT_NOTE_CODES = frozenset({"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"})


def _r(*names: str) -> str:
    return "/".join(f"{{{RAM}}}{name}" for name in names)


def _decimal(header: InvoiceHeader, element: etree._Element | None, path: str) -> Decimal | None:
    raw = _text(element, path)
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        header.unreadable.append(path.rpartition("}")[2])
        return None
    if not value.is_finite():
        header.unreadable.append(path.rpartition("}")[2])
        return None
    return value


def _date(header: InvoiceHeader, element: etree._Element | None, name: str) -> dt.date | None:
    """A udt:DateTimeString in format 102 (CCYYMMDD), the only format EN 16931 allows (CII-DT-013)."""
    if element is None:
        return None
    string = element.find(f"{{{UDT}}}DateTimeString")
    raw = (string.text or "").strip() if string is not None else ""
    if not raw:
        return None
    try:
        return dt.datetime.strptime(raw, "%Y%m%d").date()
    except ValueError:
        header.unreadable.append(name)
        return None


def _party(party: etree._Element | None) -> PartyInfo:
    info = PartyInfo()
    if party is None:
        return info
    info.endpoint = _scheme_value(party.find(_r("URIUniversalCommunication", "URIID")))
    info.identifiers = [
        v
        for v in (
            *(_scheme_value(e) for e in party.iterfind(_r("GlobalID"))),
            *(_text(e, ".") for e in party.iterfind(_r("ID"))),
        )
        if v
    ]
    legal = party.find(_r("SpecifiedLegalOrganization", "ID"))
    if legal is not None and (legal.text or "").strip():
        info.legal_id = (legal.text or "").strip()
        info.legal_scheme = (legal.get("schemeID") or "").strip()
    info.name = _text(party, _r("Name")) or _text(
        party, _r("SpecifiedLegalOrganization", "TradingBusinessName")
    )
    for registration in party.iterfind(_r("SpecifiedTaxRegistration", "ID")):
        if (registration.get("schemeID") or "").strip() == "VA":
            info.vat_id = (registration.text or "").strip()
    info.country = _text(party, _r("PostalTradeAddress", "CountryID"))
    info.email = _text(party, _r("DefinedTradeContact", "EmailURIUniversalCommunication", "URIID"))
    info.contact_name = _text(party, _r("DefinedTradeContact", "PersonName"))
    return info


def _line(header: InvoiceHeader, item: etree._Element) -> LineInfo:
    quantity_element = item.find(_r("SpecifiedLineTradeDelivery", "BilledQuantity"))
    info = LineInfo(
        line_id=_text(item, _r("AssociatedDocumentLineDocument", "LineID"))[:40],
        quantity=_decimal(header, item, _r("SpecifiedLineTradeDelivery", "BilledQuantity")),
        unit_code=((quantity_element.get("unitCode") or "") if quantity_element is not None else "")[:3],
        net_amount=_decimal(
            header,
            item,
            _r(
                "SpecifiedLineTradeSettlement",
                "SpecifiedTradeSettlementLineMonetarySummation",
                "LineTotalAmount",
            ),
        ),
        order_line_reference=_text(
            item, _r("SpecifiedLineTradeAgreement", "BuyerOrderReferencedDocument", "LineID")
        )[:40],
    )
    price_path = ("SpecifiedLineTradeAgreement", "NetPriceProductTradePrice")
    price = _decimal(header, item, _r(*price_path, "ChargeAmount"))
    base = _decimal(header, item, _r(*price_path, "BasisQuantity"))
    if price is not None:
        info.unit_price = price / base if base else price
    product = item.find(_r("SpecifiedTradeProduct"))
    info.name = _text(product, _r("Name"))[:300]
    info.seller_item_id = _text(product, _r("SellerAssignedID"))[:60]
    info.standard_item_id = _text(product, _r("GlobalID"))[:40]
    info.classification = _text(product, _r("DesignatedProductClassification", "ClassCode"))[:20]
    return info


def extract_cii(root: etree._Element) -> InvoiceHeader:
    """The header of a CrossIndustryInvoice root element."""
    document = root.find(f"{{{RSM}}}ExchangedDocument")
    type_code = _text(document, _r("TypeCode"))
    header = InvoiceHeader(kind="credit_note" if type_code in CREDIT_NOTE_CODES else "invoice")
    header.type_code = type_code
    header.number = _text(document, _r("ID"))
    header.issue_date = _date(
        header, document.find(_r("IssueDateTime")) if document is not None else None, "IssueDate"
    )

    transaction = root.find(f"{{{RSM}}}SupplyChainTradeTransaction")
    agreement = transaction.find(_r("ApplicableHeaderTradeAgreement")) if transaction is not None else None
    delivery = transaction.find(_r("ApplicableHeaderTradeDelivery")) if transaction is not None else None
    settlement = transaction.find(_r("ApplicableHeaderTradeSettlement")) if transaction is not None else None

    header.buyer_reference = _text(agreement, _r("BuyerReference"))
    header.order_reference = _text(agreement, _r("BuyerOrderReferencedDocument", "IssuerAssignedID"))
    header.contract_reference = _text(agreement, _r("ContractReferencedDocument", "IssuerAssignedID"))
    header.seller = _party(agreement.find(_r("SellerTradeParty")) if agreement is not None else None)
    header.buyer = _party(agreement.find(_r("BuyerTradeParty")) if agreement is not None else None)
    header.delivery_gln = _scheme_value(
        delivery.find(_r("ShipToTradeParty", "GlobalID")) if delivery is not None else None
    )

    header.currency = _text(settlement, _r("InvoiceCurrencyCode"))
    header.payment_reference = _text(settlement, _r("PaymentReference"))
    header.invoice_references = [
        v
        for v in (
            _text(ref, _r("IssuerAssignedID")) for ref in _iter(settlement, "InvoiceReferencedDocument")
        )
        if v
    ]
    for means in _iter(settlement, "SpecifiedTradeSettlementPaymentMeans"):
        account = _text(means, _r("PayeePartyCreditorFinancialAccount", "IBANID")) or _text(
            means, _r("PayeePartyCreditorFinancialAccount", "ProprietaryID")
        )
        if account:
            header.payee_accounts.append((_text(means, _r("TypeCode")), account))
    for terms in _iter(settlement, "SpecifiedTradePaymentTerms"):
        header.due_date = header.due_date or _date(header, terms.find(_r("DueDateDateTime")), "DueDate")
    for charge in _iter(settlement, "SpecifiedTradeAllowanceCharge"):
        amount = _decimal(header, charge, _r("ActualAmount"))
        if amount is None:
            continue
        if _text(charge, f"{_r('ChargeIndicator')}/{{{UDT}}}Indicator").lower() == "true":
            header.charges = (header.charges or Decimal(0)) + amount
        else:
            header.allowances = (header.allowances or Decimal(0)) + amount
    for tax in _iter(settlement, "ApplicableTradeTax"):
        header.tax_lines.append(
            TaxLine(
                category=_text(tax, _r("CategoryCode")),
                percent=_decimal(header, tax, _r("RateApplicablePercent")),
                taxable=_decimal(header, tax, _r("BasisAmount")),
                tax=_decimal(header, tax, _r("CalculatedAmount")),
            )
        )

    totals = (
        settlement.find(_r("SpecifiedTradeSettlementHeaderMonetarySummation"))
        if settlement is not None
        else None
    )
    header.line_extension = _decimal(header, totals, _r("LineTotalAmount"))
    header.tax_exclusive = _decimal(header, totals, _r("TaxBasisTotalAmount"))
    header.tax_inclusive = _decimal(header, totals, _r("GrandTotalAmount"))
    header.prepaid = _decimal(header, totals, _r("TotalPrepaidAmount"))
    header.rounding = _decimal(header, totals, _r("RoundingAmount"))
    header.payable = _decimal(header, totals, _r("DuePayableAmount"))
    # BT-110 is the TaxTotalAmount in the invoice currency; BT-111 (VAT accounting currency) may follow.
    for total in totals.iterfind(_r("TaxTotalAmount")) if totals is not None else ():
        if (total.get("currencyID") or header.currency) == header.currency and header.tax_total is None:
            try:
                header.tax_total = Decimal((total.text or "").strip())
            except InvalidOperation:
                header.unreadable.append("TaxTotalAmount")

    line_sum = Decimal(0)
    count = 0
    for item in (
        transaction.iterfind(_r("IncludedSupplyChainTradeLineItem")) if transaction is not None else ()
    ):
        count += 1
        line = _line(header, item)
        if line.net_amount is not None:
            line_sum += line.net_amount
        if count <= MAX_LINES:
            header.lines.append(line)
    header.line_count = count
    header.line_sum = line_sum if count else None
    return header


def _iter(element: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if element is None else list(element.iterfind(_r(name)))
