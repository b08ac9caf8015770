"""Touchless processing: matched invoices skip the pre-check by the organisation's rule.

An invoice qualifies when it is waiting for the pre-check, matches its order (exactly or within tolerance,
2-way or 3-way, not held), has no fatal findings, is not a suspected duplicate, and its coding comes from the
order and adds up to its amount. It then goes to the order's approver for attest (``to_attest``), whose
approval limits must cover it as for any invoice, or on to approved for payment (``to_payment``). An invoice
that does not qualify stays with the AP clerk, with the reason in its routing note.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.locking import lock
from avrop.payables.matching.models import InvoiceAutomation, InvoiceMatch, Touchless
from avrop.payables.models import CodingLine, SupplierInvoice

logger = logging.getLogger(__name__)
Status = SupplierInvoice.Status
MATCHING = (InvoiceMatch.MATCHED, InvoiceMatch.WITHIN_TOLERANCE)


def invoices_touchless(*, invoice_ids: Sequence[int]) -> int:
    """Move the qualifying invoices on; returns how many went touchless. Each invoice in its own transaction,
    so one that cannot go on never stops the others."""
    candidates = list(
        SupplierInvoice.objects.filter(
            pk__in=list(invoice_ids),
            status=Status.PRECHECK,
            match_status__in=MATCHING,
            purchase_order__isnull=False,
        ).values_list("pk", "organisation_id")
    )
    modes = dict(
        InvoiceAutomation.objects.filter(organisation_id__in={org for _pk, org in candidates}).values_list(
            "organisation_id", "touchless"
        )
    )
    moved = 0
    for pk, organisation_id in candidates:
        mode = modes.get(organisation_id, Touchless.OFF)
        if mode == Touchless.OFF:
            continue
        try:
            with transaction.atomic():
                moved += _one(pk, mode)
        except Exception:  # one invoice must not stop the others; it stays with the AP clerk
            logger.exception("Touchless processing of invoice %s failed", pk)
    return moved


def _one(pk: int, mode: str) -> int:
    from avrop.payables.selectors import coding_suggestion
    from avrop.payables.services.guards import authority_gaps
    from avrop.payables.services.messages import message_queue
    from avrop.payables.services.workflow import _move

    invoice = lock(SupplierInvoice, pk)
    if invoice.status != Status.PRECHECK or invoice.match_status not in MATCHING:
        return 0
    why = _not_touchless(invoice)
    suggestion = coding_suggestion(invoice) if not why else None
    if suggestion is not None and suggestion.source != CodingLine.Source.ORDER:
        why = _("its coding does not come from the order")
    expected = invoice.net_amount if invoice.net_amount is not None else invoice.payable_amount
    if suggestion is not None and not why:
        total = sum((line.amount for line in suggestion.lines), Decimal(0))
        if expected is None or total != expected:
            why = _("the order's coding does not add up to the invoice's amount")
    reviewer = invoice.reviewer
    if not why and reviewer is None:
        why = _("the order names no approver to attest it")
    if not why:
        assert suggestion is not None and reviewer is not None
        gaps = authority_gaps(
            asker=reviewer,
            approver=reviewer,
            invoice=invoice,
            coding=[(line.cost_centre, line.account) for line in suggestion.lines],
        )
        if gaps:
            why = " ".join(gaps)
    if why:
        note = (_("Not touchless: %(why)s.") % {"why": why.rstrip(".")})[:300]
        if invoice.routing_note != note:
            invoice.routing_note = note
            invoice.save(update_fields=["routing_note", "updated_at"])
        return 0
    assert suggestion is not None and reviewer is not None
    CodingLine.objects.bulk_create(
        [
            CodingLine(
                invoice=invoice,
                account=line.account,
                cost_centre=line.cost_centre,
                project=line.project,
                amount=line.amount,
                source=CodingLine.Source.ORDER,
            )
            for line in suggestion.lines
        ]
    )
    order = invoice.purchase_order
    assert order is not None  # only invoices naming an order are candidates
    invoice.touchless = True
    invoice.sent_to_review_at = timezone.now()
    invoice.routing_note = (_("Touchless: matches order %(order)s") % {"order": order.number})[:300]
    _move(
        invoice,
        Status.WAITING_REVIEW,
        actor=None,
        action="supplier_invoice.touchless_review",
        comment=_("Matches order %(order)s; coded as the order.") % {"order": order.number},
        fields=["touchless", "sent_to_review_at", "routing_note"],
    )
    if mode == Touchless.TO_PAYMENT:
        invoice.approved_at = timezone.now()
        message_queue(invoice=invoice, code="AP", actor=None)
        _move(
            invoice,
            Status.APPROVED,
            actor=None,
            action="supplier_invoice.touchless_approve",
            comment=_("Approved by rule: matches order %(order)s, which %(name)s approved.")
            % {"order": order.number, "name": reviewer.get_full_name() or reviewer.username},
            fields=["approved_at"],
        )
    return 1


def _not_touchless(invoice: SupplierInvoice) -> str:
    if invoice.fatal_count:
        return _("the invoice has errors")
    if invoice.duplicate_of_id:
        return _("it may be a duplicate")
    if invoice.kind != SupplierInvoice.Kind.INVOICE:
        return _("credit notes are checked by a person")
    return ""


def touchless_share(*, organisation: Any, since: Any) -> tuple[int, int]:
    """(touchless, all) invoices received by the organisation since the given moment."""
    from django.db.models import Count, Q

    counts = SupplierInvoice.objects.filter(
        organisation=organisation, kind=SupplierInvoice.Kind.INVOICE, created_at__gte=since
    ).aggregate(touchless=Count("pk", filter=Q(touchless=True)), all=Count("pk"))
    return counts["touchless"], counts["all"]
