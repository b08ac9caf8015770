"""Order responses: Peppol T76 from the access point, confirmations e-mailed by suppliers, confirmations
registered by hand, and answers given in the supplier portal.

Every inbound document is stored unchanged with its SHA-256 before anything else; the same document twice is
the same response. A T76 that fails validation, names an unknown order or comes from someone other than the
order's supplier is refused, kept with the reason, logged, and shown in the coordinator's troubleshooting
view. An accepted response is matched to the order: changed quantities, prices, dates and substituted items
are recorded per line, and a price increase above the organisation's tolerance goes back for approval.
"""

from __future__ import annotations

import datetime as dt
import email
import hashlib
import logging
import re
from decimal import Decimal
from email import policy as email_policy
from typing import Any

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.core.locking import lock
from avrop.core.outbox import outbox_email
from avrop.edi.validation import validate
from avrop.ordering import channels, conf, documents, inbound
from avrop.ordering.errors import Code
from avrop.ordering.models import (
    Channel,
    OrderDocument,
    OrderEvent,
    OrderResponse,
    OrderResponseLine,
    PurchaseOrder,
    PurchaseOrderLine,
    Requisition,
    money,
)
from avrop.ordering.services._common import OVERSIGHT_ROLES, order_event, policy_for, price_of, quantity_of
from avrop.ordering.services._transitions import move_order, order_allows
from avrop.ordering.workflows import OrderStatus, RequisitionStatus
from avrop.organisations.models import Organisation, User
from avrop.organisations.roles import Role
from avrop.organisations.selectors import roles_in

logger = logging.getLogger(__name__)

ORDER_NUMBER = re.compile(r"\b(\d{4}-\d{6})\b")
LINE_REJECTED = "7"
LINE_CHANGED = "3"
LINE_ACCEPTED = "5"


def _store_inbound(content: bytes, kind: str, filename: str, content_type: str) -> tuple[OrderDocument, bool]:
    """The inbound document, stored once; True when it was seen before."""
    digest = hashlib.sha256(content).hexdigest()
    existing = OrderDocument.objects.filter(
        direction=OrderDocument.Direction.IN, kind=kind, sha256=digest
    ).first()
    if existing is not None:
        return existing, True
    document = OrderDocument.objects.create(
        direction=OrderDocument.Direction.IN,
        kind=kind,
        filename=filename[:255] or f"{digest[:16]}.xml",
        content_type=content_type,
        content=content,
        size=len(content),
        sha256=digest,
    )
    return document, False


def _normalise(participant: str) -> str:
    return participant.strip().lower().replace(" ", "")


def _refuse(
    response: OrderResponse, outcome: str, reason: str, *, findings: list[dict[str, Any]] | None = None
) -> OrderResponse:
    response.outcome = outcome
    response.reason = reason
    response.findings = findings or []
    response.save()
    logger.warning("Order response %s refused (%s): %s", response.pk, outcome, reason)
    if response.purchase_order is not None:
        order_event(response.purchase_order, kind=OrderEvent.Kind.ERROR, text=reason, is_error=True)
    return response


# --- Peppol -----------------------------------------------------------------------------------------------


def order_responses_intake(*, limit: int = 100) -> int:
    """Take in what the ordering access point delivered; each file once, even with several workers. Order
    responses are ordering's; other documents go to the handler a later app registered (``inbound``)."""
    point = channels.access_point()
    claimed = point.claim(limit)
    for item in claimed:
        content = point.read(item)
        receive = inbound.handler_for(content) or order_response_receive
        try:
            receive(content=content, filename=item.name)
        except Exception:  # one broken file must not stop the others; it stays claimed for a later look
            logger.exception("Order response %s could not be taken in", item.name)
            continue
        point.done(item)
    release = getattr(point, "release", None)
    if release is not None:
        release()
    return len(claimed)


@transaction.atomic
def order_response_receive(*, content: bytes, filename: str = "") -> OrderResponse:
    """Take in one T76 as received from the access point."""
    document, seen = _store_inbound(content, OrderDocument.Kind.RESPONSE_XML, filename, "application/xml")
    if seen:
        earlier = OrderResponse.objects.filter(document=document).first()
        if earlier is not None:
            return earlier
    response = OrderResponse(
        document=document, source=OrderResponse.Source.PEPPOL, outcome=OrderResponse.Outcome.INVALID
    )
    report = validate(content)
    if not report.valid or report.transaction != "T76":
        findings = [f.to_dict() for f in report.fatal][:50]
        reason = _("The document is not a valid Peppol order response (T76): %(why)s") % {
            "why": "; ".join(f"{f.rule}: {f.message}" for f in report.fatal)[:1500]
            or _("it is a %(kind)s") % {"kind": report.transaction or "?"}
        }
        response.save()
        return _refuse(response, OrderResponse.Outcome.INVALID, reason, findings=findings)
    try:
        data = documents.read_order_response(content)
    except ValueError as exc:
        response.save()
        return _refuse(response, OrderResponse.Outcome.INVALID, str(exc))
    duplicate = OrderResponse.objects.filter(
        source=OrderResponse.Source.PEPPOL, sender=data.sender, external_id=data.document_id
    ).first()
    if duplicate is not None:
        return duplicate
    response.external_id = data.document_id[:100]
    response.sender = data.sender[:300]
    response.order_number = data.order_number[:100]
    response.code = data.code if data.code in OrderResponse.Code.values else ""
    response.note = data.note
    response.issue_date = data.issue_date
    response.promised_delivery_date = data.promised_delivery_date
    found = PurchaseOrder.objects.filter(number=data.order_number).select_related(
        "organisation", "supplier__organisation"
    )
    if data.buyer:
        candidates = [o for o in found if _normalise(o.organisation.peppol_id) == _normalise(data.buyer)]
    else:
        candidates = list(found)
    buyer = Organisation.objects.filter(peppol_id__iexact=data.buyer).first() if data.buyer else None
    response.organisation = candidates[0].organisation if len(candidates) == 1 else buyer
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        return OrderResponse.objects.get(
            source=OrderResponse.Source.PEPPOL, sender=data.sender, external_id=data.document_id
        )
    if len(candidates) != 1:
        return _refuse(
            response,
            OrderResponse.Outcome.UNKNOWN_ORDER,
            _("No order %(number)s for buyer %(buyer)s; the response was refused.")
            % {"number": data.order_number or "–", "buyer": data.buyer or "–"},
        )
    order = candidates[0]
    expected_sender = order.supplier.organisation.peppol_id
    if not expected_sender or _normalise(expected_sender) != _normalise(data.sender):
        response.purchase_order = order
        return _refuse(
            response,
            OrderResponse.Outcome.WRONG_SENDER,
            _(
                "The response to %(number)s came from %(sender)s, "
                "but the order was sent to %(supplier)s (%(expected)s)."
            )
            % {
                "number": order.number,
                "sender": data.sender or "–",
                "supplier": order.supplier,
                "expected": expected_sender or "–",
            },
        )
    document.organisation = order.organisation
    document.purchase_order = order
    document.save(update_fields=["organisation", "purchase_order", "updated_at"])
    lines = [
        {
            "line_id": line.line_id,
            "status_code": line.status_code,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "delivery_date": line.delivery_date,
            "substitute_article_number": line.substitute_article_number,
            "substitute_name": line.substitute_name,
        }
        for line in data.lines
    ]
    return apply_response(order_id=order.pk, response=response, lines=lines, actor=None)


# --- applying a response ----------------------------------------------------------------------------------


def _line_changes(
    line: PurchaseOrderLine, data: dict[str, Any]
) -> tuple[list[dict[str, str]], Decimal | None]:
    changes: list[dict[str, str]] = []
    increase: Decimal | None = None
    if data.get("status_code") == LINE_REJECTED:
        changes.append({"field": "status", "old": "", "new": "rejected"})
        return changes, None
    quantity = data.get("quantity")
    if quantity is not None and Decimal(quantity) != line.quantity:
        changes.append(
            {
                "field": "quantity",
                "old": str(line.quantity.normalize()),
                "new": str(Decimal(quantity).normalize()),
            }
        )
    price = data.get("unit_price")
    if price is not None and Decimal(price) != line.unit_price:
        changes.append(
            {
                "field": "unit_price",
                "old": str(line.unit_price.normalize()),
                "new": str(Decimal(price).normalize()),
            }
        )
        if line.unit_price > 0:
            increase = ((Decimal(price) - line.unit_price) * 100 / line.unit_price).quantize(Decimal("0.01"))
    delivery = data.get("delivery_date")
    if delivery is not None and delivery != line.requested_delivery_date:
        changes.append(
            {"field": "delivery_date", "old": str(line.requested_delivery_date or ""), "new": str(delivery)}
        )
    if data.get("substitute_article_number") or data.get("substitute_name"):
        changes.append(
            {
                "field": "substitute",
                "old": f"{line.article_number} {line.name}".strip(),
                "new": " ".join(
                    str(data.get(key) or "") for key in ("substitute_article_number", "substitute_name")
                ).strip(),
            }
        )
    return changes, increase


def apply_response(
    *, order_id: int, response: OrderResponse, lines: list[dict[str, Any]], actor: User | None
) -> OrderResponse:
    """Match a saved response to its order and apply it (inside the caller's transaction).

    An answer the order's state does not allow (an acceptance of a cancelled order, a second acknowledgement)
    is not applied: a person registering it is told why (``DomainError``); a received document is kept as
    refused with the reason."""
    from avrop.ordering.services.approval import reapproval_start
    from avrop.ordering.services.transmission import order_delivered_to_supplier

    order = lock(PurchaseOrder, order_id)
    requisition = order.requisition
    response.purchase_order = order
    response.organisation_id = order.organisation_id
    # Any answer shows that the supplier has the order, whether or not it can be applied.
    order_delivered_to_supplier(order, _("The supplier answered the order."))
    by_number = {str(line.line_number): line for line in order.lines.all()}
    tolerance = policy_for(order.organisation_id).price_increase_tolerance_percent
    is_change = response.code == OrderResponse.Code.CA
    matched = []
    for data in lines:
        line = by_number.get(str(data.get("line_id")))
        changes, increase = _line_changes(line, data) if line is not None else ([], None)
        matched.append((data, line, changes, increase))
    changed_any = is_change and any(changes for _data, line, changes, _i in matched if line is not None)
    beyond = is_change and any(
        increase is not None and increase > tolerance
        for _data, line, _c, increase in matched
        if line is not None
    )
    targets: dict[str, str] = {
        OrderResponse.Code.AB: OrderStatus.ACKNOWLEDGED,
        OrderResponse.Code.AP: OrderStatus.ACCEPTED,
        OrderResponse.Code.RE: OrderStatus.REJECTED,
        OrderResponse.Code.CA: OrderStatus.ACCEPTED_WITH_CHANGES if changed_any else OrderStatus.ACCEPTED,
    }
    target = targets.get(response.code)
    if beyond and requisition.status == RequisitionStatus.ORDERED:
        target = OrderStatus.CHANGES_AWAITING_APPROVAL
    if target is not None and not order_allows(order, target):
        return _not_applicable(order, response, target, actor)
    response_lines: list[OrderResponseLine] = []
    over: dict[int, Decimal] = {}
    worst: Decimal | None = None
    for data, line, changes, increase in matched:
        response_lines.append(
            OrderResponseLine(
                response=response,
                order_line=line,
                line_id=str(data.get("line_id"))[:40],
                status_code=str(data.get("status_code") or "")[:10],
                quantity=data.get("quantity"),
                unit_price=data.get("unit_price"),
                delivery_date=data.get("delivery_date"),
                substitute_article_number=str(data.get("substitute_article_number") or "")[:60],
                substitute_name=str(data.get("substitute_name") or "")[:300],
                changes=changes,
                price_increase_percent=increase,
            )
        )
        if line is None or not is_change:
            continue
        if data.get("status_code") == LINE_REJECTED:
            line.confirmed_quantity = Decimal("0")
            line.response_status = "rejected"
        else:
            if data.get("quantity") is not None:
                line.confirmed_quantity = Decimal(data["quantity"])
            if data.get("unit_price") is not None:
                line.confirmed_unit_price = Decimal(data["unit_price"])
            line.confirmed_delivery_date = data.get("delivery_date") or line.confirmed_delivery_date
            line.substitute_article_number = str(data.get("substitute_article_number") or "")[:60]
            line.substitute_name = str(data.get("substitute_name") or "")[:300]
            line.response_status = "changed" if changes else "accepted"
        line.save()
        if increase is not None and increase > tolerance:
            worst = increase if worst is None else max(worst, increase)
            over[line.requisition_line_id] = money(line.effective_quantity * line.effective_unit_price)
    if response.code in {OrderResponse.Code.AP, OrderResponse.Code.AB}:
        for line in by_number.values():
            if not line.response_status:
                line.response_status = "accepted" if response.code == OrderResponse.Code.AP else ""
        PurchaseOrderLine.objects.bulk_update(list(by_number.values()), ["response_status"])
    response.price_increase_percent = worst
    response.outcome = (
        OrderResponse.Outcome.AWAITING_APPROVAL
        if target == OrderStatus.CHANGES_AWAITING_APPROVAL
        else OrderResponse.Outcome.APPLIED
    )
    if response.promised_delivery_date:
        order.expected_delivery_date = response.promised_delivery_date
        order.expected_from = _("promised in the order response")
    order.response_code = response.code
    order.responded_at = timezone.now()
    fields = ["expected_delivery_date", "expected_from", "response_code", "responded_at"]
    answered = {"code": response.code, "outcome": response.outcome}
    if target is not None:
        move_order(
            order, target, actor=actor, action="purchase_order.response", fields=fields, after=answered
        )
    else:
        order.save(update_fields=[*fields, "updated_at"])
        audit(actor=actor, action="purchase_order.response", obj=order, after=answered)
    response.save()
    OrderResponseLine.objects.bulk_create(response_lines)
    if response.outcome == OrderResponse.Outcome.AWAITING_APPROVAL:
        lock(Requisition, requisition.pk)
        requisition.refresh_from_db()
        reapproval_start(
            requisition=requisition,
            purchase_order=order,
            reason="price_increase",
            new_amounts=over,
            actor=actor,
        )
    summary = _("%(code)s from %(source)s") % {
        "code": response.get_code_display() or _("Confirmation"),
        "source": response.get_source_display(),
    }
    changed = sum(1 for rl in response_lines if rl.changes)
    if changed:
        summary += " – " + _("%(n)s lines changed") % {"n": changed}
    if worst is not None:
        summary += " – " + _("prices up to %(p)s %% higher (tolerance %(t)s %%)") % {
            "p": worst,
            "t": tolerance,
        }
    order_event(order, kind=OrderEvent.Kind.RESPONSE, text=summary, actor=actor)
    _tell_requisitioner(order, response)
    return response


def _not_applicable(
    order: PurchaseOrder, response: OrderResponse, target: str, actor: User | None
) -> OrderResponse:
    """Refuse an answer that would move the order along no edge of its state machine, with the reason in
    plain words: to the person registering it, or kept on the received response."""
    reason = _(
        "The answer “%(answer)s” was not applied: order %(number)s is %(status)s and cannot become "
        "%(target)s."
    ) % {
        "answer": response.get_code_display() or response.code,
        "number": order.number,
        "status": order.get_status_display().lower(),
        "target": OrderStatus(target).label.lower(),
    }
    if actor is not None:
        raise DomainError(Code.RESPONSE_INVALID, reason)
    refused = _refuse(response, OrderResponse.Outcome.NOT_APPLIED, reason)
    audit(
        actor=None,
        action="purchase_order.response",
        obj=order,
        after={"code": response.code, "outcome": refused.outcome, "status": order.status},
        comment=reason,
    )
    return refused


def _tell_requisitioner(order: PurchaseOrder, response: OrderResponse) -> None:
    user = order.requisition.requisitioner
    if not user.email:
        return
    with translation.override(user.preferred_language or "sv"):
        body = render_to_string(
            "ordering/email/response.txt",
            {
                "order": order,
                "response": response,
                "url": conf.base_url() + reverse("ordering:order", args=[order.pk]),
            },
        )
        subject = _("Order %(number)s: %(answer)s from %(supplier)s") % {
            "number": order.number,
            "answer": (response.get_code_display() or _("confirmation")).lower(),
            "supplier": order.supplier,
        }
    outbox_email(recipient=user.email, subject=subject, body=body, organisation=order.organisation, obj=order)


# --- e-mailed confirmations -------------------------------------------------------------------------------


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower().rstrip(">")


@transaction.atomic
def order_confirmation_email_receive(*, raw: bytes) -> OrderResponse:
    """The inbound e-mail hook: a supplier's confirmation mailed to the order address. It is matched by the
    order number in the subject or text and by the sender's domain, stored on the order and sent on to the
    requisitioner."""
    message = email.message_from_bytes(raw, policy=email_policy.default)
    sender = str(message.get("From", ""))
    subject = str(message.get("Subject", ""))
    body_part = message.get_body(preferencelist=("plain", "html"))
    text = body_part.get_content() if body_part is not None else ""
    document, seen = _store_inbound(
        raw, OrderDocument.Kind.CONFIRMATION_EMAIL, f"{subject[:60] or 'confirmation'}.eml", "message/rfc822"
    )
    if seen:
        earlier = OrderResponse.objects.filter(document=document).first()
        if earlier is not None:
            return earlier
    found = ORDER_NUMBER.search(subject) or ORDER_NUMBER.search(text)
    number = found.group(1) if found else ""
    response = OrderResponse(
        document=document,
        source=OrderResponse.Source.EMAIL,
        sender=sender[:300],
        order_number=number,
        code=OrderResponse.Code.AB,
        note=text.strip()[:10000],
        outcome=OrderResponse.Outcome.INVALID,
    )
    candidates = (
        list(
            PurchaseOrder.objects.filter(number=number, channel=Channel.EMAIL).select_related(
                "supplier__organisation"
            )
        )
        if number
        else []
    )
    domain = _domain(sender)
    matching = [
        o
        for o in candidates
        if domain
        and domain
        in {_domain(o.supplier.order_email), _domain(o.supplier.organisation.email)}
        | {_domain(e) for e in o.supplier.contacts.values_list("email", flat=True) if e}
    ]
    response.save()
    if not candidates:
        return _refuse(
            response,
            OrderResponse.Outcome.UNKNOWN_ORDER,
            _("The e-mail from %(sender)s names no order we sent by e-mail (subject: %(subject)s).")
            % {"sender": sender, "subject": subject},
        )
    if len(matching) != 1:
        response.purchase_order = candidates[0]
        response.organisation_id = candidates[0].organisation_id
        return _refuse(
            response,
            OrderResponse.Outcome.WRONG_SENDER,
            _("The confirmation of %(number)s came from %(sender)s, not from the order's supplier.")
            % {"number": number, "sender": sender},
        )
    order = matching[0]
    document.organisation_id = order.organisation_id
    document.purchase_order = order
    document.save(update_fields=["organisation", "purchase_order", "updated_at"])
    order.confirmation_note = response.note[:4000]
    order.save(update_fields=["confirmation_note", "updated_at"])
    return apply_response(order_id=order.pk, response=response, lines=[], actor=None)


def _require_buyer(actor: User, order: PurchaseOrder) -> None:
    roles = roles_in(user=actor, organisation=order.organisation)
    if not roles:
        raise NotFound()
    if order.requisition.requisitioner_id != actor.pk and not roles & OVERSIGHT_ROLES:
        raise NotAllowed(_("Only the requisitioner or a coordinator registers a confirmation."))


@transaction.atomic
def order_confirmation_register(
    *,
    actor: User,
    order_id: int,
    code: str = OrderResponse.Code.AB,
    text: str = "",
    promised_delivery_date: dt.date | None = None,
    upload: Any = None,
) -> OrderResponse:
    """Register a confirmation that came by e-mail or phone, optionally with the file the supplier sent."""
    try:
        order = PurchaseOrder.objects.select_related("organisation", "requisition").get(pk=order_id)
    except (PurchaseOrder.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    _require_buyer(actor, order)
    if code not in OrderResponse.Code.values:
        raise DomainError(Code.RESPONSE_INVALID, _("Choose what the supplier answered."), field="code")
    if order.status in {
        OrderStatus.QUEUED,
        OrderStatus.CANCELLED,
        OrderStatus.REJECTED,
        OrderStatus.DELIVERED,
    }:
        raise DomainError(
            Code.RESPONSE_INVALID,
            _("Order %(number)s is %(status)s; no confirmation can be registered.")
            % {"number": order.number, "status": order.get_status_display().lower()},
        )
    document = None
    if upload is not None:
        content = upload.read()
        document, _seen = _store_inbound(
            content,
            OrderDocument.Kind.CONFIRMATION_FILE,
            upload.name or "confirmation",
            upload.content_type or "application/octet-stream",
        )
        document.organisation_id = order.organisation_id
        document.purchase_order = order
        document.save(update_fields=["organisation", "purchase_order", "updated_at"])
    response = OrderResponse.objects.create(
        organisation_id=order.organisation_id,
        purchase_order=order,
        document=document,
        source=OrderResponse.Source.MANUAL,
        sender=actor.get_full_name(),
        order_number=order.number,
        code=code,
        note=text.strip(),
        promised_delivery_date=promised_delivery_date,
        outcome=OrderResponse.Outcome.APPLIED,
        registered_by=actor,
    )
    if text.strip():
        order.confirmation_note = text.strip()[:4000]
        order.save(update_fields=["confirmation_note", "updated_at"])
    return apply_response(order_id=order.pk, response=response, lines=[], actor=actor)


# --- the supplier portal ---------------------------------------------------------------------------------

# Orders the supplier answers in the portal: those sent to the portal, and those sent by e-mail (small
# suppliers without a system of their own answer e-mailed orders in the free portal). Peppol-connected
# suppliers answer with a T76 from their own system; the portal shows those orders read-only.
PORTAL_ANSWERABLE_CHANNELS = frozenset({Channel.PORTAL, Channel.EMAIL})
PORTAL_RESPONDABLE = frozenset({OrderStatus.SENT, OrderStatus.ACKNOWLEDGED})
SUPPLIER_ROLES = frozenset({Role.SUPPLIER_USER, Role.SPOC, Role.ADMIN})


def _portal_order(actor: User, supplier_org: Organisation, order_id: int) -> PurchaseOrder:
    roles = roles_in(user=actor, organisation=supplier_org)
    if not roles & SUPPLIER_ROLES:
        raise NotFound()
    try:
        order = PurchaseOrder.objects.select_related("requisition").get(
            pk=order_id, supplier__organisation=supplier_org
        )
    except (PurchaseOrder.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if order.channel not in PORTAL_ANSWERABLE_CHANNELS:
        raise DomainError(
            Code.PORTAL_READ_ONLY,
            _(
                "Order %(number)s came through Peppol: answer it from your own system. "
                "The portal shows it for reference only."
            )
            % {"number": order.number},
        )
    return order


@transaction.atomic
def portal_order_open(*, actor: User, organisation: Organisation, order_id: int) -> PurchaseOrder:
    """The supplier opened the order in the portal: it is delivered to them."""
    from avrop.ordering.services.transmission import order_delivered_to_supplier

    order = _portal_order(actor, organisation, order_id)
    order = lock(PurchaseOrder, order.pk)
    if order.portal_opened_at is None:
        order.portal_opened_at = timezone.now()
        order.save(update_fields=["portal_opened_at", "updated_at"])
        order_delivered_to_supplier(
            order, _("Opened in the supplier portal by %(who)s") % {"who": actor.get_full_name()}
        )
        audit(actor=actor, action="portal.order_open", obj=order, organisation=organisation)
    return order


@transaction.atomic
def portal_order_respond(
    *,
    actor: User,
    organisation: Organisation,
    order_id: int,
    code: str,
    lines: dict[str, dict[str, Any]] | None = None,
    note: str = "",
    promised_delivery_date: dt.date | None = None,
    submit_key: str | None = None,
) -> OrderResponse:
    """The supplier answers in the portal with the same effect as a T76 (lines keyed by line number).

    The form carries ``submit_key``, made when it was shown: the same key twice (a double click) gives the
    first response back instead of a second one."""
    order = _portal_order(actor, organisation, order_id)
    order = lock(PurchaseOrder, order.pk)
    key = str(submit_key or "")[:100]
    if key:
        earlier = OrderResponse.objects.filter(
            source=OrderResponse.Source.PORTAL, sender=organisation.name[:300], external_id=key
        ).first()
        if earlier is not None and earlier.purchase_order_id == order.pk:
            return earlier
    if code not in OrderResponse.Code.values:
        raise DomainError(Code.RESPONSE_INVALID, _("Choose an answer."), field="code")
    if order.status not in PORTAL_RESPONDABLE:
        raise DomainError(
            Code.RESPONSE_INVALID,
            _("Order %(number)s is %(status)s; it cannot be answered again.")
            % {"number": order.number, "status": order.get_status_display().lower()},
        )
    if code == OrderResponse.Code.RE and not note.strip():
        raise DomainError(Code.REASON_REQUIRED, _("Say why you reject the order."), field="note")
    portal_order_open(actor=actor, organisation=organisation, order_id=order.pk)
    known = {str(n) for n in order.lines.values_list("line_number", flat=True)}
    parsed = []
    for line_id, data in (lines or {}).items():
        if str(line_id) not in known:
            raise NotFound()
        field = f"line-{line_id}"
        delivery = data.get("delivery_date")
        if isinstance(delivery, str):
            try:
                delivery = dt.date.fromisoformat(delivery) if delivery.strip() else None
            except ValueError:
                raise DomainError(
                    Code.RESPONSE_INVALID, _("%(value)s is not a date.") % {"value": delivery}, field=field
                ) from None
        parsed.append(
            {
                "line_id": str(line_id),
                "status_code": str(
                    data.get("status_code") or (LINE_CHANGED if code == "CA" else LINE_ACCEPTED)
                ),
                "quantity": quantity_of(data["quantity"], field=field)
                if data.get("quantity") not in (None, "")
                else None,
                "unit_price": price_of(data["unit_price"], field=field)
                if data.get("unit_price") not in (None, "")
                else None,
                "delivery_date": delivery,
                "substitute_article_number": str(data.get("substitute_article_number", "")).strip(),
                "substitute_name": str(data.get("substitute_name", "")).strip(),
            }
        )
    response = OrderResponse.objects.create(
        organisation_id=order.organisation_id,
        purchase_order=order,
        source=OrderResponse.Source.PORTAL,
        sender=organisation.name[:300],
        external_id=key,
        order_number=order.number,
        code=code,
        note=note.strip(),
        promised_delivery_date=promised_delivery_date,
        outcome=OrderResponse.Outcome.APPLIED,
        registered_by=actor,
    )
    applied = apply_response(order_id=order.pk, response=response, lines=parsed, actor=actor)
    audit(
        actor=actor,
        action="portal.order_respond",
        obj=order,
        organisation=organisation,
        after={"code": code, "lines": len(parsed), "response": applied.pk},
        comment=note.strip(),
    )
    return applied


@transaction.atomic
def portal_cancellation_confirm(*, actor: User, organisation: Organisation, order_id: int) -> PurchaseOrder:
    from avrop.ordering.services.orders import purchase_order_cancellation_confirm

    order = _portal_order(actor, organisation, order_id)
    order = lock(PurchaseOrder, order.pk)
    if order.status != OrderStatus.CANCELLATION_REQUESTED:
        raise DomainError(Code.NOT_CANCELLABLE, _("No cancellation is waiting for your confirmation."))
    confirmed = purchase_order_cancellation_confirm(
        actor=actor, order_id=order.pk, note=_("in the supplier portal")
    )
    audit(actor=actor, action="portal.cancellation_confirm", obj=order, organisation=organisation)
    return confirmed
