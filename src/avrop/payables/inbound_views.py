"""Pages of the inbound documents that did not become invoices: the list, the file, and trying one again.

Kept apart from ``views.py`` (the invoices' pages); thin as they are: parse, call one service, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from avrop.core.decorators import buyer_view
from avrop.core.errors import DomainError
from avrop.organisations.requests import MemberRequest
from avrop.organisations.roles import Role
from avrop.payables import inbound_selectors, rules
from avrop.payables.models import InboundDocument
from avrop.payables.services.inbound import inbound_document_retry

AP_ROLES = [Role.AP_CLERK, Role.ADMIN, Role.AUDITOR]
CLERK_ROLES = [Role.AP_CLERK, Role.ADMIN]
MAX_ROWS = 200
MAX_REASONS = 5


@buyer_view(AP_ROLES)
@require_GET
def set_aside_list(request: MemberRequest) -> HttpResponse:
    documents = inbound_selectors.set_aside_list(user=request.user, organisation=request.organisation)
    rows = list(documents.select_related("received_by")[:MAX_ROWS])
    for row in rows:
        row.reasons = [rules.explain(f) for f in row.findings[:MAX_REASONS]]  # type: ignore[attr-defined]
        row.more_reasons = max(len(row.findings) - MAX_REASONS, 0)  # type: ignore[attr-defined]
        row.rule_codes = sorted({str(f.get("rule", "")) for f in row.findings})  # type: ignore[attr-defined]
    return render(
        request,
        "payables/pages/set_aside.html",
        {
            "rows": rows,
            "total": len(rows) if len(rows) < MAX_ROWS else documents.count(),
            "can_retry": bool(request.roles & set(CLERK_ROLES)),
            "set_aside": InboundDocument.Status.SET_ASIDE,
        },
    )


@buyer_view(AP_ROLES)
@require_GET
def set_aside_original(request: MemberRequest, pk: int) -> FileResponse:
    """The file exactly as received, as a download (it may be anything, so it is never shown inline)."""
    document = inbound_selectors.set_aside_get(
        user=request.user, organisation=request.organisation, document_id=pk
    )
    extension = "pdf" if document.content_type == "application/pdf" else "xml"
    return FileResponse(
        default_storage.open(document.storage_name, "rb"),
        as_attachment=True,
        filename=f"{document.sha256[:16]}.{extension}",
        content_type="application/octet-stream",
    )


@buyer_view(CLERK_ROLES)
@require_POST
def set_aside_retry(request: MemberRequest, pk: int) -> HttpResponse:
    back = redirect(reverse("payables:set_aside"))
    try:
        document, invoice = inbound_document_retry(
            actor=request.user, organisation=request.organisation, document_id=pk
        )
    except DomainError as exc:
        if exc.http_status == 404:
            raise
        messages.error(request, exc.message)
        return back
    if invoice is not None:
        messages.success(
            request,
            _("The document was processed and is now invoice %(number)s.")
            % {"number": invoice.number or "–"},
        )
        return redirect(reverse("payables:invoice", args=[invoice.pk]))
    if document.status == InboundDocument.Status.SET_ASIDE:
        messages.error(
            request, _("The document could not be processed this time either; it stays set aside.")
        )
    else:
        messages.warning(request, _("The document was read again but is not an invoice we can take in."))
    return back
