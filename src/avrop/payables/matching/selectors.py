"""Reads of matching results for the invoice page (the invoice itself is already scoped by its selector)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from avrop.payables.matching import reasons
from avrop.payables.matching.models import InvoiceLine, InvoiceMatch, LineMatch


@dataclass
class LineView:
    line: InvoiceLine
    order_line: Any
    texts: list[str] = field(default_factory=list)

    @property
    def deviates(self) -> bool:
        return self.line.match in {LineMatch.DEVIATION, LineMatch.NO_ORDER_LINE}


@dataclass
class MatchView:
    status: str
    label: str
    texts: list[str]
    lines: list[LineView]

    @property
    def deviates(self) -> bool:
        return self.status in {InvoiceMatch.DEVIATION, InvoiceMatch.CREDIT_DEVIATION, InvoiceMatch.HELD}


def match_view(invoice: Any) -> MatchView | None:
    """The invoice's matching result with each line's order line and reasons in words; None if not matched."""
    if not invoice.match_status:
        return None
    lines = [
        LineView(line=line, order_line=line.order_line, texts=reasons.texts(line.match_reasons))
        for line in InvoiceLine.objects.filter(invoice=invoice)
        .select_related("order_line")
        .order_by("position")
    ]
    texts = reasons.texts(invoice.match_reasons)
    if invoice.match_status == InvoiceMatch.HELD and invoice.purchase_order_id:
        from avrop.fulfilment.selectors import order_ready_to_invoice

        texts += order_ready_to_invoice(invoice.purchase_order_id)[1]  # what is missing, as it stands now
    return MatchView(
        status=invoice.match_status,
        label=str(invoice.get_match_status_display()),
        texts=texts,
        lines=[v for v in lines if v.line.match],
    )
