"""Report pages: parse the filters inside the reader's scope, build the report, render it or export it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from avrop.catalogue.exports import download_filename
from avrop.core import formatting
from avrop.core.decorators import TenantRequest, org_view
from avrop.core.progress import Progress, progress_response
from avrop.payables.models import Channel
from avrop.reports import builders, engine, exports, followup, services, volumes
from avrop.reports.models import Mailing, ReportKind, ReportRun, Subscription
from avrop.reports.scope import (
    BUYER_READERS,
    SUPPLIER_READERS,
    VOLUME_READERS,
    Filters,
    Scope,
    customers,
    departments,
    may_read,
    parse_filters,
    scope_for,
    suppliers,
)
from avrop.reports.tables import Report, report_from_data
from avrop.reports.workflows import RunStatus

LINES_PER_PAGE = 100
# Above this many order lines a report is made in the background (decision 0017: about 1 s on SQLite).
ASYNC_LINES = 50_000


def report_view(*, volumes: bool = False, buyers_only: bool = False) -> Callable[..., Any]:
    """Readers of the organisation only (a supplier's users see their own sales); others get 403, the pages a
    supplier has no view of answer 404."""
    roles = VOLUME_READERS if volumes else BUYER_READERS | SUPPLIER_READERS

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @org_view(roles)
        @wraps(view)
        def wrapper(request: TenantRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            organisation = request.organisation
            if buyers_only and not organisation.is_buyer:  # type: ignore[union-attr]
                raise Http404()
            if not may_read(organisation, request.roles, volumes=volumes):
                return render(request, "403.html", {"needed_roles": sorted(roles)}, status=403)
            scope = scope_for(organisation)
            filters = parse_filters(request.GET, scope)
            return view(request, scope, filters, *args, **kwargs)

        return wrapper

    return decorator


def _respond(request: TenantRequest, report: Report, scope: Scope, **extra: Any) -> HttpResponse:
    fmt = request.GET.get("format", "")
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        response = HttpResponse(
            exports.report_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = download_filename(f"{report.title} {stamp}", fallback="report", extension="xlsx")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    if fmt == "pdf":
        response = HttpResponse(exports.report_pdf(report), content_type="application/pdf")
        name = download_filename(
            f"{report.title} {report.filters.start} {report.filters.end}", fallback="report", extension="pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    if fmt == "csv":
        table = report.table(request.GET.get("table", "")) or report.all_tables[0]
        response = HttpResponse(exports.table_csv(table), content_type="text/csv; charset=utf-8")
        name = download_filename(f"{report.title} {table.title} {stamp}", fallback="report", extension="csv")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context = {
        "frequencies": Subscription.Frequency.choices,
        "report_url": request.path,
        "report": report,
        "scope": scope,
        "filters": report.filters,
        "departments": departments(scope),
        "suppliers": suppliers(scope),
        "customers": customers(scope) if scope.is_supplier else [],
        "query": report.filters.query(**extra),
        **extra,
    }
    return render(request, "reports/pages/report.html", context)


@org_view()
def index(request: TenantRequest) -> HttpResponse:
    organisation = request.organisation
    if not (may_read(organisation, request.roles) or may_read(organisation, request.roles, volumes=True)):
        return render(request, "403.html", {"needed_roles": sorted(BUYER_READERS)}, status=403)
    return render(
        request,
        "reports/pages/index.html",
        {
            "is_buyer": organisation.is_buyer,  # type: ignore[union-attr]
            "may_read": may_read(organisation, request.roles),
            "volumes": may_read(organisation, request.roles, volumes=True),
            "query": parse_filters(request.GET, scope_for(organisation)).query(),
            "subscriptions": Subscription.objects.filter(
                user_id=request.user.pk or 0,
                organisation_id=organisation.pk,  # type: ignore[union-attr]
            )
            .select_related("agreement")
            .order_by("kind", "pk"),
        },
    )


def _page(request: TenantRequest, kind: str, scope: Scope, filters: Filters, **extra: Any) -> HttpResponse:
    """The report, made here; over many order lines it is made in the background instead (a run)."""
    if not request.GET.get("format"):
        lines = engine.order_lines(scope, filters).count()
        if lines > ASYNC_LINES:
            run = services.report_run_start(
                actor=request.user,
                organisation=request.organisation,
                kind=kind,
                query=request.GET.urlencode(),
                lines=lines,
            )
            return redirect("reports:run", pk=run.pk)
    return _respond(request, builders.build(kind, scope, filters, request.GET), scope, **extra)


@report_view()
def statistics(request: TenantRequest, scope: Scope, filters: Filters) -> HttpResponse:
    return _page(request, ReportRun.Kind.STATISTICS, scope, filters)


@report_view(buyers_only=True)
def loyalty(request: TenantRequest, scope: Scope, filters: Filters) -> HttpResponse:
    return _page(request, ReportRun.Kind.LOYALTY, scope, filters)


def _spend_extra(params: QueryDict) -> dict[str, Any]:
    dimension = params.get("by", "supplier")
    return {
        "by": dimension if dimension in engine.DIMENSIONS else "supplier",
        "dimensions": builders.dimension_labels().items(),
    }


@report_view(buyers_only=True)
def spend(request: TenantRequest, scope: Scope, filters: Filters) -> HttpResponse:
    return _page(request, ReportRun.Kind.SPEND, scope, filters, **_spend_extra(request.GET))


REPORT_URLS: dict[str, str] = {
    ReportRun.Kind.STATISTICS: "reports:statistics",
    ReportRun.Kind.LOYALTY: "reports:loyalty",
    ReportRun.Kind.SPEND: "reports:spend",
}


def _own_run(request: TenantRequest, pk: int) -> ReportRun:
    if request.organisation is None:
        raise Http404()
    run = ReportRun.objects.filter(
        pk=pk, organisation_id=request.organisation.pk, requested_by_id=request.user.pk
    ).first()
    if run is None:
        raise Http404()
    return run


@report_view()
def run(request: TenantRequest, scope: Scope, filters: Filters, pk: int) -> HttpResponse:
    """A report made in the background: its progress until it is ready, then the report (and its exports)."""
    found = _own_run(request, pk)
    params = QueryDict(found.query)
    report_filters = parse_filters(params, scope)
    report_url = reverse(REPORT_URLS[found.kind])
    if found.status != RunStatus.DONE:
        return render(
            request,
            "reports/pages/run.html",
            {"run": found, "progress": _progress(found), "report_url": report_url, "filters": report_filters},
        )
    report = report_from_data(found.result, report_filters)
    extra = _spend_extra(params) if found.kind == ReportRun.Kind.SPEND else {}
    return _respond(request, report, scope, report_url=report_url, **extra)


@report_view()
def run_progress(request: TenantRequest, scope: Scope, filters: Filters, pk: int) -> HttpResponse:
    return progress_response(request, _progress(_own_run(request, pk)))


def _progress(found: ReportRun) -> Progress:
    finished = found.status in {RunStatus.DONE, RunStatus.FAILED}
    return Progress(
        element_id="report-run",
        url=reverse("reports:run_progress", args=[found.pk]),
        label=_("%(lines)s order lines are being counted") % {"lines": formatting.qty(found.lines)},
        done=0,
        total=0,
        finished=finished,
        status=found.get_status_display(),
        failure=found.failure,
        result_url=reverse("reports:run", args=[found.pk]) if found.status == RunStatus.DONE else "",
        result_label=_("Show the report"),
        reload_when_finished=found.status == RunStatus.DONE,
    )


@report_view(volumes=True, buyers_only=True)
def service_volumes(request: TenantRequest, scope: Scope, filters: Filters) -> HttpResponse:
    return _respond(request, volumes.report(scope, filters), scope)


@report_view()
def agreements(request: TenantRequest, scope: Scope, filters: Filters) -> HttpResponse:
    found = list(followup.agreements(scope))
    last_sent: dict[int, Mailing] = {}
    for sent in Mailing.objects.filter(
        agreement_id__in=[a.pk for a in found], kind=ReportKind.FOLLOWUP, subscription__isnull=True
    ).order_by("created_at", "pk"):
        last_sent[sent.agreement_id] = sent  # type: ignore[index]
    rows = [(a, last_sent.get(a.pk)) for a in found]
    return render(
        request,
        "reports/pages/agreements.html",
        {"rows": rows, "query": filters.query(), "filters": filters},
    )


@report_view()
def agreement(request: TenantRequest, scope: Scope, filters: Filters, pk: int) -> HttpResponse:
    found = followup.agreements(scope).filter(pk=pk).first()
    if found is None:
        raise Http404()
    return _respond(request, followup.report(scope, filters, found), scope, agreement=found)


@report_view()
def lines(request: TenantRequest, scope: Scope, filters: Filters) -> HttpResponse:
    """The order lines behind a figure."""
    page = Paginator(engine.drill_lines(scope, filters, request.GET), LINES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "reports/pages/lines.html",
        {
            "page": page,
            "scope": scope,
            "filters": filters,
            "params": params.urlencode(),
            "what": _describe(request),
        },
    )


@report_view(buyers_only=True)
def invoices(request: TenantRequest, scope: Scope, filters: Filters) -> HttpResponse:
    """The supplier invoices behind a figure."""
    page = Paginator(engine.drill_invoices(scope, filters, request.GET), LINES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "reports/pages/invoices.html",
        {"page": page, "filters": filters, "params": params.urlencode(), "what": _describe(request)},
    )


@report_view(volumes=True, buyers_only=True)
def volume_orders(request: TenantRequest, scope: Scope, filters: Filters) -> HttpResponse:
    """The orders behind a service-centre volume."""
    page = Paginator(volumes.orders_behind(scope, filters), LINES_PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "reports/pages/orders.html",
        {"page": page, "filters": filters, "params": params.urlencode(), "what": _describe(request)},
    )


@report_view(volumes=True, buyers_only=True)
def volume_invoices(request: TenantRequest, scope: Scope, filters: Filters) -> HttpResponse:
    """The supplier invoices (received, or paid) behind a service-centre volume."""
    page = Paginator(volumes.invoices_behind(scope, filters, request.GET), LINES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "reports/pages/invoices.html",
        {"page": page, "filters": filters, "params": params.urlencode(), "what": _describe(request)},
    )


def _describe(request: TenantRequest) -> list[str]:
    """What the drill-down was narrowed to, in words."""
    words = []
    how = request.GET.get("how")
    if how:
        words.append(builders.how_labels().get(how, ""))
    if request.GET.get("no_order"):
        words.append(builders.how_labels()[engine.NO_ORDER])
    if request.GET.get("article") or request.GET.get("product"):
        words.append(
            _("Product: %(name)s") % {"name": request.GET.get("product") or request.GET.get("article")}
        )
    if request.GET.get("month"):
        words.append(_("Month: %(month)s") % {"month": request.GET.get("month")})
    volume = request.GET.get("volume")
    if volume:
        words.append(_("Paid in the period") if volume == "paid" else _("Received in the period"))
    if channel := request.GET.get("channel"):
        words.append(_("Channel: %(channel)s") % {"channel": dict(Channel.choices).get(channel, channel)})
    category = request.GET.get("category")
    if category:
        words.append(
            _("Category: %(name)s") % {"name": _("No category") if category == engine.NO_VALUE else category}
        )
    return [w for w in words if w]


@org_view()
@require_POST
def subscribe(request: TenantRequest) -> HttpResponse:
    """Subscribe to the report shown (its filters kept, the period each mail's own), monthly or quarterly.
    Readers of the report only; an agreement outside the organisation's scope answers 404."""
    from avrop.reports import mailing

    kind = request.POST.get("kind", "")
    frequency = request.POST.get("frequency", "")
    organisation = request.organisation
    back = request.POST.get("back", "")
    if kind not in ReportKind.values or frequency not in Subscription.Frequency.values:
        messages.error(request, _("Choose a report and how often it is to be sent."))
        return redirect(back if back.startswith("/reports/") else "reports:index")
    if not may_read(organisation, request.roles, volumes=kind == ReportKind.VOLUMES):
        return render(request, "403.html", {"needed_roles": sorted(BUYER_READERS)}, status=403)
    scope = scope_for(organisation)
    agreement = None
    if kind == ReportKind.FOLLOWUP:
        agreement = followup.agreements(scope).filter(pk=_int_or_404(request.POST.get("agreement"))).first()
        if agreement is None:
            raise Http404()
    query = request.POST.get("query", "")
    parse_filters(QueryDict(query), scope)  # a filter naming something outside the scope: 404
    mailing.subscribe(
        user=request.user,
        organisation=organisation,  # type: ignore[arg-type]
        kind=kind,
        frequency=frequency,
        query=query,
        agreement=agreement,
    )
    email = getattr(request.user, "email", "")
    if not email:
        messages.warning(
            request, _("Subscribed, but your account has no e-mail address: add one to get the mails.")
        )
    else:
        messages.success(
            request,
            _("Subscribed: the report is sent to %(email)s %(frequency)s, as a link and a PDF.")
            % {
                "email": email,
                "frequency": dict(Subscription.Frequency.choices)[frequency].lower(),
            },
        )
    return redirect(back if back.startswith("/reports/") else "reports:index")


@org_view()
@require_POST
def unsubscribe(request: TenantRequest, pk: int) -> HttpResponse:
    """Stop one of one's own subscriptions; anybody else's answers 404."""
    deleted, _rows = Subscription.objects.filter(
        pk=pk,
        user_id=request.user.pk or 0,
        organisation_id=request.organisation.pk if request.organisation else 0,
    ).delete()
    if not deleted:
        raise Http404()
    messages.success(request, _("The subscription was stopped."))
    return redirect("reports:index")


def _int_or_404(value: str | None) -> int:
    if not value or not value.isdigit():
        raise Http404()
    return int(value)
