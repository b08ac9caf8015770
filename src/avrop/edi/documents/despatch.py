"""Peppol BIS Despatch Advice 3 (T16)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import ClassVar

from ._document import Document, DocumentType, poacc_customization, poacc_profile
from ._model import Node, many, one, required
from ._values import Amount, Identifier, Measure, Quantity
from .common import Dimension
from .delivery import Delivery
from .items import Item
from .parties import CustomerParty, Party, SupplierParty
from .references import DocumentReference, OrderLineReference, OrderReference

__all__ = [
    "Consignment",
    "DespatchAdvice",
    "DespatchLine",
    "Package",
    "Shipment",
    "ShipmentStage",
    "TransportHandlingUnit",
]


@dataclass(kw_only=True, slots=True)
class Consignment(Node):
    ubl_type = "Consignment"

    id: str = required("cbc:ID")
    carrier_assigned_id: str | None = one("cbc:CarrierAssignedID")
    summary_descriptions: list[str] = many("cbc:SummaryDescription")
    total_invoice_amount: Amount | None = one("cbc:TotalInvoiceAmount")
    gross_weight_measure: Measure | None = one("cbc:GrossWeightMeasure")
    gross_volume_measure: Measure | None = one("cbc:GrossVolumeMeasure")
    remarks: list[str] = many("cbc:Remarks")
    information: list[str] = many("cbc:Information")
    carrier_party: Party | None = one("cac:CarrierParty")


@dataclass(kw_only=True, slots=True)
class Package(Node):
    """A package inside a transport handling unit (``packaging_type_code`` from UNECE Rec 21)."""

    ubl_type = "Package"

    id: Identifier | None = one("cbc:ID")
    quantity: Quantity | None = one("cbc:Quantity")
    returnable_material_indicator: bool | None = one("cbc:ReturnableMaterialIndicator")
    package_level_code: str | None = one("cbc:PackageLevelCode")
    packaging_type_code: str | None = one("cbc:PackagingTypeCode")
    packing_materials: list[str] = many("cbc:PackingMaterial")
    trace_id: str | None = one("cbc:TraceID")


@dataclass(kw_only=True, slots=True)
class ShipmentStage(Node):
    """A leg of the transport (``transport_mode_code`` from UNECE Rec 19)."""

    ubl_type = "ShipmentStage"

    id: str | None = one("cbc:ID")
    transport_mode_code: str | None = one("cbc:TransportModeCode")
    transport_means_type_code: str | None = one("cbc:TransportMeansTypeCode")
    estimated_delivery_date: date | None = one("cbc:EstimatedDeliveryDate")
    estimated_delivery_time: time | None = one("cbc:EstimatedDeliveryTime")
    instructions: list[str] = many("cbc:Instructions")
    carrier_parties: list[Party] = many("cac:CarrierParty")


@dataclass(kw_only=True, slots=True)
class TransportHandlingUnit(Node):
    """A pallet, parcel or container, identified by its SSCC (``id`` with ``scheme_id="SSCC"``)."""

    ubl_type = "TransportHandlingUnit"

    id: Identifier | None = one("cbc:ID")
    transport_handling_unit_type_code: str | None = one("cbc:TransportHandlingUnitTypeCode")
    handling_code: str | None = one("cbc:HandlingCode")
    handling_instructions: list[str] = many("cbc:HandlingInstructions")
    hazardous_risk_indicator: bool | None = one("cbc:HazardousRiskIndicator")
    total_goods_item_quantity: Quantity | None = one("cbc:TotalGoodsItemQuantity")
    total_package_quantity: Quantity | None = one("cbc:TotalPackageQuantity")
    damage_remarks: list[str] = many("cbc:DamageRemarks")
    shipping_marks: list[str] = many("cbc:ShippingMarks")
    trace_id: str | None = one("cbc:TraceID")
    measurement_dimensions: list[Dimension] = many("cac:MeasurementDimension")
    packages: list[Package] = many("cac:Package")


@dataclass(kw_only=True, slots=True)
class Shipment(Node):
    """The shipment of a despatch advice: weights, consignment/carrier, delivery dates, handling units."""

    ubl_type = "Shipment"

    id: str = required("cbc:ID")
    shipping_priority_level_code: str | None = one("cbc:ShippingPriorityLevelCode")
    handling_code: str | None = one("cbc:HandlingCode")
    handling_instructions: list[str] = many("cbc:HandlingInstructions")
    information: list[str] = many("cbc:Information")
    gross_weight_measure: Measure | None = one("cbc:GrossWeightMeasure")
    net_weight_measure: Measure | None = one("cbc:NetWeightMeasure")
    gross_volume_measure: Measure | None = one("cbc:GrossVolumeMeasure")
    net_volume_measure: Measure | None = one("cbc:NetVolumeMeasure")
    total_goods_item_quantity: Quantity | None = one("cbc:TotalGoodsItemQuantity")
    total_transport_handling_unit_quantity: Quantity | None = one("cbc:TotalTransportHandlingUnitQuantity")
    special_instructions: list[str] = many("cbc:SpecialInstructions")
    delivery_instructions: list[str] = many("cbc:DeliveryInstructions")
    consignments: list[Consignment] = many("cac:Consignment")
    shipment_stages: list[ShipmentStage] = many("cac:ShipmentStage")
    delivery: Delivery | None = one("cac:Delivery")
    transport_handling_units: list[TransportHandlingUnit] = many("cac:TransportHandlingUnit")

    @property
    def tracking_id(self) -> str | None:
        """The carrier's tracking id (``cac:Delivery/cbc:TrackingID``)."""
        return self.delivery.tracking_id if self.delivery else None


@dataclass(kw_only=True, slots=True)
class DespatchLine(Node):
    """A despatched line: what was sent against which order line, and what is still outstanding."""

    ubl_type = "DespatchLine"

    id: str = required("cbc:ID")
    uuid: str | None = one("cbc:UUID")
    notes: list[str] = many("cbc:Note")
    line_status_code: str | None = one("cbc:LineStatusCode")
    delivered_quantity: Quantity | None = one("cbc:DeliveredQuantity")
    backorder_quantity: Quantity | None = one("cbc:BackorderQuantity")
    backorder_reasons: list[str] = many("cbc:BackorderReason")
    outstanding_quantity: Quantity | None = one("cbc:OutstandingQuantity")
    outstanding_reasons: list[str] = many("cbc:OutstandingReason")
    oversupply_quantity: Quantity | None = one("cbc:OversupplyQuantity")
    order_line_references: list[OrderLineReference] = many("cac:OrderLineReference")
    document_references: list[DocumentReference] = many("cac:DocumentReference")
    item: Item = required("cac:Item")
    shipments: list[Shipment] = many("cac:Shipment")

    @property
    def order_line_id(self) -> str | None:
        return self.order_line_references[0].line_id if self.order_line_references else None


@dataclass(kw_only=True, slots=True)
class DespatchAdvice(Document):
    """A Peppol despatch advice (T16)."""

    root: ClassVar[str] = "DespatchAdvice"
    namespace: ClassVar[str] = "urn:oasis:names:specification:ubl:schema:xsd:DespatchAdvice-2"
    document_type: ClassVar[DocumentType] = DocumentType.DESPATCH_ADVICE
    ubl_type = "DespatchAdvice"

    customization_id: str | None = one("cbc:CustomizationID", poacc_customization("despatch_advice"))
    profile_id: str | None = one("cbc:ProfileID", poacc_profile("despatch_advice"))
    copy_indicator: bool | None = one("cbc:CopyIndicator")
    uuid: str | None = one("cbc:UUID")
    issue_date: date = required("cbc:IssueDate")
    issue_time: time | None = one("cbc:IssueTime")
    document_status_code: str | None = one("cbc:DocumentStatusCode")
    despatch_advice_type_code: str | None = one("cbc:DespatchAdviceTypeCode")
    notes: list[str] = many("cbc:Note")
    order_references: list[OrderReference] = many("cac:OrderReference")
    additional_document_references: list[DocumentReference] = many("cac:AdditionalDocumentReference")
    despatch_supplier: SupplierParty = required("cac:DespatchSupplierParty")
    delivery_customer: CustomerParty = required("cac:DeliveryCustomerParty")
    buyer: CustomerParty | None = one("cac:BuyerCustomerParty")
    seller: SupplierParty | None = one("cac:SellerSupplierParty")
    originator: CustomerParty | None = one("cac:OriginatorCustomerParty")
    shipment: Shipment | None = one("cac:Shipment")
    lines: list[DespatchLine] = many("cac:DespatchLine")

    @property
    def order_reference(self) -> OrderReference | None:
        return self.order_references[0] if self.order_references else None

    @property
    def delivery(self) -> Delivery | None:
        """The shipment's delivery (actual and estimated delivery dates, delivery address)."""
        return self.shipment.delivery if self.shipment else None
