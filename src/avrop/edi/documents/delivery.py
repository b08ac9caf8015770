"""Delivery: where and when goods are delivered, despatch details and delivery terms.

Fields are declared in the order of the UBL 2.1 ``xsd:sequence`` of their type.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from ._model import Node, many, one
from ._values import Identifier, Quantity
from .common import Address, Contact, Location, Period
from .parties import Party

__all__ = ["Delivery", "DeliveryTerms", "Despatch"]


@dataclass(kw_only=True, slots=True)
class Despatch(Node):
    ubl_type = "Despatch"

    id: str | None = one("cbc:ID")
    requested_despatch_date: date | None = one("cbc:RequestedDespatchDate")
    requested_despatch_time: time | None = one("cbc:RequestedDespatchTime")
    estimated_despatch_date: date | None = one("cbc:EstimatedDespatchDate")
    estimated_despatch_time: time | None = one("cbc:EstimatedDespatchTime")
    actual_despatch_date: date | None = one("cbc:ActualDespatchDate")
    actual_despatch_time: time | None = one("cbc:ActualDespatchTime")
    instructions: list[str] = many("cbc:Instructions")
    despatch_address: Address | None = one("cac:DespatchAddress")
    despatch_location: Location | None = one("cac:DespatchLocation")
    despatch_party: Party | None = one("cac:DespatchParty")
    carrier_party: Party | None = one("cac:CarrierParty")
    contact: Contact | None = one("cac:Contact")
    estimated_despatch_period: Period | None = one("cac:EstimatedDespatchPeriod")
    requested_despatch_period: Period | None = one("cac:RequestedDespatchPeriod")


@dataclass(kw_only=True, slots=True)
class DeliveryTerms(Node):
    ubl_type = "DeliveryTerms"

    id: Identifier | None = one("cbc:ID")
    special_terms: list[str] = many("cbc:SpecialTerms")
    loss_risk_responsibility_code: str | None = one("cbc:LossRiskResponsibilityCode")
    loss_risks: list[str] = many("cbc:LossRisk")
    delivery_location: Location | None = one("cac:DeliveryLocation")


@dataclass(kw_only=True, slots=True)
class Delivery(Node):
    """Where and when goods are (to be) delivered."""

    ubl_type = "Delivery"

    id: Identifier | None = one("cbc:ID")
    quantity: Quantity | None = one("cbc:Quantity")
    minimum_quantity: Quantity | None = one("cbc:MinimumQuantity")
    maximum_quantity: Quantity | None = one("cbc:MaximumQuantity")
    actual_delivery_date: date | None = one("cbc:ActualDeliveryDate")
    actual_delivery_time: time | None = one("cbc:ActualDeliveryTime")
    latest_delivery_date: date | None = one("cbc:LatestDeliveryDate")
    latest_delivery_time: time | None = one("cbc:LatestDeliveryTime")
    release_id: str | None = one("cbc:ReleaseID")
    tracking_id: str | None = one("cbc:TrackingID")
    delivery_address: Address | None = one("cac:DeliveryAddress")
    delivery_location: Location | None = one("cac:DeliveryLocation")
    alternative_delivery_location: Location | None = one("cac:AlternativeDeliveryLocation")
    requested_delivery_period: Period | None = one("cac:RequestedDeliveryPeriod")
    promised_delivery_period: Period | None = one("cac:PromisedDeliveryPeriod")
    estimated_delivery_period: Period | None = one("cac:EstimatedDeliveryPeriod")
    carrier_party: Party | None = one("cac:CarrierParty")
    delivery_party: Party | None = one("cac:DeliveryParty")
    notify_parties: list[Party] = many("cac:NotifyParty")
    despatch: Despatch | None = one("cac:Despatch")
    delivery_terms: list[DeliveryTerms] = many("cac:DeliveryTerms")
