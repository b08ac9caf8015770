"""What suppliers do in the portal beyond answering orders: despatch advices (partial deliveries allowed) and,
for a supplier's SPOC with the buyer's permission, orders registered on a requisitioner's behalf.

Despatch advice: each line ships at most what was ordered (or confirmed) minus what earlier despatch advices
shipped; when everything has shipped the order is delivered. Orders on behalf become a requisition of the
named requisitioner that runs through the buyer's normal approval, marked with its origin.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from avrop.core import formatting
from avrop.core.audit import audit
from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.core.locking import lock
from avrop.core.outbox import outbox_email
from avrop.ordering import conf
from avrop.ordering.errors import Code
from avrop.ordering.models import (
    CodingSplit,
    DespatchAdvice,
    DespatchAdviceLine,
    OnBehalfPermission,
    OrderDocument,
    OrderEvent,
    PurchaseOrder,
    PurchaseOrderLine,
    Requisition,
    RequisitionLine,
)
from avrop.ordering.services._common import (
    OVERSIGHT_ROLES,
    event,
    order_event,
    price_of,
    quantity_of,
)
from avrop.ordering.services._transitions import move_order
from avrop.ordering.services.responses import _portal_order
from avrop.ordering.workflows import OrderStatus
from avrop.organisations.models import DeliveryAddress, Department, Membership, Organisation, User
from avrop.organisations.roles import Role
from avrop.organisations.selectors import roles_in
from avrop.suppliers.models import Supplier

logger = logging.getLogger(__name__)

DESPATCHABLE = frozenset(
    {OrderStatus.SENT, OrderStatus.ACKNOWLEDGED, OrderStatus.ACCEPTED, OrderStatus.ACCEPTED_WITH_CHANGES}
)


# --- despatch advice --------------------------------------------------------------------------------------


def shipped_by_line(order: PurchaseOrder) -> dict[int, Decimal]:
    """Quantity shipped so far per order line id."""
    return {
        row["order_line_id"]: row["total"]
        for row in DespatchAdviceLine.objects.filter(despatch__purchase_order=order)
        .values("order_line_id")
        .annotate(total=Sum("quantity"))
    }


def remaining_by_line(order: PurchaseOrder, lines: Iterable[PurchaseOrderLine]) -> dict[int, Decimal]:
    """What each line may still ship: ordered (or confirmed) minus shipped; nothing for cancelled lines."""
    shipped = shipped_by_line(order)
    remaining: dict[int, Decimal] = {}
    for line in lines:
        wanted = Decimal("0") if line.is_cancelled else line.effective_quantity
        remaining[line.pk] = max(Decimal("0"), wanted - shipped.get(line.pk, Decimal("0")))
    return remaining


def _date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError(
            Code.DESPATCH_INVALID, _("%(value)s is not a date.") % {"value": value}, field=field
        ) from None


@transaction.atomic
def despatch_advice_register(
    *,
    actor: User,
    organisation: Organisation,
    order_id: int,
    lines: Mapping[Any, Any],
    despatched_on: Any = None,
    expected_on: Any = None,
    carrier: str = "",
    tracking_number: str = "",
    note: str = "",
    submit_key: uuid.UUID | str | None = None,
) -> DespatchAdvice:
    """The supplier tells what it shipped (line number → quantity). The same ``submit_key`` twice (a double
    click) registers one despatch advice."""
    key = uuid.UUID(str(submit_key)) if submit_key else None
    order = _portal_order(actor, organisation, order_id)
    order = lock(PurchaseOrder, order.pk)
    if key is not None:
        earlier = DespatchAdvice.objects.filter(submit_key=key, purchase_order=order).first()
        if earlier is not None:
            return earlier
    if order.status not in DESPATCHABLE:
        raise DomainError(
            Code.NOT_DESPATCHABLE,
            _("Order %(number)s is %(status)s; nothing can be despatched against it.")
            % {"number": order.number, "status": order.get_status_display().lower()},
        )
    despatched = _date(despatched_on, "despatched_on") or timezone.localdate()
    if despatched > timezone.localdate() + dt.timedelta(days=1):
        raise DomainError(
            Code.DESPATCH_INVALID,
            _("The despatch date cannot be in the future; register the despatch when the goods leave."),
            field="despatched_on",
        )
    expected = _date(expected_on, "expected_on")
    if expected is not None and expected < despatched:
        raise DomainError(
            Code.DESPATCH_INVALID,
            _("The expected delivery cannot be before the despatch."),
            field="expected_on",
        )
    order_lines = list(order.lines.order_by("line_number"))
    by_number = {str(line.line_number): line for line in order_lines}
    remaining = remaining_by_line(order, order_lines)
    wanted: list[tuple[PurchaseOrderLine, Decimal]] = []
    for number, raw in lines.items():
        line = by_number.get(str(number))
        if line is None:
            raise NotFound()
        if raw in (None, "") or str(raw).strip() in {"0", "0.0", "0,0"}:
            continue
        field = f"quantity-{line.line_number}"
        quantity = quantity_of(raw, field=field)
        if quantity > remaining[line.pk]:
            raise DomainError(
                Code.DESPATCH_INVALID,
                _("Line %(line)s: at most %(left)s %(unit)s are left to ship, not %(asked)s.")
                % {
                    "line": line.line_number,
                    "left": formatting.qty(remaining[line.pk]),
                    "unit": formatting.unit_name(line.unit),
                    "asked": formatting.qty(quantity),
                },
                field=field,
            )
        wanted.append((line, quantity))
    if not wanted:
        raise DomainError(Code.DESPATCH_INVALID, _("Enter the quantity shipped on at least one line."))
    count = DespatchAdvice.objects.filter(purchase_order=order).count()
    despatch = DespatchAdvice.objects.create(
        organisation_id=order.organisation_id,
        purchase_order=order,
        number=f"{order.number}-D{count + 1}",
        despatched_on=despatched,
        expected_on=expected,
        carrier=carrier.strip()[:200],
        tracking_number=tracking_number.strip()[:100],
        note=note.strip(),
        registered_by=actor,
        submit_key=key,
    )
    DespatchAdviceLine.objects.bulk_create(
        DespatchAdviceLine(despatch=despatch, order_line=line, quantity=quantity) for line, quantity in wanted
    )
    left = {line.pk: remaining[line.pk] for line in order_lines}
    for line, quantity in wanted:
        left[line.pk] -= quantity
    complete = all(value <= 0 for value in left.values())
    if expected is not None:
        order.expected_delivery_date = expected
        order.expected_from = _("despatch advice %(number)s") % {"number": despatch.number}
    expected_fields = ["expected_delivery_date", "expected_from"]
    if complete:
        move_order(
            order,
            OrderStatus.DELIVERED,
            actor=actor,
            action="purchase_order.delivered",
            fields=expected_fields,
            after={"despatch": despatch.number},
        )
    else:
        order.save(update_fields=[*expected_fields, "updated_at"])
    text = _("%(number)s: %(lines)s shipped on %(date)s") % {
        "number": despatch.number,
        "lines": ", ".join(
            _("line %(n)s × %(q)s") % {"n": line.line_number, "q": formatting.qty(quantity)}
            for line, quantity in wanted
        ),
        "date": despatched.isoformat(),
    }
    if despatch.carrier or despatch.tracking_number:
        text += " – " + _("carrier %(carrier)s, tracking number %(tracking)s") % {
            "carrier": despatch.carrier or "–",
            "tracking": despatch.tracking_number or "–",
        }
    text += " – " + (_("everything has shipped") if complete else _("partial delivery"))
    order_event(order, kind=OrderEvent.Kind.DESPATCH, text=text, actor=actor)
    _despatch_document(order, despatch, wanted, left)
    audit(
        actor=actor,
        action="portal.despatch_advice",
        obj=order,
        organisation=organisation,
        after={
            "despatch": despatch.number,
            "lines": {str(line.line_number): str(quantity) for line, quantity in wanted},
            "carrier": despatch.carrier,
            "tracking_number": despatch.tracking_number,
            "complete": complete,
        },
    )
    return despatch


def _despatch_document(
    order: PurchaseOrder,
    despatch: DespatchAdvice,
    wanted: list[tuple[PurchaseOrderLine, Decimal]],
    left: dict[int, Decimal],
) -> None:
    """Keep the despatch as a Peppol T16, as a Peppol-connected supplier would have sent it; a document that
    fails validation is logged and not kept (the despatch itself stands)."""
    import hashlib

    from avrop.edi.validation import validate
    from avrop.ordering.documents import despatch_advice_xml

    try:
        content = despatch_advice_xml(order=order, despatch=despatch, lines=wanted, left=left)
    except Exception:  # building is best effort: the despatch advice is what the buyer relies on
        logger.exception("Despatch advice %s could not be built as T16", despatch.number)
        return
    report = validate(content)
    if not report.valid:
        logger.warning(
            "Despatch advice %s is no valid T16: %s",
            despatch.number,
            "; ".join(f"{f.rule}: {f.message}" for f in report.fatal)[:1000],
        )
        return
    document = OrderDocument.objects.create(
        organisation_id=order.organisation_id,
        purchase_order=order,
        direction=OrderDocument.Direction.IN,
        kind=OrderDocument.Kind.DESPATCH_XML,
        filename=f"{despatch.number}.xml",
        content_type="application/xml",
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    despatch.document = document
    despatch.save(update_fields=["document", "updated_at"])


# --- permission to order on behalf ------------------------------------------------------------------------


@transaction.atomic
def on_behalf_permission_set(*, actor: User, supplier_id: int | str, allowed: bool) -> OnBehalfPermission:
    """The buyer's coordinator lets a supplier's SPOC register orders for its requisitioners, or stops it."""
    try:
        relation = Supplier.objects.select_related("buyer", "organisation").get(pk=supplier_id)
    except (Supplier.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    roles = roles_in(user=actor, organisation=relation.buyer)
    if not roles:
        raise NotFound()
    if not roles & OVERSIGHT_ROLES:
        raise NotAllowed(_("Only the e-commerce coordinator decides who may order on your behalf."))
    permission = OnBehalfPermission.objects.select_for_update().filter(supplier=relation).first()
    if permission is None:
        permission = OnBehalfPermission(supplier=relation, is_active=False)
    before = permission.is_active
    if permission.pk and before == allowed:
        return permission
    now = timezone.now()
    if allowed and not permission.is_active:
        permission.is_active = True
        permission.granted_by = actor
        permission.granted_at = now
        permission.revoked_by = None
        permission.revoked_at = None
    elif not allowed and permission.is_active:
        permission.is_active = False
        permission.revoked_by = actor
        permission.revoked_at = now
    permission.save()
    audit(
        actor=actor,
        action="ordering.on_behalf_permission",
        obj=relation,
        organisation=relation.buyer,
        before={"allowed": before},
        after={"allowed": permission.is_active},
    )
    return permission


def on_behalf_allowed(relation: Supplier) -> bool:
    return OnBehalfPermission.objects.filter(supplier=relation, is_active=True).exists()


def on_behalf_allowed_ids(relation_ids: Iterable[int]) -> set[int]:
    """Which of these supplier relations the buyer lets register orders on its behalf (one query)."""
    return set(
        OnBehalfPermission.objects.filter(supplier_id__in=list(relation_ids), is_active=True).values_list(
            "supplier_id", flat=True
        )
    )


def no_permission_message(relation: Supplier) -> str:
    return _(
        "%(buyer)s has not allowed you to register orders on its behalf. Ask the customer's e-commerce "
        "coordinator to allow it, or ask the requisitioner to order in %(buyer)s's own ordering system."
    ) % {"buyer": relation.buyer.name}


# --- orders on behalf -------------------------------------------------------------------------------------


def _relation_for_spoc(actor: User, organisation: Organisation, relation_id: Any) -> Supplier:
    roles = roles_in(user=actor, organisation=organisation)
    if not roles:
        raise NotFound()
    if Role.SPOC not in roles:
        raise NotAllowed(_("Only the supplier's SPOC registers orders on a customer's behalf."))
    try:
        relation = Supplier.objects.select_related("buyer", "organisation").get(
            pk=relation_id, organisation=organisation, is_active=True
        )
    except (Supplier.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not on_behalf_allowed(relation):
        raise NotAllowed(no_permission_message(relation), code=Code.NO_PERMISSION)
    return relation


def on_behalf_requisitioners(relation: Supplier) -> list[Membership]:
    """The buyer's requisitioners with an ordering department (whom a SPOC may order for)."""
    return list(
        Membership.objects.filter(
            organisation=relation.buyer,
            role=Role.REQUISITIONER,
            is_active=True,
            user__is_active=True,
            department__isnull=False,
        )
        .select_related("user", "department")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def on_behalf_items(relation: Supplier, *, text: str = "", limit: int = 50) -> list[Any]:
    """The supplier's active catalogue items on agreements the buyer may call off today."""
    from avrop.catalogue.models import CatalogueItem
    from avrop.catalogue.selectors import callable_agreement_ids

    items = CatalogueItem.objects.filter(
        organisation=relation.buyer,
        supplier=relation.organisation,
        is_active=True,
        agreement_id__in=callable_agreement_ids(organisation=relation.buyer),
    )
    if text:
        from django.db.models import Q

        items = items.filter(Q(name__icontains=text) | Q(article_number__icontains=text))
    return list(items.order_by("article_number", "pk")[:limit])


@transaction.atomic
def requisition_register_on_behalf(
    *,
    actor: User,
    organisation: Organisation,
    relation_id: int,
    requisitioner_id: int | str,
    origin: str,
    note: str = "",
    department_id: int | str | None = None,
    delivery_address_id: int | str | None = None,
    requested_delivery_date: Any = None,
    items: Iterable[tuple[Any, Any]] = (),
    free_lines: Iterable[Mapping[str, Any]] = (),
    submit_key: uuid.UUID | str | None = None,
) -> Requisition:
    """A supplier's SPOC registers an order taken by phone or e-mail for a named requisitioner of a buyer
    that allowed it. It becomes that requisitioner's requisition, sent to the buyer's normal approval."""
    from avrop.catalogue.selectors import callable_agreement_ids, supplier_default_account
    from avrop.ordering.services.approval import submit_checked
    from avrop.ordering.services.cart import recalculate

    relation = _relation_for_spoc(actor, organisation, relation_id)
    buyer = relation.buyer
    key = uuid.UUID(str(submit_key)) if submit_key else None
    if key is not None:
        earlier = Requisition.objects.filter(submit_key=key, registered_for=relation).first()
        if earlier is not None:
            return earlier
    if origin not in {Requisition.Origin.PHONE, Requisition.Origin.EMAIL}:
        raise DomainError(
            Code.ON_BEHALF_INVALID, _("Say how the order came in: by phone or by e-mail."), field="origin"
        )
    membership = next(
        (m for m in on_behalf_requisitioners(relation) if str(m.user_id) == str(requisitioner_id)), None
    )
    if membership is None:
        raise DomainError(
            Code.ON_BEHALF_INVALID,
            _("Choose one of %(buyer)s's requisitioners.") % {"buyer": buyer.name},
            field="requisitioner",
        )
    department = membership.department
    if (
        department_id is not None
        and department_id != ""
        and (department is None or str(department_id) != str(department.pk))
    ):
        department = Department.objects.filter(organisation=buyer, pk=department_id, is_active=True).first()
    if department is None:
        raise DomainError(
            Code.ON_BEHALF_INVALID, _("Choose one of the customer's departments."), field="department"
        )
    addresses = DeliveryAddress.objects.filter(department=department)
    if delivery_address_id is not None and delivery_address_id != "":
        address = addresses.filter(pk=delivery_address_id).first()
        if address is None:
            raise DomainError(
                Code.ON_BEHALF_INVALID,
                _("Choose a delivery address of the department."),
                field="delivery_address",
            )
    else:
        address = addresses.order_by("-is_default", "label", "pk").first()
    requested = _date(requested_delivery_date, "requested_delivery_date")
    if requested is not None and requested < timezone.localdate():
        raise DomainError(
            Code.ON_BEHALF_INVALID,
            _("The delivery date cannot be in the past."),
            field="requested_delivery_date",
        )
    callable_ids = callable_agreement_ids(organisation=buyer)
    from avrop.catalogue.models import CatalogueItem

    wanted = [(str(i), q) for i, q in items if q not in (None, "") and str(q).strip() not in {"0", ""}]
    found = {
        str(item.pk): item
        for item in CatalogueItem.objects.filter(
            pk__in=[int(i) for i, _q in wanted if i.isdigit()],
            organisation=buyer,
            supplier=relation.organisation,
            is_active=True,
            agreement_id__in=callable_ids,
        )
    }
    if any(i not in found for i, _q in wanted):
        raise DomainError(
            Code.ITEM_UNAVAILABLE,
            _("An item is not in your catalogue for this customer (any more)."),
            field="items",
        )
    free = [line for line in free_lines if str(line.get("name") or "").strip()]
    if not wanted and not free:
        raise DomainError(Code.EMPTY_CART, _("Add at least one item or free-text line."), field="items")
    agreement_id = None
    default_account = ""
    if free:
        sample = (
            CatalogueItem.objects.filter(
                organisation=buyer, supplier=relation.organisation, agreement_id__in=callable_ids
            )
            .exclude(account_code="")
            .order_by("pk")
            .first()
        )
        from avrop.agreements.models import Agreement

        agreement = (
            Agreement.objects.filter(pk__in=callable_ids, supplier=relation.organisation)
            .order_by("pk")
            .first()
        )
        if agreement is None:
            raise DomainError(
                Code.ITEM_UNAVAILABLE,
                _("You have no agreement with %(buyer)s that covers free-text lines.")
                % {"buyer": buyer.name},
                field="free_lines",
            )
        agreement_id = agreement.pk
        # The customer's rule for the whole supplier first (set on its account-mapping page), then the
        # account of one of the supplier's items, then the account most used for the supplier.
        default_account = supplier_default_account(
            organisation=buyer, supplier_id=relation.organisation_id
        ) or (sample.account_code if sample is not None else "")
        if not default_account:
            used = (
                CodingSplit.objects.filter(line__supplier=relation, line__requisition__organisation=buyer)
                .exclude(account="")
                .values("account")
                .annotate(n=Count("pk"))
                .order_by("-n", "account")
                .first()
            )
            default_account = used["account"] if used else ""
    unmapped = [found[i].article_number for i, _q in wanted if not found[i].account_code]
    if unmapped or (free and not default_account):
        raise DomainError(
            Code.CODING_INVALID,
            _(
                "%(buyer)s has not mapped your items to its accounts yet (%(items)s), so the order cannot be "
                "coded. Ask the customer's e-commerce coordinator to map your catalogue."
            )
            % {"buyer": buyer.name, "items": ", ".join(unmapped) or _("free-text lines")},
            field="items",
        )
    requisition = Requisition.objects.create(
        organisation=buyer,
        requisitioner=membership.user,
        department=department,
        title=_("Order by %(origin)s to %(supplier)s")
        % {"origin": Requisition.Origin(origin).label.lower(), "supplier": relation.organisation.name},
        origin=origin,
        registered_by=actor,
        registered_for=relation,
        origin_note=note.strip(),
    )
    cost_centre = department.default_cost_centre.code if department.default_cost_centre is not None else ""
    new_lines: list[RequisitionLine] = []
    accounts: list[str] = []
    position = 1
    for item_id, raw in wanted:
        item = found[item_id]
        line = RequisitionLine(
            requisition=requisition,
            position=position,
            kind=RequisitionLine.Kind.CATALOGUE,
            supplier=relation,
            item=item,
            agreement_id=item.agreement_id,
            article_number=item.article_number,
            gtin=item.gtin,
            name=item.name[:300],
            description=item.description,
            category=item.own_category or item.category_code,
            unit=item.unit or "EA",
            quantity=quantity_of(raw, field=f"item-{item.pk}"),
            unit_price=item.unit_price.quantize(Decimal("0.0001")),
            currency=item.currency,
            vat_rate=item.vat_rate,
            delivery_address=address,
            requested_delivery_date=requested,
        )
        line.line_amount = line.compute_amount()
        new_lines.append(line)
        accounts.append(item.account_code)
        position += 1
    for index, data in enumerate(free, start=1):
        line = RequisitionLine(
            requisition=requisition,
            position=position,
            kind=RequisitionLine.Kind.FREE_TEXT,
            supplier=relation,
            agreement_id=agreement_id,
            article_number=str(data.get("article_number") or "").strip()[:60],
            name=str(data["name"]).strip()[:300],
            unit=(str(data.get("unit") or "EA")).strip().upper()[:3],
            quantity=quantity_of(data.get("quantity"), field=f"free-{index}-quantity"),
            unit_price=price_of(data.get("unit_price"), field=f"free-{index}-unit_price"),
            delivery_address=address,
            requested_delivery_date=requested,
        )
        line.line_amount = line.compute_amount()
        new_lines.append(line)
        accounts.append(default_account)
        position += 1
    RequisitionLine.objects.bulk_create(new_lines)
    CodingSplit.objects.bulk_create(
        CodingSplit(
            line=line,
            account=account,
            cost_centre=cost_centre,
            percent=Decimal("100"),
            amount=line.line_amount,
        )
        for line, account in zip(new_lines, accounts, strict=True)
    )
    recalculate(requisition)
    origin_text = _("%(who)s at %(supplier)s registered this order, received %(origin)s.") % {
        "who": actor.get_full_name() or actor.get_username(),
        "supplier": relation.organisation.name,
        "origin": Requisition.Origin(origin).label.lower(),
    }
    event(
        requisition=requisition,
        kind=OrderEvent.Kind.ON_BEHALF,
        text=origin_text + (f" {requisition.origin_note}" if requisition.origin_note else ""),
        actor=actor,
    )
    requisition = Requisition.objects.select_related(
        "organisation", "department__default_cost_centre", "requisitioner"
    ).get(pk=requisition.pk)
    submit_checked(requisition=requisition, actor=membership.user, key=key)
    audit(
        actor=actor,
        action="portal.order_on_behalf",
        obj=requisition,
        organisation=organisation,
        after={
            "buyer": buyer.name,
            "requisition": requisition.number,
            "requisitioner": membership.user.get_username(),
            "origin": origin,
            "total": str(requisition.total_amount),
        },
        comment=requisition.origin_note,
    )
    audit(
        actor=actor,
        action="requisition.register_on_behalf",
        obj=requisition,
        after={"origin": origin, "supplier": relation.organisation.name},
        comment=requisition.origin_note,
    )
    _tell_requisitioner(requisition, relation, actor)
    return requisition


def _tell_requisitioner(requisition: Requisition, relation: Supplier, actor: User) -> None:
    user = requisition.requisitioner
    if not user.email:
        return
    with translation.override(user.preferred_language or "sv"):
        body = render_to_string(
            "ordering/email/on_behalf.txt",
            {
                "requisition": requisition,
                "supplier": relation.organisation,
                "spoc": actor,
                "lines": list(requisition.lines.order_by("position")),
                "url": conf.base_url() + reverse("ordering:requisition", args=[requisition.pk]),
            },
        )
        subject = _("%(supplier)s registered an order in your name (%(number)s)") % {
            "supplier": relation.organisation.name,
            "number": requisition.number,
        }
    outbox_email(
        recipient=user.email,
        subject=subject,
        body=body,
        organisation=requisition.organisation,
        obj=requisition,
    )
