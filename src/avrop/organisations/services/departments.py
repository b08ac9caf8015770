"""Departments, delivery addresses and the "new department" workflow.

The workflow replaces the paper form "Ny beställningsavdelning e-handel" and the coordinator's checklist:
request → approve → GLN assigned → suppliers notified → each supplier's customer number → ready. Each edge is
one service that locks the request, checks the transition, records who and when, and writes an audit event.
E-mails go through the outbox and leave only after the transaction commits.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from avrop.core.audit import audit, snapshot
from avrop.core.errors import DomainError, ErrorCode, NotAllowed
from avrop.core.locking import lock
from avrop.core.outbox import outbox_email
from avrop.organisations.errors import Code
from avrop.organisations.models import (
    DeliveryAddress,
    Department,
    DepartmentRequest,
    DepartmentRequestSupplier,
    DimensionObject,
    Organisation,
    User,
)
from avrop.organisations.roles import MASTER_DATA_ROLES
from avrop.organisations.services._common import (
    gln_checked,
    require_master_data_role,
    require_member,
    validated,
)
from avrop.organisations.supplier_directory import suppliers
from avrop.organisations.validators import normalise_gln
from avrop.organisations.workflows import assert_request_transition

Status = DepartmentRequest.Status

DEPARTMENT_FIELDS = {"name", "code", "town", "invoice_street", "invoice_postal_code", "invoice_city"}
ADDRESS_FIELDS = {
    "label",
    "gln",
    "street",
    "postal_code",
    "city",
    "building",
    "floor",
    "room",
    "contact_name",
    "contact_phone",
    "delivery_days",
    "opening_hours",
    "is_default",
}
REQUEST_FIELDS = {
    "name",
    "code",
    "town",
    "invoice_street",
    "invoice_postal_code",
    "invoice_city",
    "orders_food",
    "address_label",
    "street",
    "postal_code",
    "city",
    "building",
    "floor",
    "room",
    "contact_name",
    "contact_phone",
    "delivery_days",
    "opening_hours",
    "note",
}


def _unknown_fields(fields: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(ErrorCode.VALIDATION, f"Unknown fields: {', '.join(sorted(unknown))}.")


def cost_centre_for(
    *, organisation: Organisation, cost_centre_id: int | str | None
) -> DimensionObject | None:
    """A cost centre of the organisation's chart that the organisation may use, or a clear error."""
    if cost_centre_id is None or cost_centre_id == "":
        return None
    from avrop.organisations.selectors.chart import cost_centres_of

    found = cost_centres_of(organisation=organisation).filter(pk=cost_centre_id).first()
    if found is None:
        raise DomainError(
            Code.UNKNOWN_COST_CENTRE,
            _("The cost centre is not in the organisation's chart of accounts."),
            field="default_cost_centre",
        )
    return found


# --- Departments and delivery addresses -------------------------------------------------------------


@transaction.atomic
def department_update(
    *,
    actor: User | None,
    department_id: int,
    default_cost_centre_id: int | None = None,
    gln: str | None = None,
    **fields: Any,
) -> Department:
    _unknown_fields(fields, DEPARTMENT_FIELDS)
    department = lock(Department, department_id)
    require_master_data_role(actor, department.organisation)
    before = snapshot(department)
    if "name" in fields and (
        Department.objects.filter(organisation=department.organisation_id, name=fields["name"])
        .exclude(pk=department.pk)
        .exists()
    ):
        raise DomainError(
            ErrorCode.CONFLICT,
            _("There is already a department called %(name)s.") % {"name": fields["name"]},
            field="name",
        )
    if gln is not None:
        department.gln = gln_checked(gln, department=department) if gln else ""
    for name, value in fields.items():
        setattr(department, name, value)
    department.default_cost_centre = cost_centre_for(
        organisation=department.organisation, cost_centre_id=default_cost_centre_id
    )
    department.save()
    audit(actor=actor, action="department.update", obj=department, before=before, after=snapshot(department))
    return department


@transaction.atomic
def delivery_address_update(*, actor: User | None, address_id: int, **fields: Any) -> DeliveryAddress:
    _unknown_fields(fields, ADDRESS_FIELDS)
    address = lock(DeliveryAddress, address_id)
    organisation = address.department.organisation
    require_master_data_role(actor, organisation)
    before = snapshot(address)
    if fields.get("gln"):
        fields["gln"] = validated(normalise_gln, fields["gln"], "gln", Code.GLN_INVALID)
    for name, value in fields.items():
        setattr(address, name, value)
    address.save()
    if address.is_default:
        DeliveryAddress.objects.filter(department=address.department_id).exclude(pk=address.pk).update(
            is_default=False
        )
    audit(
        actor=actor,
        action="delivery_address.update",
        obj=address,
        organisation=organisation,
        before=before,
        after=snapshot(address),
    )
    return address


# --- The new-department workflow ---------------------------------------------------------------------


def _require_coordinator(actor: User | None, request: DepartmentRequest) -> None:
    require_master_data_role(actor, request.organisation)


def _move(request: DepartmentRequest, to: str, fields: list[str]) -> None:
    assert_request_transition(request, to=to)
    request.status = to
    request.save(update_fields=["status", "updated_at", *fields])


@transaction.atomic
def department_request_submit(
    *, actor: User, organisation: Organisation, default_cost_centre_id: int | None = None, **fields: Any
) -> DepartmentRequest:
    """Any member may ask for a new department (a unit manager usually does); the coordinator decides."""
    _unknown_fields(fields, REQUEST_FIELDS)
    require_member(actor, organisation)
    if not organisation.is_buyer:
        raise DomainError(ErrorCode.VALIDATION, _("Only buying organisations have ordering departments."))
    for required in (
        "name",
        "invoice_street",
        "invoice_postal_code",
        "invoice_city",
        "street",
        "postal_code",
        "city",
        "contact_name",
        "contact_phone",
    ):
        if not str(fields.get(required, "")).strip():
            raise DomainError(ErrorCode.VALIDATION, _("This field is required."), field=required)
    request = DepartmentRequest(
        organisation=organisation,
        requested_by=actor,
        requested_at=timezone.now(),
        default_cost_centre=cost_centre_for(organisation=organisation, cost_centre_id=default_cost_centre_id),
        **fields,
    )
    request.save()
    audit(actor=actor, action="department_request.submit", obj=request, after=snapshot(request))
    return request


@transaction.atomic
def department_request_approve(
    *, actor: User | None, request_id: int, comment: str = ""
) -> DepartmentRequest:
    """Approve and create the department, inactive until every supplier knows it."""
    request = lock(DepartmentRequest, request_id)
    _require_coordinator(actor, request)
    assert_request_transition(request, to=Status.APPROVED)
    if Department.objects.filter(organisation=request.organisation_id, name=request.name).exists():
        raise DomainError(
            ErrorCode.CONFLICT,
            _("There is already a department called %(name)s.") % {"name": request.name},
            field="name",
        )
    department = Department.objects.create(
        organisation=request.organisation,
        name=request.name,
        code=request.code,
        town=request.town,
        invoice_street=request.invoice_street,
        invoice_postal_code=request.invoice_postal_code,
        invoice_city=request.invoice_city,
        default_cost_centre=request.default_cost_centre,
        is_active=False,
    )
    DeliveryAddress.objects.create(
        department=department,
        label=request.address_label,
        street=request.street,
        postal_code=request.postal_code,
        city=request.city,
        building=request.building,
        floor=request.floor,
        room=request.room,
        contact_name=request.contact_name,
        contact_phone=request.contact_phone,
        delivery_days=request.delivery_days,
        opening_hours=request.opening_hours,
        is_default=True,
    )
    request.department = department
    request.approved_by, request.approved_at = actor, timezone.now()
    _move(request, Status.APPROVED, ["department", "approved_by", "approved_at"])
    audit(actor=actor, action="department.create", obj=department, after=snapshot(department))
    audit(actor=actor, action="department_request.approve", obj=request, comment=comment)
    return request


@transaction.atomic
def department_request_reject(*, actor: User | None, request_id: int, reason: str) -> DepartmentRequest:
    request = lock(DepartmentRequest, request_id)
    _require_coordinator(actor, request)
    if not reason.strip():
        raise DomainError(ErrorCode.VALIDATION, _("Tell the requester why."), field="reason")
    request.closed_by, request.closed_at, request.close_reason = actor, timezone.now(), reason.strip()
    _move(request, Status.REJECTED, ["closed_by", "closed_at", "close_reason"])
    audit(actor=actor, action="department_request.reject", obj=request, comment=reason)
    return request


@transaction.atomic
def department_request_cancel(*, actor: User | None, request_id: int, reason: str = "") -> DepartmentRequest:
    """The coordinator may cancel at any open step; the requester only before it was approved."""
    request = lock(DepartmentRequest, request_id)
    roles = require_member(actor, request.organisation)
    is_own_fresh = (
        actor is not None and request.requested_by_id == actor.pk and request.status == Status.REQUESTED
    )
    if not (roles & MASTER_DATA_ROLES or is_own_fresh):
        raise NotAllowed(
            _("Only the coordinator may cancel a request that has been approved."), code=Code.ROLE_NEEDED
        )
    request.closed_by, request.closed_at, request.close_reason = actor, timezone.now(), reason.strip()
    _move(request, Status.CANCELLED, ["closed_by", "closed_at", "close_reason"])
    audit(actor=actor, action="department_request.cancel", obj=request, comment=reason)
    return request


@transaction.atomic
def department_request_assign_gln(*, actor: User | None, request_id: int, gln: str) -> DepartmentRequest:
    request = lock(DepartmentRequest, request_id)
    _require_coordinator(actor, request)
    assert_request_transition(request, to=Status.GLN_ASSIGNED)
    department = lock(Department, request.department_id)  # type: ignore[arg-type]
    department.gln = gln_checked(gln, department=department)
    department.save(update_fields=["gln", "updated_at"])
    DeliveryAddress.objects.filter(department=department, is_default=True, gln="").update(gln=department.gln)
    request.gln_assigned_by, request.gln_assigned_at = actor, timezone.now()
    _move(request, Status.GLN_ASSIGNED, ["gln_assigned_by", "gln_assigned_at"])
    audit(actor=actor, action="department_request.assign_gln", obj=request, after={"gln": department.gln})
    return request


@transaction.atomic
def department_request_notify_suppliers(*, actor: User | None, request_id: int) -> DepartmentRequest:
    """Send every supplier connected to the organisation all of the department's data, one message each.

    E-mail for now, whatever the supplier's connection; the channel is recorded per supplier so that portal
    and Peppol notifications can take over without changing the steps.
    """
    request = lock(DepartmentRequest, request_id)
    _require_coordinator(actor, request)
    assert_request_transition(request, to=Status.SUPPLIERS_NOTIFIED)
    assert request.department_id is not None  # an approved request has created its department
    department = Department.objects.select_related("organisation", "default_cost_centre").get(
        pk=request.department_id
    )
    addresses = list(department.delivery_addresses.all())
    now = timezone.now()
    steps = []
    for supplier in suppliers().recipients(organisation=request.organisation):
        recipient = supplier.email
        step = DepartmentRequestSupplier(
            request=request, supplier_id=supplier.supplier_id, channel="email", recipient=recipient
        )
        if recipient:
            with translation.override(settings.LANGUAGE_CODE):
                context = {
                    "request": request,
                    "department": department,
                    "addresses": addresses,
                    "supplier": supplier,
                }
                subject = _(
                    "New ordering department %(name)s, GLN %(gln)s – please send your customer number"
                ) % {"name": department.name, "gln": department.gln}
                body = render_to_string("organisations/email/department_to_supplier.txt", context)
            step.message = outbox_email(
                recipient=recipient,
                subject=subject,
                body=body,
                organisation=request.organisation,
                obj=request,
            )
            step.notified_at = now
        steps.append(step)
    DepartmentRequestSupplier.objects.bulk_create(steps)
    request.notified_by, request.notified_at = actor, now
    _move(request, Status.SUPPLIERS_NOTIFIED, ["notified_by", "notified_at"])
    audit(
        actor=actor,
        action="department_request.notify_suppliers",
        obj=request,
        after={"suppliers": [{"supplier": s.supplier_id, "recipient": s.recipient} for s in steps]},
    )
    return request


@transaction.atomic
def department_request_customer_number(
    *, actor: User | None, request_id: int, supplier_id: int, number: str
) -> DepartmentRequestSupplier:
    """Record the customer number a supplier gave the new department.

    Suppliers will enter it themselves in the portal later; the step is the same.
    """
    request = lock(DepartmentRequest, request_id)
    _require_coordinator(actor, request)
    if request.status != Status.SUPPLIERS_NOTIFIED:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            _(
                "Customer numbers are recorded after the suppliers were notified "
                "and before the request is closed."
            ),
        )
    number = number.strip()
    if not number:
        raise DomainError(ErrorCode.VALIDATION, _("Enter the customer number."), field="number")
    step = (
        DepartmentRequestSupplier.objects.select_for_update()
        .filter(request=request, supplier_id=supplier_id)
        .first()
    )
    if step is None:
        raise DomainError(
            Code.SUPPLIER_NOT_IN_REQUEST,
            _("This supplier was not notified about the request."),
            field="supplier",
        )
    assert request.department is not None  # the suppliers are notified once the department exists
    suppliers().customer_number_set(
        actor=actor, supplier_id=step.supplier_id, department=request.department, number=number
    )
    step.customer_number, step.customer_number_at, step.customer_number_by = number, timezone.now(), actor
    step.save(update_fields=["customer_number", "customer_number_at", "customer_number_by", "updated_at"])
    audit(
        actor=actor,
        action="department_request.customer_number",
        obj=request,
        after={"supplier": step.supplier_id, "number": number},
    )
    return step


def department_request_steps_answer(
    *, actor: User | None, supplier: Any, department: Any, number: str
) -> int:
    """The supplier itself gave ``department`` a customer number (in the portal): every open request step that
    waits for that supplier's number for the department is answered with it. Returns how many steps were.

    The caller has already checked that ``actor`` acts for the supplier and stored the number."""
    number = number.strip()
    if not number:
        return 0
    steps = list(
        DepartmentRequestSupplier.objects.select_for_update()
        .select_related("request")
        .filter(
            supplier=supplier,
            request__department=department,
            request__status=Status.SUPPLIERS_NOTIFIED,
        )
    )
    now = timezone.now()
    for step in steps:
        if step.customer_number == number:
            continue
        step.customer_number, step.customer_number_at, step.customer_number_by = number, now, actor
        step.save(update_fields=["customer_number", "customer_number_at", "customer_number_by", "updated_at"])
        audit(
            actor=actor,
            action="department_request.customer_number",
            obj=step.request,
            after={"supplier": step.supplier_id, "number": number, "by": "supplier"},
        )
    return len(steps)


@transaction.atomic
def department_request_complete(*, actor: User | None, request_id: int) -> DepartmentRequest:
    """Every supplier has a customer number: activate the department and tell the requesting unit."""
    request = lock(DepartmentRequest, request_id)
    _require_coordinator(actor, request)
    assert_request_transition(request, to=Status.COMPLETED)
    missing = list(request.supplier_steps.filter(customer_number="").select_related("supplier__organisation"))
    if missing:
        names = ", ".join(step.supplier.organisation.name for step in missing)
        raise DomainError(
            Code.CUSTOMER_NUMBERS_MISSING,
            _("Customer numbers are still missing from: %(names)s.") % {"names": names},
        )
    department = lock(Department, request.department_id)  # type: ignore[arg-type]
    department.is_active = True
    department.save(update_fields=["is_active", "updated_at"])
    request.completed_by, request.completed_at = actor, timezone.now()
    _move(request, Status.COMPLETED, ["completed_by", "completed_at"])
    requester = request.requested_by
    if requester.email:
        with translation.override(requester.preferred_language or settings.LANGUAGE_CODE):
            subject = _("Your department %(name)s is ready for ordering") % {"name": department.name}
            body = render_to_string(
                "organisations/email/department_ready.txt",
                {
                    "request": request,
                    "department": department,
                    "steps": request.supplier_steps.select_related("supplier__organisation"),
                },
            )
        outbox_email(
            recipient=requester.email,
            subject=subject,
            body=body,
            organisation=request.organisation,
            obj=request,
        )
    audit(actor=actor, action="department_request.complete", obj=request)
    return request
