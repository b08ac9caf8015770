"""After a punch-out: the checked lines of the shop cart, and adding them to the requisitioner's cart.

The shop's return itself is taken by the catalogue app (``catalogue.views_punch_out.return_from_shop``),
which sends the browser here.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from avrop.catalogue.punch_out.messages import problem_text, reason_text
from avrop.catalogue.services.punch_out import punch_out_session_get
from avrop.core.decorators import buyer_view
from avrop.core.errors import DomainError
from avrop.ordering.services._common import ORDER_ROLES
from avrop.ordering.services.punch_out import cart_add_punch_out
from avrop.organisations.requests import MemberRequest


@buyer_view(ORDER_ROLES)
@require_http_methods(["GET", "POST"])
def review(request: MemberRequest, token: str) -> HttpResponse:
    session_key = request.session.session_key
    if request.method == "POST":
        try:
            lines = cart_add_punch_out(
                actor=request.user, organisation=request.organisation, token=token, session_key=session_key
            )
        except DomainError as exc:
            if exc.code == "not_found":
                raise
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("%(n)s lines from the shop were added to the cart.") % {"n": len(lines)}
            )
            return redirect("ordering:cart")
    session = punch_out_session_get(
        user=request.user, organisation=request.organisation, token=token, session_key=session_key
    )
    result = session.result or {}
    checked = [
        dict(line, reason_texts=[reason_text(r) for r in line["reasons"]]) for line in result.get("lines", [])
    ]
    problems = [problem_text(p) for p in result.get("problems", [])]
    if session.status == session.Status.OPEN:
        problems.append(_("The shop has not sent the cart back yet."))
    return render(
        request,
        "ordering/pages/punch_out_review.html",
        {
            "session": session,
            "lines": checked,
            "problems": problems,
            "accepted": sum(1 for line in checked if line["accepted"]),
        },
    )
