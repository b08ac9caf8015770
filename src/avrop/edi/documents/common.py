"""Aggregates shared by all document families: parties, addresses, references, periods, delivery.

Fields are declared in the order of the UBL 2.1 ``xsd:sequence`` of their type. Names follow the UBL
element names in English snake case; where EN 16931 / Peppol use a clearer business term, a property
gives it (``Party.name``, ``Party.vat_id`` …).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from ._model import Node, many, one, required
from ._values import BinaryObject, Identifier, Measure, Quantity

__all__ = [
    "Address",
    "AddressLine",
    "Attachment",
    "BillingReference",
    "CatalogueReference",
    "Contact",
    "Contract",
    "Country",
    "CustomerParty",
    "Delivery",
    "DeliveryTerms",
    "Despatch",
    "Dimension",
    "DocumentReference",
    "ExternalReference",
    "LineReference",
    "Location",
    "OrderLineReference",
    "OrderReference",
    "Party",
    "PartyIdentification",
    "PartyLegalEntity",
    "PartyName",
    "PartyTaxScheme",
    "Period",
    "Person",
    "ProjectReference",
    "SupplierParty",
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
class DocumentReference(Node):
    """A reference to another document (contract, additional document, invoice being credited …)."""

    ubl_type = "DocumentReference"

    id: Identifier = required("cbc:ID")
    issue_date: date | None = one("cbc:IssueDate")
    issue_time: time | None = one("cbc:IssueTime")
    document_type_code: str | None = one("cbc:DocumentTypeCode")
    document_type: str | None = one("cbc:DocumentType")
    version_id: str | None = one("cbc:VersionID")
    document_status_code: str | None = one("cbc:DocumentStatusCode")
    document_descriptions: list[str] = many("cbc:DocumentDescription")
    attachment: Attachment | None = one("cac:Attachment")
    validity_period: Period | None = one("cac:ValidityPeriod")
    issuer_party: Party | None = one("cac:IssuerParty")


@dataclass(kw_only=True, slots=True)
class OrderReference(Node):
    ubl_type = "OrderReference"

    id: str = required("cbc:ID")
    sales_order_id: str | None = one("cbc:SalesOrderID")
    issue_date: date | None = one("cbc:IssueDate")
    issue_time: time | None = one("cbc:IssueTime")
    customer_reference: str | None = one("cbc:CustomerReference")
    order_type_code: str | None = one("cbc:OrderTypeCode")
    document_reference: DocumentReference | None = one("cac:DocumentReference")


@dataclass(kw_only=True, slots=True)
class BillingReference(Node):
    """A preceding invoice or credit note (BG-3)."""

    ubl_type = "BillingReference"

    invoice_document_reference: DocumentReference | None = one("cac:InvoiceDocumentReference")
    self_billed_invoice_document_reference: DocumentReference | None = one(
        "cac:SelfBilledInvoiceDocumentReference"
    )
    credit_note_document_reference: DocumentReference | None = one("cac:CreditNoteDocumentReference")


@dataclass(kw_only=True, slots=True)
class ProjectReference(Node):
    ubl_type = "ProjectReference"

    id: str = required("cbc:ID")
    issue_date: date | None = one("cbc:IssueDate")


@dataclass(kw_only=True, slots=True)
class CatalogueReference(Node):
    ubl_type = "CatalogueReference"

    id: str = required("cbc:ID")
    issue_date: date | None = one("cbc:IssueDate")
    version_id: str | None = one("cbc:VersionID")


@dataclass(kw_only=True, slots=True)
class Contract(Node):
    """A (framework) contract reference (``cac:Contract``, ``cac:ReferencedContract``)."""

    ubl_type = "Contract"

    id: str | None = one("cbc:ID")
    issue_date: date | None = one("cbc:IssueDate")
    contract_type_code: str | None = one("cbc:ContractTypeCode")
    contract_type: str | None = one("cbc:ContractType")
    notes: list[str] = many("cbc:Note")
    version_id: str | None = one("cbc:VersionID")
    descriptions: list[str] = many("cbc:Description")
    validity_period: Period | None = one("cac:ValidityPeriod")
    contract_document_references: list[DocumentReference] = many("cac:ContractDocumentReference")


@dataclass(kw_only=True, slots=True)
class OrderLineReference(Node):
    ubl_type = "OrderLineReference"

    line_id: str = required("cbc:LineID")
    sales_order_line_id: str | None = one("cbc:SalesOrderLineID")
    line_status_code: str | None = one("cbc:LineStatusCode")
    order_reference: OrderReference | None = one("cac:OrderReference")


@dataclass(kw_only=True, slots=True)
class LineReference(Node):
    """A reference to a line of another document; in an MLR ``line_id`` is an XPath to the error."""

    ubl_type = "LineReference"

    line_id: str = required("cbc:LineID")
    line_status_code: str | None = one("cbc:LineStatusCode")
    document_reference: DocumentReference | None = one("cac:DocumentReference")


# --- parties -----------------------------------------------------------------------------------------


@dataclass(kw_only=True, slots=True)
class PartyIdentification(Node):
    ubl_type = "PartyIdentification"

    id: Identifier = required("cbc:ID")


@dataclass(kw_only=True, slots=True)
class PartyName(Node):
    ubl_type = "PartyName"

    name: str = required("cbc:Name")


@dataclass(kw_only=True, slots=True)
class TaxScheme(Node):
    ubl_type = "TaxScheme"

    id: str | None = one("cbc:ID", "VAT")
    name: str | None = one("cbc:Name")
    tax_type_code: str | None = one("cbc:TaxTypeCode")


@dataclass(kw_only=True, slots=True)
class PartyTaxScheme(Node):
    """A tax registration; with ``tax_scheme.id == "VAT"`` ``company_id`` is the VAT number."""

    ubl_type = "PartyTaxScheme"

    registration_name: str | None = one("cbc:RegistrationName")
    company_id: Identifier | None = one("cbc:CompanyID")
    exemption_reason_code: str | None = one("cbc:ExemptionReasonCode")
    exemption_reasons: list[str] = many("cbc:ExemptionReason")
    registration_address: Address | None = one("cac:RegistrationAddress")
    tax_scheme: TaxScheme = required("cac:TaxScheme", TaxScheme)


@dataclass(kw_only=True, slots=True)
class PartyLegalEntity(Node):
    """The legal registration: name and organisation number (Swedish org.no, scheme 0007)."""

    ubl_type = "PartyLegalEntity"

    registration_name: str | None = one("cbc:RegistrationName")
    company_id: Identifier | None = one("cbc:CompanyID")
    registration_date: date | None = one("cbc:RegistrationDate")
    company_legal_form_code: str | None = one("cbc:CompanyLegalFormCode")
    company_legal_form: str | None = one("cbc:CompanyLegalForm")
    registration_address: Address | None = one("cac:RegistrationAddress")


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
class Person(Node):
    ubl_type = "Person"

    id: Identifier | None = one("cbc:ID")
    first_name: str | None = one("cbc:FirstName")
    family_name: str | None = one("cbc:FamilyName")
    title: str | None = one("cbc:Title")
    middle_name: str | None = one("cbc:MiddleName")
    job_title: str | None = one("cbc:JobTitle")
    organization_department: str | None = one("cbc:OrganizationDepartment")
    contact: Contact | None = one("cac:Contact")
    identity_document_references: list[DocumentReference] = many("cac:IdentityDocumentReference")


@dataclass(kw_only=True, slots=True)
class Party(Node):
    """A trading party: seller, buyer, payee, delivery party, catalogue provider …"""

    ubl_type = "Party"

    website_uri: str | None = one("cbc:WebsiteURI")
    endpoint_id: Identifier | None = one("cbc:EndpointID")
    industry_classification_code: str | None = one("cbc:IndustryClassificationCode")
    identifications: list[PartyIdentification] = many("cac:PartyIdentification")
    names: list[PartyName] = many("cac:PartyName")
    postal_address: Address | None = one("cac:PostalAddress")
    physical_location: Location | None = one("cac:PhysicalLocation")
    tax_schemes: list[PartyTaxScheme] = many("cac:PartyTaxScheme")
    legal_entities: list[PartyLegalEntity] = many("cac:PartyLegalEntity")
    contact: Contact | None = one("cac:Contact")
    persons: list[Person] = many("cac:Person")

    @property
    def name(self) -> str | None:
        """The trading name, else the legal registration name."""
        if self.names:
            return self.names[0].name
        return self.legal_entities[0].registration_name if self.legal_entities else None

    @property
    def legal_name(self) -> str | None:
        return self.legal_entities[0].registration_name if self.legal_entities else None

    @property
    def identifier(self) -> Identifier | None:
        """The first party identification (GLN, org.no …)."""
        return self.identifications[0].id if self.identifications else None

    @property
    def legal_registration_id(self) -> Identifier | None:
        return self.legal_entities[0].company_id if self.legal_entities else None

    @property
    def vat_id(self) -> str | None:
        """The VAT registration number (``PartyTaxScheme`` with tax scheme ``VAT``)."""
        for scheme in self.tax_schemes:
            if scheme.tax_scheme.id == "VAT" and scheme.company_id is not None:
                return scheme.company_id.value
        return None


@dataclass(kw_only=True, slots=True)
class SupplierParty(Node):
    """A supplier role (``cac:AccountingSupplierParty``, ``cac:SellerSupplierParty`` …) around a Party."""

    ubl_type = "SupplierParty"

    customer_assigned_account_id: str | None = one("cbc:CustomerAssignedAccountID")
    additional_account_ids: list[str] = many("cbc:AdditionalAccountID")
    party: Party | None = one("cac:Party")
    despatch_contact: Contact | None = one("cac:DespatchContact")
    accounting_contact: Contact | None = one("cac:AccountingContact")
    seller_contact: Contact | None = one("cac:SellerContact")


@dataclass(kw_only=True, slots=True)
class CustomerParty(Node):
    """A customer role (``cac:AccountingCustomerParty``, ``cac:BuyerCustomerParty`` …) around a Party."""

    ubl_type = "CustomerParty"

    customer_assigned_account_id: str | None = one("cbc:CustomerAssignedAccountID")
    supplier_assigned_account_id: str | None = one("cbc:SupplierAssignedAccountID")
    additional_account_ids: list[str] = many("cbc:AdditionalAccountID")
    party: Party | None = one("cac:Party")
    delivery_contact: Contact | None = one("cac:DeliveryContact")
    accounting_contact: Contact | None = one("cac:AccountingContact")
    buyer_contact: Contact | None = one("cac:BuyerContact")


# --- delivery ----------------------------------------------------------------------------------------


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
class DeliveryTerms(Node):
    ubl_type = "DeliveryTerms"

    id: Identifier | None = one("cbc:ID")
    special_terms: list[str] = many("cbc:SpecialTerms")
    loss_risk_responsibility_code: str | None = one("cbc:LossRiskResponsibilityCode")
    loss_risks: list[str] = many("cbc:LossRisk")
    delivery_location: Location | None = one("cac:DeliveryLocation")


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


@dataclass(kw_only=True, slots=True)
class Dimension(Node):
    """A measured attribute (``cac:Dimension``, ``cac:MeasurementDimension``)."""

    ubl_type = "Dimension"

    attribute_id: str = required("cbc:AttributeID")
    measure: Measure | None = one("cbc:Measure")
    descriptions: list[str] = many("cbc:Description")
    minimum_measure: Measure | None = one("cbc:MinimumMeasure")
    maximum_measure: Measure | None = one("cbc:MaximumMeasure")
