"""The Peppol BIS Billing 3 invoice or credit note of a customer invoice, built with ``avrop.edi.documents``.

``document_for`` runs no queries: the invoice, its lines, customer, the seller organisation and its
receivables settings are handed in. What the Swedish rules need of a Swedish seller (VAT number, the F-tax
statement, the organisation number, the bankgiro) comes from the organisation and its settings.

VAT categories follow EN 16931: a line's category and rate go into its item; the breakdown has one
subtotal per (category, rate), and every category without VAT (E, AE, K, G) carries its exemption reason,
with the VATEX code where one exists. Reverse charge and intra-community supply need the buyer's VAT
number; intra-community supply needs the delivery date and country too. An invoice in another currency
carries the VAT also in SEK (BT-6, BT-111) at the invoice's exchange rate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from avrop.edi.documents import (
    Address,
    Amount,
    BillingReference,
    Branch,
    Code,
    Contact,
    Country,
    CreditNote,
    CreditNoteLine,
    CustomerParty,
    Delivery,
    DocumentReference,
    FinancialAccount,
    Identifier,
    Invoice,
    InvoiceLine,
    Item,
    ItemIdentification,
    Location,
    MonetaryTotal,
    OrderReference,
    Party,
    PartyLegalEntity,
    PartyName,
    PartyTaxScheme,
    PaymentMeans,
    PaymentTerms,
    Period,
    Price,
    Quantity,
    SupplierParty,
    TaxCategory,
    TaxScheme,
    TaxSubtotal,
    TaxTotal,
    build,
)

CENT = Decimal("0.01")
F_TAX_STATEMENT = "Godkänd för F-skatt"
BOOKS_CURRENCY = "SEK"

# Categories without VAT: (VATEX code, reason text used when the line names none).
EXEMPTION: dict[str, tuple[str | None, str]] = {
    "E": (None, "Undantag från skatteplikt"),
    "AE": ("VATEX-EU-AE", "Omvänd betalningsskyldighet"),
    "K": ("VATEX-EU-IC", "Unionsintern leverans av varor"),
    "G": ("VATEX-EU-G", "Export utanför EU"),
}


@dataclass(frozen=True)
class Line:
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    vat_category: str
    vat_rate: Decimal
    exemption_reason: str = ""
    article_number: str = ""
    period_start: Any = None  # the service period (BG-26), a date or None
    period_end: Any = None

    @property
    def net_amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(CENT)


@dataclass(frozen=True)
class Totals:
    net: Decimal
    vat: Decimal
    breakdown: dict[tuple[str, Decimal], tuple[Decimal, Decimal, str]]  # (cat, rate) -> (base, vat, reason)

    @property
    def total(self) -> Decimal:
        return self.net + self.vat


def totals_of(lines: Sequence[Line]) -> Totals:
    """Net, VAT and the breakdown, each line rounded to cents first and the VAT per subtotal (EN 16931)."""
    bases: dict[tuple[str, Decimal], Decimal] = defaultdict(lambda: Decimal("0.00"))
    reasons: dict[tuple[str, Decimal], str] = {}
    for line in lines:
        rate = line.vat_rate if line.vat_category in {"S"} else Decimal("0")
        key = (line.vat_category, rate.normalize() if rate else Decimal("0"))
        bases[key] += line.net_amount
        if line.vat_category in EXEMPTION:
            reasons.setdefault(key, line.exemption_reason or EXEMPTION[line.vat_category][1])
    breakdown = {
        key: (base, (base * key[1] / 100).quantize(CENT), reasons.get(key, "")) for key, base in bases.items()
    }
    net = sum(bases.values(), Decimal("0.00"))
    vat = sum((v for _b, v, _r in breakdown.values()), Decimal("0.00"))
    return Totals(net=net, vat=vat, breakdown=breakdown)


def _category(category: str, rate: Decimal, reason: str = "") -> TaxCategory:
    code, _default = EXEMPTION.get(category, (None, ""))
    return TaxCategory(
        id=category,
        percent=rate,
        tax_exemption_reason_code=code if reason else None,
        tax_exemption_reasons=[reason] if reason else [],
    )


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isalnum())


def _seller(organisation: Any) -> Party:
    org_number = _digits(organisation.org_number or "")
    scheme, sep, value = (organisation.peppol_id or "").partition(":")
    endpoint = Identifier(value, scheme_id=scheme) if sep else Identifier(org_number, scheme_id="0007")
    tax_schemes = []
    if organisation.vat_number:
        tax_schemes.append(PartyTaxScheme(company_id=Identifier(organisation.vat_number.replace(" ", ""))))
    tax_schemes.append(PartyTaxScheme(company_id=Identifier(F_TAX_STATEMENT), tax_scheme=TaxScheme(id="TAX")))
    return Party(
        endpoint_id=endpoint,
        names=[PartyName(name=organisation.name)],
        postal_address=Address(
            street_name=organisation.street or None,
            city_name=organisation.city or None,
            postal_zone=(organisation.postal_code or "").replace(" ", "") or None,
            country=Country(identification_code=organisation.country or "SE"),
        ),
        tax_schemes=tax_schemes,
        legal_entities=[
            PartyLegalEntity(registration_name=organisation.name, company_id=Identifier(org_number, "0007"))
        ],
        contact=Contact(electronic_mail=organisation.email or None, telephone=organisation.phone or None)
        if organisation.email or organisation.phone
        else None,
    )


# Peppol electronic address schemes (EAS) of VAT numbers, by the number's country prefix.
VAT_EAS = {
    "AT": "9914", "BE": "9925", "BG": "9926", "CY": "9928", "CZ": "9929", "DE": "9930", "EE": "9931",
    "EL": "9933", "HR": "9934", "IE": "9935", "LT": "9937", "LU": "9938", "LV": "9939", "MT": "9943",
    "NL": "9944", "PL": "9945", "PT": "9946", "RO": "9947", "SI": "9949", "SK": "9950", "FR": "9957",
    "HU": "9910", "ES": "9920", "IT": "0211", "FI": "0213", "CH": "9927", "GB": "9932",
}  # fmt: skip
# Organisation number schemes usable as an electronic address, by country.
ORG_EAS = {"SE": "0007", "NO": "0192", "DK": "0184", "FI": "0212"}


def buyer_endpoint(customer: Any) -> Identifier | None:
    """The customer's electronic address (BT-49): its Peppol id, else its organisation number or VAT number
    under the Peppol scheme for it; None when none of them gives one."""
    scheme, sep, value = (customer.peppol_id or "").partition(":")
    if sep:
        return Identifier(value, scheme_id=scheme)
    org_number = _digits(customer.org_number or "")
    if org_number and customer.country in ORG_EAS:
        return Identifier(org_number, scheme_id=ORG_EAS[customer.country])
    vat = (customer.vat_number or "").replace(" ", "")
    if vat[:2] in VAT_EAS:
        value = vat if vat[:2] != "IT" else vat[2:]
        return Identifier(value, scheme_id=VAT_EAS[vat[:2]])
    return None


def _buyer(customer: Any) -> Party:
    swedish = customer.country == "SE"
    org_number = _digits(customer.org_number or "")
    endpoint = buyer_endpoint(customer)
    return Party(
        endpoint_id=endpoint,
        names=[PartyName(name=customer.name)],
        postal_address=Address(
            street_name=customer.street or None,
            city_name=customer.city or None,
            postal_zone=(customer.postal_code or "").replace(" ", "") or None,
            country=Country(identification_code=customer.country),
        ),
        tax_schemes=[PartyTaxScheme(company_id=Identifier(customer.vat_number.replace(" ", "")))]
        if customer.vat_number
        else [],
        legal_entities=[
            PartyLegalEntity(
                registration_name=customer.name,
                company_id=Identifier(org_number, scheme_id="0007") if swedish and org_number else None,
            )
        ],
    )


def document_for(
    invoice: Any,
    lines: Sequence[Line],
    *,
    seller: Any,
    settings: Any,
    credited_number: str = "",
    credited_issue_date: Any = None,
) -> Invoice | CreditNote:
    """The typed Peppol document of ``invoice`` (an ``Invoice``, or a ``CreditNote`` for a credit note)."""
    currency = invoice.currency
    credit = invoice.kind == "credit_note"
    customer = invoice.customer
    line_class = CreditNoteLine if credit else InvoiceLine
    built_lines = []
    for index, line in enumerate(lines, start=1):
        rate = line.vat_rate if line.vat_category == "S" else Decimal("0")
        built_lines.append(
            line_class(
                id=str(index),
                quantity=Quantity(line.quantity.normalize(), line.unit or "EA"),
                line_extension_amount=Amount(line.net_amount, currency),
                invoice_periods=[Period(start_date=line.period_start, end_date=line.period_end)]
                if line.period_start and line.period_end
                else [],
                item=Item(
                    name=line.description[:300],
                    sellers_item_identification=ItemIdentification(id=Identifier(line.article_number))
                    if line.article_number
                    else None,
                    classified_tax_categories=[TaxCategory(id=line.vat_category, percent=rate.normalize())],
                ),
                price=Price(price_amount=Amount(line.unit_price, currency)),
            )
        )
    totals = totals_of(lines)
    subtotals = [
        TaxSubtotal(
            taxable_amount=Amount(base, currency),
            tax_amount=Amount(vat, currency),
            tax_category=_category(category, rate, reason),
        )
        for (category, rate), (base, vat, reason) in sorted(totals.breakdown.items())
    ]
    tax_totals = [TaxTotal(tax_amount=Amount(totals.vat, currency), subtotals=subtotals)]
    if currency != BOOKS_CURRENCY:
        vat_sek = (totals.vat * invoice.exchange_rate).quantize(CENT)
        tax_totals.append(TaxTotal(tax_amount=Amount(vat_sek, BOOKS_CURRENCY)))
    account = FinancialAccount(
        id=settings.bankgiro_digits, financial_institution_branch=Branch(id="SE:BANKGIRO")
    )
    payment_means = [
        PaymentMeans(
            payment_means_code=Code("30", name="Bankgiro"),
            payment_due_date=invoice.due_date if credit else None,
            payment_ids=[invoice.ocr_reference] if invoice.ocr_reference and not credit else [],
            payee_financial_account=account,
        )
    ]
    deliveries = []
    if any(line.vat_category == "K" for line in lines):
        # BR-IC-11, BR-IC-12: an intra-community supply names when and to which country it was delivered.
        deliveries.append(
            Delivery(
                actual_delivery_date=invoice.issue_date,
                delivery_location=Location(
                    address=Address(country=Country(identification_code=customer.country))
                ),
            )
        )
    common: dict[str, Any] = {
        "id": invoice.number,
        "issue_date": invoice.issue_date,
        "notes": [invoice.note.strip()] if invoice.note.strip() else [],
        "currency": currency,
        "tax_currency": BOOKS_CURRENCY if currency != BOOKS_CURRENCY else None,
        "buyer_reference": invoice.buyer_reference.strip() or customer.number,
        "order_reference": OrderReference(id=invoice.order_reference.strip())
        if invoice.order_reference.strip()
        else None,
        "seller": SupplierParty(party=_seller(seller)),
        "buyer": CustomerParty(party=_buyer(customer)),
        "deliveries": deliveries,
        "payment_means": payment_means,
        "tax_totals": tax_totals,
        "legal_monetary_total": MonetaryTotal(
            line_extension_amount=Amount(totals.net, currency),
            tax_exclusive_amount=Amount(totals.net, currency),
            tax_inclusive_amount=Amount(totals.total, currency),
            payable_amount=Amount(totals.total, currency),
        ),
        "lines": built_lines,
    }
    if credit:
        common["billing_references"] = [
            BillingReference(
                invoice_document_reference=DocumentReference(
                    id=Identifier(credited_number), issue_date=credited_issue_date
                )
            )
        ]
        return CreditNote(**common)
    return Invoice(
        due_date=invoice.due_date,
        payment_terms=[PaymentTerms(notes=[f"{customer.payment_days} dagar netto"])],
        **common,
    )


def xml_for(invoice: Any, lines: Sequence[Line], **kwargs: Any) -> bytes:
    return build(document_for(invoice, lines, **kwargs))
