from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from avrop.portal.access import customer_relations, portal_view


@portal_view()
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """The portal's own start page: the buyers served and where each kind of work is."""
    return render(
        request,
        "portal/start.html",
        {"customers": list(customer_relations(request.organisation))},
    )
