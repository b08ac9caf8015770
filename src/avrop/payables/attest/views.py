"""The attest panel of the invoice page and its actions: hold and release, dispute, re-code, periodise."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from avrop.core.decorators import buyer_view
from avrop.core.errors import DomainError
from avrop.organisations.requests import MemberRequest
from avrop.organisations.roles import Role
from avrop.payables import forms as payables_forms
from avrop.payables import selectors
from avrop.payables.attest import forms, services
from avrop.payables.attest import selectors as attest_selectors
from avrop.payables.models import SupplierInvoice

Status = SupplierInvoice.Status
HANDLER_ROLES = [Role.AP_CLERK, Role.ADMIN, Role.APPROVER, Role.REQUISITIONER]


def panel_context(request: MemberRequest, invoice: SupplierInvoice) -> dict[str, Any]:
    """What the invoice page shows of attest (added to its context)."""
    from avrop.payables.periodisation.services import periodisation_of

    roles = request.roles
    user = request.user
    is_clerk = bool(roles & {Role.AP_CLERK, Role.ADMIN})
    waiting_for_me = invoice.status == Status.WAITING_REVIEW and invoice.reviewer_id == user.pk
    is_auditor_only = Role.AUDITOR in roles and not is_clerk
    can_handle = (is_clerk or waiting_for_me) and not is_auditor_only
    is_deputy = (
        invoice.status == Status.WAITING_REVIEW
        and invoice.reviewer_id != user.pk
        and services.is_deputy_of(user, invoice.reviewer_id, invoice.organisation)
    )
    panel = attest_selectors.attest_panel(user=user, invoice=invoice)
    lines = list(invoice.coding_lines.all())
    return {
        "attest": panel,
        "can_handle": can_handle,
        "can_hold": can_handle and invoice.status in services.HOLDABLE,
        "can_recode": can_handle and invoice.status in services.RECODABLE,
        "can_deputy_attest": is_deputy and panel.hold is None,
        "hold_form": forms.HoldForm(),
        "dispute_form": forms.DisputeForm(),
        "periodised_lines": [(line, periodisation_of(line)) for line in lines],
    }


def _back(pk: int) -> HttpResponse:
    return redirect(reverse("payables:invoice", args=[pk]) + "#attest-title")


def _run(request: MemberRequest, pk: int, form: Any, call: Any, done: str) -> HttpResponse:
    invoice = selectors.invoice_get(user=request.user, organisation=request.organisation, invoice_id=pk)
    if not form.is_valid():
        messages.error(
            request,
            " ".join(
                f"{form.fields[k].label}: {e}" if k in form.fields else str(e)
                for k, errors in form.errors.items()
                for e in errors
            ),
        )
        return _back(invoice.pk)
    try:
        call(invoice, form.cleaned_data)
    except DomainError as exc:
        if exc.http_status == 404:
            raise
        messages.error(request, exc.message)
        return _back(invoice.pk)
    messages.success(request, done)
    return _back(invoice.pk)


@buyer_view(HANDLER_ROLES)
@require_POST
def hold(request: MemberRequest, pk: int) -> HttpResponse:
    return _run(
        request,
        pk,
        forms.HoldForm(request.POST),
        lambda inv, d: services.invoice_hold(
            actor=request.user, invoice_id=inv.pk, reason=d["reason"], until=d["until"]
        ),
        _("The invoice is on hold: it is neither attested nor paid until released."),
    )


@buyer_view(HANDLER_ROLES)
@require_POST
def release(request: MemberRequest, pk: int) -> HttpResponse:
    return _run(
        request,
        pk,
        forms.ReleaseForm(request.POST),
        lambda inv, d: services.invoice_release(actor=request.user, invoice_id=inv.pk, note=d["note"]),
        _("The hold is released."),
    )


@buyer_view(HANDLER_ROLES)
@require_POST
def dispute(request: MemberRequest, pk: int) -> HttpResponse:
    return _run(
        request,
        pk,
        forms.DisputeForm(request.POST),
        lambda inv, d: services.invoice_dispute(actor=request.user, invoice_id=inv.pk, reason=d["reason"]),
        _(
            "The invoice is disputed: the supplier is told why (Invoice Response UQ) and sees it in "
            "the portal."
        ),
    )


@buyer_view(HANDLER_ROLES)
@require_POST
def periodise(request: MemberRequest, pk: int) -> HttpResponse:
    from avrop.payables.periodisation.services import coding_line_periodise

    return _run(
        request,
        pk,
        forms.PeriodiseForm(request.POST),
        lambda inv, d: coding_line_periodise(
            actor=request.user,
            invoice_id=inv.pk,
            coding_line_id=d["line"],
            first_month=d["first_month"],
            last_month=d["last_month"],
        ),
        _("The line is periodised: it is booked to prepaid expenses and released month by month."),
    )


@buyer_view(HANDLER_ROLES)
@require_http_methods(["GET", "POST"])
def recode(request: MemberRequest, pk: int) -> HttpResponse:
    """Split and re-code the accepted coding; every change is kept with who, when, old and new lines."""
    invoice = selectors.invoice_get(user=request.user, organisation=request.organisation, invoice_id=pk)
    current = list(invoice.coding_lines.all())
    error = ""
    if request.method == "POST":
        formset = payables_forms.CodingFormSet(request.POST, prefix="coding")
        reason_form = forms.RecodeReasonForm(request.POST)
        if formset.is_valid() and reason_form.is_valid():
            lines = [f.cleaned_data for f in formset.forms if f.cleaned_data]
            try:
                services.invoice_recode(
                    actor=request.user,
                    invoice_id=invoice.pk,
                    lines=lines,
                    reason=reason_form.cleaned_data["reason"],
                )
            except DomainError as exc:
                if exc.http_status == 404:
                    raise
                error = exc.message
            else:
                messages.success(
                    request, _("The coding was changed; the change is kept in the invoice's history.")
                )
                return _back(invoice.pk)
        status = 400
    else:
        try:
            services.require_handler(request.user, invoice)
        except DomainError as exc:
            if exc.http_status == 404:
                raise
            messages.error(request, exc.message)
            return _back(invoice.pk)
        formset = payables_forms.CodingFormSet(
            prefix="coding",
            initial=[
                {"account": c.account, "cost_centre": c.cost_centre, "project": c.project, "amount": c.amount}
                for c in current
            ],
        )
        reason_form = forms.RecodeReasonForm()
        status = 200
    return render(
        request,
        "payables/attest/recode.html",
        {
            "invoice": invoice,
            "formset": formset,
            "reason_form": reason_form,
            "current": current,
            "error": error,
        },
        status=status,
    )
