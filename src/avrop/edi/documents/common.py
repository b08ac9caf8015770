"""Basic aggregates shared by all document families: addresses, periods, contacts, attachments, locations.

Fields are declared in the order of the UBL 2.1 ``xsd:sequence`` of their type.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from ._model import Node, many, one, required
from ._values import BinaryObject, Identifier, Measure

__all__ = [
    "Address",
    "AddressLine",
    "Attachment",
    "Contact",
    "Country",
    "Dimension",
    "ExternalReference",
    "Location",
    "Period",
    "TaxScheme",
]


@dataclass(kw_only=True, slots=True)
class Country(Node):
    ubl_type = "Country"

    identification_code: str | None = one("cbc:IdentificationCode")
    name: str | None = one("cbc:Name")


@dataclass(kw_only=True, slots=True)
class AddressLine(Node):
    ubl_type = "AddressLine"

    line: str = required("cbc:Line")


@dataclass(kw_only=True, slots=True)
class Address(Node):
    """A postal address (``cac:PostalAddress``, ``cac:DeliveryLocation/cac:Address`` …)."""

    ubl_type = "Address"

    id: Identifier | None = one("cbc:ID")
    postbox: str | None = one("cbc:Postbox")
    floor: str | None = one("cbc:Floor")
    room: str | None = one("cbc:Room")
    street_name: str | None = one("cbc:StreetName")
    additional_street_name: str | None = one("cbc:AdditionalStreetName")
    building_name: str | None = one("cbc:BuildingName")
    building_number: str | None = one("cbc:BuildingNumber")
    department: str | None = one("cbc:Department")
    mark_attention: str | None = one("cbc:MarkAttention")
    city_name: str | None = one("cbc:CityName")
    postal_zone: str | None = one("cbc:PostalZone")
    country_subentity: str | None = one("cbc:CountrySubentity")
    country_subentity_code: str | None = one("cbc:CountrySubentityCode")
    address_lines: list[AddressLine] = many("cac:AddressLine")
    country: Country | None = one("cac:Country")

    @property
    def country_code(self) -> str | None:
        """ISO 3166-1 alpha-2 country code."""
        return self.country.identification_code if self.country else None


@dataclass(kw_only=True, slots=True)
class Period(Node):
    ubl_type = "Period"

    start_date: date | None = one("cbc:StartDate")
    start_time: time | None = one("cbc:StartTime")
    end_date: date | None = one("cbc:EndDate")
    end_time: time | None = one("cbc:EndTime")
    duration_measure: Measure | None = one("cbc:DurationMeasure")
    description_codes: list[str] = many("cbc:DescriptionCode")
    descriptions: list[str] = many("cbc:Description")


@dataclass(kw_only=True, slots=True)
class ExternalReference(Node):
    ubl_type = "ExternalReference"

    uri: str | None = one("cbc:URI")
    mime_code: str | None = one("cbc:MimeCode")
    file_name: str | None = one("cbc:FileName")


@dataclass(kw_only=True, slots=True)
class Attachment(Node):
    """An attached file: embedded (base64 in the XML, kept decoded) or referenced by URI."""

    ubl_type = "Attachment"

    embedded_document: BinaryObject | None = one("cbc:EmbeddedDocumentBinaryObject")
    external_reference: ExternalReference | None = one("cac:ExternalReference")


@dataclass(kw_only=True, slots=True)
class Contact(Node):
    ubl_type = "Contact"

    id: str | None = one("cbc:ID")
    name: str | None = one("cbc:Name")
    telephone: str | None = one("cbc:Telephone")
    telefax: str | None = one("cbc:Telefax")
    electronic_mail: str | None = one("cbc:ElectronicMail")
    notes: list[str] = many("cbc:Note")


@dataclass(kw_only=True, slots=True)
class TaxScheme(Node):
    ubl_type = "TaxScheme"

    id: str | None = one("cbc:ID", "VAT")
    name: str | None = one("cbc:Name")
    tax_type_code: str | None = one("cbc:TaxTypeCode")


@dataclass(kw_only=True, slots=True)
class Location(Node):
    """A place, typically a delivery location with its GLN (``id`` with ``scheme_id="0088"``)."""

    ubl_type = "Location"

    id: Identifier | None = one("cbc:ID")
    descriptions: list[str] = many("cbc:Description")
    conditions: list[str] = many("cbc:Conditions")
    country_subentity: str | None = one("cbc:CountrySubentity")
    location_type_code: str | None = one("cbc:LocationTypeCode")
    name: str | None = one("cbc:Name")
    validity_periods: list[Period] = many("cac:ValidityPeriod")
    address: Address | None = one("cac:Address")


@dataclass(kw_only=True, slots=True)
class Dimension(Node):
    """A measured attribute (``cac:Dimension``, ``cac:MeasurementDimension``)."""

    ubl_type = "Dimension"

    attribute_id: str = required("cbc:AttributeID")
    measure: Measure | None = one("cbc:Measure")
    descriptions: list[str] = many("cbc:Description")
    minimum_measure: Measure | None = one("cbc:MinimumMeasure")
    maximum_measure: Measure | None = one("cbc:MaximumMeasure")
