"""Typed Peppol BIS 3 / UBL 2.1 documents: ``parse(bytes) -> Document`` and ``build(Document) -> bytes``.

Every document is a tree of dataclasses with Decimal amounts, ``datetime.date`` dates and the business terms
named in English (``Invoice.seller.party.name``, ``Order.lines[0].line_item.quantity``). Framework-free: no
Django imports here. Usage (not a doctest)::

    doc = parse(xml_bytes)          # Invoice, Order, OrderResponse, OrderAgreement … by root + customisation
    doc.document_type, doc.transaction                      # DocumentType.INVOICE, "T10"
    order = Order(id="PO-1", issue_date=date.today(), buyer=…, seller=…, lines=[…])
    xml = build(order)              # UTF-8, cbc/cac prefixes, elements in UBL 2.1 schema order

Nothing is dropped. Elements the typed model does not cover are kept as canonical XML (``Node.extra``),
attributes it does not cover in ``Node.extra_attributes``, and non-canonical spellings of values (``0``
for false, ``+0.10``) in ``Node.source_text``; ``build`` writes all of them back in schema order, and
``Document.unmodelled_paths()`` lists what was kept. Comments and the source's indentation and namespace
prefixes are not kept.

Equality is dataclass equality over all of that: ``parse(build(doc)) == doc`` for every official example.
Decimals compare by value (``Decimal("1.0") == Decimal("1.00")``) but are written with their own scale.
"""

from ._document import Document, DocumentType
from ._io import UnsupportedDocumentError, build, document_class, parse, parse_element, supported_roots
from ._model import Node, RawElement
from ._values import Amount, BinaryObject, Code, DocumentError, Identifier, Measure, Quantity
from .billing import BILLING_CUSTOMIZATION, BILLING_PROFILE, CreditNote, CreditNoteLine, Invoice, InvoiceLine
from .catalogue import (
    Catalogue,
    CatalogueLine,
    DeliveryUnit,
    ItemComparison,
    ItemLocationQuantity,
    PunchOut,
    RelatedItem,
    TradingTerms,
)
from .common import (
    Address,
    AddressLine,
    Attachment,
    Contact,
    Country,
    Dimension,
    ExternalReference,
    Location,
    Period,
    TaxScheme,
)
from .delivery import Delivery, DeliveryTerms, Despatch
from .despatch import (
    Consignment,
    DespatchAdvice,
    DespatchLine,
    Package,
    Shipment,
    ShipmentStage,
    TransportHandlingUnit,
)
from .finance import (
    AllowanceCharge,
    Branch,
    CardAccount,
    ExchangeRate,
    FinancialAccount,
    FinancialInstitution,
    MonetaryTotal,
    PaymentMandate,
    PaymentMeans,
    PaymentTerms,
    TaxCategory,
    TaxSubtotal,
    TaxTotal,
)
from .items import (
    Certificate,
    CommodityClassification,
    HazardousItem,
    Item,
    ItemIdentification,
    ItemInstance,
    ItemProperty,
    LotIdentification,
    Price,
    TransactionConditions,
)
from .order_responses import OrderAgreement, OrderResponse, OrderResponseAdvanced, OrderResponseSimple
from .ordering import LineItem, Order, OrderCancellation, OrderChange, OrderLine
from .parties import (
    CustomerParty,
    Party,
    PartyIdentification,
    PartyLegalEntity,
    PartyName,
    PartyTaxScheme,
    Person,
    SupplierParty,
)
from .references import (
    BillingReference,
    CatalogueReference,
    Contract,
    DocumentReference,
    LineReference,
    OrderLineReference,
    OrderReference,
    ProjectReference,
)
from .responses import (
    ApplicationResponse,
    CatalogueResponse,
    Condition,
    DocumentResponse,
    InvoiceResponse,
    LineResponse,
    MessageLevelResponse,
    Response,
    Status,
)

__all__ = [
    "BILLING_CUSTOMIZATION",
    "BILLING_PROFILE",
    "Address",
    "AddressLine",
    "AllowanceCharge",
    "Amount",
    "ApplicationResponse",
    "Attachment",
    "BillingReference",
    "BinaryObject",
    "Branch",
    "CardAccount",
    "Catalogue",
    "CatalogueLine",
    "CatalogueReference",
    "CatalogueResponse",
    "Certificate",
    "Code",
    "CommodityClassification",
    "Condition",
    "Consignment",
    "Contact",
    "Contract",
    "Country",
    "CreditNote",
    "CreditNoteLine",
    "CustomerParty",
    "Delivery",
    "DeliveryTerms",
    "DeliveryUnit",
    "Despatch",
    "DespatchAdvice",
    "DespatchLine",
    "Dimension",
    "Document",
    "DocumentError",
    "DocumentReference",
    "DocumentResponse",
    "DocumentType",
    "ExchangeRate",
    "ExternalReference",
    "FinancialAccount",
    "FinancialInstitution",
    "HazardousItem",
    "Identifier",
    "Invoice",
    "InvoiceLine",
    "InvoiceResponse",
    "Item",
    "ItemComparison",
    "ItemIdentification",
    "ItemInstance",
    "ItemLocationQuantity",
    "ItemProperty",
    "LineItem",
    "LineReference",
    "LineResponse",
    "Location",
    "LotIdentification",
    "Measure",
    "MessageLevelResponse",
    "MonetaryTotal",
    "Node",
    "Order",
    "OrderAgreement",
    "OrderCancellation",
    "OrderChange",
    "OrderLine",
    "OrderLineReference",
    "OrderReference",
    "OrderResponse",
    "OrderResponseAdvanced",
    "OrderResponseSimple",
    "Package",
    "Party",
    "PartyIdentification",
    "PartyLegalEntity",
    "PartyName",
    "PartyTaxScheme",
    "PaymentMandate",
    "PaymentMeans",
    "PaymentTerms",
    "Period",
    "Person",
    "Price",
    "ProjectReference",
    "PunchOut",
    "Quantity",
    "RawElement",
    "RelatedItem",
    "Response",
    "Shipment",
    "ShipmentStage",
    "Status",
    "SupplierParty",
    "TaxCategory",
    "TaxScheme",
    "TaxSubtotal",
    "TaxTotal",
    "TradingTerms",
    "TransactionConditions",
    "TransportHandlingUnit",
    "UnsupportedDocumentError",
    "build",
    "document_class",
    "parse",
    "parse_element",
    "supported_roots",
]
