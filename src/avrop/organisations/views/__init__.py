"""Organisation switcher; the master-data pages live in one module per family."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from avrop.core.errors import NotFound
from avrop.organisations.middleware import SESSION_KEY
from avrop.organisations.requests import SignedInRequest
from avrop.organisations.selectors import organisation_get


@login_required
@require_POST
def switch_organisation(request: SignedInRequest) -> HttpResponse:
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
