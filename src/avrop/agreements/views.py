"""Agreement pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from avrop.agreements.selectors import agreement_get, agreement_list
from avrop.core.decorators import org_view


@org_view()
@require_GET
def agreements(request: HttpRequest) -> HttpResponse:
    rows = agreement_list(user=request.user, organisation=request.organisation)
    return render(request, "agreements/pages/agreements.html", {"agreements": rows})


@org_view()
@require_GET
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = agreement_get(user=request.user, organisation=request.organisation, agreement_id=pk)
    return render(
        request,
        "agreements/pages/agreement_detail.html",
        {"agreement": agreement, "parties": agreement.parties.select_related("organisation")},
    )
