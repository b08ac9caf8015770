"""Inbound invoice syntaxes besides Peppol BIS / UBL 2.1: EN 16931 CII and the legacy Svefaktura 1.0.

Each is read into the same :class:`~avrop.payables.extract.InvoiceHeader` as a UBL invoice and then goes
through the same business checks, routing, matching and answers; the file itself is kept as received
(``InboundDocument``). :func:`read` is intake's entry point, :func:`header_of` the upload's buyer check.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from avrop.edi import cii as edi_cii
from avrop.payables.extract import InvoiceHeader, extract, kind_of
from avrop.payables.formats.cii import extract_cii
from avrop.payables.formats.svefaktura import is_svefaktura, read_svefaktura

__all__ = ["header_of", "read", "syntax_of"]


def syntax_of(root: etree._Element) -> str:
    """``ubl``, ``cii``, ``svefaktura`` or "" for a document that is none of them."""
    if kind_of(root) is not None:
        return "ubl"
    if edi_cii.is_cii(root):
        return "cii"
    if is_svefaktura(root):
        return "svefaktura"
    return ""


def header_of(root: etree._Element) -> InvoiceHeader | None:
    """The invoice header of any supported syntax, without checking the document."""
    syntax = syntax_of(root)
    if syntax == "ubl":
        return extract(root)
    if syntax == "cii":
        return extract_cii(root)
    if syntax == "svefaktura":
        return read_svefaktura(root)[0]
    return None


def read(
    root: etree._Element, content: bytes, *, max_bytes: int
) -> tuple[InvoiceHeader, list[dict[str, Any]]] | None:
    """Header and validation findings of a CII or Svefaktura invoice; None for any other document.

    CII goes through :func:`avrop.edi.validation.validate` (the D16B XSD and the official CEN CII rules);
    Svefaktura, for which no official artefacts exist, through the checks of its reader."""
    from avrop.edi import validation
    from avrop.payables import rules

    if edi_cii.is_cii(root):
        header = extract_cii(root)  # first: should validation fail on our side, it still says whose it is
        report = validation.validate(content, max_bytes=max_bytes)
        return header, rules.from_validation(report.findings)
    if is_svefaktura(root):
        return read_svefaktura(root)
    return None
