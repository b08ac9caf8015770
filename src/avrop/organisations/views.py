"""Organisation switcher and department pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from avrop.core.decorators import org_view
from avrop.core.errors import NotFound
from avrop.organisations.middleware import SESSION_KEY
from avrop.organisations.selectors import department_get, department_list, organisation_get


@login_required
@require_POST
def switch_organisation(request: HttpRequest) -> HttpResponse:
    try:
        organisation = organisation_get(
            user=request.user, organisation_id=int(request.POST.get("organisation", ""))
        )
    except (NotFound, ValueError):
        raise Http404("Unknown organisation.") from None
    request.session[SESSION_KEY] = organisation.pk
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


@org_view()
@require_GET
def departments(request: HttpRequest) -> HttpResponse:
    rows = department_list(user=request.user, organisation=request.organisation).prefetch_related(
        "delivery_addresses"
    )
    return render(request, "organisations/pages/departments.html", {"departments": rows})


@org_view()
@require_GET
def department_detail(request: HttpRequest, pk: int) -> HttpResponse:
    department = department_get(user=request.user, organisation=request.organisation, department_id=pk)
    return render(
        request,
        "organisations/pages/department_detail.html",
        {"department": department, "addresses": department.delivery_addresses.all()},
    )
