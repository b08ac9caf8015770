"""Items and prices, shared by invoices, orders, despatch advices and catalogues."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from ._model import Node, many, one, required
from ._values import Amount, Code, Identifier, Quantity
from .common import Country, Dimension, Period
from .finance import AllowanceCharge, TaxCategory
from .parties import Party
from .references import DocumentReference

__all__ = [
    "Certificate",
    "CommodityClassification",
    "HazardousItem",
    "Item",
    "ItemIdentification",
    "ItemInstance",
    "ItemProperty",
    "LotIdentification",
    "Price",
    "TransactionConditions",
]


@dataclass(kw_only=True, slots=True)
class ItemIdentification(Node):
    """An item id: the seller's article number, or a GTIN with ``scheme_id="0160"`` (standard id)."""

    ubl_type = "ItemIdentification"

    id: Identifier = required("cbc:ID")
    extended_id: str | None = one("cbc:ExtendedID")
    barcode_symbology_id: str | None = one("cbc:BarcodeSymbologyID")


@dataclass(kw_only=True, slots=True)
class CommodityClassification(Node):
    """A classification such as UNSPSC (``listID="STI"``) or CPV (``listID="CV"``)."""

    ubl_type = "CommodityClassification"

    nature_code: str | None = one("cbc:NatureCode")
    cargo_type_code: str | None = one("cbc:CargoTypeCode")
    commodity_code: str | None = one("cbc:CommodityCode")
    item_classification_code: Code | None = one("cbc:ItemClassificationCode")


@dataclass(kw_only=True, slots=True)
class ItemProperty(Node):
    """A name/value attribute of an item (colour, size, weight …)."""

    ubl_type = "ItemProperty"

    id: str | None = one("cbc:ID")
    name: str = required("cbc:Name")
    name_code: Code | None = one("cbc:NameCode")
    test_method: str | None = one("cbc:TestMethod")
    value: str | None = one("cbc:Value")
    value_quantity: Quantity | None = one("cbc:ValueQuantity")
    value_qualifiers: list[str] = many("cbc:ValueQualifier")
    importance_code: str | None = one("cbc:ImportanceCode")
    list_values: list[str] = many("cbc:ListValue")
    usability_period: Period | None = one("cac:UsabilityPeriod")


@dataclass(kw_only=True, slots=True)
class LotIdentification(Node):
    ubl_type = "LotIdentification"

    lot_number_id: str | None = one("cbc:LotNumberID")
    expiry_date: date | None = one("cbc:ExpiryDate")
    additional_item_properties: list[ItemProperty] = many("cac:AdditionalItemProperty")


@dataclass(kw_only=True, slots=True)
class ItemInstance(Node):
    """One physical instance: serial number, lot/batch, best-before date."""

    ubl_type = "ItemInstance"

    product_trace_id: Identifier | None = one("cbc:ProductTraceID")
    manufacture_date: date | None = one("cbc:ManufactureDate")
    manufacture_time: time | None = one("cbc:ManufactureTime")
    best_before_date: date | None = one("cbc:BestBeforeDate")
    registration_id: str | None = one("cbc:RegistrationID")
    serial_id: str | None = one("cbc:SerialID")
    additional_item_properties: list[ItemProperty] = many("cac:AdditionalItemProperty")
    lot_identification: LotIdentification | None = one("cac:LotIdentification")


@dataclass(kw_only=True, slots=True)
class Certificate(Node):
    """A certificate or eco label of an item (``certificate_type_code`` from the Peppol label list)."""

    ubl_type = "Certificate"

    id: str = required("cbc:ID")
    certificate_type_code: str = required("cbc:CertificateTypeCode")
    certificate_type: str = required("cbc:CertificateType")
    remarks: list[str] = many("cbc:Remarks")
    issuer_party: Party = required("cac:IssuerParty")
    document_references: list[DocumentReference] = many("cac:DocumentReference")


@dataclass(kw_only=True, slots=True)
class HazardousItem(Node):
    ubl_type = "HazardousItem"

    id: str | None = one("cbc:ID")
    additional_information: list[str] = many("cbc:AdditionalInformation")
    undg_code: str | None = one("cbc:UNDGCode")
    technical_name: str | None = one("cbc:TechnicalName")
    category_name: str | None = one("cbc:CategoryName")
    hazardous_category_code: str | None = one("cbc:HazardousCategoryCode")
    hazard_class_id: str | None = one("cbc:HazardClassID")


@dataclass(kw_only=True, slots=True)
class TransactionConditions(Node):
    ubl_type = "TransactionConditions"

    id: str | None = one("cbc:ID")
    action_code: str | None = one("cbc:ActionCode")
    descriptions: list[str] = many("cbc:Description")
    document_references: list[DocumentReference] = many("cac:DocumentReference")


@dataclass(kw_only=True, slots=True)
class Item(Node):
    """A product or service, with its ids, classifications, VAT category and attributes."""

    ubl_type = "Item"

    descriptions: list[str] = many("cbc:Description")
    pack_quantity: Quantity | None = one("cbc:PackQuantity")
    pack_size_numeric: Decimal | None = one("cbc:PackSizeNumeric")
    catalogue_indicator: bool | None = one("cbc:CatalogueIndicator")
    name: str | None = one("cbc:Name")
    hazardous_risk_indicator: bool | None = one("cbc:HazardousRiskIndicator")
    additional_information: list[str] = many("cbc:AdditionalInformation")
    keywords: list[str] = many("cbc:Keyword")
    brand_names: list[str] = many("cbc:BrandName")
    model_names: list[str] = many("cbc:ModelName")
    buyers_item_identification: ItemIdentification | None = one("cac:BuyersItemIdentification")
    sellers_item_identification: ItemIdentification | None = one("cac:SellersItemIdentification")
    manufacturers_item_identifications: list[ItemIdentification] = many("cac:ManufacturersItemIdentification")
    standard_item_identification: ItemIdentification | None = one("cac:StandardItemIdentification")
    catalogue_item_identification: ItemIdentification | None = one("cac:CatalogueItemIdentification")
    additional_item_identifications: list[ItemIdentification] = many("cac:AdditionalItemIdentification")
    catalogue_document_reference: DocumentReference | None = one("cac:CatalogueDocumentReference")
    item_specification_document_references: list[DocumentReference] = many(
        "cac:ItemSpecificationDocumentReference"
    )
    origin_country: Country | None = one("cac:OriginCountry")
    commodity_classifications: list[CommodityClassification] = many("cac:CommodityClassification")
    transaction_conditions: list[TransactionConditions] = many("cac:TransactionConditions")
    hazardous_items: list[HazardousItem] = many("cac:HazardousItem")
    classified_tax_categories: list[TaxCategory] = many("cac:ClassifiedTaxCategory")
    additional_item_properties: list[ItemProperty] = many("cac:AdditionalItemProperty")
    manufacturer_parties: list[Party] = many("cac:ManufacturerParty")
    information_content_provider_party: Party | None = one("cac:InformationContentProviderParty")
    item_instances: list[ItemInstance] = many("cac:ItemInstance")
    certificates: list[Certificate] = many("cac:Certificate")
    dimensions: list[Dimension] = many("cac:Dimension")

    @property
    def description(self) -> str | None:
        return self.descriptions[0] if self.descriptions else None

    @property
    def sellers_item_id(self) -> str | None:
        item_id = self.sellers_item_identification
        return item_id.id.value if item_id else None

    @property
    def standard_item_id(self) -> Identifier | None:
        """The standard id, e.g. a GTIN (``scheme_id="0160"``)."""
        item_id = self.standard_item_identification
        return item_id.id if item_id else None

    @property
    def classified_tax_category(self) -> TaxCategory | None:
        """The item's VAT category (Peppol allows exactly one)."""
        return self.classified_tax_categories[0] if self.classified_tax_categories else None


@dataclass(kw_only=True, slots=True)
class Price(Node):
    """The net unit price (BT-146) per ``base_quantity``; a price discount is an allowance here."""

    ubl_type = "Price"

    price_amount: Amount = required("cbc:PriceAmount")
    base_quantity: Quantity | None = one("cbc:BaseQuantity")
    price_change_reasons: list[str] = many("cbc:PriceChangeReason")
    price_type_code: str | None = one("cbc:PriceTypeCode")
    price_type: str | None = one("cbc:PriceType")
    orderable_unit_factor_rate: Decimal | None = one("cbc:OrderableUnitFactorRate")
    validity_periods: list[Period] = many("cac:ValidityPeriod")
    allowance_charges: list[AllowanceCharge] = many("cac:AllowanceCharge")
