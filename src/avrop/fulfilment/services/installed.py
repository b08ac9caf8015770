"""The installed base: a machine received is registered with its serial number, placement and contact person
by the goods receiver of its department or the coordinator; the same serial number twice for a supplier is
refused."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.core.locking import lock
from avrop.fulfilment import selectors
from avrop.fulfilment.errors import Code
from avrop.fulfilment.models import InstalledMachine
from avrop.fulfilment.services._common import OVERSIGHT_ROLES, buyer_roles
from avrop.ordering.models import PurchaseOrder
from avrop.organisations.models import User
from avrop.organisations.roles import Role


@transaction.atomic
def installed_machine_register(
    *,
    actor: User,
    order_id: int,
    line_number: Any,
    serial_number: str,
    building: str = "",
    floor: str = "",
    room: str = "",
    contact_name: str = "",
    contact_phone: str = "",
) -> InstalledMachine:
    try:
        order = lock(PurchaseOrder, int(order_id))
    except (PurchaseOrder.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    roles = buyer_roles(actor, order)
    if not roles & (OVERSIGHT_ROLES | {Role.GOODS_RECEIVER}):
        raise NotAllowed(
            _("Only the goods receiver or the coordinator registers installed machines."), Code.NO_AUTHORITY
        )
    departments = selectors.receiver_departments(user=actor, organisation=order.organisation)
    if departments is not None and order.department_id not in departments:
        raise NotFound()
    try:
        number = int(str(line_number).strip())
    except ValueError:
        number = 0
    line = order.lines.filter(line_number=number).first() if number > 0 else None
    if line is None:
        raise DomainError(Code.MACHINE_INVALID, _("Choose the order line of the machine."), field="line")
    if selectors.received_by_line([order]).get(line.pk, 0) <= 0:
        raise DomainError(
            Code.MACHINE_INVALID,
            _("Line %(line)s has not been received yet; register the machine when it has arrived.")
            % {"line": line.line_number},
            field="line",
        )
    serial = serial_number.strip()[:100]
    if not serial:
        raise DomainError(
            Code.MACHINE_INVALID, _("Enter the machine's serial number."), field="serial_number"
        )
    try:
        with transaction.atomic():
            machine = InstalledMachine.objects.create(
                organisation_id=order.organisation_id,
                department_id=order.department_id,
                supplier_id=order.supplier_id,
                agreement_id=order.agreement_id,
                order_line=line,
                serial_number=serial,
                name=line.name[:300],
                building=building.strip()[:100],
                floor=floor.strip()[:40],
                room=room.strip()[:100],
                contact_name=contact_name.strip()[:200],
                contact_phone=contact_phone.strip()[:40],
                installed_on=timezone.localdate(),
                registered_by=actor,
            )
    except IntegrityError:
        raise DomainError(
            Code.MACHINE_INVALID,
            _("A machine with serial number %(serial)s from this supplier is already registered.")
            % {"serial": serial},
            field="serial_number",
        ) from None
    audit(
        actor=actor,
        action="installed_machine.register",
        obj=machine,
        organisation=order.organisation,
        after={"order": order.number, "line": line.line_number, "serial_number": serial},
    )
    return machine
