from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from avrop.organisations.requests import MemberRequest
from avrop.portal import home
from avrop.portal.access import customer_relations, portal_view


@portal_view()
@require_GET
def start(request: MemberRequest) -> HttpResponse:
    """The portal's overview: the buyers served, and the work waiting in each area."""
    return render(
        request,
        "portal/start.html",
        {
            "customers": list(customer_relations(request.organisation)),
            "sections": home.sections(
                user=request.user, organisation=request.organisation, roles=request.roles
            ),
            "is_spoc": "spoc" in request.roles,
        },
    )
