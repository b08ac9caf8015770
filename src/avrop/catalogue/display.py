"""Price-list findings in words: the rule codes the import stores (``invalid_gtin``) as people say them."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from avrop.catalogue.models import CatalogueVersion
from avrop.core.formatting import qty as number
from avrop.core.progress import Progress

PROGRESS_ID = "price-list-progress"

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


def price_list_progress(version: CatalogueVersion, *, url: str, result_url: str) -> Progress:
    """Where the comparison of an uploaded file, or the indexing of an activated price list, has come (for
    the coordinator's page and the supplier's portal page alike)."""
    done, total = version.progress_done, version.progress_total
    if version.status == CatalogueVersion.Status.RECEIVED:
        if total:
            label = gettext("%(done)s of %(total)s rows compared") % {
                "done": number(done),
                "total": number(total),
            }
        else:
            label = gettext("%(done)s rows compared") % {"done": number(done)}
        status = gettext("The file is being compared with the active price list")
    elif version.status == CatalogueVersion.Status.ACTIVE and version.indexed_at is None:
        label = gettext("%(done)s of %(total)s items made searchable") % {
            "done": number(done),
            "total": number(total),
        }
        status = gettext("Being made searchable")
    else:
        return Progress(
            element_id=PROGRESS_ID,
            url=url,
            label=gettext("%(done)s rows done") % {"done": number(version.rows)},
            done=version.rows,
            total=version.rows,
            finished=True,
            status=version.get_status_display(),
            failure=version.failure if version.status == CatalogueVersion.Status.FAILED else "",
            result_url=result_url,
            result_label=gettext("Show the price list"),
            reload_when_finished=True,
        )
    return Progress(
        element_id=PROGRESS_ID, url=url, label=label, done=done, total=total, finished=False, status=status
    )
