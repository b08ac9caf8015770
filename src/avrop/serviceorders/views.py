"""Service-order pages. The partner's: the work queue with the seed's sections, an order with the action of
its step, billing (completed and not billed → statement PDF), statements with the invoice check, the SLA
report. The supplier's: its service orders (hand over, payment, shipment, cancel), statements with the check
results, the SLA report per partner. Thin: parse, call one service, render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from avrop.core.decorators import org_view
from avrop.core.errors import DomainError, NotFound
from avrop.organisations.requests import MemberRequest
from avrop.organisations.roles import Role
from avrop.serviceorders import checks, clocks, forms, selectors, services
from avrop.serviceorders.models import CHECKLIST, PartnerInvoice, ServiceOrder
from avrop.serviceorders.workflows import QUEUE_SECTIONS

Status = ServiceOrder.Status
PARTNER_ROLES = [Role.SERVICE_PARTNER, Role.ADMIN]
SUPPLIER_ROLES = [Role.SUPPLIER_USER, Role.SPOC, Role.ADMIN]
LIST_LIMIT = 200


def _either(organisation: Any) -> bool:
    return selectors.is_partner(organisation) or selectors.is_supplier(organisation)


partner_view = org_view(PARTNER_ROLES, organisation_test=selectors.is_partner, hide_from_other_kinds=True)
supplier_view = org_view(SUPPLIER_ROLES, organisation_test=selectors.is_supplier, hide_from_other_kinds=True)
both_view = org_view([*PARTNER_ROLES, *SUPPLIER_ROLES], organisation_test=_either, hide_from_other_kinds=True)


# --- the partner's work queue -------------------------------------------------------------------------


@partner_view
@require_GET
def queue(request: MemberRequest) -> HttpResponse:
    section = request.GET.get("section")
    if section not in QUEUE_SECTIONS:
        section = None
    sections = selectors.work_queue(
        user=request.user,
        organisation=request.organisation,
        section=section,
        limit=LIST_LIMIT if section else 8,
    )
    return render(request, "serviceorders/pages/queue.html", {"sections": sections, "section": section})


@both_view
@require_GET
def order_detail(request: MemberRequest, pk: int) -> HttpResponse:
    order = selectors.order_for(user=request.user, organisation=request.organisation, pk=pk)
    is_partner = selectors.is_partner(request.organisation)
    steps = sorted(order.steps.all(), key=lambda s: s.started_at)
    today = timezone.localdate()
    context = {
        "order": order,
        "is_partner": is_partner,
        "steps": [(step, clocks.state(step, today)) for step in steps],
        "checklist_form": forms.ChecklistForm(
            initial={name: getattr(order, name) for name in CHECKLIST} | {"check_note": order.check_note}
        ),
        "appointment_form": forms.AppointmentForm(),
        "execution_form": forms.ExecutionForm(),
        "ship_form": forms.ShipForm(),
        "cancel_form": forms.CancelForm(),
    }
    return render(request, "serviceorders/pages/order.html", context)


def _action(request: MemberRequest, pk: int, call: Callable[[], Any], done: str) -> HttpResponse:
    try:
        call()
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("serviceorders:order", pk=pk)


@partner_view
@require_POST
def accept(request: MemberRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        lambda: services.service_order_accept(actor=request.user, order_id=pk, partner=request.organisation),
        _("Order accepted. Contact the customer within two business days."),
    )


@partner_view
@require_POST
def check(request: MemberRequest, pk: int) -> HttpResponse:
    form = forms.ChecklistForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    return _action(
        request,
        pk,
        lambda: services.service_order_record_check(
            actor=request.user,
            order_id=pk,
            partner=request.organisation,
            checks_done={name: bool(data.get(name)) for name in CHECKLIST},
            note=data.get("check_note", ""),
        ),
        _("Customer contact and checklist saved."),
    )


@partner_view
@require_POST
def requirements_met(request: MemberRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        lambda: services.service_order_requirements_met(
            actor=request.user, order_id=pk, partner=request.organisation
        ),
        _("Requirements marked as met: the product will be shipped."),
    )


@partner_view
@require_POST
def appointment(request: MemberRequest, pk: int) -> HttpResponse:
    form = forms.AppointmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the date of the appointment."))
        return redirect("serviceorders:order", pk=pk)
    return _action(
        request,
        pk,
        lambda: services.service_order_set_appointment(
            actor=request.user,
            order_id=pk,
            partner=request.organisation,
            on=form.cleaned_data["on"],
            time=form.cleaned_data["time"],
        ),
        _("Appointment saved."),
    )


@partner_view
@require_POST
def execute(request: MemberRequest, pk: int) -> HttpResponse:
    form = forms.ExecutionForm(request.POST)
    form.is_valid()
    return _action(
        request,
        pk,
        lambda: services.service_order_confirm_execution(
            actor=request.user,
            order_id=pk,
            partner=request.organisation,
            note=form.cleaned_data.get("note", ""),
        ),
        _("Service marked as performed."),
    )


# --- billing ------------------------------------------------------------------------------------------


@partner_view
@require_http_methods(["GET", "POST"])
def billing(request: MemberRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            ids = [int(value) for value in request.POST.getlist("orders")]
        except ValueError:
            ids = []
        try:
            statement = services.statement_create(
                actor=request.user, partner=request.organisation, order_ids=ids
            )
        except NotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Statement %(number)s created. It is not an invoice yet: "
                    "please invoice the supplier quoting its billing id."
                )
                % {"number": statement.number},
            )
            return redirect("serviceorders:statement", pk=statement.pk)
    orders = list(
        selectors.billable_orders(user=request.user, organisation=request.organisation)[:LIST_LIMIT]
    )
    return render(
        request,
        "serviceorders/pages/billing.html",
        {"orders": orders},
        status=200 if request.method == "GET" else 400,
    )


@both_view
@require_GET
def statement_list(request: MemberRequest) -> HttpResponse:
    rows = list(selectors.statements(user=request.user, organisation=request.organisation)[:LIST_LIMIT])
    return render(
        request,
        "serviceorders/pages/statements.html",
        {"rows": rows, "is_partner": selectors.is_partner(request.organisation)},
    )


def _statement_page(
    request: MemberRequest, pk: int, form: forms.InvoiceForm, status: int = 200
) -> HttpResponse:
    statement = selectors.statement_for(user=request.user, organisation=request.organisation, pk=pk)
    invoices = [
        (invoice, [checks.finding_text(f) for f in invoice.findings])
        for invoice in selectors.statement_invoices(statement=statement)
    ]
    orders = list(
        statement.orders.order_by("sp_id").only(
            "pk", "sp_id", "service", "customer_name", "amount", "currency", "executed_at", "statement_id"
        )
    )
    return render(
        request,
        "serviceorders/pages/statement.html",
        {
            "statement": statement,
            "orders": orders,
            "invoices": invoices,
            "form": form,
            "is_partner": selectors.is_partner(request.organisation),
        },
        status=status,
    )


@both_view
@require_GET
def statement_detail(request: MemberRequest, pk: int) -> HttpResponse:
    return _statement_page(request, pk, forms.InvoiceForm(initial={"kind": PartnerInvoice.Kind.PEPPOL}))


@both_view
@require_POST
def statement_invoice(request: MemberRequest, pk: int) -> HttpResponse:
    form = forms.InvoiceForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        entered = None
        if data["kind"] == PartnerInvoice.Kind.PDF:
            entered = checks.entered(
                invoice_number=data["invoice_number"],
                billing_id=data["billing_id"],
                sp_ids_text=data["sp_ids"],
                total=data["total"],
                currency=data["currency"],
            )
        try:
            invoice = services.partner_invoice_check(
                actor=request.user,
                statement_id=pk,
                organisation=request.organisation,
                file_name=upload.name,
                content=upload.read(),
                entered=entered,
            )
        except NotFound:
            raise
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            if invoice.result == PartnerInvoice.Result.AGREES:
                messages.success(request, _("The invoice agrees with the statement."))
            else:
                messages.warning(
                    request, _("The invoice deviates from the statement; the supplier has been told why.")
                )
            return redirect("serviceorders:statement", pk=pk)
    return _statement_page(request, pk, form, status=400)


@both_view
@require_GET
def statement_pdf(request: MemberRequest, pk: int) -> HttpResponse:
    number, content = selectors.statement_pdf(user=request.user, organisation=request.organisation, pk=pk)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"{number}.pdf") or ""
    return response


# --- SLA report ---------------------------------------------------------------------------------------


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@both_view
@require_GET
def sla(request: MemberRequest) -> HttpResponse:
    until = _date(request.GET.get("until"))
    since = _date(request.GET.get("since"))
    partners = selectors.partners_of(user=request.user, organisation=request.organisation)
    chosen = request.GET.get("partner") or ""
    by = next((pk for pk, _name in partners if str(pk) == chosen), None)
    figures = selectors.sla_report(
        user=request.user, organisation=request.organisation, since=since, until=until, by=by
    )
    return render(
        request,
        "serviceorders/pages/sla.html",
        {
            "figures": figures,
            "partners": partners,
            "partner": chosen if by else "",
            "since": since,
            "until": until,
        },
    )


# --- the supplier's side ------------------------------------------------------------------------------


@supplier_view
@require_GET
def supplier_orders(request: MemberRequest) -> HttpResponse:
    status = request.GET.get("status")
    if status not in Status.values:
        status = None
    counts, rows = selectors.supplier_queue(
        user=request.user, organisation=request.organisation, status=status
    )
    tabs = [(value, label, counts.get(value, 0)) for value, label in Status.choices]
    return render(
        request, "serviceorders/pages/supplier_orders.html", {"rows": rows, "tabs": tabs, "status": status}
    )


@supplier_view
@require_http_methods(["GET", "POST"])
def supplier_new(request: MemberRequest) -> HttpResponse:
    form = forms.ServiceOrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        partner = data.pop("partner")
        try:
            order = services.service_order_create(
                actor=request.user,
                supplier=request.organisation,
                partner=partner,
                data=services.ServiceOrderData(**data),
            )
        except NotFound:
            raise
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, _("Service order %(sp_id)s saved for hand-over.") % {"sp_id": order.sp_id}
            )
            return redirect("serviceorders:order", pk=order.pk)
    return render(
        request, "serviceorders/pages/supplier_new.html", {"form": form}, status=400 if form.errors else 200
    )


@supplier_view
@require_POST
def ship(request: MemberRequest, pk: int) -> HttpResponse:
    form = forms.ShipForm(request.POST)
    form.is_valid()
    return _action(
        request,
        pk,
        lambda: services.service_order_ship(
            actor=request.user,
            order_id=pk,
            supplier=request.organisation,
            arrival_on=form.cleaned_data.get("arrival_on"),
        ),
        _("Shipment recorded: the partner sets the customer appointment."),
    )


@supplier_view
@require_POST
def paid(request: MemberRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        lambda: services.service_order_payment_received(
            actor=request.user, order_id=pk, supplier=request.organisation
        ),
        _("Payment recorded: the order went to the service partner."),
    )


@supplier_view
@require_POST
def cancel(request: MemberRequest, pk: int) -> HttpResponse:
    form = forms.CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for the cancellation."))
        return redirect("serviceorders:order", pk=pk)
    return _action(
        request,
        pk,
        lambda: services.service_order_cancel(
            actor=request.user, order_id=pk, supplier=request.organisation, reason=form.cleaned_data["reason"]
        ),
        _("Service order cancelled."),
    )
