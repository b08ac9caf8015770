"""UBL ``ApplicationResponse`` and the Peppol transactions built on it.

Catalogue Response (T58), Invoice Response (T111) and Message Level Response (T71) share the root element;
``cbc:CustomizationID`` tells them apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import ClassVar

from ._document import Document, DocumentType, poacc_customization, poacc_profile
from ._model import Node, many, one, required
from ._values import Code, Measure
from .parties import Party
from .references import DocumentReference, LineReference

__all__ = [
    "ApplicationResponse",
    "CatalogueResponse",
    "Condition",
    "DocumentResponse",
    "InvoiceResponse",
    "LineResponse",
    "MessageLevelResponse",
    "Response",
    "Status",
]


@dataclass(kw_only=True, slots=True)
class Condition(Node):
    """In an invoice response: which field to clarify (``attribute_id``, a BT id) and the right value."""

    ubl_type = "Condition"

    attribute_id: str = required("cbc:AttributeID")
    measure: Measure | None = one("cbc:Measure")
    descriptions: list[str] = many("cbc:Description")
    minimum_measure: Measure | None = one("cbc:MinimumMeasure")
    maximum_measure: Measure | None = one("cbc:MaximumMeasure")


@dataclass(kw_only=True, slots=True)
class Status(Node):
    """A status reason or requested action (``status_reason_code.list_id``: OPStatusReason/OPStatusAction)."""

    ubl_type = "Status"

    condition_code: str | None = one("cbc:ConditionCode")
    reference_date: date | None = one("cbc:ReferenceDate")
    reference_time: time | None = one("cbc:ReferenceTime")
    descriptions: list[str] = many("cbc:Description")
    status_reason_code: Code | None = one("cbc:StatusReasonCode")
    status_reasons: list[str] = many("cbc:StatusReason")
    sequence_id: str | None = one("cbc:SequenceID")
    texts: list[str] = many("cbc:Text")
    indication_indicator: bool | None = one("cbc:IndicationIndicator")
    percent: Decimal | None = one("cbc:Percent")
    conditions: list[Condition] = many("cac:Condition")

    @property
    def status_reason(self) -> str | None:
        return self.status_reasons[0] if self.status_reasons else None


@dataclass(kw_only=True, slots=True)
class Response(Node):
    """A response code (UNCL4343 subset) with explanations."""

    ubl_type = "Response"

    reference_id: str | None = one("cbc:ReferenceID")
    response_code: str | None = one("cbc:ResponseCode")
    descriptions: list[str] = many("cbc:Description")
    effective_date: date | None = one("cbc:EffectiveDate")
    effective_time: time | None = one("cbc:EffectiveTime")
    statuses: list[Status] = many("cac:Status")

    @property
    def description(self) -> str | None:
        return self.descriptions[0] if self.descriptions else None


@dataclass(kw_only=True, slots=True)
class LineResponse(Node):
    """A response about one line, or in an MLR about one error (``line_reference.line_id`` is an XPath)."""

    ubl_type = "LineResponse"

    line_reference: LineReference = required("cac:LineReference")
    responses: list[Response] = many("cac:Response")


@dataclass(kw_only=True, slots=True)
class DocumentResponse(Node):
    ubl_type = "DocumentResponse"

    response: Response = required("cac:Response")
    document_references: list[DocumentReference] = many("cac:DocumentReference")
    issuer_party: Party | None = one("cac:IssuerParty")
    recipient_party: Party | None = one("cac:RecipientParty")
    line_responses: list[LineResponse] = many("cac:LineResponse")

    @property
    def document_reference(self) -> DocumentReference | None:
        """The document responded to."""
        return self.document_references[0] if self.document_references else None


@dataclass(kw_only=True, slots=True)
class ApplicationResponse(Document):
    """A UBL application response without (or with an unknown) Peppol customisation."""

    root: ClassVar[str] = "ApplicationResponse"
    namespace: ClassVar[str] = "urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2"
    document_type: ClassVar[DocumentType] = DocumentType.APPLICATION_RESPONSE
    ubl_type = "ApplicationResponse"

    uuid: str | None = one("cbc:UUID")
    issue_date: date = required("cbc:IssueDate")
    issue_time: time | None = one("cbc:IssueTime")
    response_date: date | None = one("cbc:ResponseDate")
    response_time: time | None = one("cbc:ResponseTime")
    notes: list[str] = many("cbc:Note")
    version_id: str | None = one("cbc:VersionID")
    sender_party: Party = required("cac:SenderParty")
    receiver_party: Party = required("cac:ReceiverParty")
    document_responses: list[DocumentResponse] = many("cac:DocumentResponse")

    @property
    def document_response(self) -> DocumentResponse | None:
        return self.document_responses[0] if self.document_responses else None

    @property
    def response_code(self) -> str | None:
        """The document-level response code (``AP``, ``RE`` …)."""
        response = self.document_response
        return response.response.response_code if response else None

    @property
    def referenced_document_id(self) -> str | None:
        """The id of the document this responds to."""
        response = self.document_response
        reference = response.document_reference if response else None
        return reference.id.value if reference else None


@dataclass(kw_only=True, slots=True)
class CatalogueResponse(ApplicationResponse):
    """A Peppol catalogue response (T58): ``AP`` accepted or ``RE`` rejected, with line responses."""

    document_type: ClassVar[DocumentType] = DocumentType.CATALOGUE_RESPONSE

    customization_id: str | None = one("cbc:CustomizationID", poacc_customization("catalogue_response"))
    profile_id: str | None = one("cbc:ProfileID", poacc_profile("catalogue_only"))


@dataclass(kw_only=True, slots=True)
class InvoiceResponse(ApplicationResponse):
    """A Peppol invoice response (T111).

    Response codes (UNCL4343 subset): ``AB`` received, ``IP`` in process, ``UQ`` under query, ``CA``
    conditionally accepted, ``RE`` rejected, ``AP`` accepted, ``PD`` paid. Reasons and requested actions
    are statuses whose code list is ``OPStatusReason`` / ``OPStatusAction``; clarifications are
    conditions on the reason statuses.
    """

    document_type: ClassVar[DocumentType] = DocumentType.INVOICE_RESPONSE

    customization_id: str | None = one("cbc:CustomizationID", poacc_customization("invoice_response"))
    profile_id: str | None = one("cbc:ProfileID", poacc_profile("invoice_response"))

    @property
    def statuses(self) -> list[Status]:
        response = self.document_response
        return response.response.statuses if response else []

    @property
    def status_reasons(self) -> list[Status]:
        """Statuses giving a reason (code list ``OPStatusReason``)."""
        return [
            s
            for s in self.statuses
            if s.status_reason_code and s.status_reason_code.list_id == "OPStatusReason"
        ]

    @property
    def status_actions(self) -> list[Status]:
        """Statuses asking the seller for an action (code list ``OPStatusAction``)."""
        return [
            s
            for s in self.statuses
            if s.status_reason_code and s.status_reason_code.list_id == "OPStatusAction"
        ]


@dataclass(kw_only=True, slots=True)
class MessageLevelResponse(ApplicationResponse):
    """A Peppol message level response (T71): ``AB`` received, ``AP`` accepted, ``RE`` rejected.

    Each error is a line response whose ``line_reference.line_id`` is the XPath of the faulty element and
    whose status reason code is ``BV`` (business rule, fatal), ``BW`` (warning) or ``SV`` (syntax).
    """

    document_type: ClassVar[DocumentType] = DocumentType.MESSAGE_LEVEL_RESPONSE

    customization_id: str | None = one("cbc:CustomizationID", poacc_customization("mlr"))
    profile_id: str | None = one("cbc:ProfileID", poacc_profile("mlr"))
