"""Peppol BIS Ordering 3: Order (T01), and the advanced ordering Order Change (T114) and Cancellation (T115).

T114 and T115 are specified on UBL 2.3. The UBL 2.1 elements are typed here; the few UBL 2.3 additions
their examples use are kept as unmodelled elements and written back in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import ClassVar

from ._document import Document, DocumentType, poacc_customization, poacc_profile
from ._model import Node, many, one, required
from ._values import Amount, Quantity
from .common import Country, Period
from .delivery import Delivery, DeliveryTerms
from .finance import AllowanceCharge, MonetaryTotal, PaymentMeans, PaymentTerms, TaxTotal
from .items import Item, Price, TransactionConditions
from .parties import CustomerParty, Party, SupplierParty
from .references import (
    CatalogueReference,
    Contract,
    DocumentReference,
    LineReference,
    OrderLineReference,
    OrderReference,
    ProjectReference,
)

__all__ = ["LineItem", "Order", "OrderCancellation", "OrderChange", "OrderLine"]


@dataclass(kw_only=True, slots=True)
class LineItem(Node):
    """The content of an order line: what, how many, at which price, when.

    In order responses ``line_status_code`` (UNCL1229) says what the seller did with the line.
    """

    ubl_type = "LineItem"

    id: str = required("cbc:ID")
    sales_order_id: str | None = one("cbc:SalesOrderID")
    uuid: str | None = one("cbc:UUID")
    notes: list[str] = many("cbc:Note")
    line_status_code: str | None = one("cbc:LineStatusCode")
    quantity: Quantity | None = one("cbc:Quantity")
    line_extension_amount: Amount | None = one("cbc:LineExtensionAmount")
    total_tax_amount: Amount | None = one("cbc:TotalTaxAmount")
    minimum_quantity: Quantity | None = one("cbc:MinimumQuantity")
    maximum_quantity: Quantity | None = one("cbc:MaximumQuantity")
    minimum_backorder_quantity: Quantity | None = one("cbc:MinimumBackorderQuantity")
    maximum_backorder_quantity: Quantity | None = one("cbc:MaximumBackorderQuantity")
    partial_delivery_indicator: bool | None = one("cbc:PartialDeliveryIndicator")
    back_order_allowed_indicator: bool | None = one("cbc:BackOrderAllowedIndicator")
    accounting_cost_code: str | None = one("cbc:AccountingCostCode")
    accounting_cost: str | None = one("cbc:AccountingCost")
    warranty_information: list[str] = many("cbc:WarrantyInformation")
    deliveries: list[Delivery] = many("cac:Delivery")
    delivery_terms: DeliveryTerms | None = one("cac:DeliveryTerms")
    originator_party: Party | None = one("cac:OriginatorParty")
    allowance_charges: list[AllowanceCharge] = many("cac:AllowanceCharge")
    price: Price | None = one("cac:Price")
    item: Item = required("cac:Item")
    warranty_validity_period: Period | None = one("cac:WarrantyValidityPeriod")
    warranty_party: Party | None = one("cac:WarrantyParty")
    tax_totals: list[TaxTotal] = many("cac:TaxTotal")
    line_references: list[LineReference] = many("cac:LineReference")

    @property
    def delivery_period(self) -> Period | None:
        """The requested (order) or promised (response) delivery period of the line."""
        for delivery in self.deliveries:
            period = delivery.requested_delivery_period or delivery.promised_delivery_period
            if period is not None:
                return period
        return None


@dataclass(kw_only=True, slots=True)
class OrderLine(Node):
    """An order line; in responses it may carry the seller's substitute item."""

    ubl_type = "OrderLine"

    substitution_status_code: str | None = one("cbc:SubstitutionStatusCode")
    notes: list[str] = many("cbc:Note")
    line_item: LineItem = required("cac:LineItem")
    seller_proposed_substitute_line_items: list[LineItem] = many("cac:SellerProposedSubstituteLineItem")
    seller_substituted_line_items: list[LineItem] = many("cac:SellerSubstitutedLineItem")
    buyer_proposed_substitute_line_items: list[LineItem] = many("cac:BuyerProposedSubstituteLineItem")
    catalogue_line_reference: LineReference | None = one("cac:CatalogueLineReference")
    quotation_line_reference: LineReference | None = one("cac:QuotationLineReference")
    order_line_references: list[OrderLineReference] = many("cac:OrderLineReference")
    document_references: list[DocumentReference] = many("cac:DocumentReference")


@dataclass(kw_only=True, slots=True)
class Order(Document):
    """A Peppol order (T01)."""

    root: ClassVar[str] = "Order"
    namespace: ClassVar[str] = "urn:oasis:names:specification:ubl:schema:xsd:Order-2"
    document_type: ClassVar[DocumentType] = DocumentType.ORDER
    ubl_type = "Order"

    customization_id: str | None = one("cbc:CustomizationID", poacc_customization("order"))
    profile_id: str | None = one("cbc:ProfileID", poacc_profile("ordering"))
    sales_order_id: str | None = one("cbc:SalesOrderID")
    copy_indicator: bool | None = one("cbc:CopyIndicator")
    uuid: str | None = one("cbc:UUID")
    issue_date: date = required("cbc:IssueDate")
    issue_time: time | None = one("cbc:IssueTime")
    order_type_code: str | None = one("cbc:OrderTypeCode")
    notes: list[str] = many("cbc:Note")
    requested_invoice_currency: str | None = one("cbc:RequestedInvoiceCurrencyCode")
    currency: str | None = one("cbc:DocumentCurrencyCode")
    pricing_currency: str | None = one("cbc:PricingCurrencyCode")
    tax_currency: str | None = one("cbc:TaxCurrencyCode")
    customer_reference: str | None = one("cbc:CustomerReference")
    accounting_cost_code: str | None = one("cbc:AccountingCostCode")
    accounting_cost: str | None = one("cbc:AccountingCost")
    validity_periods: list[Period] = many("cac:ValidityPeriod")
    quotation_document_reference: DocumentReference | None = one("cac:QuotationDocumentReference")
    order_document_references: list[DocumentReference] = many("cac:OrderDocumentReference")
    originator_document_reference: DocumentReference | None = one("cac:OriginatorDocumentReference")
    catalogue_reference: CatalogueReference | None = one("cac:CatalogueReference")
    additional_document_references: list[DocumentReference] = many("cac:AdditionalDocumentReference")
    contracts: list[Contract] = many("cac:Contract")
    project_references: list[ProjectReference] = many("cac:ProjectReference")
    buyer: CustomerParty = required("cac:BuyerCustomerParty")
    seller: SupplierParty = required("cac:SellerSupplierParty")
    originator: CustomerParty | None = one("cac:OriginatorCustomerParty")
    freight_forwarder: Party | None = one("cac:FreightForwarderParty")
    accounting_customer: CustomerParty | None = one("cac:AccountingCustomerParty")
    deliveries: list[Delivery] = many("cac:Delivery")
    delivery_terms: list[DeliveryTerms] = many("cac:DeliveryTerms")
    payment_means: list[PaymentMeans] = many("cac:PaymentMeans")
    payment_terms: list[PaymentTerms] = many("cac:PaymentTerms")
    transaction_conditions: TransactionConditions | None = one("cac:TransactionConditions")
    allowance_charges: list[AllowanceCharge] = many("cac:AllowanceCharge")
    destination_country: Country | None = one("cac:DestinationCountry")
    tax_totals: list[TaxTotal] = many("cac:TaxTotal")
    anticipated_monetary_total: MonetaryTotal | None = one("cac:AnticipatedMonetaryTotal")
    lines: list[OrderLine] = many("cac:OrderLine")

    @property
    def buyer_reference(self) -> str | None:
        """The buyer's reference (Peppol T01 carries it in ``cbc:CustomerReference``)."""
        return self.customer_reference

    @property
    def validity_period(self) -> Period | None:
        return self.validity_periods[0] if self.validity_periods else None

    @property
    def contract(self) -> Contract | None:
        return self.contracts[0] if self.contracts else None

    @property
    def delivery(self) -> Delivery | None:
        return self.deliveries[0] if self.deliveries else None


@dataclass(kw_only=True, slots=True)
class OrderChange(Document):
    """A Peppol order change (T114, advanced ordering; UBL 2.3 based)."""

    root: ClassVar[str] = "OrderChange"
    namespace: ClassVar[str] = "urn:oasis:names:specification:ubl:schema:xsd:OrderChange-2"
    document_type: ClassVar[DocumentType] = DocumentType.ORDER_CHANGE
    ubl_type = "OrderChange"

    customization_id: str | None = one("cbc:CustomizationID", poacc_customization("order_change"))
    profile_id: str | None = one("cbc:ProfileID", poacc_profile("advanced_ordering"))
    sales_order_id: str | None = one("cbc:SalesOrderID")
    uuid: str | None = one("cbc:UUID")
    issue_date: date = required("cbc:IssueDate")
    issue_time: time | None = one("cbc:IssueTime")
    sequence_number_id: str = required("cbc:SequenceNumberID")
    notes: list[str] = many("cbc:Note")
    currency: str | None = one("cbc:DocumentCurrencyCode")
    customer_reference: str | None = one("cbc:CustomerReference")
    accounting_cost_code: str | None = one("cbc:AccountingCostCode")
    accounting_cost: str | None = one("cbc:AccountingCost")
    validity_periods: list[Period] = many("cac:ValidityPeriod")
    order_reference: OrderReference = required("cac:OrderReference")
    quotation_document_reference: DocumentReference | None = one("cac:QuotationDocumentReference")
    originator_document_reference: DocumentReference | None = one("cac:OriginatorDocumentReference")
    additional_document_references: list[DocumentReference] = many("cac:AdditionalDocumentReference")
    contracts: list[Contract] = many("cac:Contract")
    buyer: CustomerParty = required("cac:BuyerCustomerParty")
    seller: SupplierParty = required("cac:SellerSupplierParty")
    originator: CustomerParty | None = one("cac:OriginatorCustomerParty")
    accounting_customer: CustomerParty | None = one("cac:AccountingCustomerParty")
    accounting_supplier: SupplierParty | None = one("cac:AccountingSupplierParty")
    deliveries: list[Delivery] = many("cac:Delivery")
    delivery_terms: DeliveryTerms | None = one("cac:DeliveryTerms")
    payment_means: list[PaymentMeans] = many("cac:PaymentMeans")
    payment_terms: list[PaymentTerms] = many("cac:PaymentTerms")
    allowance_charges: list[AllowanceCharge] = many("cac:AllowanceCharge")
    tax_totals: list[TaxTotal] = many("cac:TaxTotal")
    anticipated_monetary_total: MonetaryTotal | None = one("cac:AnticipatedMonetaryTotal")
    lines: list[OrderLine] = many("cac:OrderLine")


@dataclass(kw_only=True, slots=True)
class OrderCancellation(Document):
    """A Peppol order cancellation (T115, advanced ordering; UBL 2.3 based)."""

    root: ClassVar[str] = "OrderCancellation"
    namespace: ClassVar[str] = "urn:oasis:names:specification:ubl:schema:xsd:OrderCancellation-2"
    document_type: ClassVar[DocumentType] = DocumentType.ORDER_CANCELLATION
    ubl_type = "OrderCancellation"

    customization_id: str | None = one("cbc:CustomizationID", poacc_customization("order_cancellation"))
    profile_id: str | None = one("cbc:ProfileID", poacc_profile("advanced_ordering"))
    uuid: str | None = one("cbc:UUID")
    issue_date: date = required("cbc:IssueDate")
    issue_time: time | None = one("cbc:IssueTime")
    notes: list[str] = many("cbc:Note")
    cancellation_notes: list[str] = many("cbc:CancellationNote")
    order_references: list[OrderReference] = many("cac:OrderReference")
    originator_document_reference: DocumentReference | None = one("cac:OriginatorDocumentReference")
    additional_document_references: list[DocumentReference] = many("cac:AdditionalDocumentReference")
    contracts: list[Contract] = many("cac:Contract")
    buyer: CustomerParty = required("cac:BuyerCustomerParty")
    seller: SupplierParty = required("cac:SellerSupplierParty")
    originator: CustomerParty | None = one("cac:OriginatorCustomerParty")

    @property
    def order_reference(self) -> OrderReference | None:
        return self.order_references[0] if self.order_references else None
