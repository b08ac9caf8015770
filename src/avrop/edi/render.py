"""Human-readable views of Peppol invoices and credit notes.

HTML comes from OpenPeppol's official presentation stylesheet (``stylesheet-ubl.xslt``, XSLT 2.0, run
by saxonche); PDF is WeasyPrint's rendering of that HTML. The stylesheet only knows Peppol BIS Billing
3.0 Invoice and CreditNote documents, so anything else is refused with :class:`RenderError` instead of
producing its "Unknown document type" page.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from avrop.edi import resources, xmlsafe
from avrop.edi.validation import CBC, RULE_SETS, UBL_NS_PREFIX, _executable, _saxon, _saxon_node

__all__ = ["LANGUAGES", "RenderError", "render_html", "render_pdf"]

LANGUAGES = frozenset({"en", "no"})
"""The label languages the official stylesheet carries."""

_BILLING_PREFIX = RULE_SETS["billing"].customization_prefix


class RenderError(ValueError):
    """The document cannot be rendered (not well-formed, or not a Peppol billing document)."""


def _check_renderable(tree: etree._ElementTree) -> None:
    root = tree.getroot()
    qname = etree.QName(root)
    if qname.localname not in {"Invoice", "CreditNote"} or qname.namespace != (
        f"{UBL_NS_PREFIX}{qname.localname}-2"
    ):
        raise RenderError(
            f"Only UBL Invoice and CreditNote documents can be rendered, not {qname.localname}."
        )
    customization = (root.findtext(f"{{{CBC}}}CustomizationID") or "").strip()
    if not customization.startswith(_BILLING_PREFIX):
        shown = repr(customization) if customization else "missing"
        raise RenderError(
            "The presentation stylesheet renders Peppol BIS Billing 3.0 documents only; the "
            f"CustomizationID is {shown}, expected one starting with '{_BILLING_PREFIX}'."
        )


def render_html(data: bytes, *, language: str = "en", max_bytes: int | None = None) -> str:
    """Render an invoice or credit note as a self-contained HTML page (styles inline)."""
    if language not in LANGUAGES:
        known = ", ".join(sorted(LANGUAGES))
        raise RenderError(f"Unknown language {language!r}; the stylesheet has {known}.")
    try:
        tree = xmlsafe.parse_bytes(data, max_bytes=max_bytes)
    except xmlsafe.XmlSafetyError as exc:
        raise RenderError(str(exc)) from exc
    _check_renderable(tree)
    from saxonche import PySaxonApiError

    executable = _executable(resources.RENDER_XSLT)
    # The clone is per thread, so setting its parameter here cannot leak into another render.
    executable.set_parameter("language", _saxon().make_string_value(language))
    try:
        html: str | None = executable.transform_to_string(xdm_node=_saxon_node(data, tree))
    except PySaxonApiError as exc:
        raise RenderError(f"The presentation stylesheet failed: {exc}") from exc
    if not html:
        raise RenderError("The presentation stylesheet produced no output.")
    return html


def safe_url_fetcher() -> Any:
    """A WeasyPrint URL fetcher that only loads inline ``data:`` resources.

    Document content ends up in the HTML, so a sender could otherwise make the server read a local
    file or call an internal URL while rendering.
    """
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"})


def render_pdf(data: bytes, *, language: str = "en", max_bytes: int | None = None) -> bytes:
    """Render an invoice or credit note as PDF (the HTML view, laid out by WeasyPrint)."""
    html = render_html(data, language=language, max_bytes=max_bytes)
    import weasyprint

    pdf = weasyprint.HTML(string=html, url_fetcher=safe_url_fetcher()).write_pdf()
    if not pdf:
        raise RenderError("WeasyPrint produced no PDF.")
    return bytes(pdf)
