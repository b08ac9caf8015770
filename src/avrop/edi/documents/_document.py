"""The document root: header fields every UBL 2.1 document starts with, and root-level read/write."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

from lxml import etree

from ._model import CAC, CBC, EXT, Node, build_node, clark, one, parse_node, required, unmodelled_paths

__all__ = [
    "Document",
    "DocumentType",
    "build_document",
    "parse_document",
    "poacc_customization",
    "poacc_profile",
]

XSI = "http://www.w3.org/2001/XMLSchema-instance"
_UBL_EXTENSIONS = clark("ext:UBLExtensions")


class DocumentType(StrEnum):
    """What a document is, from its root element and ``cbc:CustomizationID``.

    The values of the POACC types are the tokens of their Peppol customisation
    (``urn:fdc:peppol.eu:poacc:trns:<value>:3``).
    """

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    ORDER = "order"
    ORDER_RESPONSE = "order_response"
    ORDER_AGREEMENT = "order_agreement"
    ORDER_CHANGE = "order_change"
    ORDER_CANCELLATION = "order_cancellation"
    ORDER_RESPONSE_ADVANCED = "order_response_advanced"
    ORDER_RESPONSE_SIMPLE = "order_response_simple"
    DESPATCH_ADVICE = "despatch_advice"
    CATALOGUE = "catalogue"
    CATALOGUE_RESPONSE = "catalogue_response"
    PUNCH_OUT = "punch_out"
    INVOICE_RESPONSE = "invoice_response"
    MESSAGE_LEVEL_RESPONSE = "mlr"
    APPLICATION_RESPONSE = "application_response"

    @property
    def transaction(self) -> str | None:
        """The Peppol transaction id (``"T01"``), or None for plain UBL documents."""
        return _TRANSACTIONS.get(self)


_TRANSACTIONS = {
    DocumentType.INVOICE: "T10",
    DocumentType.CREDIT_NOTE: "T14",
    DocumentType.ORDER: "T01",
    DocumentType.ORDER_RESPONSE: "T76",
    DocumentType.ORDER_AGREEMENT: "T110",
    DocumentType.ORDER_CHANGE: "T114",
    DocumentType.ORDER_CANCELLATION: "T115",
    DocumentType.ORDER_RESPONSE_ADVANCED: "T116",
    DocumentType.DESPATCH_ADVICE: "T16",
    DocumentType.CATALOGUE: "T19",
    DocumentType.CATALOGUE_RESPONSE: "T58",
    DocumentType.PUNCH_OUT: "T77",
    DocumentType.INVOICE_RESPONSE: "T111",
    DocumentType.MESSAGE_LEVEL_RESPONSE: "T71",
}


def poacc_customization(token: str) -> str:
    """``"order"`` → ``"urn:fdc:peppol.eu:poacc:trns:order:3"``."""
    return f"urn:fdc:peppol.eu:poacc:trns:{token}:3"


def poacc_profile(token: str) -> str:
    """``"ordering"`` → ``"urn:fdc:peppol.eu:poacc:bis:ordering:3"``."""
    return f"urn:fdc:peppol.eu:poacc:bis:{token}:3"


@dataclass(kw_only=True, slots=True)
class Document(Node):
    """A UBL 2.1 business document.

    Subclasses set the root element and namespace, and override the ``customization_id`` and
    ``profile_id`` defaults with the Peppol values, so that a document built in code is a Peppol
    document. A document read from XML keeps exactly the values it had (None when absent).
    """

    root: ClassVar[str]
    namespace: ClassVar[str]
    document_type: ClassVar[DocumentType]

    root_attributes: dict[str, str] = field(default_factory=dict, repr=False)

    ubl_version_id: str | None = one("cbc:UBLVersionID")
    customization_id: str | None = one("cbc:CustomizationID")
    profile_id: str | None = one("cbc:ProfileID")
    profile_execution_id: str | None = one("cbc:ProfileExecutionID")
    id: str = required("cbc:ID")

    @classmethod
    def root_tag(cls) -> str:
        """The root element in Clark notation."""
        return f"{{{cls.namespace}}}{cls.root}"

    @property
    def transaction(self) -> str | None:
        """The Peppol transaction id (``"T01"``), or None for plain UBL documents."""
        return self.document_type.transaction

    def unmodelled_paths(self, base: str | None = None) -> list[str]:
        """Everything kept outside the typed model, as paths from the root.

        For example ``/Invoice/ext:UBLExtensions[1]``, ``/Invoice/cac:InvoiceLine[2]/cac:Item/…`` or
        ``/Invoice/@{http://www.w3.org/2001/XMLSchema-instance}schemaLocation``.
        """
        prefix = f"/{self.root}" if base is None else base
        return [f"{prefix}/@{name}" for name in self.root_attributes] + unmodelled_paths(self, prefix)


_D = TypeVar("_D", bound=Document)


def parse_document(cls: type[_D], root: etree._Element) -> _D:
    """Read a whole document; ``root`` must be the root element of ``cls``."""
    document = parse_node(cls, root)
    if len(root.attrib):
        document.root_attributes = {str(name): str(value) for name, value in root.items()}
    return document


def build_document(document: Document) -> bytes:
    """Serialise ``document`` as UTF-8 UBL 2.1 XML with an XML declaration."""
    # Any: the default namespace has the key None, which lxml accepts but its stubs do not.
    nsmap: dict[Any, str] = {None: document.namespace, "cac": CAC, "cbc": CBC}
    if any(raw.tag == _UBL_EXTENSIONS for raw in document.extra):
        nsmap["ext"] = EXT
    if any(name.startswith(f"{{{XSI}}}") for name in document.root_attributes):
        nsmap["xsi"] = XSI
    root = etree.Element(document.root_tag(), nsmap=nsmap)
    for name, value in document.root_attributes.items():
        root.set(name, value)
    build_node(document, root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
