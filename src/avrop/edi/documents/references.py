"""References to other documents and their lines (orders, invoices, contracts, projects, catalogues).

Fields are declared in the order of the UBL 2.1 ``xsd:sequence`` of their type.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from ._model import Node, many, one, required
from ._values import Identifier
from .common import Attachment, Period

__all__ = [
    "BillingReference",
    "CatalogueReference",
    "Contract",
    "DocumentReference",
    "LineReference",
    "OrderLineReference",
    "OrderReference",
    "ProjectReference",
]


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
