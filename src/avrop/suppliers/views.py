"""Supplier pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from avrop.core.decorators import org_view
from avrop.suppliers.selectors import supplier_get, supplier_list


@org_view()
@require_GET
def suppliers(request: HttpRequest) -> HttpResponse:
    rows = supplier_list(user=request.user, organisation=request.organisation)
    return render(request, "suppliers/pages/suppliers.html", {"suppliers": rows})


@org_view()
@require_GET
def supplier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = supplier_get(user=request.user, organisation=request.organisation, supplier_id=pk)
    return render(
        request,
        "suppliers/pages/supplier_detail.html",
        {
            "supplier": supplier,
            "contacts": supplier.contacts.all(),
            "customer_numbers": supplier.customer_numbers.select_related("department"),
        },
    )
