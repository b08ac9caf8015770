"""Chart of accounts, dimensions, imports and the coding check."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from avrop.core.decorators import buyer_view, org_view
from avrop.core.errors import DomainError
from avrop.organisations import services
from avrop.organisations.forms import (
    AccountForm,
    ChartCreateForm,
    ChartImportForm,
    CodingForm,
    DimensionObjectForm,
    add_domain_error,
)
from avrop.organisations.requests import MemberRequest
from avrop.organisations.selectors.chart import (
    account_list,
    coding_check,
    coding_options,
    dimension_list,
    dimension_object_list,
    usable_charts,
)
from avrop.organisations.views._helpers import MASTER, submit

PAGE_SIZE = 100


@org_view(roles=MASTER)
@require_GET
def overview(request: MemberRequest) -> HttpResponse:
    organisation = request.organisation
    chart = organisation.chart
    dimensions = []
    if chart is not None:
        counts = dict(
            dimension_object_list(user=request.user, organisation=organisation)
            .values_list("dimension_id")
            .annotate(n=Count("pk"))
            .values_list("dimension_id", "n")
        )
        dimensions = [
            (d, counts.get(d.pk, 0)) for d in dimension_list(user=request.user, organisation=organisation)
        ]
    return render(
        request,
        "organisations/pages/chart.html",
        {
            "chart": chart,
            "owned": chart is not None and chart.owner_id == organisation.pk,
            "account_count": account_list(user=request.user, organisation=organisation).count(),
            "dimensions": dimensions,
            "charts": [c for c in usable_charts(user=request.user, organisation=organisation) if c != chart],
            "create_form": ChartCreateForm(
                initial={"name": _("Chart of %(org)s") % {"org": organisation.name}}
            ),
        },
    )


@org_view(roles=MASTER)
@require_POST
def chart_create(request: MemberRequest) -> HttpResponse:
    form = ChartCreateForm(request.POST)
    if (
        submit(
            form,
            lambda: services.chart_create(
                actor=request.user, organisation=request.organisation, **form.cleaned_data
            ),
        )
        is not None
    ):
        for number, name in ((1, "Kostnadsställe"), (6, "Projekt"), (20, "Verksamhet")):
            services.dimension_create(
                actor=request.user,
                organisation=request.organisation,
                number=number,
                name=name,
                is_required=number == 1,
            )
        return redirect("organisations:chart")
    return render(
        request,
        "organisations/pages/form.html",
        {"form": form, "title": _("New chart of accounts"), "back": reverse("organisations:chart")},
        status=400,
    )


@org_view(roles=MASTER)
@require_POST
def chart_use(request: MemberRequest) -> HttpResponse:
    from avrop.organisations.views._helpers import act

    return act(
        request,
        lambda: services.chart_use(
            actor=request.user,
            organisation=request.organisation,
            chart_id=int(request.POST.get("chart", "0") or 0),
        ),
        _("The organisation now codes with this chart."),
        reverse("organisations:chart"),
    )


@org_view(roles=MASTER)
@require_GET
def accounts(request: MemberRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    page = Paginator(
        account_list(user=request.user, organisation=request.organisation, search=search), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(request, "organisations/pages/accounts.html", {"page": page, "q": search})


@org_view(roles=MASTER)
@require_GET
def objects(request: MemberRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    dimension = request.GET.get("dimension", "").strip()
    rows = dimension_object_list(
        user=request.user, organisation=request.organisation, dimension=dimension, search=search
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/pages/dimension_objects.html",
        {
            "page": page,
            "q": search,
            "dimension": dimension,
            "dimensions": dimension_list(user=request.user, organisation=request.organisation),
        },
    )


@org_view(roles=MASTER)
@require_http_methods(["GET", "POST"])
def account_new(request: MemberRequest) -> HttpResponse:
    form = AccountForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST":
        saved = submit(
            form,
            lambda: services.account_save(
                actor=request.user, organisation=request.organisation, **form.cleaned_data
            ),
        )
        if saved is not None:
            return redirect(reverse("organisations:accounts") + f"?q={saved.number}")
    return render(
        request,
        "organisations/pages/form.html",
        {
            "form": form,
            "title": _("Account"),
            "back": reverse("organisations:accounts"),
            "lead": _("An existing account number is updated."),
        },
    )


@org_view(roles=MASTER)
@require_http_methods(["GET", "POST"])
def object_new(request: MemberRequest) -> HttpResponse:
    dimensions = dimension_list(user=request.user, organisation=request.organisation)
    form = DimensionObjectForm(
        request.POST or None,
        dimensions=dimensions,
        initial={"is_active": True, "dimension": request.GET.get("dimension", "")},
    )
    if request.method == "POST":
        saved = submit(
            form,
            lambda: services.dimension_object_save(
                actor=request.user, organisation=request.organisation, **form.cleaned_data
            ),
        )
        if saved is not None:
            return redirect(reverse("organisations:objects") + f"?dimension={saved.dimension.code}")
    return render(
        request,
        "organisations/pages/form.html",
        {
            "form": form,
            "title": _("Cost centre, project or other dimension object"),
            "back": reverse("organisations:objects"),
            "lead": _("An existing code is updated."),
        },
    )


@org_view(roles=MASTER)
@require_http_methods(["GET", "POST"])
def chart_import(request: MemberRequest) -> HttpResponse:
    form = ChartImportForm(
        request.POST or None,
        request.FILES or None,
        accept=".se,.si,.sie,.txt,.csv,.xlsx",
        initial={"kind": "chart_sie"},
    )
    if request.method == "POST":
        job = submit(
            form,
            lambda: services.import_job_create(
                actor=request.user,
                organisation=request.organisation,
                kind=form.cleaned_data["kind"],
                filename=form.cleaned_data["file"].name,
                content=form.cleaned_data["file"].read(),
            ),
        )
        if job is not None:
            return redirect("organisations:import_detail", job.pk)
    return render(
        request,
        "organisations/pages/import_upload.html",
        {
            "form": form,
            "title": _("Import the chart of accounts"),
            "back": reverse("organisations:chart"),
            "columns": ["type", "code", "name", "valid_from", "valid_to", "account_type"],
            "example": "type;code;name;valid_from;valid_to\naccount;5410;Livsmedel;2026-01-01;\n"
            "cost_centre;1200;Solgårdens kök;;\nproject;P-100;Ny förskola;2026-01-01;2027-12-31",
        },
    )


@org_view(roles=MASTER)
@require_GET
def coding(request: MemberRequest) -> HttpResponse:
    form = CodingForm(request.GET or None)
    check = None
    if request.GET and form.is_valid():
        try:
            check = coding_check(
                user=request.user,
                organisation=request.organisation,
                coding=form.cleaned_data["coding"],
                on=form.cleaned_data["on"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(request, "organisations/pages/coding.html", {"form": form, "check": check})


@buyer_view()
@require_GET
def coding_picker(request: MemberRequest, key: str) -> HttpResponse:
    """Options for a type-ahead coding field (``<option>`` rows for its datalist), any member of a buyer.
    HTMX sends the typed text under the field's own name, so the text is ``q`` or the request's one value."""
    search = str(request.GET.get("q") or next(iter(request.GET.values()), ""))
    options = coding_options(
        user=request.user, organisation=request.organisation, key=key, search=search[:40]
    )
    return render(request, "organisations/partials/coding_options.html", {"options": options})
