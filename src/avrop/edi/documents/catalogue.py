"""Peppol BIS Catalogue 3 (T19) and Punch-out (T77).

A punch-out message is a UBL ``Catalogue`` with the punch-out customisation: the shopping cart the buyer
filled in the supplier's web shop, returned as catalogue lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import ClassVar

from ._document import Document, DocumentType, poacc_customization, poacc_profile
from ._model import Node, many, one, required
from ._values import Amount, Measure, Quantity
from .common import Address, Period
from .finance import AllowanceCharge, TaxCategory
from .items import Item, ItemProperty, Price
from .parties import CustomerParty, Party, SupplierParty
from .references import CatalogueReference, Contract, DocumentReference

__all__ = [
    "Catalogue",
    "CatalogueLine",
    "DeliveryUnit",
    "ItemComparison",
    "ItemLocationQuantity",
    "PunchOut",
    "RelatedItem",
    "TradingTerms",
]


@dataclass(kw_only=True, slots=True)
class DeliveryUnit(Node):
    ubl_type = "DeliveryUnit"

    batch_quantity: Quantity = required("cbc:BatchQuantity")
    consumer_unit_quantity: Quantity | None = one("cbc:ConsumerUnitQuantity")
    hazardous_risk_indicator: bool | None = one("cbc:HazardousRiskIndicator")


@dataclass(kw_only=True, slots=True)
class ItemLocationQuantity(Node):
    """A price with its conditions; several with ``minimum_quantity`` set form price tiers."""

    ubl_type = "ItemLocationQuantity"

    lead_time_measure: Measure | None = one("cbc:LeadTimeMeasure")
    minimum_quantity: Quantity | None = one("cbc:MinimumQuantity")
    maximum_quantity: Quantity | None = one("cbc:MaximumQuantity")
    hazardous_risk_indicator: bool | None = one("cbc:HazardousRiskIndicator")
    trading_restrictions: list[str] = many("cbc:TradingRestrictions")
    applicable_territory_addresses: list[Address] = many("cac:ApplicableTerritoryAddress")
    price: Price | None = one("cac:Price")
    delivery_units: list[DeliveryUnit] = many("cac:DeliveryUnit")
    applicable_tax_categories: list[TaxCategory] = many("cac:ApplicableTaxCategory")
    allowance_charges: list[AllowanceCharge] = many("cac:AllowanceCharge")


@dataclass(kw_only=True, slots=True)
class RelatedItem(Node):
    """A component, accessory, required or replacement item referenced by its catalogue line id."""

    ubl_type = "RelatedItem"

    id: str | None = one("cbc:ID")
    quantity: Quantity | None = one("cbc:Quantity")
    descriptions: list[str] = many("cbc:Description")


@dataclass(kw_only=True, slots=True)
class ItemComparison(Node):
    """A comparison price (price per kg, per litre …)."""

    ubl_type = "ItemComparison"

    price_amount: Amount | None = one("cbc:PriceAmount")
    quantity: Quantity | None = one("cbc:Quantity")


@dataclass(kw_only=True, slots=True)
class TradingTerms(Node):
    ubl_type = "TradingTerms"

    information: list[str] = many("cbc:Information")
    reference: str | None = one("cbc:Reference")
    applicable_address: Address | None = one("cac:ApplicableAddress")


@dataclass(kw_only=True, slots=True)
class CatalogueLine(Node):
    """A catalogue item with its order conditions and prices."""

    ubl_type = "CatalogueLine"

    id: str = required("cbc:ID")
    action_code: str | None = one("cbc:ActionCode")
    life_cycle_status_code: str | None = one("cbc:LifeCycleStatusCode")
    contract_subdivision: str | None = one("cbc:ContractSubdivision")
    notes: list[str] = many("cbc:Note")
    orderable_indicator: bool | None = one("cbc:OrderableIndicator")
    orderable_unit: str | None = one("cbc:OrderableUnit")
    content_unit_quantity: Quantity | None = one("cbc:ContentUnitQuantity")
    order_quantity_increment: Decimal | None = one("cbc:OrderQuantityIncrementNumeric")
    minimum_order_quantity: Quantity | None = one("cbc:MinimumOrderQuantity")
    maximum_order_quantity: Quantity | None = one("cbc:MaximumOrderQuantity")
    warranty_information: list[str] = many("cbc:WarrantyInformation")
    pack_level_code: str | None = one("cbc:PackLevelCode")
    contractor_customer: CustomerParty | None = one("cac:ContractorCustomerParty")
    seller_supplier: SupplierParty | None = one("cac:SellerSupplierParty")
    warranty_party: Party | None = one("cac:WarrantyParty")
    warranty_validity_period: Period | None = one("cac:WarrantyValidityPeriod")
    line_validity_period: Period | None = one("cac:LineValidityPeriod")
    item_comparisons: list[ItemComparison] = many("cac:ItemComparison")
    component_related_items: list[RelatedItem] = many("cac:ComponentRelatedItem")
    accessory_related_items: list[RelatedItem] = many("cac:AccessoryRelatedItem")
    required_related_items: list[RelatedItem] = many("cac:RequiredRelatedItem")
    replacement_related_items: list[RelatedItem] = many("cac:ReplacementRelatedItem")
    complementary_related_items: list[RelatedItem] = many("cac:ComplementaryRelatedItem")
    replaced_related_items: list[RelatedItem] = many("cac:ReplacedRelatedItem")
    required_item_location_quantities: list[ItemLocationQuantity] = many("cac:RequiredItemLocationQuantity")
    document_references: list[DocumentReference] = many("cac:DocumentReference")
    item: Item = required("cac:Item")
    keyword_item_properties: list[ItemProperty] = many("cac:KeywordItemProperty")

    @property
    def prices(self) -> list[Price]:
        """All prices of the line, in document order (several mean price tiers or territories)."""
        return [location.price for location in self.required_item_location_quantities if location.price]


@dataclass(kw_only=True, slots=True)
class Catalogue(Document):
    """A Peppol catalogue (T19). ``action_code``: Add, Replace, Update or Delete."""

    root: ClassVar[str] = "Catalogue"
    namespace: ClassVar[str] = "urn:oasis:names:specification:ubl:schema:xsd:Catalogue-2"
    document_type: ClassVar[DocumentType] = DocumentType.CATALOGUE
    ubl_type = "Catalogue"

    customization_id: str | None = one("cbc:CustomizationID", poacc_customization("catalogue"))
    profile_id: str | None = one("cbc:ProfileID", poacc_profile("catalogue_only"))
    uuid: str | None = one("cbc:UUID")
    action_code: str | None = one("cbc:ActionCode")
    name: str | None = one("cbc:Name")
    issue_date: date = required("cbc:IssueDate")
    issue_time: time | None = one("cbc:IssueTime")
    revision_date: date | None = one("cbc:RevisionDate")
    revision_time: time | None = one("cbc:RevisionTime")
    notes: list[str] = many("cbc:Note")
    descriptions: list[str] = many("cbc:Description")
    version_id: str | None = one("cbc:VersionID")
    previous_version_id: str | None = one("cbc:PreviousVersionID")
    validity_periods: list[Period] = many("cac:ValidityPeriod")
    referenced_contracts: list[Contract] = many("cac:ReferencedContract")
    source_catalogue_reference: CatalogueReference | None = one("cac:SourceCatalogueReference")
    document_references: list[DocumentReference] = many("cac:DocumentReference")
    provider_party: Party = required("cac:ProviderParty")
    receiver_party: Party = required("cac:ReceiverParty")
    seller_supplier: SupplierParty | None = one("cac:SellerSupplierParty")
    contractor_customer: CustomerParty | None = one("cac:ContractorCustomerParty")
    trading_terms: list[TradingTerms] = many("cac:TradingTerms")
    lines: list[CatalogueLine] = many("cac:CatalogueLine")

    @property
    def validity_period(self) -> Period | None:
        return self.validity_periods[0] if self.validity_periods else None

    @property
    def contract_reference(self) -> str | None:
        return self.referenced_contracts[0].id if self.referenced_contracts else None


@dataclass(kw_only=True, slots=True)
class PunchOut(Catalogue):
    """A Peppol punch-out message (T77): the web-shop cart as a UBL ``Catalogue``."""

    document_type: ClassVar[DocumentType] = DocumentType.PUNCH_OUT

    customization_id: str | None = one("cbc:CustomizationID", poacc_customization("punch_out"))
    profile_id: str | None = one("cbc:ProfileID", poacc_profile("punch_out"))
