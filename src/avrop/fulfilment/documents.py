"""Reading a Peppol despatch advice (T16) into what fulfilment uses. Building one is
``avrop.ordering.documents.despatch_advice_xml`` (the order's parties are laid out there, as in the T01)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from avrop.edi.documents import DespatchAdvice, parse
from avrop.ordering.documents import participant_text


@dataclass
class DespatchLineData:
    line_id: str
    quantity: Decimal


@dataclass
class DespatchData:
    document_id: str
    sender: str
    buyer: str
    order_number: str
    despatched_on: dt.date
    expected_on: dt.date | None = None
    carrier: str = ""
    tracking_number: str = ""
    note: str = ""
    lines: list[DespatchLineData] = field(default_factory=list)


def read_despatch_advice(content: bytes) -> DespatchData:
    """The parts of a T16 fulfilment uses. Raises ``ValueError`` when it is no despatch advice."""
    document = parse(content)
    if not isinstance(document, DespatchAdvice):
        raise ValueError(f"{type(document).__name__} is not a despatch advice")
    supplier_party = document.despatch_supplier.party
    sender = participant_text(supplier_party.endpoint_id) if supplier_party is not None else ""
    buyer_party = document.buyer.party if document.buyer is not None else document.delivery_customer.party
    buyer = participant_text(buyer_party.endpoint_id) if buyer_party is not None else ""
    order_number = document.order_reference.id if document.order_reference is not None else ""
    shipment = document.shipment
    delivery = document.delivery
    despatched_on = document.issue_date
    expected_on = None
    if delivery is not None:
        if delivery.despatch is not None and delivery.despatch.actual_despatch_date is not None:
            despatched_on = delivery.despatch.actual_despatch_date
        period = delivery.estimated_delivery_period
        if period is not None:
            expected_on = period.end_date or period.start_date
    carrier = ""
    if shipment is not None:
        for consignment in shipment.consignments:
            party = consignment.carrier_party
            if party is not None and party.names:
                carrier = party.names[0].name or ""
                break
    lines = []
    for line in document.lines:
        reference = next((r for r in line.order_line_references if r.line_id), None)
        if line.delivered_quantity is None:
            continue
        if reference is not None and not order_number and reference.order_reference is not None:
            order_number = reference.order_reference.id
        lines.append(
            DespatchLineData(
                line_id=str(reference.line_id if reference is not None else line.id),
                quantity=line.delivered_quantity.value,
            )
        )
    return DespatchData(
        document_id=document.id,
        sender=sender,
        buyer=buyer,
        order_number=order_number,
        despatched_on=despatched_on,
        expected_on=expected_on,
        carrier=carrier,
        tracking_number=(shipment.tracking_id or "") if shipment is not None else "",
        note="\n".join(document.notes),
        lines=lines,
    )
