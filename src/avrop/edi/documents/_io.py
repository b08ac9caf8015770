"""``parse`` and ``build``: from bytes to a typed document and back."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from lxml import etree

from avrop.edi.xmlsafe import parse_bytes, tag_name

from ._document import Document, build_document, parse_document
from ._model import CBC
from ._values import DocumentError
from .billing import CreditNote, Invoice
from .catalogue import Catalogue, PunchOut
from .despatch import DespatchAdvice
from .order_responses import OrderAgreement, OrderResponse, OrderResponseAdvanced, OrderResponseSimple
from .ordering import Order, OrderCancellation, OrderChange
from .responses import ApplicationResponse, CatalogueResponse, InvoiceResponse, MessageLevelResponse

__all__ = ["UnsupportedDocumentError", "build", "document_class", "parse", "parse_element", "supported_roots"]

# Root class first, then the classes that share its root element and differ by customisation.
_FAMILIES: tuple[tuple[type[Document], ...], ...] = (
    (Invoice,),
    (CreditNote,),
    (Order,),
    (OrderResponse, OrderAgreement, OrderResponseAdvanced),
    (OrderChange,),
    (OrderCancellation,),
    (OrderResponseSimple,),
    (DespatchAdvice,),
    (Catalogue, PunchOut),
    (ApplicationResponse, CatalogueResponse, InvoiceResponse, MessageLevelResponse),
)
_BY_ROOT = {family[0].root_tag(): family for family in _FAMILIES}
_CUSTOMIZATION_ID = f"{{{CBC}}}CustomizationID"


class UnsupportedDocumentError(DocumentError):
    """The root element is not one of the supported UBL 2.1 documents."""


def supported_roots() -> list[str]:
    """The supported root elements in Clark notation."""
    return sorted(_BY_ROOT)


def document_class(root_tag: str, customization_id: str | None) -> type[Document]:
    """The class for a root element (Clark notation) and ``cbc:CustomizationID``.

    Raises :class:`UnsupportedDocumentError` for other roots.
    """
    family = _BY_ROOT.get(root_tag)
    if family is None:
        raise UnsupportedDocumentError(
            f"unsupported document root element {root_tag}; supported are "
            + ", ".join(etree.QName(tag).localname for tag in sorted(_BY_ROOT))
            + " in their UBL 2 namespaces"
        )
    if customization_id:
        for cls in family[1:]:
            # DocumentType values are the Peppol transaction names in the customisation URN.
            if f":trns:{cls.document_type.value}:" in customization_id:
                return cls
    return family[0]


@contextmanager
def _collector_paused() -> Iterator[None]:
    # Reading a large document allocates hundreds of thousands of small objects and no reference cycles.
    # The cyclic collector would rescan the growing tree over and over: a 10,000-line invoice reads in
    # about 1 s with it paused and 4 s without. Only the caller that paused it resumes it, so nested or
    # concurrent calls cannot leave it disabled.
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def parse_element(root: etree._Element) -> Document:
    """Read an already parsed root element (use :func:`parse` for bytes from outside)."""
    cls = document_class(tag_name(root), root.findtext(_CUSTOMIZATION_ID))
    with _collector_paused():
        return parse_document(cls, root)


def parse(data: bytes, *, max_bytes: int | None = None) -> Document:
    """Parse UBL 2.1 XML into its typed document.

    The class follows the root element and, where several transactions share a root, the
    ``cbc:CustomizationID`` (``OrderResponse`` → :class:`OrderResponse`, :class:`OrderAgreement` or
    :class:`OrderResponseAdvanced` …). The XML is parsed by :func:`avrop.edi.xmlsafe.parse_bytes`
    (raises :class:`~avrop.edi.xmlsafe.XmlSafetyError`); an unsupported root raises
    :class:`UnsupportedDocumentError`, a value that does not fit its type (a malformed date or amount)
    :class:`DocumentError` with its location. Elements the typed model does not cover are kept, see
    :meth:`Document.unmodelled_paths`.
    """
    return parse_element(parse_bytes(data, max_bytes=max_bytes).getroot())


def build(document: Document) -> bytes:
    """Serialise a typed document as UBL 2.1 XML (UTF-8, XML declaration, elements in schema order)."""
    return build_document(document)
