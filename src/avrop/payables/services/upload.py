"""An AP clerk uploads an invoice file into their own organisation's intake."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from avrop.core.errors import DomainError
from avrop.edi import xmlsafe
from avrop.payables import conf, formats, pdf
from avrop.payables.checks import addressed_elsewhere
from avrop.payables.errors import Code
from avrop.payables.models import Channel, InboundDocument, SupplierInvoice
from avrop.payables.services.guards import require_ap_clerk
from avrop.payables.services.intake import invoice_receive


def invoice_upload(
    *, actor: Any, organisation: Any, content: bytes, filename: str
) -> tuple[InboundDocument, SupplierInvoice | None]:
    """Receive an uploaded invoice for ``organisation``, the uploader's own.

    An e-invoice whose buyer is named by identifiers (endpoint, org.no, GLN, VAT) none of which is
    ``organisation``'s is refused before anything is stored: an upload never lands in another organisation's
    queue, and the refusal is the same whether or not such an organisation uses avrop. A PDF, or XML naming
    no identifiable buyer, goes to ``organisation``.
    """
    require_ap_clerk(actor, organisation)
    if not pdf.is_pdf(content):
        try:
            root = xmlsafe.parse_bytes(content, max_bytes=conf.max_document_bytes()).getroot()
        except xmlsafe.XmlSafetyError:
            root = None  # stored and reported with its findings by the intake
        header = formats.header_of(root) if root is not None else None  # UBL, CII or Svefaktura
        if header is not None and addressed_elsewhere(header, organisation):
            buyer = header.buyer
            raise DomainError(
                Code.BUYER_NOT_YOURS,
                _(
                    "The invoice is addressed to %(buyer)s, not to %(organisation)s, so it was not received. "
                    "Upload it in the organisation it is addressed to, or ask the supplier to correct the "
                    "buyer."
                )
                % {
                    "buyer": buyer.name or buyer.endpoint or buyer.legal_id or buyer.vat_id,
                    "organisation": organisation.name,
                },
                field="file",
            )
    return invoice_receive(
        content=content, filename=filename, channel=Channel.UPLOAD, actor=actor, buyer=organisation
    )
