"""The supplier answers a disputed invoice (the buyer's Invoice Response UQ) in the portal."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from avrop.core.errors import DomainError
from avrop.organisations.requests import MemberRequest
from avrop.portal.access import portal_view
from avrop.portal.services import invoice_reads


@portal_view()
@require_POST
def dispute_answer(request: MemberRequest, pk: int) -> HttpResponse:
    from avrop.payables.attest.services import invoice_dispute_answer

    invoice = invoice_reads.invoice_of(request.organisation, pk)
    answer = request.POST.get("answer", "")[:4000]
    try:
        invoice_dispute_answer(actor=request.user, invoice_id=invoice.pk, answer=answer)
    except DomainError as exc:
        if exc.http_status == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your answer was sent to the buyer."))
    return redirect("portal:invoice", pk=invoice.pk)
