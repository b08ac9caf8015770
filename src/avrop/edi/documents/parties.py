"""Trading parties and their roles (``cac:AccountingSupplierParty`` … wrap a :class:`Party`).

Fields are declared in the order of the UBL 2.1 ``xsd:sequence`` of their type.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ._model import Node, many, one, required
from ._values import Identifier
from .common import Address, Contact, Location, TaxScheme
from .references import DocumentReference

__all__ = [
    "CustomerParty",
    "Party",
    "PartyIdentification",
    "PartyLegalEntity",
    "PartyName",
    "PartyTaxScheme",
    "Person",
    "SupplierParty",
]


@dataclass(kw_only=True, slots=True)
class PartyIdentification(Node):
    ubl_type = "PartyIdentification"

    id: Identifier = required("cbc:ID")


@dataclass(kw_only=True, slots=True)
class PartyName(Node):
    ubl_type = "PartyName"

    name: str = required("cbc:Name")


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
