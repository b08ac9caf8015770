"""The lines a requisitioner brought back from a supplier's web shop join the cart.

The catalogue app opened the punch-out session, took the shop's return once and checked every line
(``catalogue.services.punch_out``); here the accepted lines become cart lines in the same transaction that
marks the session joined, so a second click or a reload adds nothing twice. From the cart on, they follow
the normal flow: approval, then one purchase order per supplier, sent as the supplier is configured.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from avrop.catalogue.selectors import callable_agreement_ids
from avrop.catalogue.services.punch_out import punch_out_lock_for_join, punch_out_mark_joined
from avrop.core.audit import audit
from avrop.ordering.models import CodingSplit, RequisitionLine
from avrop.ordering.services._common import ORDER_ROLES
from avrop.ordering.services.cart import (
    _default_address,
    _default_cost_centre,
    _locked_cart,
    _next_position,
    recalculate,
)
from avrop.organisations.models import Organisation, User
from avrop.organisations.permissions import require_role


@transaction.atomic
def cart_add_punch_out(
    *, actor: User, organisation: Organisation, token: str, session_key: str | None
) -> list[RequisitionLine]:
    """Add the accepted lines of the actor's returned shop cart; refused lines stay out (their reasons are on
    the review page)."""
    require_role(user=actor, organisation=organisation, roles=ORDER_ROLES)
    session = punch_out_lock_for_join(
        user=actor, organisation=organisation, token=token, session_key=session_key
    )
    cart = _locked_cart(actor, organisation)
    agreement = session.config.agreement
    on_agreement = agreement is not None and agreement.pk in callable_agreement_ids(organisation=organisation)
    address_id = _default_address(cart)
    cost_centre = _default_cost_centre(cart)
    position = _next_position(cart)
    shop = session.supplier.organisation.name
    lines: list[RequisitionLine] = []
    for checked in session.result["lines"]:
        if not checked["accepted"]:
            continue
        line = RequisitionLine(
            requisition=cart,
            position=position,
            kind=RequisitionLine.Kind.FREE_TEXT,
            supplier=session.supplier,
            agreement=agreement if on_agreement else None,
            outside_agreement=not on_agreement,
            outside_agreement_reason=""
            if on_agreement
            else _("Bought in %(shop)s's web shop (punch-out).") % {"shop": shop},
            article_number=checked["article_number"][:60],
            name=checked["name"][:300],
            description=checked["description"],
            category=checked["unspsc"],
            unit=checked["unit"][:3] or "EA",
            quantity=Decimal(checked["quantity"]),
            unit_price=Decimal(checked["unit_price"]),
            currency=checked["currency"] or "SEK",
            vat_rate=Decimal(checked["vat_rate"]) if checked.get("vat_rate") else None,
            delivery_address_id=address_id,
        )
        line.line_amount = line.compute_amount()
        line._account = checked["account"]  # type: ignore[attr-defined]
        lines.append(line)
        position += 1
    RequisitionLine.objects.bulk_create(lines)
    CodingSplit.objects.bulk_create(
        [
            CodingSplit(
                line=line,
                account=line._account,  # type: ignore[attr-defined]
                cost_centre=cost_centre,
                percent=Decimal("100"),
                amount=line.line_amount,
            )
            for line in lines
        ]
    )
    recalculate(cart)
    punch_out_mark_joined(session=session, actor=actor, requisition_id=cart.pk)
    audit(
        actor=actor,
        action="requisition.punch_out_add",
        obj=cart,
        after={"session": session.pk, "lines": [line.pk for line in lines], "supplier": session.supplier_id},
    )
    return lines
