"""The billing statement as PDF (the CMI's 'Auswahl Verrechnung'): the billing id, the partner and supplier,
and every SP-ID with its amount. Not an invoice: the partner invoices the supplier quoting the billing id
and the SP-IDs. Rendered by WeasyPrint, which may load nothing but inline data (no files, no network)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation


def statement_html(statement: Any, orders: Sequence[Any], language: str | None = None) -> str:
    with translation.override(language or translation.get_language() or "de"):
        return render_to_string(
            "serviceorders/pdf/statement.html",
            {"statement": statement, "orders": sorted(orders, key=lambda o: o.sp_id)},
        )


def statement_pdf(statement: Any, orders: Sequence[Any], language: str | None = None) -> bytes:
    import weasyprint

    from avrop.edi.render import safe_url_fetcher

    html = statement_html(statement, orders, language)
    return bytes(weasyprint.HTML(string=html, url_fetcher=safe_url_fetcher()).write_pdf())
