"""The OCR progress of a scanned PDF invoice (polled by the registration page) and reading it again."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from avrop.core.decorators import buyer_view
from avrop.core.progress import progress_response
from avrop.organisations.requests import MemberRequest
from avrop.organisations.roles import Role
from avrop.payables import selectors
from avrop.payables.models import SupplierInvoice
from avrop.payables.scanning import display, services

CLERK_ROLES = [Role.AP_CLERK, Role.ADMIN]


@buyer_view(CLERK_ROLES)
@require_GET
def pdf_reading(request: MemberRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(user=request.user, organisation=request.organisation, invoice_id=pk)
    reading = display.reading_of(invoice)
    if reading is None:
        raise Http404()
    return progress_response(request, display.progress(reading))


@buyer_view(CLERK_ROLES)
@require_POST
def pdf_reading_retry(request: MemberRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(user=request.user, organisation=request.organisation, invoice_id=pk)
    if (
        invoice.status != SupplierInvoice.Status.REGISTRATION
        or invoice.document.content_type != "application/pdf"
    ):
        raise Http404()
    services.reading_retry(actor=request.user, invoice=invoice)
    messages.success(request, _("The scan is being read again."))
    return redirect(reverse("payables:invoice", args=[invoice.pk]))
