"""The cart: add from search, templates, item pages or a free-text form; lines, coding, attachments.

A cart is the requisitioner's draft requisition in their ordering department; every change locks it, so
two tabs or a double click cannot interleave. Lines from several suppliers live in one cart and become one
purchase order per supplier after approval.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core import formatting
from avrop.core.audit import audit
from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.ordering import cart_parts, conf
from avrop.ordering.errors import Code
from avrop.ordering.models import (
    Attachment,
    CodingSplit,
    FreeTextForm,
    OrderEvent,
    Requisition,
    RequisitionLine,
    coding_text,
    money,
)
from avrop.ordering.services._common import (
    ORDER_ROLES,
    event,
    lock_cart,
    lock_requisition,
    lock_requisition_of_line,
    price_of,
    quantity_of,
)
from avrop.ordering.services._transitions import move_requisition, retire_pending_steps
from avrop.ordering.workflows import EDITABLE, LineDecision, RequisitionStatus
from avrop.organisations.models import (
    DeliveryAddress,
    Membership,
    Organisation,
    User,
)
from avrop.organisations.permissions import require_role
from avrop.organisations.roles import Role
from avrop.suppliers.models import Supplier

ALLOWED_UPLOADS = {
    ".pdf",
    ".png",
    ".jpg",
    ".jpeg",
    ".txt",
    ".csv",
    ".xlsx",
    ".xls",
    ".docx",
    ".doc",
    ".odt",
    ".ods",
}


def _membership(user: User, organisation: Organisation) -> Membership:
    membership = _requisitioner_membership(user, organisation)
    if membership is None:
        # Not a requisitioner here: the role check says which role is needed (or 404 for a stranger).
        require_role(user=user, organisation=organisation, roles=ORDER_ROLES)
    if membership is None or membership.department_id is None:
        raise DomainError(
            Code.CANNOT_SEND,
            _(
                "Your user is not linked to an ordering department (card code), so you cannot order yet. "
                "Ask the e-commerce coordinator to link you to your department."
            ),
        )
    return membership


def _requisitioner_membership(user: User, organisation: Organisation) -> Membership | None:
    """The user's first active requisitioner role in the organisation (both active), with its department and
    the department's default cost centre: a new cart's."""
    return (
        Membership.objects.filter(
            user=user,
            organisation=organisation,
            role=Role.REQUISITIONER,
            is_active=True,
            user__is_active=True,
            organisation__is_active=True,
        )
        .select_related("department__default_cost_centre")
        .order_by("pk")
        .first()
    )


def cart_get(*, user: User, organisation: Organisation) -> Requisition | None:
    return (
        Requisition.objects.filter(
            organisation=organisation, requisitioner=user, status=RequisitionStatus.DRAFT
        )
        .select_related("department")
        .first()
    )


def cart_for(*, user: User, organisation: Organisation, known_missing: bool = False) -> Requisition:
    """The requisitioner's cart, created on first use in their ordering department."""
    found = None if known_missing else cart_get(user=user, organisation=organisation)
    if found is not None:
        require_role(user=user, organisation=organisation, roles=ORDER_ROLES)
        return found
    membership = _membership(user, organisation)
    try:
        with transaction.atomic():
            cart = Requisition.objects.bulk_create(
                [Requisition(organisation=organisation, requisitioner=user, department=membership.department)]
            )[0]
            event(requisition=cart, kind=OrderEvent.Kind.CREATED, actor=user)
            cart._created = True  # type: ignore[attr-defined]
    except IntegrityError:
        # Two requests created the first cart at the same moment; the other one won.
        found = cart_get(user=user, organisation=organisation)
        if found is None:
            raise
        return found
    return cart


def _locked_cart(actor: User, organisation: Organisation) -> Requisition:
    """The actor's cart locked for a change; created first when there is none (the role is checked then, and
    again when the cart is sent)."""
    found = lock_cart(
        organisation_id=organisation.pk,
        requisitioner_id=actor.pk,
        related=("department__default_cost_centre",),
    )
    if found is not None:
        # Its organisation and requisitioner are those it was found by, at hand already (as for a new cart).
        found.organisation = organisation
        found.requisitioner = actor
        return found
    cart = cart_for(user=actor, organisation=organisation, known_missing=True)
    if not getattr(cart, "_created", False):
        cart = lock_requisition(cart.pk)
    # Created in this transaction (no one else sees it yet), with its organisation, requisitioner and
    # department (and its default cost centre) at hand: no need to read it back.
    cart._is_new = True  # type: ignore[attr-defined]  # no lines yet: callers skip looking for them
    return cart


def _editable_cart(actor: User, requisition_id: int) -> Requisition:
    """The actor's cart (or requisition sent back to them) locked for a change of its lines, coding or
    attachments: these read its organisation, not its department or requisitioner."""
    return _editable(actor, lock_requisition(requisition_id, related=("organisation",)))


def _editable(actor: User, requisition: Requisition) -> Requisition:
    if requisition.requisitioner_id != actor.pk:
        raise NotFound()
    if requisition.status not in EDITABLE:
        raise DomainError(
            Code.NOT_EDITABLE,
            _(
                "Requisition %(number)s is %(status)s and can no longer be changed here. "
                "Ask for a change of the order instead."
            )
            % {"number": requisition.number, "status": requisition.get_status_display().lower()},
        )
    return requisition


def _line_for_edit(
    actor: User, line_id: int, *, related: tuple[str, ...] = ("supplier",)
) -> tuple[Requisition, RequisitionLine]:
    """The line's requisition, found through the line and locked in one query, then the line itself (with
    ``related`` joined)."""
    if line_id is None:
        raise NotFound()  # ``lines__pk=None`` would ask for a requisition without lines
    try:
        requisition = lock_requisition_of_line(line_id, related=("organisation",))
    except (Requisition.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    _editable(actor, requisition)
    lines = RequisitionLine.objects.all()
    if related:  # (``select_related()`` without names would join every foreign key)
        lines = lines.select_related(*related)
    return requisition, lines.get(pk=int(line_id))


def recalculate(requisition: Requisition) -> Requisition:
    total = requisition.lines.exclude(decision=LineDecision.REJECTED).aggregate(s=Sum("line_amount"))["s"]
    requisition.total_amount = money(total or Decimal("0"))
    requisition.save(update_fields=["total_amount", "updated_at"])
    return requisition


def _default_address(requisition: Requisition) -> int | None:
    """The department's default delivery address, else its first by label."""
    return (
        DeliveryAddress.objects.filter(department_id=requisition.department_id)
        .order_by("-is_default", "label", "pk")
        .values_list("pk", flat=True)
        .first()
    )


def _default_cost_centre(requisition: Requisition) -> str:
    centre = requisition.department.default_cost_centre
    return centre.code if centre is not None else ""


def _next_position(requisition: Requisition) -> int:
    return (requisition.lines.aggregate(m=Max("position"))["m"] or 0) + 1


def _suppliers_by_org(organisation: Organisation, supplier_org_ids: Iterable[int]) -> dict[int, Supplier]:
    """The buyer's suppliers by their organisation, with it."""
    ids = sorted(set(supplier_org_ids))
    if not ids:
        return {}
    found = (
        Supplier.objects.filter(buyer=organisation, organisation_id__in=ids)
        .select_related("organisation")
        .order_by("pk")
    )
    return {supplier.organisation_id: supplier for supplier in found}


@transaction.atomic
def cart_add_items(
    *, actor: User, organisation: Organisation, items: Mapping[int, Any] | Iterable[tuple[int, Any]]
) -> list[RequisitionLine]:
    """Add catalogue items (id → quantity). An item already in the cart gets the quantity added."""
    from avrop.catalogue.selectors import default_account_for, items_for_ids

    merged: dict[int, Decimal] = {}  # the same item twice becomes one line with both quantities
    for i, q in items.items() if isinstance(items, Mapping) else items:
        item_id, quantity = int(i), quantity_of(q)
        merged[item_id] = merged[item_id] + quantity if item_id in merged else quantity
    wanted = list(merged.items())
    if not wanted:
        return []
    cart = _locked_cart(actor, organisation)
    found = {
        i.pk: i
        for i in items_for_ids(user=actor, organisation=organisation, item_ids=[i for i, _q in wanted])
    }
    missing = [i for i, _q in wanted if i not in found]
    if missing:
        raise DomainError(
            Code.ITEM_UNAVAILABLE,
            _("The item is not in your catalogue (any more); search again."),
            field="item",
        )
    suppliers = _suppliers_by_org(organisation, (i.supplier_id for i in found.values()))
    for item in found.values():
        if item.supplier_id not in suppliers:
            raise DomainError(
                Code.SUPPLIER_UNAVAILABLE,
                _("%(supplier)s is not set up as your supplier yet; ask the e-commerce coordinator.")
                % {"supplier": item.supplier.name},
                field="item",
            )
    is_new = getattr(cart, "_is_new", False)
    existing = {} if is_new else {line.item_id: line for line in cart.lines.filter(item_id__in=list(found))}
    address_id = _default_address(cart)
    cost_centre = _default_cost_centre(cart)
    position = 1 if is_new else _next_position(cart)
    new_lines: list[RequisitionLine] = []
    touched: list[RequisitionLine] = []
    for item_id, quantity in wanted:
        item = found[item_id]
        line = existing.get(item_id)
        if line is not None:
            line.quantity += quantity
            line.line_amount = line.compute_amount()
            line.save(update_fields=["quantity", "line_amount"])
            touched.append(line)
            continue
        line = RequisitionLine(
            requisition=cart,
            position=position,
            kind=RequisitionLine.Kind.CATALOGUE,
            supplier=suppliers[item.supplier_id],
            item=item,
            agreement_id=item.agreement_id,
            article_number=item.article_number,
            gtin=item.gtin,
            name=item.name[:300],
            description=item.description,
            category=item.own_category or item.category_code,
            unit=item.unit or "EA",
            quantity=quantity,
            unit_price=item.unit_price.quantize(Decimal("0.0001")),
            currency=item.currency,
            vat_rate=item.vat_rate,
            delivery_address_id=address_id,
        )
        line.line_amount = line.compute_amount()
        line._account = default_account_for(item)  # type: ignore[attr-defined]
        existing[item_id] = line
        new_lines.append(line)
        position += 1
    RequisitionLine.objects.bulk_create(new_lines)
    CodingSplit.objects.bulk_create(
        [
            CodingSplit(
                line=line,
                account=line._account,  # type: ignore[attr-defined]
                cost_centre=cost_centre,
                percent=Decimal("100"),
                amount=line.line_amount,
            )
            for line in new_lines
        ]
    )
    for line in touched:
        _rescale_splits(line)
    if is_new:
        cart.total_amount = money(sum((line.line_amount for line in new_lines), Decimal("0")))
        cart.save(update_fields=["total_amount", "updated_at"])
    else:
        recalculate(cart)
    return new_lines + touched


def cart_add_item(
    *, actor: User, organisation: Organisation, item_id: int, quantity: Any = 1
) -> RequisitionLine:
    return cart_add_items(actor=actor, organisation=organisation, items=[(item_id, quantity)])[0]


def cart_add_template(*, actor: User, organisation: Organisation, template_id: int) -> list[RequisitionLine]:
    """Add every available line of an ordering template with its default quantity."""
    from avrop.catalogue.selectors import template_get, template_lines

    template = template_get(user=actor, organisation=organisation, template_id=template_id)
    lines = [line for line in template_lines(template=template, organisation=organisation) if line.available]
    if not lines:
        raise DomainError(
            Code.ITEM_UNAVAILABLE, _("None of the template's items can be ordered now."), field="template"
        )
    return cart_add_items(
        actor=actor, organisation=organisation, items=[(line.item_id, line.quantity) for line in lines]
    )


@transaction.atomic
def cart_add_free_text(
    *,
    actor: User,
    organisation: Organisation,
    supplier_id: int,
    name: str,
    quantity: Any,
    unit_price: Any,
    unit: str = "EA",
    description: str = "",
    form_id: int | None = None,
    answers: Mapping[str, Any] | None = None,
    agreement_id: int | None = None,
    outside_agreement_reason: str = "",
    account: str = "",
) -> RequisitionLine:
    """A line for goods or services outside the catalogue (and perhaps outside any agreement)."""
    from avrop.catalogue.selectors import callable_agreement_ids

    cart = _locked_cart(actor, organisation)
    supplier = (
        Supplier.objects.filter(buyer=organisation, pk=supplier_id, is_active=True)
        .select_related("organisation")
        .first()
    )
    if supplier is None:
        raise DomainError(Code.SUPPLIER_UNAVAILABLE, _("Choose one of your suppliers."), field="supplier")
    if not name.strip():
        raise DomainError(Code.FORM_INCOMPLETE, _("Describe what you want to buy."), field="name")
    form = None
    if form_id:
        form = FreeTextForm.objects.filter(organisation=organisation, pk=form_id, is_active=True).first()
        if form is None:
            raise NotFound()
    answers = {str(k): str(v).strip() for k, v in (answers or {}).items()}
    if form is not None:
        missing = [
            q.get("label", q.get("key"))
            for q in form.fields
            if q.get("required") and not answers.get(q.get("key", ""))
        ]
        if missing:
            raise DomainError(
                Code.FORM_INCOMPLETE,
                _("Answer the form's questions: %(labels)s.") % {"labels": ", ".join(missing)},
                field="answers",
            )
    agreement = None
    if agreement_id:
        if int(agreement_id) not in callable_agreement_ids(organisation=organisation):
            raise DomainError(
                Code.ITEM_UNAVAILABLE, _("You cannot call off that agreement."), field="agreement"
            )
        from avrop.agreements.models import Agreement

        agreement = Agreement.objects.get(pk=agreement_id)
        if agreement.supplier_id != supplier.organisation_id:
            raise DomainError(
                Code.ITEM_UNAVAILABLE, _("The agreement is with another supplier."), field="agreement"
            )
    outside = agreement is None
    if outside and not outside_agreement_reason.strip():
        raise DomainError(
            Code.REASON_REQUIRED,
            _("You are buying outside an agreement: say why (for example: no agreement covers it)."),
            field="outside_agreement_reason",
        )
    line = RequisitionLine(
        requisition=cart,
        position=_next_position(cart),
        kind=RequisitionLine.Kind.FREE_TEXT,
        supplier=supplier,
        agreement=agreement,
        free_text_form=form,
        form_answers=answers,
        outside_agreement=outside,
        outside_agreement_reason=outside_agreement_reason.strip() if outside else "",
        name=name.strip()[:300],
        description=description.strip(),
        category=form.category if form is not None else "",
        unit=(unit or "EA").strip().upper()[:3],
        quantity=quantity_of(quantity),
        unit_price=price_of(unit_price),
        delivery_address_id=_default_address(cart),
    )
    line.line_amount = line.compute_amount()
    line.save()
    CodingSplit.objects.create(
        line=line,
        account=account or (form.account_code if form is not None else ""),
        cost_centre=_default_cost_centre(cart),
        percent=Decimal("100"),
        amount=line.line_amount,
    )
    recalculate(cart)
    audit(
        actor=actor, action="requisition.free_text_add", obj=cart, after={"line": line.pk, "name": line.name}
    )
    return line


LINE_FIELDS = {
    "delivery_address_id",
    "requested_delivery_date",
    "note_to_supplier",
    "is_consumable",
    "machine_serial",
    "machine_placement",
    "machine_building",
    "machine_floor",
    "machine_contact",
    "outside_agreement_reason",
}


@transaction.atomic
def line_update(
    *, actor: User, line_id: int, quantity: Any = None, machine_id: int | None = None, **fields: Any
) -> RequisitionLine:
    """Change a cart line: quantity, delivery address, requested date, note, machine details. With
    ``machine_id`` the line is a consumable for that machine of the installed base, whose serial number,
    placement and contact person are copied onto the line (another organisation's machine is refused)."""
    requisition, line = _line_for_edit(actor, line_id)
    unknown = set(fields) - LINE_FIELDS
    if unknown:
        raise DomainError(
            Code.NOT_EDITABLE, _("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))}
        )
    if machine_id is not None:
        machine = cart_parts.machine(
            user=actor, organisation=requisition.organisation, machine_id=int(machine_id)
        )
        if machine is None:
            raise DomainError(
                Code.NOT_EDITABLE, _("Choose one of your organisation's machines."), field="machine"
            )
        fields.update(
            is_consumable=True,
            machine_serial=machine.serial_number[:60],
            machine_placement=machine.placement[:200],
            machine_building=machine.building[:100],
            machine_floor=machine.floor[:20],
            machine_contact=machine.contact[:200],
        )
    if quantity is not None:
        line.quantity = quantity_of(quantity)
        line.line_amount = line.compute_amount()
    if (
        "delivery_address_id" in fields
        and fields["delivery_address_id"]
        and not DeliveryAddress.objects.filter(
            pk=fields["delivery_address_id"], department__organisation_id=requisition.organisation_id
        ).exists()
    ):
        raise DomainError(
            Code.NOT_EDITABLE, _("Choose one of your delivery addresses."), field="delivery_address"
        )
    requested = fields.get("requested_delivery_date")
    if isinstance(requested, dt.date) and requested < timezone.localdate():
        raise DomainError(
            Code.NOT_EDITABLE,
            _("The requested delivery date cannot be in the past."),
            field="requested_delivery_date",
        )
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(line, name, value if value != "" or name not in {"delivery_address_id"} else None)
    line.save()
    if quantity is not None:
        _rescale_splits(line)
    recalculate(requisition)
    return line


@transaction.atomic
def line_remove(*, actor: User, line_id: int) -> None:
    requisition, line = _line_for_edit(actor, line_id)
    line.delete()
    recalculate(requisition)


def _rescale_splits(line: RequisitionLine) -> None:
    """Percent splits follow the line amount; the last split takes the rounding difference."""
    splits = list(line.splits.order_by("position"))
    if not splits or any(s.percent is None for s in splits):
        return
    remaining = line.line_amount
    for index, split in enumerate(splits):
        if index == len(splits) - 1:
            split.amount = remaining
        else:
            split.amount = money(line.line_amount * (split.percent or 0) / 100)
            remaining -= split.amount
    CodingSplit.objects.bulk_update(splits, ["amount"])


@transaction.atomic
def line_coding_set(*, actor: User, line_id: int, splits: list[Mapping[str, Any]]) -> list[CodingSplit]:
    """Replace a line's coding: one or more splits, by percentage (adding up to 100) or by amount (adding up
    to the line amount). Each coding is checked against the chart of accounts."""
    from avrop.ordering.checks import coding_problems

    requisition, line = _line_for_edit(actor, line_id, related=())  # the coding does not read the supplier
    rows = [s for s in splits if any(str(v).strip() for v in s.values())]
    if not rows:
        raise DomainError(Code.SPLIT_INVALID, _("The line needs a coding."), field="coding")
    by_percent = [s for s in rows if str(s.get("percent") or "").strip()]
    by_amount = [s for s in rows if str(s.get("amount") or "").strip()]
    if by_percent and by_amount:
        raise DomainError(
            Code.SPLIT_INVALID, _("Split either by percentage or by amount, not both."), field="coding"
        )
    if len(rows) > 1 and not by_percent and not by_amount:
        raise DomainError(Code.SPLIT_INVALID, _("Give each part a percentage or an amount."), field="coding")
    new: list[CodingSplit] = []
    for index, row in enumerate(rows, start=1):
        dimensions = {
            str(k): str(v).strip() for k, v in (row.get("dimensions") or {}).items() if str(v).strip()
        }
        split = CodingSplit(
            line=line,
            position=index,
            account=str(row.get("account") or "").strip(),
            cost_centre=str(row.get("cost_centre") or "").strip(),
            dimensions=dimensions,
        )
        if by_percent:
            split.percent = price_of(row.get("percent"), field="percent")
        elif by_amount:
            split.amount = money(price_of(row.get("amount"), field="amount"))
        else:
            split.percent = Decimal("100")
        new.append(split)
    if by_amount:
        total = sum((s.amount for s in new), Decimal("0"))
        if total != line.line_amount:
            raise DomainError(
                Code.SPLIT_INVALID,
                _("The amounts add up to %(total)s, not the line's %(amount)s.")
                % {"total": formatting.amount(total), "amount": formatting.amount(line.line_amount)},
                field="coding",
            )
    else:
        total = sum((s.percent or Decimal("0") for s in new), Decimal("0"))
        if total != Decimal("100"):
            raise DomainError(
                Code.SPLIT_INVALID,
                _("The percentages add up to %(total)s, not 100 %%.") % {"total": formatting.percent(total)},
                field="coding",
            )
        remaining = line.line_amount
        for index, split in enumerate(new):
            if index == len(new) - 1:
                split.amount = remaining
            else:
                split.amount = money(line.line_amount * (split.percent or 0) / 100)
                remaining -= split.amount
    problems = coding_problems(requisition.organisation, [(line.pk, s) for s in new])
    if problems:
        raise DomainError(Code.CODING_INVALID, " ".join(p.message for p in problems), field=problems[0].field)
    before = [
        coding_text(*row)
        for row in line.splits.order_by("position", "pk").values_list("account", "cost_centre", "dimensions")
    ]
    line.splits.all().delete()
    CodingSplit.objects.bulk_create(new)
    audit(
        actor=actor,
        action="requisition.coding_set",
        obj=requisition,
        before={"line": line.pk, "coding": before},
        after={"line": line.pk, "coding": [f"{s.text} {s.amount}" for s in new]},
    )
    return new


@transaction.atomic
def attachment_add(
    *, actor: User, requisition_id: int, upload: UploadedFile, line_id: int | None = None
) -> Attachment:
    requisition = _editable_cart(actor, requisition_id)
    name = (upload.name or "file").rsplit("/", 1)[-1][:255]
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if suffix not in ALLOWED_UPLOADS:
        raise DomainError(
            Code.UPLOAD_TYPE,
            _("Attach PDF, images, text, spreadsheets or documents (not %(suffix)s).")
            % {"suffix": suffix or name},
            field="file",
        )
    if upload.size is not None and upload.size > conf.max_attachment_bytes():
        raise DomainError(Code.UPLOAD_TOO_LARGE, _("The file is too large."), field="file")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    if line_id is not None and not requisition.lines.filter(pk=line_id).exists():
        raise NotFound()
    attachment = Attachment.objects.create(
        requisition=requisition,
        line_id=line_id,
        file=upload,
        original_name=name,
        content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    audit(
        actor=actor,
        action="requisition.attach",
        obj=requisition,
        after={"file": name, "sha256": attachment.sha256},
    )
    return attachment


@transaction.atomic
def attachment_remove(*, actor: User, attachment_id: int) -> None:
    try:
        attachment = Attachment.objects.get(pk=attachment_id)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    _editable_cart(actor, attachment.requisition_id)
    attachment.file.delete(save=False)
    attachment.delete()


@transaction.atomic
def requisition_cancel(*, actor: User, requisition_id: int, reason: str = "") -> Requisition:
    """The requisitioner drops a cart or withdraws a requisition that is still waiting for approval."""
    requisition = lock_requisition(requisition_id)
    if requisition.requisitioner_id != actor.pk:
        raise NotAllowed(_("Only the requisitioner cancels a requisition."))
    requisition.cancelled_at = timezone.now()
    move_requisition(
        requisition,
        RequisitionStatus.CANCELLED,
        actor=actor,
        action="requisition.cancel",
        fields=["cancelled_at"],
        comment=reason,
    )
    retire_pending_steps(requisition, actor=actor, action="approval_step.not_needed")
    event(requisition=requisition, kind=OrderEvent.Kind.CANCEL, text=reason, actor=actor)
    return requisition
