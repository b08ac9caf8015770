"""Peppol BIS Billing 3 (EN 16931): Invoice (T10) and CreditNote (T14)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import ClassVar

from ._document import Document, DocumentType
from ._model import Node, many, one, required
from ._values import Amount, Quantity
from .common import Period
from .delivery import Delivery, DeliveryTerms
from .finance import AllowanceCharge, ExchangeRate, MonetaryTotal, PaymentMeans, PaymentTerms, TaxTotal
from .items import Item, Price
from .parties import CustomerParty, Party, SupplierParty
from .references import (
    BillingReference,
    DocumentReference,
    LineReference,
    OrderLineReference,
    OrderReference,
    ProjectReference,
)

__all__ = [
    "BILLING_CUSTOMIZATION",
    "BILLING_PROFILE",
    "CreditNote",
    "CreditNoteLine",
    "Invoice",
    "InvoiceLine",
]

BILLING_CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
BILLING_PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"


@dataclass(kw_only=True, slots=True)
class InvoiceLine(Node):
    """An invoice line (BG-25)."""

    ubl_type = "InvoiceLine"

    id: str = required("cbc:ID")
    uuid: str | None = one("cbc:UUID")
    notes: list[str] = many("cbc:Note")
    quantity: Quantity | None = one("cbc:InvoicedQuantity")
    line_extension_amount: Amount = required("cbc:LineExtensionAmount")
    tax_point_date: date | None = one("cbc:TaxPointDate")
    accounting_cost_code: str | None = one("cbc:AccountingCostCode")
    accounting_cost: str | None = one("cbc:AccountingCost")
    free_of_charge_indicator: bool | None = one("cbc:FreeOfChargeIndicator")
    invoice_periods: list[Period] = many("cac:InvoicePeriod")
    order_line_references: list[OrderLineReference] = many("cac:OrderLineReference")
    despatch_line_references: list[LineReference] = many("cac:DespatchLineReference")
    receipt_line_references: list[LineReference] = many("cac:ReceiptLineReference")
    billing_references: list[BillingReference] = many("cac:BillingReference")
    document_references: list[DocumentReference] = many("cac:DocumentReference")
    originator_party: Party | None = one("cac:OriginatorParty")
    deliveries: list[Delivery] = many("cac:Delivery")
    payment_terms: list[PaymentTerms] = many("cac:PaymentTerms")
    allowance_charges: list[AllowanceCharge] = many("cac:AllowanceCharge")
    tax_totals: list[TaxTotal] = many("cac:TaxTotal")
    item: Item = required("cac:Item")
    price: Price | None = one("cac:Price")

    @property
    def period(self) -> Period | None:
        """The line invoice period (BG-26)."""
        return self.invoice_periods[0] if self.invoice_periods else None

    @property
    def order_line_id(self) -> str | None:
        """The referenced purchase order line (BT-132)."""
        return self.order_line_references[0].line_id if self.order_line_references else None


@dataclass(kw_only=True, slots=True)
class CreditNoteLine(Node):
    """A credit note line; like :class:`InvoiceLine` with ``cbc:CreditedQuantity``."""

    ubl_type = "CreditNoteLine"

    id: str = required("cbc:ID")
    uuid: str | None = one("cbc:UUID")
    notes: list[str] = many("cbc:Note")
    quantity: Quantity | None = one("cbc:CreditedQuantity")
    line_extension_amount: Amount | None = one("cbc:LineExtensionAmount")
    tax_point_date: date | None = one("cbc:TaxPointDate")
    accounting_cost_code: str | None = one("cbc:AccountingCostCode")
    accounting_cost: str | None = one("cbc:AccountingCost")
    free_of_charge_indicator: bool | None = one("cbc:FreeOfChargeIndicator")
    invoice_periods: list[Period] = many("cac:InvoicePeriod")
    order_line_references: list[OrderLineReference] = many("cac:OrderLineReference")
    despatch_line_references: list[LineReference] = many("cac:DespatchLineReference")
    receipt_line_references: list[LineReference] = many("cac:ReceiptLineReference")
    billing_references: list[BillingReference] = many("cac:BillingReference")
    document_references: list[DocumentReference] = many("cac:DocumentReference")
    originator_party: Party | None = one("cac:OriginatorParty")
    deliveries: list[Delivery] = many("cac:Delivery")
    payment_terms: list[PaymentTerms] = many("cac:PaymentTerms")
    tax_totals: list[TaxTotal] = many("cac:TaxTotal")
    allowance_charges: list[AllowanceCharge] = many("cac:AllowanceCharge")
    item: Item | None = one("cac:Item")
    price: Price | None = one("cac:Price")

    @property
    def period(self) -> Period | None:
        return self.invoice_periods[0] if self.invoice_periods else None

    @property
    def order_line_id(self) -> str | None:
        return self.order_line_references[0].line_id if self.order_line_references else None


@dataclass(kw_only=True, slots=True)
class Invoice(Document):
    """A Peppol BIS Billing 3 invoice (EN 16931)."""

    root: ClassVar[str] = "Invoice"
    namespace: ClassVar[str] = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
    document_type: ClassVar[DocumentType] = DocumentType.INVOICE
    ubl_type = "Invoice"

    customization_id: str | None = one("cbc:CustomizationID", BILLING_CUSTOMIZATION)
    profile_id: str | None = one("cbc:ProfileID", BILLING_PROFILE)
    copy_indicator: bool | None = one("cbc:CopyIndicator")
    uuid: str | None = one("cbc:UUID")
    issue_date: date = required("cbc:IssueDate")
    issue_time: time | None = one("cbc:IssueTime")
    due_date: date | None = one("cbc:DueDate")
    type_code: str | None = one("cbc:InvoiceTypeCode", "380")
    notes: list[str] = many("cbc:Note")
    tax_point_date: date | None = one("cbc:TaxPointDate")
    currency: str | None = one("cbc:DocumentCurrencyCode")
    tax_currency: str | None = one("cbc:TaxCurrencyCode")
    accounting_cost_code: str | None = one("cbc:AccountingCostCode")
    accounting_cost: str | None = one("cbc:AccountingCost")
    buyer_reference: str | None = one("cbc:BuyerReference")
    invoice_periods: list[Period] = many("cac:InvoicePeriod")
    order_reference: OrderReference | None = one("cac:OrderReference")
    billing_references: list[BillingReference] = many("cac:BillingReference")
    despatch_document_references: list[DocumentReference] = many("cac:DespatchDocumentReference")
    receipt_document_references: list[DocumentReference] = many("cac:ReceiptDocumentReference")
    statement_document_references: list[DocumentReference] = many("cac:StatementDocumentReference")
    originator_document_references: list[DocumentReference] = many("cac:OriginatorDocumentReference")
    contract_document_references: list[DocumentReference] = many("cac:ContractDocumentReference")
    additional_document_references: list[DocumentReference] = many("cac:AdditionalDocumentReference")
    project_references: list[ProjectReference] = many("cac:ProjectReference")
    seller: SupplierParty = required("cac:AccountingSupplierParty")
    buyer: CustomerParty = required("cac:AccountingCustomerParty")
    payee: Party | None = one("cac:PayeeParty")
    buyer_customer: CustomerParty | None = one("cac:BuyerCustomerParty")
    seller_supplier: SupplierParty | None = one("cac:SellerSupplierParty")
    tax_representative: Party | None = one("cac:TaxRepresentativeParty")
    deliveries: list[Delivery] = many("cac:Delivery")
    delivery_terms: DeliveryTerms | None = one("cac:DeliveryTerms")
    payment_means: list[PaymentMeans] = many("cac:PaymentMeans")
    payment_terms: list[PaymentTerms] = many("cac:PaymentTerms")
    allowance_charges: list[AllowanceCharge] = many("cac:AllowanceCharge")
    tax_exchange_rate: ExchangeRate | None = one("cac:TaxExchangeRate")
    tax_totals: list[TaxTotal] = many("cac:TaxTotal")
    withholding_tax_totals: list[TaxTotal] = many("cac:WithholdingTaxTotal")
    legal_monetary_total: MonetaryTotal = required("cac:LegalMonetaryTotal")
    lines: list[InvoiceLine] = many("cac:InvoiceLine")

    @property
    def invoice_period(self) -> Period | None:
        return self.invoice_periods[0] if self.invoice_periods else None

    @property
    def contract_reference(self) -> str | None:
        """The contract reference (BT-12)."""
        refs = self.contract_document_references
        return refs[0].id.value if refs else None

    @property
    def delivery(self) -> Delivery | None:
        return self.deliveries[0] if self.deliveries else None

    @property
    def attachments(self) -> list[DocumentReference]:
        """Additional documents that carry a file (embedded or by URI)."""
        return [ref for ref in self.additional_document_references if ref.attachment is not None]

    @property
    def tax_total(self) -> TaxTotal | None:
        """The VAT total in document currency: the tax total that has the breakdown (BT-110, BG-23)."""
        return _document_currency_tax_total(self.tax_totals, self.currency)


@dataclass(kw_only=True, slots=True)
class CreditNote(Document):
    """A Peppol BIS Billing 3 credit note (EN 16931). Its due date lives in ``cac:PaymentMeans``."""

    root: ClassVar[str] = "CreditNote"
    namespace: ClassVar[str] = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
    document_type: ClassVar[DocumentType] = DocumentType.CREDIT_NOTE
    ubl_type = "CreditNote"

    customization_id: str | None = one("cbc:CustomizationID", BILLING_CUSTOMIZATION)
    profile_id: str | None = one("cbc:ProfileID", BILLING_PROFILE)
    copy_indicator: bool | None = one("cbc:CopyIndicator")
    uuid: str | None = one("cbc:UUID")
    issue_date: date = required("cbc:IssueDate")
    issue_time: time | None = one("cbc:IssueTime")
    tax_point_date: date | None = one("cbc:TaxPointDate")
    type_code: str | None = one("cbc:CreditNoteTypeCode", "381")
    notes: list[str] = many("cbc:Note")
    currency: str | None = one("cbc:DocumentCurrencyCode")
    tax_currency: str | None = one("cbc:TaxCurrencyCode")
    accounting_cost_code: str | None = one("cbc:AccountingCostCode")
    accounting_cost: str | None = one("cbc:AccountingCost")
    buyer_reference: str | None = one("cbc:BuyerReference")
    invoice_periods: list[Period] = many("cac:InvoicePeriod")
    order_reference: OrderReference | None = one("cac:OrderReference")
    billing_references: list[BillingReference] = many("cac:BillingReference")
    despatch_document_references: list[DocumentReference] = many("cac:DespatchDocumentReference")
    receipt_document_references: list[DocumentReference] = many("cac:ReceiptDocumentReference")
    contract_document_references: list[DocumentReference] = many("cac:ContractDocumentReference")
    additional_document_references: list[DocumentReference] = many("cac:AdditionalDocumentReference")
    statement_document_references: list[DocumentReference] = many("cac:StatementDocumentReference")
    originator_document_references: list[DocumentReference] = many("cac:OriginatorDocumentReference")
    seller: SupplierParty = required("cac:AccountingSupplierParty")
    buyer: CustomerParty = required("cac:AccountingCustomerParty")
    payee: Party | None = one("cac:PayeeParty")
    buyer_customer: CustomerParty | None = one("cac:BuyerCustomerParty")
    seller_supplier: SupplierParty | None = one("cac:SellerSupplierParty")
    tax_representative: Party | None = one("cac:TaxRepresentativeParty")
    deliveries: list[Delivery] = many("cac:Delivery")
    delivery_terms: list[DeliveryTerms] = many("cac:DeliveryTerms")
    payment_means: list[PaymentMeans] = many("cac:PaymentMeans")
    payment_terms: list[PaymentTerms] = many("cac:PaymentTerms")
    tax_exchange_rate: ExchangeRate | None = one("cac:TaxExchangeRate")
    allowance_charges: list[AllowanceCharge] = many("cac:AllowanceCharge")
    tax_totals: list[TaxTotal] = many("cac:TaxTotal")
    legal_monetary_total: MonetaryTotal = required("cac:LegalMonetaryTotal")
    lines: list[CreditNoteLine] = many("cac:CreditNoteLine")

    @property
    def due_date(self) -> date | None:
        """The payment due date (BT-9); UBL 2.1 credit notes carry it in the first payment means."""
        for means in self.payment_means:
            if means.payment_due_date is not None:
                return means.payment_due_date
        return None

    @property
    def invoice_period(self) -> Period | None:
        return self.invoice_periods[0] if self.invoice_periods else None

    @property
    def contract_reference(self) -> str | None:
        refs = self.contract_document_references
        return refs[0].id.value if refs else None

    @property
    def delivery(self) -> Delivery | None:
        return self.deliveries[0] if self.deliveries else None

    @property
    def attachments(self) -> list[DocumentReference]:
        return [ref for ref in self.additional_document_references if ref.attachment is not None]

    @property
    def tax_total(self) -> TaxTotal | None:
        return _document_currency_tax_total(self.tax_totals, self.currency)


def _document_currency_tax_total(totals: list[TaxTotal], currency: str | None) -> TaxTotal | None:
    # EN 16931 allows a second TaxTotal in the tax currency (BT-111), which has no breakdown.
    for total in totals:
        if total.subtotals or total.tax_amount.currency_id == currency:
            return total
    return totals[0] if totals else None
