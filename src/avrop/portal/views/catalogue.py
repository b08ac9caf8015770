"""Portal catalogue pages: the supplier's agreements and price lists with the buyers' review, uploads through
the catalogue's own import (same quality gate as every other channel), the spreadsheet template, and the shop
window (pictures and extra keywords of the supplier's own items)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from avrop.catalogue import exports, selectors
from avrop.catalogue.display import price_list_progress
from avrop.catalogue.models import CatalogueVersion, InboundFile, StagedItem
from avrop.catalogue.services import imports, shop_window
from avrop.core.errors import DomainError
from avrop.core.progress import Progress, progress_response
from avrop.organisations.requests import MemberRequest
from avrop.organisations.roles import Role
from avrop.portal.access import portal_view

UPLOAD_ROLES = frozenset({Role.SUPPLIER_USER, Role.ADMIN})
SHOP_WINDOW_ROLES = shop_window.SHOP_WINDOW_ROLES
Status = CatalogueVersion.Status

# Price lists arrive as CSV (also saved as .txt), spreadsheets and Peppol Catalogue XML; nothing else.
ALLOWED_EXTENSIONS = (".csv", ".txt", ".xlsx", ".xml")
# Beginnings of files that are surely no price list, whatever their name says.
FOREIGN_MAGIC = (
    b"%PDF",
    b"MZ",
    b"\x7fELF",
    b"\xd0\xcf\x11\xe0",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"Rar!",
)
DEFAULT_MAX_BYTES = 100 * 1024 * 1024

FILTERS = {
    "waiting": frozenset({Status.RECEIVED, Status.REVIEW, Status.APPROVED}),
    "rejected": frozenset({Status.REJECTED, Status.FAILED}),
    "active": frozenset({Status.ACTIVE}),
    "replaced": frozenset({Status.REPLACED}),
}


def max_upload_bytes() -> int:
    """The smaller of the catalogue's own limit and ``PORTAL_PRICE_LIST_MAX_BYTES`` (default 100 MB)."""
    portal = int(getattr(settings, "PORTAL_PRICE_LIST_MAX_BYTES", 0) or DEFAULT_MAX_BYTES)
    return min(portal, imports.max_file_bytes())


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


class PriceListUploadForm(forms.Form):
    agreement = forms.TypedChoiceField(label=gettext_lazy("Agreement"), coerce=int)
    file = forms.FileField(
        label=gettext_lazy("Price list"),
        help_text=gettext_lazy(
            "CSV (UTF-8 or Windows-1252, ; or ,), spreadsheet (XLSX) or Peppol Catalogue (XML), "
            "at most %(size)s."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}),
    )
    valid_from = forms.DateField(
        label=gettext_lazy("Valid from"),
        required=False,
        help_text=gettext_lazy("Empty: from the buyer's approval. Format 2026-01-31."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, agreements: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["agreement"]).choices = [
            (a.pk, f"{a.owner.name}: {a.reference} {a.title}") for a in agreements
        ]
        self.fields["file"].help_text = self.fields["file"].help_text % {
            "size": _megabytes(max_upload_bytes())
        }

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith(ALLOWED_EXTENSIONS):
            raise forms.ValidationError(
                _("%(name)s is not a price list: send a CSV, XLSX or Peppol Catalogue XML file.")
                % {"name": upload.name},
                code="file_type",
            )
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s; a price list uploaded here may be at most %(limit)s. "
                    "Split it into parts."
                )
                % {"size": _megabytes(upload.size), "limit": _megabytes(limit)},
                code="file_size",
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."), code="file_empty")
        head = upload.read(4096)
        upload.seek(0)
        is_zip = head.startswith(b"PK\x03\x04")
        if name.endswith(".xlsx") and not is_zip:
            raise forms.ValidationError(
                _("%(name)s is not an XLSX spreadsheet. Save it again as “Excel workbook (.xlsx)”.")
                % {"name": upload.name},
                code="file_type",
            )
        if head.startswith(FOREIGN_MAGIC) or (not is_zip and b"\x00" in head):
            raise forms.ValidationError(
                _("%(name)s is not a price list: send a CSV, XLSX or Peppol Catalogue XML file.")
                % {"name": upload.name},
                code="file_type",
            )
        return upload


class KeywordsForm(forms.Form):
    keywords = forms.CharField(
        label=gettext_lazy("Your extra keywords"),
        required=False,
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Separate them with commas. They are kept when you send the next price list, and requisitioners "
            "find the item by them."
        ),
    )


def _filter_of(request: HttpRequest) -> str:
    chosen = request.GET.get("status", "")
    return chosen if chosen in FILTERS else ""


@portal_view()
@require_GET
def overview(request: MemberRequest) -> HttpResponse:
    """The supplier's agreements with their current price list, and every price list it sent."""
    user, organisation = request.user, request.organisation
    agreements = list(selectors.supplier_agreements(user=user, organisation=organisation))
    active = {
        v.agreement_id: v
        for v in selectors.supplier_price_lists(
            user=user, organisation=organisation, statuses=FILTERS["active"]
        )
    }
    chosen = _filter_of(request)
    rows = selectors.supplier_price_lists(
        user=user, organisation=organisation, statuses=FILTERS[chosen] if chosen else None
    )
    return render(
        request,
        "portal/catalogue/overview.html",
        {
            "agreements": [(a, active.get(a.pk)) for a in agreements],
            "page": Paginator(rows, 25).get_page(request.GET.get("page")),
            "chosen": chosen,
            "filters": [
                ("", _("All")),
                ("waiting", _("Waiting for review")),
                ("rejected", _("Rejected or failed")),
                ("active", _("Active")),
                ("replaced", _("Replaced")),
            ],
            "can_upload": bool(request.roles & UPLOAD_ROLES),
        },
    )


@portal_view(roles=UPLOAD_ROLES)
@require_http_methods(["GET", "POST"])
def upload(request: MemberRequest) -> HttpResponse:
    agreements = list(selectors.supplier_agreements(user=request.user, organisation=request.organisation))
    initial = {}
    if request.GET.get("agreement", "").isdigit():
        initial["agreement"] = int(request.GET["agreement"])
    form = PriceListUploadForm(
        request.POST or None, request.FILES or None, agreements=agreements, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            version = imports.price_list_receive(
                actor=request.user,
                organisation=request.organisation,
                agreement_id=form.cleaned_data["agreement"],
                source=upload_file,
                filename=upload_file.name,
                channel=InboundFile.Channel.PORTAL,
                size=upload_file.size,
                valid_from=form.cleaned_data["valid_from"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _(
                    "The price list was received. It is checked and compared with the active one, "
                    "then the buyer reviews it."
                ),
            )
            return redirect("portal:catalogue_price_list", version.pk)
    return render(
        request,
        "portal/catalogue/upload.html",
        {"form": form, "has_agreements": bool(agreements)},
        status=400 if form.errors else 200,
    )


@portal_view()
@require_GET
def template(request: MemberRequest) -> HttpResponse:
    response = HttpResponse(
        exports.price_list_template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="avrop-prislista-mall.xlsx"'
    return response


TABS = ("findings", "changes", "added", "removed")


@portal_view()
@require_GET
def price_list(request: MemberRequest, pk: int) -> HttpResponse:
    version = selectors.supplier_price_list_get(
        user=request.user, organisation=request.organisation, version_id=pk
    )
    tab = request.GET.get("tab", "")
    if tab not in TABS:
        tab = "findings" if version.error_rows or version.status in FILTERS["rejected"] else "changes"
    if tab == "findings":
        rows: Any = selectors.finding_list(version=version)
    elif tab == "added":
        rows = selectors.staged_items(version=version, change=StagedItem.Change.ADDED)
    elif tab == "removed":
        rows = selectors.staged_items(version=version, change=StagedItem.Change.REMOVED).select_related(
            "item"
        )
    else:
        rows = selectors.staged_price_changes(version=version)
    return render(
        request,
        "portal/catalogue/price_list.html",
        {
            "version": version,
            "progress": _progress(version) if _in_progress(version) else None,
            "tab": tab,
            "page": Paginator(rows, 50).get_page(request.GET.get("page")),
            "finding_summary": selectors.finding_summary(version=version),
            "is_waiting": version.status in FILTERS["waiting"],
            "can_upload": bool(request.roles & UPLOAD_ROLES),
        },
    )


def _in_progress(version: CatalogueVersion) -> bool:
    return version.status == CatalogueVersion.Status.RECEIVED or (
        version.status == CatalogueVersion.Status.ACTIVE and version.indexed_at is None
    )


def _progress(version: CatalogueVersion) -> Progress:
    return price_list_progress(
        version,
        url=reverse("portal:catalogue_price_list_progress", args=[version.pk]),
        result_url=reverse("portal:catalogue_price_list", args=[version.pk]),
    )


@portal_view()
@require_GET
def price_list_progress_view(request: MemberRequest, pk: int) -> HttpResponse:
    """The progress partial of one of the supplier's price lists (another supplier's is not found)."""
    version = selectors.supplier_price_list_get(
        user=request.user, organisation=request.organisation, version_id=pk
    )
    return progress_response(request, _progress(version))


@portal_view()
@require_GET
def price_list_file(request: MemberRequest, pk: int) -> FileResponse:
    version = selectors.supplier_price_list_get(
        user=request.user, organisation=request.organisation, version_id=pk
    )
    path = Path(settings.MEDIA_ROOT) / version.inbound_file.path
    return FileResponse(path.open("rb"), as_attachment=True, filename=version.inbound_file.filename)


@portal_view()
@require_GET
def price_list_response(request: MemberRequest, pk: int) -> HttpResponse:
    version = selectors.supplier_price_list_get(
        user=request.user, organisation=request.organisation, version_id=pk
    )
    if not version.response_xml:
        return render(request, "404.html", status=404)
    response = HttpResponse(bytes(version.response_xml), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="catalogue-response-{version.pk}.xml"'
    return response


# --- shop window ----------------------------------------------------------------------------------------


@portal_view()
@require_GET
def items(request: MemberRequest) -> HttpResponse:
    agreements = list(selectors.supplier_agreements(user=request.user, organisation=request.organisation))
    text = request.GET.get("q", "")[:100]
    agreement_text = request.GET.get("agreement", "")
    agreement_id = int(agreement_text) if agreement_text.isdigit() else None
    rows = selectors.shop_window_items(
        user=request.user, organisation=request.organisation, text=text, agreement_id=agreement_id
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/catalogue/items.html",
        {
            "page": Paginator(rows, 25).get_page(request.GET.get("page")),
            "agreements": agreements,
            "q": text,
            "agreement_id": agreement_id,
            "query_string": query.urlencode(),
            "can_upload": bool(request.roles & UPLOAD_ROLES),
        },
    )


def _item_page(
    request: MemberRequest, pk: int, *, keywords_form: Any = None, status: int = 200
) -> HttpResponse:
    item = selectors.shop_window_item_get(user=request.user, organisation=request.organisation, item_id=pk)
    can_edit = bool(request.roles & SHOP_WINDOW_ROLES) and item.is_active
    return render(
        request,
        "portal/catalogue/item.html",
        {
            "item": item,
            "can_edit": can_edit,
            "keywords_form": keywords_form or KeywordsForm(initial={"keywords": item.shop_keywords}),
            "max_picture_mb": shop_window.MAX_IMAGE_BYTES // (1024 * 1024),
        },
        status=status,
    )


@portal_view()
@require_GET
def item(request: MemberRequest, pk: int) -> HttpResponse:
    return _item_page(request, pk)


@portal_view(roles=SHOP_WINDOW_ROLES)
@require_POST
def item_keywords(request: MemberRequest, pk: int) -> HttpResponse:
    form = KeywordsForm(request.POST)
    if form.is_valid():
        try:
            shop_window.item_keywords_set(
                actor=request.user,
                organisation=request.organisation,
                item_id=pk,
                keywords=form.cleaned_data["keywords"],
            )
        except DomainError as exc:
            if exc.http_status == 404:
                raise
            form.add_error("keywords", exc.message)
        else:
            messages.success(
                request, _("The keywords are saved. Requisitioners find the item by them shortly.")
            )
            return redirect("portal:catalogue_item", pk)
    return _item_page(request, pk, keywords_form=form, status=400)


@portal_view(roles=SHOP_WINDOW_ROLES)
@require_POST
def item_picture(request: MemberRequest, pk: int) -> HttpResponse:
    # Another supplier's item is 404 whatever was posted.
    selectors.shop_window_item_get(user=request.user, organisation=request.organisation, item_id=pk)
    upload_file = request.FILES.get("image")
    if upload_file is None:
        messages.error(request, _("Choose a picture."))
        return redirect("portal:catalogue_item", pk)
    try:
        shop_window.item_picture_set(
            actor=request.user, organisation=request.organisation, item_id=pk, upload=upload_file
        )
    except DomainError as exc:
        if exc.http_status == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The picture is saved and shown to requisitioners."))
    return redirect("portal:catalogue_item", pk)


@portal_view(roles=SHOP_WINDOW_ROLES)
@require_POST
def item_picture_remove(request: MemberRequest, pk: int) -> HttpResponse:
    shop_window.item_picture_remove(actor=request.user, organisation=request.organisation, item_id=pk)
    messages.success(request, _("The picture is removed."))
    return redirect("portal:catalogue_item", pk)


@portal_view()
@require_GET
def item_image(request: MemberRequest, pk: int) -> HttpResponseBase:
    item = selectors.shop_window_item_get(user=request.user, organisation=request.organisation, item_id=pk)
    if not item.image:
        return render(request, "404.html", status=404)
    response = FileResponse(item.image.open("rb"))
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response
