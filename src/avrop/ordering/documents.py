"""Peppol documents of ordering, built from purchase orders with ``avrop.edi.documents``.

T01 Order for a new order, T115 Order Cancellation and T114 Order Change for the buyer's later wishes (the
advanced-ordering profile; suppliers on basic ordering get these by e-mail instead, see ``channels``).
The receiving side reads T76 Order Responses with ``read_order_response``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from avrop.edi.documents import (
    Address,
    Amount,
    Attachment,
    BinaryObject,
    Contact,
    Contract,
    Country,
    CustomerParty,
    Delivery,
    DocumentReference,
    Identifier,
    Item,
    ItemIdentification,
    LineItem,
    Location,
    MonetaryTotal,
    Order,
    OrderCancellation,
    OrderLine,
    OrderLineReference,
    OrderReference,
    OrderResponse,
    Party,
    PartyIdentification,
    PartyLegalEntity,
    PartyName,
    Period,
    Price,
    Quantity,
    SupplierParty,
    build,
    parse,
)
from avrop.edi.documents.codes import OrderTypeCode


def participant(peppol_id: str) -> Identifier | None:
    """``0007:2120001234`` → Identifier with its scheme; None when not set."""
    scheme, sep, value = (peppol_id or "").partition(":")
    if not sep or not value:
        return None
    return Identifier(value.strip(), scheme_id=scheme.strip())


def participant_text(identifier: Identifier | None) -> str:
    if identifier is None:
        return ""
    return f"{identifier.scheme_id}:{identifier.value}" if identifier.scheme_id else identifier.value


def _address(street: str, postal: str, city: str, country: str, **extra: Any) -> Address:
    return Address(
        street_name=street or None,
        city_name=city or None,
        postal_zone=(postal or "").replace(" ", "") or None,
        country=Country(identification_code=country or "SE"),
        **{k: v for k, v in extra.items() if v},
    )


def _party(
    organisation: Any, *, gln: str = "", contact: Contact | None = None, customer_number: str = ""
) -> Party:
    org_number = (organisation.org_number or "").replace("-", "")
    identifications = [PartyIdentification(id=Identifier(gln, scheme_id="0088"))] if gln else []
    if customer_number:
        # The supplier's number for this department; T01 has no account-id field, so it is an identification.
        identifications.append(PartyIdentification(id=Identifier(customer_number)))
    return Party(
        endpoint_id=participant(organisation.peppol_id),
        identifications=identifications,
        names=[PartyName(name=organisation.name)],
        postal_address=_address(
            organisation.street, organisation.postal_code, organisation.city, organisation.country
        ),
        legal_entities=[
            PartyLegalEntity(
                registration_name=organisation.name,
                company_id=Identifier(org_number, scheme_id="0007") if organisation.country == "SE" else None,
            )
        ],
        contact=contact,
    )


def _where(address: Any) -> str:
    """Building, floor and room in one line (Peppol T01 has no fields of their own for them)."""
    parts = [
        address.building,
        f"vån {address.floor}" if address.floor else "",
        f"rum {address.room}" if address.room else "",
    ]
    return ", ".join(p for p in parts if p)


def _location(address: Any, *, with_id: bool = True) -> Location:
    return Location(
        id=Identifier(address.gln, scheme_id="0088") if address.gln and with_id else None,
        name=address.label or None,
        address=_address(
            address.street,
            address.postal_code,
            address.city,
            "SE",
            additional_street_name=_where(address),
        ),
    )


def _delivery_party(address: Any) -> Party | None:
    if not address.contact_name:
        return None
    return Party(
        names=[PartyName(name=address.contact_name)],
        contact=Contact(name=address.contact_name, telephone=address.contact_phone or None),
    )


@dataclass
class OrderData:
    """Everything an order document needs, loaded once (the builder runs no queries)."""

    order: Any
    lines: list[Any]
    buyer: Any
    supplier: Any
    department: Any
    requisitioner: Any
    delivery_address: Any | None
    agreement_reference: str = ""
    line_addresses: dict[int, Any] = field(default_factory=dict)
    line_notes: dict[int, list[str]] = field(default_factory=dict)
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    # Through a distribution centre (``ordering.delivery_routes``): delivered there, then to the department.
    route: Any | None = None


def _recipient_party(route: Any) -> Party:
    """The final recipient of goods delivered to a distribution centre: the department with its GLN, named
    as the delivery party (BIS 3 Order, cac:Delivery/cac:DeliveryParty)."""
    return Party(
        identifications=[PartyIdentification(id=Identifier(route.recipient_gln, scheme_id="0088"))]
        if route.recipient_gln
        else [],
        names=[PartyName(name=route.recipient_name)],
        contact=Contact(name=route.recipient_contact or None, telephone=route.recipient_phone or None)
        if route.recipient_contact or route.recipient_phone
        else None,
    )


# The attachment types Peppol BIS allows embedded (mimeCode code list).
PEPPOL_MIME_CODES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.spreadsheet",
    }
)


def _amount(value: Decimal, currency: str) -> Amount:
    return Amount(value.quantize(Decimal("0.01")), currency)


def _quantity(value: Decimal, unit: str) -> Quantity:
    return Quantity(value.normalize() if value == value.to_integral() else value, unit or "EA")


def order_document(data: OrderData) -> Order:
    po = data.order
    currency = po.currency
    contact = Contact(
        name=data.requisitioner.get_full_name() or data.requisitioner.username,
        telephone=getattr(data.requisitioner, "phone", "") or None,
        electronic_mail=data.requisitioner.email or None,
    )
    buyer = CustomerParty(
        party=_party(data.buyer, gln=po.buyer_gln, contact=contact, customer_number=po.customer_number)
    )
    seller = SupplierParty(party=_party(data.supplier))
    header_address = data.delivery_address
    deliveries = []
    route = data.route
    if route is not None:
        # Everything goes to the distribution centre; the department is the final recipient.
        deliveries.append(
            Delivery(
                delivery_location=_location(route.location),
                requested_delivery_period=Period(start_date=po.requested_delivery_date)
                if po.requested_delivery_date
                else None,
                delivery_party=_recipient_party(route),
            )
        )
    elif header_address is not None:
        deliveries.append(
            Delivery(
                delivery_location=_location(header_address),
                requested_delivery_period=Period(start_date=po.requested_delivery_date)
                if po.requested_delivery_date
                else None,
                delivery_party=_delivery_party(header_address),
            )
        )
    total = Decimal("0")
    order_lines = []
    for line in data.lines:
        total += line.line_amount
        address = data.line_addresses.get(line.pk)
        line_deliveries = []
        own_address = (
            route is None
            and address is not None
            and header_address is not None
            and address.pk != header_address.pk
        )
        if line.requested_delivery_date or own_address:
            line_deliveries.append(
                Delivery(
                    delivery_location=_location(address, with_id=False) if own_address else None,
                    requested_delivery_period=Period(start_date=line.requested_delivery_date)
                    if line.requested_delivery_date
                    else None,
                )
            )
        item = Item(
            name=line.name[:300],
            sellers_item_identification=ItemIdentification(id=Identifier(line.article_number))
            if line.article_number
            else None,
            standard_item_identification=ItemIdentification(id=Identifier(line.gtin, scheme_id="0160"))
            if line.gtin
            else None,
        )
        order_lines.append(
            OrderLine(
                notes=data.line_notes.get(line.pk, []),
                line_item=LineItem(
                    id=str(line.line_number),
                    quantity=_quantity(line.quantity, line.unit),
                    line_extension_amount=_amount(line.line_amount, currency),
                    accounting_cost=line.accounting or None,
                    deliveries=line_deliveries,
                    price=Price(price_amount=Amount(line.unit_price.normalize(), currency)),
                    item=item,
                ),
            )
        )
    return Order(
        id=po.number,
        issue_date=po.ordered_on,
        order_type_code=OrderTypeCode.ORDER,
        currency=currency,
        customer_reference=po.buyer_reference or po.number,
        notes=[route.note[:1000]] if route is not None and route.note else [],
        contracts=[Contract(id=data.agreement_reference)] if data.agreement_reference else [],
        additional_document_references=[
            DocumentReference(
                id=Identifier(name[:100]),
                document_type=name[:100],
                attachment=Attachment(embedded_document=BinaryObject(content, mime, name)),
            )
            for name, content, mime in data.attachments
            if mime in PEPPOL_MIME_CODES
        ],
        buyer=buyer,
        seller=seller,
        deliveries=deliveries,
        anticipated_monetary_total=MonetaryTotal(
            line_extension_amount=_amount(total, currency), payable_amount=_amount(total, currency)
        ),
        lines=order_lines,
    )


def order_xml(data: OrderData) -> bytes:
    return build(order_document(data))


def cancellation_xml(*, order: Any, buyer: Any, supplier: Any, reason: str, issue_date: dt.date) -> bytes:
    document = OrderCancellation(
        id=f"{order.number}-C",
        issue_date=issue_date,
        cancellation_notes=[reason or "Cancelled by the buyer"],
        order_references=[OrderReference(id=order.number)],
        buyer=CustomerParty(party=_party(buyer, gln=order.buyer_gln)),
        seller=SupplierParty(party=_party(supplier)),
    )
    return build(document)


def order_response_xml(
    *,
    order: Any,
    code: str,
    issue_date: dt.date,
    document_id: str,
    lines: list[dict[str, Any]] | None = None,
    promised: dt.date | None = None,
    note: str = "",
    sender: str = "",
) -> bytes:
    """A T76 as the supplier would send it (demo data, tests, and the portal's answer as a document).

    ``lines``: ``{"line_id", "status", "quantity", "price", "date", "substitute": (article, name)}``."""
    supplier = order.supplier.organisation
    order_lines = []
    for data in lines or []:
        substitute = data.get("substitute")
        order_lines.append(
            OrderLine(
                line_item=LineItem(
                    id=str(data["line_id"]),
                    line_status_code=str(data.get("status", "3")),
                    quantity=Quantity(Decimal(str(data["quantity"])), data.get("unit", "EA"))
                    if "quantity" in data
                    else None,
                    price=Price(price_amount=Amount(Decimal(str(data["price"])), order.currency))
                    if "price" in data
                    else None,
                    deliveries=[
                        Delivery(
                            promised_delivery_period=Period(start_date=data["date"], end_date=data["date"])
                        )
                    ]
                    if data.get("date")
                    else [],
                    item=Item(name=data.get("name", "-")),
                ),
                seller_substituted_line_items=[
                    LineItem(
                        id=str(data["line_id"]),
                        item=Item(
                            name=substitute[1],
                            sellers_item_identification=ItemIdentification(id=Identifier(substitute[0])),
                        ),
                    )
                ]
                if substitute
                else [],
                order_line_references=[OrderLineReference(line_id=str(data["line_id"]))],
            )
        )
    document = OrderResponse(
        id=document_id,
        issue_date=issue_date,
        response_code=code,
        notes=[note] if note else [],
        currency=order.currency,
        order_references=[OrderReference(id=order.number)],
        seller=SupplierParty(
            party=Party(
                endpoint_id=participant(sender or supplier.peppol_id),
                legal_entities=[PartyLegalEntity(registration_name=supplier.name)],
            )
        ),
        buyer=CustomerParty(
            party=Party(
                endpoint_id=participant(order.organisation.peppol_id),
                legal_entities=[PartyLegalEntity(registration_name=order.organisation.name)],
            )
        ),
        deliveries=[Delivery(promised_delivery_period=Period(start_date=promised, end_date=promised))]
        if promised
        else [],
        lines=order_lines,
    )
    return build(document)


# --- reading order responses ------------------------------------------------------------------------------


@dataclass
class ResponseLine:
    line_id: str
    status_code: str
    quantity: Decimal | None
    unit_price: Decimal | None
    delivery_date: dt.date | None
    substitute_article_number: str = ""
    substitute_name: str = ""


@dataclass
class ResponseData:
    document_id: str
    issue_date: dt.date | None
    code: str
    order_number: str
    sender: str
    buyer: str
    note: str
    promised_delivery_date: dt.date | None
    lines: list[ResponseLine]


def _article(item: Item | None) -> str:
    if item is not None and item.sellers_item_identification is not None:
        return item.sellers_item_identification.id.value
    return ""


def read_order_response(content: bytes) -> ResponseData:
    """The parts of a T76 that ordering uses. Raises ``ValueError`` when it is no order response."""
    document = parse(content)
    if not isinstance(document, OrderResponse):
        raise ValueError(f"{type(document).__name__} is not an order response")
    seller = document.seller.party if document.seller is not None else None
    sender = participant_text(seller.endpoint_id) if seller is not None else ""
    buyer_party = document.buyer.party if document.buyer is not None else None
    buyer = participant_text(buyer_party.endpoint_id) if buyer_party is not None else ""
    promised = None
    if document.delivery is not None and document.delivery.promised_delivery_period is not None:
        period = document.delivery.promised_delivery_period
        promised = period.end_date or period.start_date
    lines: list[ResponseLine] = []
    for order_line in document.lines:
        item = order_line.line_item
        line_id = item.id
        for reference in order_line.order_line_references:
            if reference.line_id:
                line_id = reference.line_id
                break
        line_period = item.delivery_period
        substitutes = order_line.seller_substituted_line_items
        substitute = substitutes[0] if substitutes else None
        lines.append(
            ResponseLine(
                line_id=str(line_id),
                status_code=item.line_status_code or "",
                quantity=item.quantity.value if item.quantity is not None else None,
                unit_price=item.price.price_amount.value if item.price is not None else None,
                delivery_date=(line_period.end_date or line_period.start_date)
                if line_period is not None
                else None,
                substitute_article_number=_article(substitute.item) if substitute is not None else "",
                substitute_name=(substitute.item.name or "") if substitute is not None else "",
            )
        )
    return ResponseData(
        document_id=document.id,
        issue_date=document.issue_date,
        code=document.response_code or "",
        order_number=document.order_reference.id if document.order_reference is not None else "",
        sender=sender,
        buyer=buyer,
        note=document.note or "",
        promised_delivery_date=promised,
        lines=lines,
    )


# --- despatch advice (T16) --------------------------------------------------------------------------------


def despatch_advice_xml(
    *, order: Any, despatch: Any, lines: list[tuple[Any, Decimal]], left: dict[int, Decimal]
) -> bytes:
    """The despatch advice a supplier registered in the portal, as the T16 a Peppol-connected supplier would
    send: what shipped per order line, what is still outstanding, carrier and tracking number."""
    from avrop.edi.documents import Consignment, Despatch, DespatchAdvice, DespatchLine, Shipment

    supplier = order.supplier.organisation
    address = order.delivery_address
    buyer = order.organisation

    def party(organisation: Any, *, gln: str = "", where: Any = None) -> Party:
        # T16 parties carry no names or company ids of their own (its data model refuses them).
        street = where if where is not None else organisation
        return Party(
            endpoint_id=participant(organisation.peppol_id),
            identifications=[PartyIdentification(id=Identifier(gln, scheme_id="0088"))] if gln else [],
            postal_address=_address(
                street.street,
                street.postal_code,
                street.city,
                "SE" if where is not None else organisation.country,
                **({"additional_street_name": _where(where)} if where is not None else {}),
            ),
            legal_entities=[PartyLegalEntity(registration_name=organisation.name)],
        )

    delivery_party = party(buyer, gln=order.buyer_gln, where=address)
    despatch_lines = []
    for index, (line, quantity) in enumerate(lines, start=1):
        outstanding = left.get(line.pk, Decimal("0"))
        despatch_lines.append(
            DespatchLine(
                id=str(index),
                delivered_quantity=_quantity(quantity, line.unit),
                outstanding_quantity=_quantity(outstanding, line.unit) if outstanding > 0 else None,
                outstanding_reasons=["Restnoterad"] if outstanding > 0 else [],
                order_line_references=[
                    OrderLineReference(
                        line_id=str(line.line_number), order_reference=OrderReference(id=order.number)
                    )
                ],
                item=Item(
                    name=line.name[:200] or "-",
                    sellers_item_identification=ItemIdentification(id=Identifier(line.article_number))
                    if line.article_number
                    else None,
                ),
            )
        )
    document = DespatchAdvice(
        id=despatch.number,
        issue_date=despatch.despatched_on,
        notes=[despatch.note] if despatch.note else [],
        order_references=[OrderReference(id=order.number)],
        despatch_supplier=SupplierParty(party=party(supplier)),
        delivery_customer=CustomerParty(party=delivery_party),
        shipment=Shipment(
            id=despatch.tracking_number or "NA",
            consignments=[
                Consignment(
                    id=despatch.tracking_number or despatch.number,
                    carrier_party=Party(names=[PartyName(name=despatch.carrier)])
                    if despatch.carrier
                    else None,
                )
            ],
            delivery=Delivery(
                tracking_id=despatch.tracking_number or None,
                estimated_delivery_period=Period(
                    start_date=despatch.expected_on, end_date=despatch.expected_on
                )
                if despatch.expected_on
                else None,
                despatch=Despatch(actual_despatch_date=despatch.despatched_on),
            ),
        ),
        lines=despatch_lines,
    )
    return build(document)
