"""Receivables pages: customers, customer invoices (list, new, detail, send, credit), the payment file
import with its result, and the queue of unmatched payments. Thin: parse, call one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from avrop.core.decorators import buyer_view
from avrop.core.errors import DomainError
from avrop.organisations.requests import MemberRequest
from avrop.organisations.roles import Role
from avrop.receivables import forms, pdf, selectors, services
from avrop.receivables.models import CustomerInvoice
from avrop.receivables.workflows import TRANSITIONS

SEE_ROLES = [Role.AR_CLERK, Role.ADMIN, Role.AUDITOR]
CLERK_ROLES = [Role.AR_CLERK, Role.ADMIN]
Status = CustomerInvoice.Status
LIST_LIMIT = 200


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
def invoice_list(request: MemberRequest) -> HttpResponse:
    filters = selectors.InvoiceFilter(
        status=request.GET.get("status", "")[:20], search=request.GET.get("q", "")[:100]
    )
    rows = list(
        selectors.invoice_list(
            user=request.user, organisation=request.organisation, filters=filters
        ).order_by("-issue_date", "-pk")[:LIST_LIMIT]
    )
    counts = selectors.invoice_counts(user=request.user, organisation=request.organisation)
    tabs = [("open", _("Open"), counts.get(Status.SENT, 0) + counts.get(Status.PARTLY_PAID, 0))] + [
        (status, Status(status).label, counts.get(status, 0)) for status in Status.values
    ]
    return render(
        request,
        "receivables/pages/invoices.html",
        {"rows": rows, "tabs": tabs, "filters": filters, "is_clerk": _is_clerk(request)},
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
        },
    )


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
            sent = services.reminder_run(actor=request.user, organisation=request.organisation)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(count)s reminders sent.") % {"count": len(sent)}
                if sent
                else _("There was nothing to remind."),
            )
        return redirect("receivables:reminders")
    selectors.require_can_see(user=request.user, organisation=request.organisation)
    try:
        due = services.reminders_due(organisation=request.organisation)
        problem = ""
    except DomainError as exc:
        due, problem = [], exc.message
    return render(
        request,
        "receivables/pages/reminders.html",
        {"due": due, "problem": problem, "is_clerk": _is_clerk(request)},
    )
