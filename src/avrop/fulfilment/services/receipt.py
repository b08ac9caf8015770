"""Goods receipt signed by an authorised person.

Who may sign: a goods receiver (varumottagare) of the organisation, for the order's department when their
role is tied to departments; when a requirement of the order's agreement or category asks for it, only
someone with approval authority (attesträtt) for the order's amount on the department's cost centre. Anyone
else is refused with the reason. Per line the receiver gives the quantity and its condition; goods in good
order (or late) count as received, damaged and wrong goods do not (they go back). More than is left to
receive is refused, and so is a line already received in full (a second receipt of the same delivery).
Deviations open one support case with the supplier; the requisitioner gets an e-mail confirmation.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from avrop.cases import services as cases
from avrop.cases.checklists import CaseType
from avrop.core import formatting
from avrop.core.audit import audit
from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.core.locking import lock
from avrop.core.outbox import outbox_email
from avrop.fulfilment import selectors
from avrop.fulfilment.errors import Code
from avrop.fulfilment.models import GoodsReceipt, GoodsReceiptLine
from avrop.fulfilment.models.receipt import ACCEPTED_CONDITIONS, DEVIATIONS, Condition
from avrop.fulfilment.services._common import buyer_roles, date_of
from avrop.ordering import conf
from avrop.ordering import services as ordering
from avrop.ordering.models import OrderEvent, PurchaseOrder, PurchaseOrderLine
from avrop.ordering.services._common import quantity_of
from avrop.organisations.models import DocumentKind, Membership, User
from avrop.organisations.roles import Role
from avrop.organisations.selectors.approval import who_can_approve


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def receipt_authority(*, actor: User, order: PurchaseOrder) -> str:
    """Why ``actor`` may sign a receipt for ``order``, in words (kept on the receipt); ``NotAllowed`` with the
    reason when they may not, ``NotFound`` outside the order's organisation."""
    roles = buyer_roles(actor, order)
    name = _name(actor)
    if Role.GOODS_RECEIVER not in roles:
        raise NotAllowed(
            _("%(name)s is not a goods receiver in %(organisation)s and cannot sign for deliveries.")
            % {"name": name, "organisation": order.organisation.name},
            Code.NO_AUTHORITY,
        )
    departments = list(
        Membership.objects.filter(
            user=actor, organisation_id=order.organisation_id, role=Role.GOODS_RECEIVER, is_active=True
        ).values_list("department_id", flat=True)
    )
    if None not in departments and order.department_id not in departments:
        raise NotAllowed(
            _("%(name)s receives goods for other departments, not for %(department)s.")
            % {"name": name, "department": order.department.name},
            Code.NO_AUTHORITY,
        )
    signed_as = _("goods receiver, %(department)s") % {"department": order.department.name}
    if any(r.receipt_needs_authority for r in selectors.requirements_for(order)):
        centre = getattr(order.department.default_cost_centre, "code", "")
        if not centre:
            raise NotAllowed(
                _(
                    "This delivery must be signed by someone with approval authority, but department "
                    "%(department)s has no cost centre to check it against."
                )
                % {"department": order.department.name},
                Code.NO_AUTHORITY,
            )
        answer = who_can_approve(
            user=actor,
            organisation=order.organisation,
            cost_centre=centre,
            amount=order.total_amount,
            document_kind=DocumentKind.ORDER,
        )
        if not answer.can_approve(actor):
            raise NotAllowed(
                _(
                    "The agreement asks for a receipt signed with approval authority: %(name)s has no "
                    "approval limit for %(amount)s on cost centre %(centre)s."
                )
                % {
                    "name": name,
                    "amount": formatting.money(order.total_amount, order.currency),
                    "centre": centre,
                },
                Code.NO_AUTHORITY,
            )
        signed_as = _("goods receiver with approval authority on cost centre %(centre)s") % {"centre": centre}
    return signed_as


def _parse_lines(
    order: PurchaseOrder, lines: Mapping[Any, Any]
) -> list[tuple[PurchaseOrderLine, Decimal, str, str]]:
    """``{line number: {"quantity": …, "condition": …, "note": …}}`` → checked rows; lines left empty
    are skipped."""
    order_lines = {str(line.line_number): line for line in order.lines.order_by("line_number")}
    wanted = selectors.wanted_by_line(order_lines.values())
    received = selectors.received_by_line([order])
    rows: list[tuple[PurchaseOrderLine, Decimal, str, str]] = []
    for number, values in lines.items():
        line = order_lines.get(str(number))
        if line is None:
            raise NotFound()
        raw = str(values.get("quantity", "") or "").strip()
        condition = str(values.get("condition", "") or Condition.OK)
        note = str(values.get("note", "") or "").strip()[:500]
        if condition not in Condition.values:
            raise DomainError(Code.RECEIPT_INVALID, _("Unknown condition %(value)s.") % {"value": condition})
        if raw in ("", "0") and condition != Condition.MISSING:
            continue
        field = f"quantity-{line.line_number}"
        quantity = quantity_of(raw, field=field) if raw not in ("", "0") else Decimal("0")
        left = wanted[line.pk] - received.get(line.pk, Decimal("0"))
        if condition in ACCEPTED_CONDITIONS:
            if left <= 0:
                raise DomainError(
                    Code.ALREADY_RECEIVED,
                    _(
                        "Line %(line)s has already been received in full (%(qty)s %(unit)s); "
                        "it cannot be received again."
                    )
                    % {
                        "line": line.line_number,
                        "qty": formatting.qty(received.get(line.pk, Decimal("0"))),
                        "unit": formatting.unit_name(line.unit),
                    },
                    field=field,
                )
            if quantity > left:
                raise DomainError(
                    Code.OVER_RECEIPT,
                    _(
                        "Line %(line)s: %(asked)s received, but only %(left)s %(unit)s are left to receive "
                        "of what was ordered."
                    )
                    % {
                        "line": line.line_number,
                        "asked": formatting.qty(quantity),
                        "left": formatting.qty(left),
                        "unit": formatting.unit_name(line.unit),
                    },
                    field=field,
                )
        if condition in DEVIATIONS and condition not in ACCEPTED_CONDITIONS and not note:
            note = str(Condition(condition).label)
        rows.append((line, quantity, condition, note))
    if not rows:
        raise DomainError(Code.RECEIPT_INVALID, _("Enter what you received on at least one line."))
    return rows


@transaction.atomic
def goods_receipt_register(
    *,
    actor: User,
    order_id: int,
    lines: Mapping[Any, Any],
    received_on: Any = None,
    note: str = "",
    submit_key: uuid.UUID | str | None = None,
) -> GoodsReceipt:
    """Receive and sign a delivery of an order. The same ``submit_key`` twice (a double click) is one
    receipt; a second receipt of lines already received in full is refused."""
    key = uuid.UUID(str(submit_key)) if submit_key else None
    try:
        order = lock(PurchaseOrder, int(order_id))
    except (PurchaseOrder.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    signed_as = receipt_authority(actor=actor, order=order)
    if key is not None:
        earlier = GoodsReceipt.objects.filter(submit_key=key, purchase_order=order).first()
        if earlier is not None:
            return earlier
    if order.status not in selectors.RECEIVABLE:
        raise DomainError(
            Code.NOT_RECEIVABLE,
            _("Order %(number)s is %(status)s; nothing can be received against it.")
            % {"number": order.number, "status": order.get_status_display().lower()},
        )
    received_on = date_of(received_on, "received_on", Code.RECEIPT_INVALID) or timezone.localdate()
    if received_on > timezone.localdate():
        raise DomainError(
            Code.RECEIPT_INVALID, _("The receipt date cannot be in the future."), field="received_on"
        )
    rows = _parse_lines(order, lines)
    count = GoodsReceipt.objects.filter(purchase_order=order).count()
    receipt = GoodsReceipt.objects.create(
        organisation_id=order.organisation_id,
        purchase_order=order,
        number=f"{order.number}-M{count + 1}",
        received_on=received_on,
        received_by=actor,
        signed_at=timezone.now(),
        authority=signed_as[:300],
        note=note.strip(),
        submit_key=key,
    )
    GoodsReceiptLine.objects.bulk_create(
        GoodsReceiptLine(receipt=receipt, order_line=line, quantity=quantity, condition=condition, note=text)
        for line, quantity, condition, text in rows
    )
    deviations = [(line, q, c, t) for line, q, c, t in rows if c in DEVIATIONS]
    if deviations:
        receipt.case_id = _open_case(actor, order, receipt, deviations).pk
        receipt.save(update_fields=["case_id", "updated_at"])
    readiness = selectors.order_readiness(order)
    text = _("%(number)s signed by %(name)s: %(lines)s") % {
        "number": receipt.number,
        "name": _name(actor),
        "lines": ", ".join(
            _("line %(n)s × %(q)s (%(condition)s)")
            % {"n": line.line_number, "q": formatting.qty(q), "condition": Condition(c).label}
            for line, q, c, _t in rows
        ),
    }
    if readiness.delivery_accepted:
        text += " – " + _("everything received")
    ordering.order_timeline_add(order=order, kind=OrderEvent.Kind.RECEIPT, text=text, actor=actor)
    _confirm_to_requisitioner(order, receipt, rows, complete=readiness.delivery_accepted)
    audit(
        actor=actor,
        action="goods_receipt.sign",
        obj=receipt,
        organisation=order.organisation,
        after={
            "order": order.number,
            "receipt": receipt.number,
            "signed_as": signed_as,
            "lines": {str(line.line_number): [str(q), c] for line, q, c, _t in rows},
            "case": receipt.case_id,
            "complete": readiness.delivery_accepted,
        },
    )
    return receipt


def _open_case(
    actor: User,
    order: PurchaseOrder,
    receipt: GoodsReceipt,
    deviations: list[tuple[PurchaseOrderLine, Decimal, str, str]],
) -> Any:
    missing = any(c == Condition.MISSING for _line, _q, c, _t in deviations)
    description = "\n".join(
        _("Line %(n)s %(name)s: %(condition)s, %(q)s %(unit)s. %(note)s")
        % {
            "n": line.line_number,
            "name": line.name,
            "condition": Condition(c).label,
            "q": formatting.qty(q),
            "unit": formatting.unit_name(line.unit),
            "note": text,
        }
        for line, q, c, text in deviations
    )
    return cases.case_open(
        actor=actor,
        organisation=order.organisation,
        case_type=CaseType.GOODS_NOT_RECEIVED if missing else CaseType.OTHER,
        subject=_("Delivery deviation on order %(number)s (%(receipt)s)")
        % {"number": order.number, "receipt": receipt.number},
        description=description,
        supplier=order.supplier,
        department=order.department,
        order_reference=order.number,
    )


def _confirm_to_requisitioner(
    order: PurchaseOrder,
    receipt: GoodsReceipt,
    rows: list[tuple[PurchaseOrderLine, Decimal, str, str]],
    *,
    complete: bool,
) -> None:
    requisitioner = order.requisition.requisitioner
    if not requisitioner.email:
        return
    with translation.override(requisitioner.preferred_language or "sv"):
        subject = _("Delivery received: order %(number)s") % {"number": order.number}
        body = render_to_string(
            "fulfilment/email/receipt.txt",
            {
                "order": order,
                "receipt": receipt,
                "signer": _name(receipt.received_by),
                "lines": [
                    {
                        "number": line.line_number,
                        "name": line.name,
                        "quantity": formatting.qty(q),
                        "unit": formatting.unit_name(line.unit),
                        "condition": Condition(c).label,
                        "note": t,
                    }
                    for line, q, c, t in rows
                ],
                "complete": complete,
                "url": conf.base_url() + reverse("ordering:order", args=[order.pk]),
            },
        )
    outbox_email(
        recipient=requisitioner.email,
        subject=subject,
        body=body,
        organisation=order.organisation,
        obj=receipt,
    )
