"""The PDF of a customer invoice for customers without e-invoicing: the same content as the Peppol
document, with the bankgiro number and OCR reference where a payer looks for them. Rendered from a Django
template by WeasyPrint, which may load nothing but inline data (no files, no network)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation


def invoice_html(invoice: Any) -> str:
    from avrop.receivables.models import ReceivablesSettings

    settings = ReceivablesSettings.objects.filter(organisation_id=invoice.organisation_id).first()
    with translation.override(invoice.customer.language or "sv"):
        return render_to_string(
            "receivables/pdf/invoice.html",
            {
                "invoice": invoice,
                "lines": list(invoice.lines.all()),
                "seller": invoice.organisation,
                "customer": invoice.customer,
                "settings": settings,
                "breakdown": _breakdown(invoice),
            },
        )


def _breakdown(invoice: Any) -> list[dict[str, Any]]:
    from avrop.receivables import document

    totals = document.totals_of(
        [
            document.Line(
                description=line.description,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                vat_category=line.vat_category,
                vat_rate=line.vat_rate,
                exemption_reason=line.exemption_reason,
            )
            for line in invoice.lines.all()
        ]
    )
    return [
        {"category": category, "rate": rate, "base": base, "vat": vat, "reason": reason}
        for (category, rate), (base, vat, reason) in sorted(totals.breakdown.items())
    ]


def invoice_pdf(invoice: Any) -> bytes:
    import weasyprint

    from avrop.edi.render import safe_url_fetcher

    return bytes(weasyprint.HTML(string=invoice_html(invoice), url_fetcher=safe_url_fetcher()).write_pdf())
