"""Svefaktura 1.0, the legacy Swedish invoice (SFTI BasicInvoice, a UBL 1.0 profile), read for intake.

Svefaktura 1.0 was the Swedish public sector's e-invoice before Peppol BIS Billing 3.0; some suppliers and
service providers still send it. Its root is ``Invoice`` in ``urn:sfti:documents:BasicInvoice:1:0`` (older
senders use the UBL 1.0 namespace ``urn:oasis:names:tc:ubl:Invoice:1:0``) with UBL 1.0 basic components
(``cbc``, ``urn:oasis:names:tc:ubl:CommonBasicComponents:1:0``) and SFTI aggregates (``cac``,
``urn:sfti:CommonAggregateComponents:1:0``). Elements are found by their local names, so the namespace
variants of the different senders are read alike.

No official XSD or Schematron for Svefaktura is available to us, so the file is checked here: well-formed
(done by the hardened parser before), then each element the SFTI specification requires is present and each
date and amount readable. Every problem is a fatal finding naming the element and where it belongs
(``SVEFAKTURA-MISSING``, ``SVEFAKTURA-VALUE``), so the invoice is returned to the supplier with that text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from avrop.payables.extract import MAX_LINES, InvoiceHeader, LineInfo, PartyInfo, TaxLine

NAMESPACES = (
    "urn:sfti:documents:BasicInvoice:1:0",
    "urn:oasis:names:tc:ubl:Invoice:1:0",
    "urn:oasis:names:tc:ubl:Invoice:1.0",
)
RULE_MISSING = "SVEFAKTURA-MISSING"
RULE_VALUE = "SVEFAKTURA-VALUE"
CREDIT_NOTE_CODES = frozenset({"381", "383"})
# The PayeeFinancialAccount/ID schemeName values of the specification.
ACCOUNT_MEANS = {"BGNR": "30", "PGNR": "30", "IBAN": "58", "LOCAL": "30"}


def is_svefaktura(root: etree._Element) -> bool:
    qname = etree.QName(root)
    return qname.localname == "Invoice" and (qname.namespace or "") in NAMESPACES


def _children(element: etree._Element | None, name: str) -> Iterator[etree._Element]:
    if element is None:
        return
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            yield child


def _find(element: etree._Element | None, path: str) -> etree._Element | None:
    current = element
    for name in path.split("/"):
        current = next(_children(current, name), None)
        if current is None:
            return None
    return current


def _findall(element: etree._Element | None, path: str) -> list[etree._Element]:
    *parents, last = path.split("/")
    parent = _find(element, "/".join(parents)) if parents else element
    return list(_children(parent, last))


def _text(element: etree._Element | None, path: str = "") -> str:
    found = _find(element, path) if path else element
    return (found.text or "").strip() if found is not None else ""


class _Reader:
    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.findings: list[dict[str, Any]] = []

    def problem(self, rule: str, message: str, path: str) -> None:
        self.findings.append(
            {
                "rule": rule,
                "severity": "fatal",
                "layer": "xsd",
                "message": message,
                "location": "/Invoice/" + path if path else "/Invoice",
                "params": {},
            }
        )

    def required(self, element: etree._Element | None, path: str, what: str, where: str = "") -> str:
        value = _text(element, path)
        if not value:
            self.problem(
                RULE_MISSING,
                f"{what} ({path}) is missing{' in ' + where if where else ''}; Svefaktura 1.0 requires it.",
                f"{where + '/' if where else ''}{path}",
            )
        return value

    def date(
        self, element: etree._Element | None, path: str, what: str, *, required: bool = False
    ) -> dt.date | None:
        raw = self.required(element, path, what) if required else _text(element, path)
        if not raw:
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            self.problem(RULE_VALUE, f"{what} ({path}) is {raw!r}, not a date written YYYY-MM-DD.", path)
            return None

    def amount(
        self, element: etree._Element | None, path: str, what: str, *, required: bool = False, where: str = ""
    ) -> Decimal | None:
        raw = self.required(element, path, what, where) if required else _text(element, path)
        if not raw:
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            self.problem(
                RULE_VALUE,
                f"{what} ({path}{' in ' + where if where else ''}) is {raw[:40]!r}, "
                "not an amount such as 1250.00.",
                f"{where + '/' if where else ''}{path}",
            )
            return None
        return value

    def party(self, role: str) -> PartyInfo:
        party = _find(self.root, f"{role}/Party")
        info = PartyInfo()
        if party is None:
            self.problem(RULE_MISSING, f"The {role} (cac:{role}/cac:Party) is missing.", f"{role}/Party")
            return info
        info.name = _text(party, "PartyName/Name")
        for identification in _findall(party, "PartyIdentification/ID"):
            value = (identification.text or "").strip()
            agency = (identification.get("schemeAgencyID") or "").strip()
            if value:
                # schemeAgencyID 9 is GS1: a GLN, scheme 0088 in Peppol terms.
                info.identifiers.append(f"0088:{value}" if agency == "9" or len(value) == 13 else value)
        for scheme in _findall(party, "PartyTaxScheme"):
            kind = _text(scheme, "TaxScheme/ID")
            company = _text(scheme, "CompanyID")
            if kind == "VAT":
                info.vat_id = company
            elif kind == "SWT" and company:
                # The Swedish organisation number (F-skatt scheme) and the registered name.
                info.legal_id, info.legal_scheme = company.replace("-", ""), "0007"
                info.name = info.name or _text(scheme, "RegistrationName")
        info.country = _text(party, "Address/Country/IdentificationCode")
        info.email = _text(party, "Contact/ElectronicMail")
        info.contact_name = _text(party, "Contact/Name")
        if not info.name:
            self.problem(
                RULE_MISSING,
                f"The {role}'s name (cac:PartyName/cbc:Name) is missing.",
                f"{role}/Party/PartyName",
            )
        if role == "SellerParty" and not info.legal_id:
            self.problem(
                RULE_MISSING,
                "The seller's organisation number (cac:PartyTaxScheme with TaxScheme ID SWT, cac:CompanyID) "
                "is missing; Svefaktura 1.0 requires it.",
                "SellerParty/Party/PartyTaxScheme",
            )
        return info


def read_svefaktura(root: etree._Element) -> tuple[InvoiceHeader, list[dict[str, Any]]]:
    """The header of a Svefaktura 1.0 invoice and the findings of its checks (empty when it is complete)."""
    r = _Reader(root)
    type_code = r.required(root, "InvoiceTypeCode", "The invoice type code")
    header = InvoiceHeader(
        kind="credit_note" if type_code in CREDIT_NOTE_CODES else "invoice", type_code=type_code
    )
    header.number = r.required(root, "ID", "The invoice number")
    header.issue_date = r.date(root, "IssueDate", "The invoice date", required=True)
    header.currency = r.required(root, "InvoiceCurrencyCode", "The invoice currency")
    header.order_reference = _text(root, "OrderReference/BuyersID")
    header.buyer_reference = _text(root, "RequisitionistDocumentReference/ID")
    header.contract_reference = _text(root, "ContractDocumentReference/ID")
    header.invoice_references = [
        v for v in (_text(e, "ID") for e in _findall(root, "InitialInvoiceDocumentReference")) if v
    ]
    header.seller = r.party("SellerParty")
    header.buyer = r.party("BuyerParty")
    if not header.buyer_reference:
        # Older senders put the buyer's reference as the accounts contact's name.
        header.buyer_reference = _text(root, "BuyerParty/AccountsContact/Name")
    header.delivery_gln = ""

    for means in _findall(root, "PaymentMeans"):
        header.due_date = header.due_date or r.date(means, "DuePaymentDate", "The due date")
        account = _find(means, "PayeeFinancialAccount/ID")
        if account is not None and (account.text or "").strip():
            scheme = (account.get("schemeName") or "").strip().upper()
            header.payee_accounts.append((ACCOUNT_MEANS.get(scheme, "30"), (account.text or "").strip()))
        header.payment_reference = header.payment_reference or _text(
            means, "PayeeFinancialAccount/PaymentInstructionID"
        )

    tax_total = _find(root, "TaxTotal")
    if tax_total is None:
        r.problem(
            RULE_MISSING, "The VAT total (cac:TaxTotal) is missing; Svefaktura 1.0 requires it.", "TaxTotal"
        )
    header.tax_total = r.amount(
        tax_total, "TotalTaxAmount", "The total VAT", required=tax_total is not None, where="TaxTotal"
    )
    for subtotal in _findall(root, "TaxTotal/TaxSubTotal"):
        category = _find(subtotal, "TaxCategory")
        header.tax_lines.append(
            TaxLine(
                category=_text(category, "ID"),
                percent=r.amount(category, "Percent", "The VAT rate"),
                taxable=r.amount(subtotal, "TaxableAmount", "The taxable amount", where="TaxSubTotal"),
                tax=r.amount(subtotal, "TaxAmount", "The VAT amount", where="TaxSubTotal"),
            )
        )

    totals = _find(root, "LegalTotal")
    if totals is None:
        r.problem(
            RULE_MISSING,
            "The invoice totals (cac:LegalTotal) are missing; Svefaktura 1.0 requires them.",
            "LegalTotal",
        )
    else:
        header.line_extension = r.amount(
            totals, "LineExtensionTotalAmount", "The sum of the lines", required=True, where="LegalTotal"
        )
        header.tax_exclusive = r.amount(
            totals, "TaxExclusiveTotalAmount", "The total excl. VAT", where="LegalTotal"
        )
        header.tax_inclusive = r.amount(
            totals, "TaxInclusiveTotalAmount", "The total to pay", required=True, where="LegalTotal"
        )
        header.rounding = r.amount(totals, "RoundOffAmount", "The rounding", where="LegalTotal")
        header.payable = header.tax_inclusive
        if header.tax_exclusive is None and header.line_extension is not None:
            header.tax_exclusive = header.line_extension

    line_sum = Decimal(0)
    count = 0
    for line in _findall(root, "InvoiceLine"):
        count += 1
        where = f"InvoiceLine[{count}]"
        quantity = _find(line, "InvoicedQuantity")
        info = LineInfo(
            line_id=(_text(line, "ID") or str(count))[:40],
            quantity=r.amount(line, "InvoicedQuantity", "The quantity", where=where),
            unit_code=(
                (quantity.get("quantityUnitCode") or quantity.get("unitCode") or "")
                if quantity is not None
                else ""
            )[:3],
            net_amount=r.amount(line, "LineExtensionAmount", "The line amount", required=True, where=where),
            order_line_reference=_text(line, "OrderLineReference/BuyersLineID")[:40],
        )
        item = _find(line, "Item")
        info.name = (_text(item, "Description") or _text(item, "Name"))[:300]
        info.seller_item_id = _text(item, "SellersItemIdentification/ID")[:60]
        info.standard_item_id = _text(item, "StandardItemIdentification/ID")[:40]
        price = r.amount(item, "BasePrice/PriceAmount", "The price", where=f"{where}/Item")
        base = r.amount(item, "BasePrice/BaseQuantity", "The price's base quantity", where=f"{where}/Item")
        if price is not None:
            info.unit_price = price / base if base else price
        if info.net_amount is not None:
            line_sum += info.net_amount
        if count <= MAX_LINES:
            header.lines.append(info)
    if count == 0:
        r.problem(
            RULE_MISSING,
            "The invoice has no line (cac:InvoiceLine); Svefaktura 1.0 requires at least one.",
            "InvoiceLine",
        )
    header.line_count = count
    header.line_sum = line_sum if count else None
    return header, r.findings
