"""What a supplier's SPOC does in the portal with the buyer's permission: orders registered on a
requisitioner's behalf. They become a requisition of the named requisitioner that runs through the buyer's
normal approval, marked with its origin. (Despatch advices moved to ``avrop.fulfilment``.)
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.core.outbox import outbox_email
from avrop.ordering import conf
from avrop.ordering.errors import Code
from avrop.ordering.models import (
    CodingSplit,
    OnBehalfPermission,
    OrderEvent,
    Requisition,
    RequisitionLine,
)
from avrop.ordering.services._common import (
    OVERSIGHT_ROLES,
    event,
    price_of,
    quantity_of,
)
from avrop.organisations.models import DeliveryAddress, Department, Membership, Organisation, User
from avrop.organisations.roles import Role
from avrop.organisations.selectors import roles_in
from avrop.suppliers.models import Supplier

logger = logging.getLogger(__name__)


def _date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError(
            Code.ON_BEHALF_INVALID, _("%(value)s is not a date.") % {"value": value}, field=field
        ) from None


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
