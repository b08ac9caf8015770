"""The Peppol BIS Billing 3 invoice or credit note of a portal draft, built with ``avrop.edi.documents``.

``document_for`` runs no queries: everything it needs is handed in (``Parties``). What a Swedish invoice
needs to pass the Swedish rules (seller VAT number, F-tax statement, organisation number, bankgiro) comes
from the supplier's organisation and its registered bank account, never from the form.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
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
    DocumentReference,
    FinancialAccount,
    Identifier,
    Invoice,
    InvoiceLine,
    Item,
    ItemIdentification,
    MonetaryTotal,
    OrderLineReference,
    OrderReference,
    Party,
    PartyLegalEntity,
    PartyName,
    PartyTaxScheme,
    PaymentMeans,
    PaymentTerms,
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


@dataclass
class Parties:
    seller: Any  # Organisation (supplier)
    buyer: Any  # Organisation (buyer)
    contact_name: str = ""
    contact_email: str = ""
    bank_account: Any = None  # suppliers.BankAccount
    credited_number: str = ""
    credited_issue_date: dt.date | None = None
    payment_days: int = 30


def endpoint_of(organisation: Any) -> tuple[str, str]:
    """(scheme, value) of the organisation's Peppol id; a Swedish org. no. (0007) when it has none."""
    scheme, sep, value = (organisation.peppol_id or "").partition(":")
    if sep and value:
        return scheme.strip(), value.strip()
    return "0007", (organisation.org_number or "").replace("-", "").strip()


def seller_key_of(organisation: Any) -> str:
    """The key payables files the supplier's invoices under (``SupplierInvoice.seller_key``)."""
    scheme, value = endpoint_of(organisation)
    return f"{scheme}:{value}"


def _dec(value: Any) -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else "0"))
    except ArithmeticError:
        return Decimal("0")


def _party(organisation: Any, *, seller: bool, contact_name: str = "", contact_email: str = "") -> Party:
    scheme, value = endpoint_of(organisation)
    org_number = (organisation.org_number or "").replace("-", "")
    swedish = (organisation.country or "SE") == "SE"
    tax_schemes = []
    if seller and organisation.vat_number:
        tax_schemes.append(PartyTaxScheme(company_id=Identifier(organisation.vat_number.replace(" ", ""))))
    if seller and swedish:
        tax_schemes.append(
            PartyTaxScheme(company_id=Identifier(F_TAX_STATEMENT), tax_scheme=TaxScheme(id="TAX"))
        )
    contact = None
    if seller and (contact_name or contact_email or organisation.phone):
        contact = Contact(
            name=contact_name or None,
            telephone=organisation.phone or None,
            electronic_mail=contact_email or organisation.email or None,
        )
    return Party(
        endpoint_id=Identifier(value, scheme_id=scheme) if value else None,
        names=[PartyName(name=organisation.name)],
        postal_address=Address(
            street_name=organisation.street or None,
            city_name=organisation.city or None,
            postal_zone=(organisation.postal_code or "").replace(" ", "") or None,
            country=Country(identification_code=organisation.country or "SE"),
        ),
        tax_schemes=tax_schemes,
        legal_entities=[
            PartyLegalEntity(
                registration_name=organisation.name,
                company_id=Identifier(org_number, scheme_id="0007") if swedish and org_number else None,
            )
        ],
        contact=contact,
    )


def _payment_means(
    bank_account: Any, payment_id: str, due: dt.date | None, credit: bool
) -> list[PaymentMeans]:
    if bank_account is None:
        return []
    number = bank_account.number.replace("-", "").replace(" ", "")
    if bank_account.kind == "iban":
        account = FinancialAccount(
            id=number,
            financial_institution_branch=Branch(id=bank_account.bic) if bank_account.bic else None,
        )
        code = Code("58", name="SEPA credit transfer")
    else:
        branch = "SE:PLUSGIRO" if bank_account.kind == "plusgiro" else "SE:BANKGIRO"
        account = FinancialAccount(id=number, financial_institution_branch=Branch(id=branch))
        code = Code("30", name="Plusgiro" if bank_account.kind == "plusgiro" else "Bankgiro")
    return [
        PaymentMeans(
            payment_means_code=code,
            payment_due_date=due if credit else None,
            payment_ids=[payment_id] if payment_id else [],
            payee_financial_account=account,
        )
    ]


def _tax_category(rate: Decimal) -> TaxCategory:
    return TaxCategory(id="S" if rate > 0 else "Z", percent=rate.normalize() if rate else Decimal("0"))


def totals(lines: list[dict[str, Any]]) -> tuple[Decimal, dict[Decimal, Decimal], Decimal]:
    """(net, {VAT rate: taxable amount}, VAT) of a draft's lines, each line rounded to cents first."""
    taxable: dict[Decimal, Decimal] = defaultdict(lambda: Decimal("0.00"))
    net = Decimal("0.00")
    for line in lines:
        amount = (_dec(line.get("quantity")) * _dec(line.get("unit_price"))).quantize(CENT)
        taxable[_dec(line.get("vat_rate"))] += amount
        net += amount
    tax = sum(((base * rate / 100).quantize(CENT) for rate, base in taxable.items()), Decimal("0.00"))
    return net, dict(taxable), tax


def document_for(draft: Any, parties: Parties) -> Invoice | CreditNote:
    """The typed Peppol document of the draft (an ``Invoice`` or a ``CreditNote``)."""
    currency = draft.currency or "SEK"
    credit = draft.kind == "credit_note"
    line_class = CreditNoteLine if credit else InvoiceLine
    lines = []
    for index, data in enumerate(draft.lines, start=1):
        quantity = _dec(data.get("quantity"))
        price = _dec(data.get("unit_price"))
        amount = (quantity * price).quantize(CENT)
        article = (data.get("article_number") or "").strip()
        order_line = str(data.get("order_line") or "").strip()
        lines.append(
            line_class(
                id=str(index),
                quantity=Quantity(quantity.normalize() if quantity else quantity, data.get("unit") or "EA"),
                line_extension_amount=Amount(amount, currency),
                order_line_references=[OrderLineReference(line_id=order_line)]
                if order_line and draft.order_reference
                else [],
                item=Item(
                    name=(data.get("description") or "").strip()[:300] or None,
                    sellers_item_identification=ItemIdentification(id=Identifier(article))
                    if article
                    else None,
                    classified_tax_categories=[_tax_category(_dec(data.get("vat_rate")))],
                ),
                price=Price(price_amount=Amount(price.normalize() if price else price, currency)),
            )
        )
    net, taxable, tax = totals(draft.lines)
    gross = net + tax
    subtotals = [
        TaxSubtotal(
            taxable_amount=Amount(base, currency),
            tax_amount=Amount((base * rate / 100).quantize(CENT), currency),
            tax_category=_tax_category(rate),
        )
        for rate, base in sorted(taxable.items(), reverse=True)
    ]
    payment_id = "".join(ch for ch in draft.number if ch.isalnum())[:25]
    common: dict[str, Any] = {
        "id": draft.number or "",
        "issue_date": draft.issue_date,
        "notes": [draft.note.strip()] if draft.note.strip() else [],
        "currency": currency,
        "buyer_reference": draft.buyer_reference.strip() or None,
        "order_reference": OrderReference(id=draft.order_reference.strip())
        if draft.order_reference.strip()
        else None,
        "seller": SupplierParty(
            party=_party(
                parties.seller,
                seller=True,
                contact_name=parties.contact_name,
                contact_email=parties.contact_email,
            )
        ),
        "buyer": CustomerParty(party=_party(parties.buyer, seller=False)),
        "payment_means": _payment_means(parties.bank_account, payment_id, draft.due_date, credit),
        "tax_totals": [TaxTotal(tax_amount=Amount(tax, currency), subtotals=subtotals)],
        "legal_monetary_total": MonetaryTotal(
            line_extension_amount=Amount(net, currency),
            tax_exclusive_amount=Amount(net, currency),
            tax_inclusive_amount=Amount(gross, currency),
            payable_amount=Amount(gross, currency),
        ),
        "lines": lines,
    }
    if credit:
        if parties.credited_number:
            common["billing_references"] = [
                BillingReference(
                    invoice_document_reference=DocumentReference(
                        id=Identifier(parties.credited_number), issue_date=parties.credited_issue_date
                    )
                )
            ]
        return CreditNote(**common)
    terms = f"{parties.payment_days} dagar netto" if parties.payment_days else ""
    return Invoice(
        due_date=draft.due_date,
        payment_terms=[PaymentTerms(notes=[terms])] if terms else [],
        **common,
    )


def xml_for(draft: Any, parties: Parties) -> bytes:
    return build(document_for(draft, parties))
