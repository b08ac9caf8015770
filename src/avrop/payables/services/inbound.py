"""What an AP clerk does with an inbound document that did not become an invoice."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import InvalidTransition, NotFound
from avrop.payables.models import InboundDocument, SupplierInvoice
from avrop.payables.services.guards import require_ap_clerk
from avrop.payables.services.intake import process_stored
from avrop.payables.workflows import assert_inbound_transition

Status = InboundDocument.Status


def inbound_document_retry(
    *, actor: Any, organisation: Any, document_id: int
) -> tuple[InboundDocument, SupplierInvoice | None]:
    """Take a set-aside document in again (the error that stopped it may be gone); returns the document and
    the invoice it became, if it did. Should it fail again, it is set aside again with a fresh reason."""
    require_ap_clerk(actor, organisation)
    with transaction.atomic():
        try:
            document = InboundDocument.objects.select_for_update().get(
                pk=document_id, organisation=organisation
            )
        except (InboundDocument.DoesNotExist, ValueError, TypeError):
            raise NotFound() from None
        try:
            assert_inbound_transition(document, to=Status.RECEIVED)
        except InvalidTransition:
            raise InvalidTransition(
                _("Only a document set aside after an error can be tried again; this one is “%(status)s”.")
                % {"status": document.get_status_display()}
            ) from None
        before = document.error_detail
        document.status = Status.RECEIVED
        document.findings, document.error_detail = [], ""
        document.attempts, document.claimed_at, document.processed_at = 0, timezone.now(), None
        document.save(
            update_fields=[
                "status",
                "findings",
                "error_detail",
                "attempts",
                "claimed_at",
                "processed_at",
                "updated_at",
            ]
        )
        audit(
            actor=actor,
            action="inbound_document.retry",
            obj=document,
            organisation=organisation,
            before={"error": before[:500]},
        )
    result = process_stored([document])
    document.refresh_from_db()
    return document, (result.invoices[0] if result.invoices else None)
