"""Receivables pages: customers, customer invoices (list, new, detail, send, credit), the payment file
import with its result, and the queue of unmatched payments. Thin: parse, call one service, render."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from avrop.core import lists
from avrop.core.decorators import buyer_view
from avrop.core.errors import DomainError, NotAllowed
from avrop.core.progress import Progress, progress_response
from avrop.organisations.requests import MemberRequest
from avrop.organisations.roles import Role
from avrop.receivables import forms, pdf, reconciliation, selectors, services
from avrop.receivables.errors import Code
from avrop.receivables.lists import CustomerInvoiceFilter, CustomerInvoiceTable, with_open_amount
from avrop.receivables.models import CustomerInvoice, ReminderRun
from avrop.receivables.workflows import OPEN_STATUSES, TRANSITIONS

SEE_ROLES = [Role.AR_CLERK, Role.ADMIN, Role.AUDITOR]
CLERK_ROLES = [Role.AR_CLERK, Role.ADMIN]
Status = CustomerInvoice.Status
LIST_LIMIT = 200
MAX_GL_FILE = 20 * 1024 * 1024


def _is_clerk(request: MemberRequest) -> bool:
    return bool(request.roles & set(CLERK_ROLES))


# --- customers ----------------------------------------------------------------------------------------


@buyer_view(SEE_ROLES)
@require_GET
def customer_list(request: MemberRequest) -> HttpResponse:
    customers: list[Any] = list(
        selectors.customer_list_with_balances(user=request.user, organisation=request.organisation)[
            :LIST_LIMIT
        ]
    )
    for customer in customers:
        customer.open_amount = (
            (customer.open_total or 0) - (customer.open_paid or 0) - (customer.open_credited or 0)
        )
    return render(
        request,
        "receivables/pages/customers.html",
        {"customers": customers, "is_clerk": _is_clerk(request)},
    )


@buyer_view(CLERK_ROLES)
@require_http_methods(["GET", "POST"])
def customer_new(request: MemberRequest) -> HttpResponse:
    form = forms.CustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(
                actor=request.user,
                organisation=request.organisation,
                data=services.CustomerData(**form.cleaned_data),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Customer %(name)s added.") % {"name": customer.name})
            return redirect("receivables:customers")
    return render(
        request, "receivables/pages/customer_new.html", {"form": form}, status=400 if form.errors else 200
    )


# --- invoices -----------------------------------------------------------------------------------------


@buyer_view(SEE_ROLES)
@require_GET
def invoice_list(request: MemberRequest) -> HttpResponseBase:
    # The status tab through the selector; search, dates, sorting, paging and export through the list layer.
    filters = selectors.InvoiceFilter(status=request.GET.get("status", "")[:20])
    rows = with_open_amount(
        selectors.invoice_list(user=request.user, organisation=request.organisation, filters=filters)
    ).order_by("-issue_date", "-pk")
    listing = lists.listing(
        request,
        rows,
        CustomerInvoiceTable,
        filterset_class=CustomerInvoiceFilter,
        filename=str(_("customer-invoices")),
    )
    if isinstance(listing, HttpResponseBase):
        return listing
    counts = selectors.invoice_counts(user=request.user, organisation=request.organisation)
    open_count = sum(counts.get(status, 0) for status in OPEN_STATUSES)
    tabs = [("open", _("Open"), open_count)] + [
        (status, Status(status).label, counts.get(status, 0)) for status in Status.values
    ]
    return render(
        request,
        "receivables/pages/invoices.html",
        {"listing": listing, "tabs": tabs, "filters": filters, "is_clerk": _is_clerk(request)},
    )


@buyer_view(CLERK_ROLES)
@require_http_methods(["GET", "POST"])
def invoice_new(request: MemberRequest) -> HttpResponse:
    customers = selectors.customer_list(user=request.user, organisation=request.organisation).filter(
        is_active=True
    )
    articles = selectors.article_list(user=request.user, organisation=request.organisation)
    data = request.POST or None
    form = forms.InvoiceForm(data, customers=customers, initial={"customer": request.GET.get("customer")})
    lines = forms.LineFormSet(data, prefix="lines", form_kwargs={"articles": articles})
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        given = [
            services.LineInput(
                article_id=line["article"].pk,
                quantity=line["quantity"] if line.get("quantity") is not None else "1",
                description=line.get("description") or "",
                unit_price=line.get("unit_price"),
            )
            for line in lines.cleaned_data
            if line.get("article")
        ]
        try:
            invoice = services.invoice_create(
                actor=request.user,
                organisation=request.organisation,
                customer_id=form.cleaned_data["customer"].pk,
                lines=given,
                issue_date=form.cleaned_data.get("issue_date"),
                buyer_reference=form.cleaned_data.get("buyer_reference") or "",
                order_reference=form.cleaned_data.get("order_reference") or "",
                note=form.cleaned_data.get("note") or "",
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Draft saved. Check it and send it."))
            return redirect("receivables:invoice", pk=invoice.pk)
    return render(
        request,
        "receivables/pages/invoice_new.html",
        {"form": form, "lines": lines},
        status=400 if request.method == "POST" else 200,
    )


@buyer_view(SEE_ROLES)
@require_GET
def invoice_detail(request: MemberRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(user=request.user, organisation=request.organisation, invoice_id=pk)
    allowed = TRANSITIONS.get(invoice.status, frozenset())
    return render(
        request,
        "receivables/pages/invoice.html",
        {
            "invoice": invoice,
            "lines": invoice.lines.select_related("article"),
            "payments": invoice.payments.select_related("file").order_by("payment_date", "pk"),
            "credit_notes": invoice.credit_notes.order_by("pk"),
            "can_send": _is_clerk(request) and Status.SENT in allowed,
            "can_credit": _is_clerk(request)
            and invoice.kind == CustomerInvoice.Kind.INVOICE
            and invoice.status == Status.SENT
            and not invoice.paid_amount
            and not invoice.credited_amount,
            "warnings": [f for f in invoice.findings if f.get("severity") == "warning"],
            "can_adjust": _is_clerk(request)
            and invoice.kind == CustomerInvoice.Kind.INVOICE
            and invoice.status in OPEN_STATUSES,
            "can_invoice_interest": _is_clerk(request)
            and invoice.kind == CustomerInvoice.Kind.INVOICE
            and invoice.interest_for_id is None
            and invoice.status in {Status.SENT, Status.PARTLY_PAID, Status.PAID}
            and invoice.due_date < timezone.localdate(),
            "interest_invoices": invoice.interest_invoices.order_by("pk"),
        },
    )


@buyer_view(CLERK_ROLES)
@require_POST
def invoice_interest(request: MemberRequest, pk: int) -> HttpResponse:
    """A draft interest invoice (late-payment interest, and the compensation where the law allows) for the
    invoice; the clerk checks it and sends it like any invoice."""
    selectors.invoice_get(user=request.user, organisation=request.organisation, invoice_id=pk)  # else 404
    try:
        draft = services.interest_invoice_create(
            actor=request.user, organisation=request.organisation, invoice_id=pk
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("receivables:invoice", pk=pk)
    messages.success(request, _("Draft saved. Check it and send it."))
    return redirect("receivables:invoice", pk=draft.pk)


def _action(request: MemberRequest, pk: int, call: Any, done: str) -> HttpResponse:
    selectors.invoice_get(user=request.user, organisation=request.organisation, invoice_id=pk)
    try:
        result = call()
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("receivables:invoice", pk=pk)
    messages.success(request, done % {"number": result.number or "–"})
    return redirect("receivables:invoice", pk=result.pk)


@buyer_view(CLERK_ROLES)
@require_POST
def invoice_send(request: MemberRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        lambda: services.invoice_send(actor=request.user, invoice_id=pk),
        _("Number %(number)s given; the document passed the e-invoice rules and is on its way."),
    )


@buyer_view(CLERK_ROLES)
@require_POST
def invoice_credit(request: MemberRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        lambda: services.invoice_credit(
            actor=request.user, invoice_id=pk, reason=request.POST.get("reason", "")
        ),
        _("Credit note drafted. Check it and send it."),
    )


@buyer_view(SEE_ROLES)
@require_GET
def invoice_document(request: MemberRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(user=request.user, organisation=request.organisation, invoice_id=pk)
    if not invoice.document:
        messages.error(request, _("A draft has no document yet."))
        return redirect("receivables:invoice", pk=pk)
    response = HttpResponse(bytes(invoice.document), content_type="application/xml")
    response["Content-Disposition"] = (
        content_disposition_header(True, f"{invoice.number}.xml") or "attachment"
    )
    return response


@buyer_view(SEE_ROLES)
@require_GET
def invoice_pdf(request: MemberRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(user=request.user, organisation=request.organisation, invoice_id=pk)
    response = HttpResponse(pdf.invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(False, f"{invoice.number or 'draft'}.pdf") or "inline"
    )
    return response


# --- payments -----------------------------------------------------------------------------------------


@buyer_view(CLERK_ROLES)
@require_http_methods(["GET", "POST"])
def payments_import(request: MemberRequest) -> HttpResponse:
    form = forms.PaymentFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.payment_file_import(
                actor=request.user, organisation=request.organisation, name=upload.name, content=upload.read()
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            if not result.created:
                messages.info(request, _("This file was read before; nothing was booked again."))
            return redirect("receivables:payment_file", pk=result.file.pk)
    return render(
        request, "receivables/pages/payments_import.html", {"form": form}, status=400 if form.errors else 200
    )


@buyer_view(SEE_ROLES)
@require_GET
def payment_file(request: MemberRequest, pk: int) -> HttpResponse:
    found = selectors.payment_file_get(user=request.user, organisation=request.organisation, file_id=pk)
    return render(
        request,
        "receivables/pages/payment_file.html",
        {"file": found, "payments": selectors.payments_of_file(found)},
    )


@buyer_view(SEE_ROLES)
@require_GET
def unmatched(request: MemberRequest) -> HttpResponse:
    payments: list[Any] = list(
        selectors.unmatched_payments(user=request.user, organisation=request.organisation)[:LIST_LIMIT]
    )
    suggestions = selectors.suggestions_for(payments, organisation=request.organisation)
    for payment in payments:
        payment.suggestions = suggestions.get(payment.pk, [])
    return render(
        request, "receivables/pages/unmatched.html", {"payments": payments, "is_clerk": _is_clerk(request)}
    )


@buyer_view(CLERK_ROLES)
@require_POST
def payment_allocate(request: MemberRequest, pk: int) -> HttpResponse:
    selectors.payment_get(user=request.user, organisation=request.organisation, payment_id=pk)
    form = forms.AllocateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an invoice."))
        return redirect("receivables:unmatched")
    try:
        payment = services.payment_allocate(
            actor=request.user,
            organisation=request.organisation,
            payment_id=pk,
            invoice_id=form.cleaned_data["invoice"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The payment is booked on invoice %(number)s.")
            % {"number": payment.invoice.number if payment.invoice else ""},
        )
    return redirect("receivables:unmatched")


# --- reminders ----------------------------------------------------------------------------------------


@buyer_view(SEE_ROLES)
@require_http_methods(["GET", "POST"])
def reminders(request: MemberRequest) -> HttpResponse:
    """The reminder run: a preview with interest and charges, then one button that sends them."""
    if request.method == "POST":
        if not _is_clerk(request):
            return render(request, "403.html", {"needed_roles": CLERK_ROLES}, status=403)
        try:
            run, started = services.reminder_run_start(actor=request.user, organisation=request.organisation)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("receivables:reminders")
        if not started:
            messages.info(request, _("Today's reminder run was started already; here it is."))
        return redirect("receivables:reminder_run", pk=run.pk)
    selectors.require_can_see(user=request.user, organisation=request.organisation)
    try:
        due = services.reminders_due(organisation=request.organisation)
        problem = ""
    except DomainError as exc:
        due, problem = [], exc.message
    return render(
        request,
        "receivables/pages/reminders.html",
        {
            "due": due,
            "problem": problem,
            "is_clerk": _is_clerk(request),
            "runs": selectors.reminder_runs(user=request.user, organisation=request.organisation)[:10],
        },
    )


def _run_progress(run: Any) -> Progress:
    finished = run.status in {ReminderRun.Status.DONE, ReminderRun.Status.FAILED}
    return Progress(
        element_id="reminder-run",
        url=reverse("receivables:reminder_run_progress", args=[run.pk]),
        label=_("%(done)s of %(total)s invoices handled") % {"done": run.done, "total": run.total},
        done=run.done,
        total=run.total,
        finished=finished,
        status=run.get_status_display(),
        failure=run.failure,
        result_url=reverse("receivables:reminder_run", args=[run.pk]) if finished else "",
        result_label=_("Show the result"),
        reload_when_finished=True,
    )


@buyer_view(SEE_ROLES)
@require_GET
def reminder_run(request: MemberRequest, pk: int) -> HttpResponse:
    """A reminder run: its progress while it sends, then what it sent."""
    run = selectors.reminder_run_get(user=request.user, organisation=request.organisation, run_id=pk)
    finished = run.status in {ReminderRun.Status.DONE, ReminderRun.Status.FAILED}
    return render(
        request,
        "receivables/pages/reminder_run.html",
        {
            "run": run,
            "progress": _run_progress(run),
            "finished": finished,
            "reminders": selectors.run_reminders(run) if finished else [],
        },
    )


@buyer_view(SEE_ROLES)
@require_GET
def reminder_run_progress(request: MemberRequest, pk: int) -> HttpResponse:
    run = selectors.reminder_run_get(user=request.user, organisation=request.organisation, run_id=pk)
    return progress_response(request, _run_progress(run))


# --- AR screens: customer card, aging, collection, write-off, refunds, sales ledger ---------------------


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(" ", "").replace("\u00a0", "").replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


@buyer_view(SEE_ROLES)
@require_GET
def customer_card(request: MemberRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(user=request.user, organisation=request.organisation, customer_id=pk)
    history = selectors.customer_history(customer)
    return render(
        request,
        "receivables/pages/customer.html",
        {
            "customer": customer,
            "open_total": sum((i.open_amount for i in history["open_items"]), Decimal("0")),
            **history,
        },
    )


@buyer_view(SEE_ROLES)
@require_GET
def aging_report(request: MemberRequest) -> HttpResponse:
    buckets = selectors.aging(user=request.user, organisation=request.organisation)
    return render(
        request,
        "receivables/pages/aging.html",
        {
            "buckets": buckets,
            "chart": selectors.aging_svg(buckets),
            "total": sum((b.amount for b in buckets), Decimal("0.00")),
            "count": sum(b.count for b in buckets),
        },
    )


@buyer_view(SEE_ROLES)
@require_http_methods(["GET", "POST"])
def collection(request: MemberRequest) -> HttpResponse:
    """Invoices whose reminders went unanswered, handed over to an agency as a file."""
    if request.method == "POST":
        if not _is_clerk(request):
            return render(request, "403.html", {"needed_roles": CLERK_ROLES}, status=403)
        ids = [int(v) for v in request.POST.getlist("invoice") if v.isdigit()]
        try:
            handover = services.collection_handover(
                actor=request.user,
                organisation=request.organisation,
                invoice_ids=ids,
                agency=request.POST.get("agency", "")[:200],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(count)s invoices handed over to %(agency)s; send the agency the file below.")
                % {"count": handover.invoice_count, "agency": handover.agency},
            )
        return redirect("receivables:collection")
    selectors.require_can_see(user=request.user, organisation=request.organisation)
    return render(
        request,
        "receivables/pages/collection.html",
        {
            "candidates": services.collection_candidates(organisation=request.organisation),
            "handovers": selectors.handovers(user=request.user, organisation=request.organisation)[
                :LIST_LIMIT
            ],
            "is_clerk": _is_clerk(request),
        },
    )


@buyer_view(SEE_ROLES)
@require_GET
def collection_file(request: MemberRequest, pk: int) -> HttpResponse:
    handover = selectors.handover_get(user=request.user, organisation=request.organisation, handover_id=pk)
    response = HttpResponse(bytes(handover.content), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        content_disposition_header(True, f"inkasso-{handover.handed_over_on.isoformat()}-{handover.pk}.csv")
        or "attachment"
    )
    return response


@buyer_view(CLERK_ROLES)
@require_POST
def invoice_doubtful(request: MemberRequest, pk: int) -> HttpResponse:
    """A value adjustment (an amount) or a write-off (the whole open amount) of a doubtful receivable."""
    selectors.invoice_get(user=request.user, organisation=request.organisation, invoice_id=pk)
    reason = request.POST.get("reason", "")[:200]
    try:
        if request.POST.get("action") == "write_off":
            voucher = services.invoice_write_off(
                actor=request.user, organisation=request.organisation, invoice_id=pk, reason=reason
            )
            messages.success(request, _("Written off; voucher %(v)s booked.") % {"v": voucher})
        else:
            amount = _decimal(request.POST.get("amount", ""))
            if amount is None:
                raise DomainError(Code.AMOUNT_INVALID, _("Give the amount as a number, e.g. 1 200,00."))
            voucher = services.value_adjustment_book(
                actor=request.user,
                organisation=request.organisation,
                invoice_id=pk,
                amount=amount,
                reason=reason,
            )
            messages.success(request, _("Value adjustment booked; voucher %(v)s.") % {"v": voucher})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("receivables:invoice", pk=pk)


@buyer_view(CLERK_ROLES)
@require_POST
def invoice_credit_partly(request: MemberRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(user=request.user, organisation=request.organisation, invoice_id=pk)
    quantities: dict[int, Decimal] = {}
    for line in invoice.lines.all():
        text = request.POST.get(f"qty_{line.position}", "").strip()
        if text:
            value = _decimal(text)
            if value is None:
                messages.error(request, _("Give the quantities as numbers."))
                return redirect("receivables:invoice", pk=pk)
            quantities[line.position] = value
    return _action(
        request,
        pk,
        lambda: services.invoice_credit(
            actor=request.user, invoice_id=pk, reason=request.POST.get("reason", ""), quantities=quantities
        ),
        _("Credit note drafted. Check it and send it."),
    )


@buyer_view(SEE_ROLES)
@require_http_methods(["GET", "POST"])
def refunds(request: MemberRequest) -> HttpResponse:
    """Credit balances to refund, and refunds waiting for a second person's approval."""
    if request.method == "POST":
        if not _is_clerk(request):
            return render(request, "403.html", {"needed_roles": CLERK_ROLES}, status=403)
        try:
            if request.POST.get("refund", "").isdigit():
                refund = services.refund_decide(
                    actor=request.user,
                    organisation=request.organisation,
                    refund_id=int(request.POST["refund"]),
                    approve=request.POST.get("decision") == "approve",
                )
                messages.success(
                    request, _("Refund %(status)s.") % {"status": refund.get_status_display().lower()}
                )
            else:
                amount = _decimal(request.POST.get("amount", ""))
                if amount is None or not request.POST.get("payment", "").isdigit():
                    raise DomainError(Code.AMOUNT_INVALID, _("Give the amount as a number, e.g. 1 200,00."))
                services.refund_request(
                    actor=request.user,
                    organisation=request.organisation,
                    payment_id=int(request.POST["payment"]),
                    amount=amount,
                    account=request.POST.get("account", "")[:60],
                    reason=request.POST.get("reason", "")[:300],
                )
                messages.success(request, _("Refund requested. Another clerk approves it."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("receivables:refunds")
    return render(
        request,
        "receivables/pages/refunds.html",
        {
            "balances": selectors.credit_balances(user=request.user, organisation=request.organisation)[
                :LIST_LIMIT
            ],
            "refunds": selectors.refund_list(user=request.user, organisation=request.organisation)[
                :LIST_LIMIT
            ],
            "is_clerk": _is_clerk(request),
        },
    )


@buyer_view(SEE_ROLES)
@require_http_methods(["GET", "POST"])
def ledger(request: MemberRequest) -> HttpResponse:
    """The sales-ledger vouchers, and their SIE 4 export for a period (each voucher exported once; the
    files kept)."""
    if request.method == "POST":
        if not _is_clerk(request):
            raise NotAllowed(_("Only an accounts receivable clerk may do this."))
        start, end = _date(request.POST.get("start", "")), _date(request.POST.get("end", ""))
        if not (start and end):
            messages.error(request, _("Give the first and the last day of the period (YYYY-MM-DD)."))
        else:
            try:
                export = services.ledger_export(
                    actor=request.user, organisation=request.organisation, start=start, end=end
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("%(count)s vouchers exported to %(name)s.")
                    % {"count": export.voucher_count, "name": export.filename},
                )
        return redirect("receivables:ledger")
    return render(
        request,
        "receivables/pages/ledger.html",
        {
            "vouchers": selectors.vouchers(user=request.user, organisation=request.organisation)[:LIST_LIMIT],
            "exports": selectors.ledger_exports(user=request.user, organisation=request.organisation)[:50],
            "is_clerk": _is_clerk(request),
        },
    )


@buyer_view(SEE_ROLES)
@require_GET
def ledger_export_file(request: MemberRequest, pk: int) -> HttpResponse:
    export = selectors.ledger_export_get(user=request.user, organisation=request.organisation, export_id=pk)
    response = HttpResponse(bytes(export.content), content_type="text/plain; charset=cp437")
    response["Content-Disposition"] = content_disposition_header(True, export.filename) or "attachment"
    return response


@buyer_view(SEE_ROLES)
@require_http_methods(["GET", "POST"])
def reconciliation_view(request: MemberRequest) -> HttpResponse:
    """The sales ledger's booked vouchers against its open items, the twelve months up to this one (or
    ``?until=YYYY-MM``); with the general ledger's SIE 4 file (read, compared, not kept) its months and period
    balances of 1510 beside them."""
    problem = ""
    balances: dict[str, Decimal] = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or (upload.size or 0) > MAX_GL_FILE:
            problem = _("Choose the general ledger's SIE 4 file (at most 20 MB).")
        else:
            try:
                balances = reconciliation.parse_gl_balances(upload.read())
            except DomainError as exc:
                problem = exc.message
    until = timezone.localdate()
    with contextlib.suppress(ValueError):  # ?until=YYYY-MM: the twelve months up to another month
        until = dt.date.fromisoformat(f"{request.GET.get('until', '')}-01")
    result = reconciliation.reconcile(
        organisation=request.organisation,
        gl_balances=balances,
        periods=None if balances else reconciliation.last_periods(until),
    )
    return render(
        request,
        "receivables/pages/reconciliation.html",
        {"result": result, "with_general_ledger": bool(balances), "problem": problem},
        status=400 if problem else 200,
    )
