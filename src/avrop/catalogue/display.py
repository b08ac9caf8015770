"""Price-list findings in words: the rule codes the import stores (``invalid_gtin``) as people say them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

FINDING_LABELS = {
    "too_long": _("Text too long"),
    "invalid_gtin": _("Wrong GTIN"),
    "unknown_unit": _("Unknown unit"),
    "missing_unit": _("Unit missing"),
    "missing_name": _("Name missing"),
    "missing_price": _("Price missing"),
    "negative_price": _("Negative price"),
    "invalid_price": _("Price not a number"),
    "invalid_vat": _("Wrong VAT rate"),
    "invalid_lead_time": _("Wrong delivery time"),
    "invalid_currency": _("Wrong currency"),
    "invalid_unspsc": _("Wrong UNSPSC code"),
    "invalid_price_tiers": _("Wrong quantity prices"),
    "contract_reference": _("Other agreement named in the file"),
    "empty": _("Empty file"),
    "no_rows": _("No rows"),
    "broken_header": _("Unreadable heading row"),
    "broken_row": _("Unreadable row"),
    "encoding": _("Unknown character encoding"),
    "missing_columns": _("Columns missing"),
    "not_a_catalogue": _("Not a price list"),
    "error": _("Unreadable file"),
}


def finding_label(code: str | None) -> str:
    """``invalid_gtin`` → "Wrong GTIN" (sv "Fel GTIN"); other rule ids as they are."""
    if not code:
        return ""
    label = FINDING_LABELS.get(code)
    return str(label) if label is not None else code
