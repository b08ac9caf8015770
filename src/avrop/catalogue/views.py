"""Catalogue pages: search and item pages for requisitioners, price lists and mapping for coordinators,
templates, and "I cannot find it"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from avrop.agreements.models import Agreement
from avrop.catalogue import exports, forms, selectors
from avrop.catalogue.display import price_list_progress
from avrop.catalogue.lists import PriceListFilter, PriceListTable
from avrop.catalogue.models import CatalogueVersion, InboundFile, StagedItem, Template
from avrop.catalogue.services import accounts, imports, searches, templates
from avrop.core import lists
from avrop.core.decorators import buyer_view, org_view
from avrop.core.errors import DomainError
from avrop.core.progress import Progress, progress_response
from avrop.organisations.requests import MemberRequest
from avrop.organisations.roles import Role
from avrop.organisations.selectors import department_list

MANAGE = imports.MANAGE_ROLES
VIEW_PRICE_LISTS = MANAGE | {Role.PROCUREMENT_OFFICER, Role.SUPPLIER_USER, Role.AUDITOR}
SEARCH_ROLES = frozenset(
    {Role.REQUISITIONER, Role.COORDINATOR, Role.APPROVER, Role.ADMIN, Role.PROCUREMENT_OFFICER}
)
PAGE_SIZE = 20
MAX_PAGES = 50


def _next(request: HttpRequest, default: str) -> str:
    """The local page to return to; anything else (another host, a scheme) falls back to ``default``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _form_error(form: Any, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# --- search and items -----------------------------------------------------------------------------------


def search_page_number(request: HttpRequest) -> tuple[int, bool]:
    """The page asked for (1–``MAX_PAGES``) and whether only its hits are wanted ("show more")."""
    text = request.GET.get("page", "1")
    number = max(1, min(MAX_PAGES, int(text))) if text.isdigit() else 1
    return number, number > 1 and request.GET.get("more") == "1"


def search_window(page_number: int, more: bool) -> tuple[int, int]:
    """(limit, offset): "show more" fetches one page of hits; a page opened by its address shows every hit
    up to it, so that the address of a longer list works without JavaScript."""
    if more:
        return PAGE_SIZE, (page_number - 1) * PAGE_SIZE
    return page_number * PAGE_SIZE, 0


def can_order(request: MemberRequest) -> bool:
    """Whether the person may put items in a cart (ordering's rule: requisitioners)."""
    return Role.REQUISITIONER in request.roles


@org_view(roles=SEARCH_ROLES)
@require_GET
def search(request: MemberRequest) -> HttpResponse:
    facets = selectors.search_facets(user=request.user, organisation=request.organisation)
    form = forms.SearchForm(request.GET or None, facets=facets)
    context: dict[str, Any] = {"form": form, "searched": False, "can_order": can_order(request)}
    more = False
    if form.is_valid() and any(form.cleaned_data.get(k) not in (None, "") for k in form.fields):
        data = form.cleaned_data
        page_number, more = search_page_number(request)
        limit, offset = search_window(page_number, more)
        result = selectors.search_items(
            user=request.user,
            organisation=request.organisation,
            text=data["q"],
            supplier_id=data["supplier"],
            category=data["category"],
            eco_label=data["eco"],
            price_min=data["price_min"],
            price_max=data["price_max"],
            limit=limit,
            offset=offset,
        )
        if data["q"] and not more:
            searches.search_log_record(
                user=request.user, organisation=request.organisation, query=data["q"], hits=result.total
            )
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("more", None)
        context.update(
            searched=True,
            result=result,
            more_url=f"{reverse('catalogue:search')}?{query.urlencode()}&page={page_number + 1}",
            own_templates=_my_templates(request),
        )
    if more:
        return render(request, "catalogue/partials/hits.html", context)
    template = "catalogue/partials/results.html" if request.htmx else "catalogue/pages/search.html"
    return render(request, template, context)


def _my_templates(request: MemberRequest) -> list[Template]:
    return [
        t
        for t in selectors.template_list(user=request.user, organisation=request.organisation)
        if t.owner_id == request.user.pk or request.roles & templates.SHARE_ROLES
    ]


@org_view()
@require_GET
def item_detail(request: MemberRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(user=request.user, organisation=request.organisation, item_id=pk)
    own_templates = _my_templates(request)
    offers = selectors.item_offers(user=request.user, organisation=request.organisation, item=item)
    return render(
        request,
        "catalogue/pages/item.html",
        {
            "item": item,
            "other_offers": [offer for offer in offers if offer.pk != item.pk],
            "can_order": can_order(request) and any(offer.pk == item.pk for offer in offers),
            "is_manager": bool(request.roles & MANAGE) and item.organisation_id == request.organisation.pk,
            "add_form": forms.AddToTemplateForm(templates=own_templates) if own_templates else None,
            "account": selectors.default_account_for(item),
        },
    )


@org_view()
@require_GET
def item_image(request: MemberRequest, pk: int) -> HttpResponseBase:
    item = selectors.item_get(user=request.user, organisation=request.organisation, item_id=pk)
    if not item.image:
        return HttpResponse(status=404)
    response = FileResponse(item.image.open("rb"))
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@org_view(roles=MANAGE)
@require_POST
def item_image_upload(request: MemberRequest, pk: int) -> HttpResponse:
    upload = request.FILES.get("image")
    if upload is None:
        messages.error(request, _("Choose a picture."))
    else:
        try:
            accounts.item_image_upload(
                actor=request.user, organisation=request.organisation, item_id=pk, upload=upload
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The picture is saved."))
    return redirect("catalogue:item", pk)


# --- price lists ----------------------------------------------------------------------------------------


def _upload_agreements(request: MemberRequest) -> list[Agreement]:
    organisation = request.organisation
    agreements = Agreement.objects.select_related("supplier").order_by("reference")
    if request.roles & MANAGE:
        return list(agreements.filter(owner=organisation))
    if Role.SUPPLIER_USER in request.roles:
        return list(agreements.filter(supplier=organisation))
    return []


@org_view(roles=VIEW_PRICE_LISTS)
@require_GET
def price_lists(request: MemberRequest) -> HttpResponseBase:
    rows = selectors.price_list_list(user=request.user, organisation=request.organisation)
    listing = lists.listing(
        request, rows, PriceListTable, filterset_class=PriceListFilter, filename=str(_("price-lists"))
    )
    if isinstance(listing, HttpResponseBase):
        return listing
    return render(
        request,
        "catalogue/pages/price_lists.html",
        {
            "listing": listing,
            "can_upload": bool(request.roles & imports.UPLOAD_ROLES),
            "is_manager": bool(request.roles & MANAGE),
        },
    )


@org_view(roles=imports.UPLOAD_ROLES)
@require_http_methods(["GET", "POST"])
def price_list_upload(request: MemberRequest) -> HttpResponse:
    agreements = _upload_agreements(request)
    form = forms.UploadForm(request.POST or None, request.FILES or None, agreements=agreements)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        channel = (
            InboundFile.Channel.PORTAL
            if Role.SUPPLIER_USER in request.roles and not request.roles & MANAGE
            else InboundFile.Channel.UPLOAD
        )
        try:
            version = imports.price_list_receive(
                actor=request.user,
                organisation=request.organisation,
                agreement_id=form.cleaned_data["agreement"],
                source=upload,
                filename=upload.name,
                channel=channel,
                size=upload.size,
                valid_from=form.cleaned_data["valid_from"],
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, _("The price list was received and is being compared with the active one.")
            )
            return redirect("catalogue:price_list", version.pk)
    return render(request, "catalogue/pages/upload.html", {"form": form}, status=400 if form.errors else 200)


@org_view(roles=VIEW_PRICE_LISTS)
@require_GET
def price_list_detail(request: MemberRequest, pk: int) -> HttpResponse:
    version = selectors.price_list_get(user=request.user, organisation=request.organisation, version_id=pk)
    tab = request.GET.get("tab", "changes")
    is_manager = bool(request.roles & MANAGE) and version.organisation_id == request.organisation.pk
    context: dict[str, Any] = {
        "version": version,
        "tab": tab,
        "is_manager": is_manager,
        "finding_summary": selectors.finding_summary(version=version),
    }
    rows: QuerySet[Any]
    if tab == "added":
        rows = selectors.staged_items(version=version, change=StagedItem.Change.ADDED)
    elif tab == "removed":
        rows = selectors.staged_items(version=version, change=StagedItem.Change.REMOVED).select_related(
            "item"
        )
    elif tab == "findings":
        rows = selectors.finding_list(version=version)
    elif tab == "unmapped":
        rows = selectors.staged_items(version=version, unmapped=True)
        context["groups"] = selectors.unmapped_groups(version=version)
    else:
        tab = context["tab"] = "changes"
        rows = selectors.staged_price_changes(version=version)
        context["other_changes"] = selectors.staged_items(
            version=version, change=StagedItem.Change.CHANGED
        ).filter(price_change_percent__isnull=True)[:50]
    context["page"] = Paginator(rows, 50).get_page(request.GET.get("page"))
    if is_manager and version.status == CatalogueVersion.Status.REVIEW:
        context["approve_form"] = forms.ApproveForm()
        context["reject_form"] = forms.RejectForm()
        context["map_form"] = forms.MapForm()
        current = imports.active_version(version.agreement_id)
        context["stale"] = (current.pk if current else None) != version.base_id
        context["lost"] = not context["stale"] and selectors.staged_rows_lost(version=version)
    if version.status == CatalogueVersion.Status.RECEIVED or (
        version.status == CatalogueVersion.Status.ACTIVE and version.indexed_at is None
    ):
        context["progress"] = _progress(version)
    return render(request, "catalogue/pages/price_list.html", context)


@org_view(roles=VIEW_PRICE_LISTS)
@require_GET
def price_list_progress_view(request: MemberRequest, pk: int) -> HttpResponse:
    """The progress partial of one price list, polled by its page (another organisation's is not found)."""
    version = selectors.price_list_get(user=request.user, organisation=request.organisation, version_id=pk)
    return progress_response(request, _progress(version))


def _progress(version: CatalogueVersion) -> Progress:
    return price_list_progress(
        version,
        url=reverse("catalogue:price_list_progress", args=[version.pk]),
        result_url=reverse("catalogue:price_list", args=[version.pk]),
    )


@org_view(roles=MANAGE)
@require_POST
def price_list_approve(request: MemberRequest, pk: int) -> HttpResponse:
    form = forms.ApproveForm(request.POST)
    form.is_valid()
    try:
        version = imports.price_list_approve(
            actor=request.user,
            organisation=request.organisation,
            version_id=pk,
            acknowledge_over_limit=form.cleaned_data.get("acknowledge_over_limit", False),
            comment=form.cleaned_data.get("comment", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("catalogue:price_list", pk)
    if version.status == CatalogueVersion.Status.ACTIVE:
        messages.success(request, _("Approved: the price list is active and requisitioners find its items."))
    else:
        messages.success(
            request,
            _("Approved: the price list becomes active on %(date)s.")
            % {"date": version.valid_from.isoformat()},
        )
    return redirect("catalogue:price_list", pk)


@org_view(roles=MANAGE)
@require_POST
def price_list_reject(request: MemberRequest, pk: int) -> HttpResponse:
    form = forms.RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        imports.price_list_reject(
            actor=request.user, organisation=request.organisation, version_id=pk, reason=reason
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Rejected. The active catalogue is unchanged."))
    return redirect("catalogue:price_list", pk)


@org_view(roles=MANAGE)
@require_POST
def price_list_restage(request: MemberRequest, pk: int) -> HttpResponse:
    try:
        imports.price_list_restage(actor=request.user, organisation=request.organisation, version_id=pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Compared again with the active price list."))
    return redirect("catalogue:price_list", pk)


@org_view(roles=VIEW_PRICE_LISTS)
@require_GET
def price_list_file(request: MemberRequest, pk: int) -> FileResponse:
    version = selectors.price_list_get(user=request.user, organisation=request.organisation, version_id=pk)
    path = Path(settings.MEDIA_ROOT) / version.inbound_file.path
    return FileResponse(path.open("rb"), as_attachment=True, filename=version.inbound_file.filename)


@org_view(roles=VIEW_PRICE_LISTS)
@require_GET
def price_list_response(request: MemberRequest, pk: int) -> HttpResponse:
    version = selectors.price_list_get(user=request.user, organisation=request.organisation, version_id=pk)
    if not version.response_xml:
        return HttpResponse(status=404)
    response = HttpResponse(bytes(version.response_xml), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="catalogue-response-{version.pk}.xml"'
    return response


@org_view()
@require_GET
def price_list_template(request: MemberRequest) -> HttpResponse:
    response = HttpResponse(
        exports.price_list_template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="avrop-prislista-mall.xlsx"'
    return response


@org_view(roles=MANAGE)
@require_http_methods(["GET", "POST"])
def column_mapping(request: MemberRequest, supplier_id: int) -> HttpResponse:
    agreement = (
        Agreement.objects.filter(owner=request.organisation, supplier_id=supplier_id)
        .select_related("supplier")
        .first()
    )
    if agreement is None:
        raise Http404()
    from avrop.catalogue.models import ColumnMapping

    saved = ColumnMapping.objects.filter(organisation=request.organisation, supplier_id=supplier_id).first()
    form = forms.ColumnMappingForm(request.POST or None, initial=saved.columns if saved else {})
    if request.method == "POST" and form.is_valid():
        imports.column_mapping_save(
            actor=request.user,
            organisation=request.organisation,
            supplier=agreement.supplier,
            columns=form.cleaned_data,
        )
        messages.success(
            request,
            _("Saved. The next price list of %(supplier)s is read with these columns.")
            % {"supplier": agreement.supplier.name},
        )
        return redirect("catalogue:price_lists")
    return render(
        request, "catalogue/pages/column_mapping.html", {"form": form, "supplier": agreement.supplier}
    )


# --- accounts -------------------------------------------------------------------------------------------


def _supplier_choices(request: MemberRequest) -> list[tuple[int, str]]:
    return selectors.mapping_suppliers(user=request.user, organisation=request.organisation)


@org_view(roles=MANAGE)
@require_http_methods(["GET", "POST"])
def account_mapping(request: MemberRequest) -> HttpResponse:
    suppliers = _supplier_choices(request)
    form = forms.AccountRuleForm(
        request.POST or None,
        suppliers=suppliers,
        initial={"kind": request.GET.get("kind"), "value": request.GET.get("value")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        from avrop.organisations.models import Organisation

        supplier = Organisation.objects.filter(pk=data["supplier"]).first() if data["supplier"] else None
        if supplier is not None and supplier.pk not in {s for s, _n in suppliers}:
            supplier = None
        try:
            accounts.account_rule_create(
                actor=request.user,
                organisation=request.organisation,
                kind=data["kind"],
                value=data["value"],
                supplier=supplier,
                account_code=data["account_code"],
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The rule is saved and applied to items without an account."))
            return redirect(_next(request, reverse("catalogue:accounts")))
    unmapped = selectors.unmapped_items(user=request.user, organisation=request.organisation)
    return render(
        request,
        "catalogue/pages/accounts.html",
        {
            "form": form,
            "rules": selectors.account_rule_list(user=request.user, organisation=request.organisation),
            "page": Paginator(unmapped, 50).get_page(request.GET.get("page")),
            "map_form": forms.MapForm(),
        },
        status=400 if form.errors else 200,
    )


@org_view(roles=MANAGE)
@require_POST
def account_rule_delete(request: MemberRequest, pk: int) -> HttpResponse:
    accounts.account_rule_delete(actor=request.user, organisation=request.organisation, rule_id=pk)
    messages.success(request, _("The rule is removed; items keep the account they have."))
    return redirect("catalogue:accounts")


@org_view(roles=MANAGE)
@require_POST
def item_map(request: MemberRequest, pk: int) -> HttpResponse:
    form = forms.MapForm(request.POST)
    try:
        accounts.item_map(
            actor=request.user,
            organisation=request.organisation,
            item_id=pk,
            account_code=form.data.get("account_code", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Mapped."))
    return redirect(_next(request, reverse("catalogue:accounts")))


@org_view(roles=MANAGE)
@require_POST
def staged_map(request: MemberRequest, pk: int) -> HttpResponse:
    try:
        staged = accounts.staged_item_map(
            actor=request.user,
            organisation=request.organisation,
            staged_id=pk,
            account_code=request.POST.get("account_code", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_next(request, reverse("catalogue:price_lists")))
    messages.success(request, _("Mapped %(article)s.") % {"article": staged.article_number})
    return redirect(f"{reverse('catalogue:price_list', args=[staged.version_id])}?tab=unmapped")


# --- templates ------------------------------------------------------------------------------------------


@buyer_view()
@require_http_methods(["GET", "POST"])
def template_list(request: MemberRequest) -> HttpResponse:
    can_share = bool(request.roles & templates.SHARE_ROLES)
    departments = department_list(user=request.user, organisation=request.organisation)
    form = forms.TemplateForm(
        request.POST or None, request.FILES or None, departments=departments, can_share=can_share
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        department = next((d for d in departments if d.pk == data["department"]), None)
        try:
            if data["file"]:
                rows = templates.template_import_rows(stream=data["file"], filename=data["file"].name)
                template, problems = templates.template_create_from_rows(
                    actor=request.user,
                    organisation=request.organisation,
                    name=data["name"],
                    rows=rows,
                    sharing=data["sharing"],
                    department=department,
                )
                for problem in problems[:20]:
                    messages.warning(request, problem)
            else:
                template = templates.template_create(
                    actor=request.user,
                    organisation=request.organisation,
                    name=data["name"],
                    sharing=data["sharing"],
                    department=department,
                )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Template %(name)s created.") % {"name": template.name})
            return redirect("catalogue:template", template.pk)
    own_templates = selectors.template_list(user=request.user, organisation=request.organisation)
    return render(
        request,
        "catalogue/pages/templates.html",
        {"templates": own_templates, "form": form},
        status=400 if form.errors else 200,
    )


@buyer_view()
@require_GET
def template_detail(request: MemberRequest, pk: int) -> HttpResponse:
    template = selectors.template_get(user=request.user, organisation=request.organisation, template_id=pk)
    lines = selectors.template_lines(template=template, organisation=request.organisation)
    can_edit = template.owner_id == request.user.pk or bool(request.roles & templates.SHARE_ROLES)
    return render(
        request,
        "catalogue/pages/template.html",
        {
            "template": template,
            "lines": lines,
            "can_edit": can_edit,
            "gone": sum(1 for line in lines if not line.available),
        },
    )


@buyer_view()
@require_GET
def template_export(request: MemberRequest, pk: int, fmt: str) -> HttpResponse:
    template = selectors.template_get(user=request.user, organisation=request.organisation, template_id=pk)
    lines = selectors.template_lines(template=template, organisation=request.organisation)
    header = [
        _("Article number"),
        _("Name"),
        _("Supplier"),
        _("Quantity"),
        _("Unit"),
        _("Price"),
        _("Available"),
    ]
    rows = [
        [
            line.item.article_number,
            line.item.name,
            line.item.supplier.name,
            line.quantity,
            line.item.unit,
            line.item.price_amount,
            _("yes") if line.available else _("no – left the catalogue"),
        ]
        for line in lines
    ]
    extension = "xlsx" if fmt == "xlsx" else "csv"
    filename = exports.download_filename(template.name, fallback=f"mall-{template.pk}", extension=extension)
    if fmt == "xlsx":
        response = HttpResponse(
            exports.xlsx_bytes(header, rows, title=template.name),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(exports.csv_bytes(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename) or ""
    return response


@buyer_view()
@require_POST
def template_add(request: MemberRequest) -> HttpResponse:
    try:
        template_id = int(request.POST.get("template", ""))
        item_id = int(request.POST.get("item", ""))
    except ValueError:
        messages.error(request, _("Choose a template."))
        return redirect(_next(request, reverse("catalogue:search")))
    try:
        templates.template_add_items(
            actor=request.user,
            organisation=request.organisation,
            template_id=template_id,
            items=[(item_id, request.POST.get("quantity") or "1")],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Added to the template."))
    return redirect(_next(request, reverse("catalogue:template", args=[template_id])))


@buyer_view()
@require_POST
def template_remove(request: MemberRequest, pk: int, line_id: int) -> HttpResponse:
    templates.template_remove_item(
        actor=request.user, organisation=request.organisation, template_id=pk, line_id=line_id
    )
    messages.success(request, _("Removed from the template."))
    return redirect("catalogue:template", pk)


@buyer_view()
@require_POST
def template_delete(request: MemberRequest, pk: int) -> HttpResponse:
    templates.template_delete(actor=request.user, organisation=request.organisation, template_id=pk)
    messages.success(request, _("The template is deleted."))
    return redirect("catalogue:templates")


# --- cannot find it ---------------------------------------------------------------------------------------


@buyer_view()
@require_http_methods(["GET", "POST"])
def missing_new(request: MemberRequest) -> HttpResponse:
    form = forms.MissingItemForm(request.POST or None, initial={"search_terms": request.GET.get("q", "")})
    if request.method == "POST" and form.is_valid():
        try:
            searches.missing_report_create(
                actor=request.user, organisation=request.organisation, **form.cleaned_data
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, _("Thank you. The e-commerce coordinator will look for the item and answer you.")
            )
            return redirect("catalogue:missing")
    return render(
        request, "catalogue/pages/missing_new.html", {"form": form}, status=400 if form.errors else 200
    )


@buyer_view()
@require_GET
def missing_list(request: MemberRequest) -> HttpResponse:
    is_manager = bool(request.roles & MANAGE)
    reports = selectors.missing_report_list(user=request.user, organisation=request.organisation)
    context: dict[str, Any] = {
        "page": Paginator(reports, 25).get_page(request.GET.get("page")),
        "is_manager": is_manager,
        "answer_form": forms.AnswerForm() if is_manager else None,
    }
    if is_manager:
        context["zero"] = selectors.zero_result_searches(user=request.user, organisation=request.organisation)
    return render(request, "catalogue/pages/missing.html", context)


@org_view(roles=MANAGE)
@require_POST
def missing_answer(request: MemberRequest, pk: int) -> HttpResponse:
    try:
        searches.missing_report_answer(
            actor=request.user,
            organisation=request.organisation,
            report_id=pk,
            answer=request.POST.get("answer", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Answered."))
    return redirect("catalogue:missing")
