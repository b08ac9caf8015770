"""Responses to an order: Order Response (T76), Order Agreement (T110), advanced Order Response (T116).

All three use the UBL ``OrderResponse`` root; ``cbc:CustomizationID`` tells them apart. Also the plain UBL
``OrderResponseSimple``, which Peppol does not use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import ClassVar

from ._document import Document, DocumentType, poacc_customization, poacc_profile
from ._model import many, one, required
from .common import Country, Period
from .delivery import Delivery, DeliveryTerms
from .finance import AllowanceCharge, MonetaryTotal, PaymentMeans, PaymentTerms, TaxTotal
from .items import TransactionConditions
from .ordering import OrderLine
from .parties import CustomerParty, Party, SupplierParty
from .references import Contract, DocumentReference, OrderReference

__all__ = ["OrderAgreement", "OrderResponse", "OrderResponseAdvanced", "OrderResponseSimple"]


@dataclass(kw_only=True, slots=True)
class OrderResponse(Document):
    """A Peppol order response (T76).

    ``response_code`` is UNCL4343 (``AB`` acknowledged, ``AP`` accepted, ``RE`` rejected, ``CA``
    conditionally accepted); with ``CA`` each line says in ``line_item.line_status_code`` (UNCL1229) what
    changed, and may carry a substituted item.
    """

    root: ClassVar[str] = "OrderResponse"
    namespace: ClassVar[str] = "urn:oasis:names:specification:ubl:schema:xsd:OrderResponse-2"
    document_type: ClassVar[DocumentType] = DocumentType.ORDER_RESPONSE
    ubl_type = "OrderResponse"

    customization_id: str | None = one("cbc:CustomizationID", poacc_customization("order_response"))
    profile_id: str | None = one("cbc:ProfileID", poacc_profile("ordering"))
    sales_order_id: str | None = one("cbc:SalesOrderID")
    copy_indicator: bool | None = one("cbc:CopyIndicator")
    uuid: str | None = one("cbc:UUID")
    issue_date: date = required("cbc:IssueDate")
    issue_time: time | None = one("cbc:IssueTime")
    response_code: str | None = one("cbc:OrderResponseCode")
    notes: list[str] = many("cbc:Note")
    currency: str | None = one("cbc:DocumentCurrencyCode")
    pricing_currency: str | None = one("cbc:PricingCurrencyCode")
    tax_currency: str | None = one("cbc:TaxCurrencyCode")
    customer_reference: str | None = one("cbc:CustomerReference")
    accounting_cost_code: str | None = one("cbc:AccountingCostCode")
    accounting_cost: str | None = one("cbc:AccountingCost")
    validity_periods: list[Period] = many("cac:ValidityPeriod")
    order_references: list[OrderReference] = many("cac:OrderReference")
    order_document_references: list[DocumentReference] = many("cac:OrderDocumentReference")
    originator_document_reference: DocumentReference | None = one("cac:OriginatorDocumentReference")
    additional_document_references: list[DocumentReference] = many("cac:AdditionalDocumentReference")
    contracts: list[Contract] = many("cac:Contract")
    seller: SupplierParty = required("cac:SellerSupplierParty")
    buyer: CustomerParty = required("cac:BuyerCustomerParty")
    originator: CustomerParty | None = one("cac:OriginatorCustomerParty")
    freight_forwarder: Party | None = one("cac:FreightForwarderParty")
    accounting_supplier: SupplierParty | None = one("cac:AccountingSupplierParty")
    accounting_customer: CustomerParty | None = one("cac:AccountingCustomerParty")
    deliveries: list[Delivery] = many("cac:Delivery")
    delivery_terms: DeliveryTerms | None = one("cac:DeliveryTerms")
    payment_means: list[PaymentMeans] = many("cac:PaymentMeans")
    payment_terms: list[PaymentTerms] = many("cac:PaymentTerms")
    allowance_charges: list[AllowanceCharge] = many("cac:AllowanceCharge")
    transaction_conditions: TransactionConditions | None = one("cac:TransactionConditions")
    destination_country: Country | None = one("cac:DestinationCountry")
    tax_totals: list[TaxTotal] = many("cac:TaxTotal")
    legal_monetary_total: MonetaryTotal | None = one("cac:LegalMonetaryTotal")
    lines: list[OrderLine] = many("cac:OrderLine")

    @property
    def order_reference(self) -> OrderReference | None:
        """The order this responds to."""
        return self.order_references[0] if self.order_references else None

    @property
    def note(self) -> str | None:
        return self.notes[0] if self.notes else None

    @property
    def delivery(self) -> Delivery | None:
        return self.deliveries[0] if self.deliveries else None


@dataclass(kw_only=True, slots=True)
class OrderAgreement(OrderResponse):
    """A Peppol order agreement (T110): the seller's complete statement of an agreed order."""

    document_type: ClassVar[DocumentType] = DocumentType.ORDER_AGREEMENT

    customization_id: str | None = one("cbc:CustomizationID", poacc_customization("order_agreement"))
    profile_id: str | None = one("cbc:ProfileID", poacc_profile("order_agreement"))


@dataclass(kw_only=True, slots=True)
class OrderResponseAdvanced(OrderResponse):
    """A Peppol advanced order response (T116; UBL 2.3 based, answers orders, changes and cancellations).

    The UBL 2.3 ``cac:OrderChangeDocumentReference`` and similar additions are kept as unmodelled
    elements (see :meth:`Document.unmodelled_paths`).
    """

    document_type: ClassVar[DocumentType] = DocumentType.ORDER_RESPONSE_ADVANCED

    customization_id: str | None = one("cbc:CustomizationID", poacc_customization("order_response_advanced"))
    profile_id: str | None = one("cbc:ProfileID", poacc_profile("advanced_ordering"))


@dataclass(kw_only=True, slots=True)
class OrderResponseSimple(Document):
    """The plain UBL simple order response (accepted yes/no); not a Peppol transaction."""

    root: ClassVar[str] = "OrderResponseSimple"
    namespace: ClassVar[str] = "urn:oasis:names:specification:ubl:schema:xsd:OrderResponseSimple-2"
    document_type: ClassVar[DocumentType] = DocumentType.ORDER_RESPONSE_SIMPLE
    ubl_type = "OrderResponseSimple"

    copy_indicator: bool | None = one("cbc:CopyIndicator")
    uuid: str | None = one("cbc:UUID")
    issue_date: date = required("cbc:IssueDate")
    issue_time: time | None = one("cbc:IssueTime")
    notes: list[str] = many("cbc:Note")
    accepted_indicator: bool = required("cbc:AcceptedIndicator")
    rejection_notes: list[str] = many("cbc:RejectionNote")
    customer_reference: str | None = one("cbc:CustomerReference")
    accounting_cost_code: str | None = one("cbc:AccountingCostCode")
    accounting_cost: str | None = one("cbc:AccountingCost")
    order_reference: OrderReference = required("cac:OrderReference")
    additional_document_references: list[DocumentReference] = many("cac:AdditionalDocumentReference")
    seller: SupplierParty = required("cac:SellerSupplierParty")
    buyer: CustomerParty = required("cac:BuyerCustomerParty")
    originator: CustomerParty | None = one("cac:OriginatorCustomerParty")
    accounting_supplier: SupplierParty | None = one("cac:AccountingSupplierParty")
    accounting_customer: CustomerParty | None = one("cac:AccountingCustomerParty")
