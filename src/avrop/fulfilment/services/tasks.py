"""Post-delivery tasks: the orderer's checklist before delivery (answers to the requirement's questions),
take-back of old equipment, storage wipe or removal with a certificate, training sign-off by the trained
staff. Each task moves open → done (and back, by the coordinator) through ``_move``; a task of a kind the
order's requirements do not ask for is refused."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.core.locking import lock
from avrop.core.workflows import assert_transition
from avrop.fulfilment import selectors
from avrop.fulfilment.errors import Code
from avrop.fulfilment.models import PostDeliveryTask, TaskKind
from avrop.fulfilment.services._common import OVERSIGHT_ROLES, SUPPLIER_ROLES, buyer_roles
from avrop.fulfilment.workflows import TASK_TRANSITIONS, TaskStatus
from avrop.ordering import services as ordering
from avrop.ordering.models import OrderEvent, PurchaseOrder
from avrop.organisations.models import User
from avrop.organisations.roles import Role
from avrop.organisations.selectors import roles_in

MAX_CERTIFICATE_BYTES = 10 * 1024 * 1024
CERTIFICATE_TYPES = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff")


def _may_do(actor: User, order: PurchaseOrder, kind: str) -> None:
    # The supplier's technician who wiped or removed the storage uploads the certificate from the portal.
    if kind == TaskKind.STORAGE_WIPE and roles_in(user=actor, organisation=order.supplier.organisation) & (
        SUPPLIER_ROLES
    ):
        return
    roles = buyer_roles(actor, order)
    if roles & OVERSIGHT_ROLES:
        return
    is_orderer = order.requisition.requisitioner_id == actor.pk
    if kind == TaskKind.CHECKLIST and is_orderer:
        return
    if kind == TaskKind.TRAINING and (is_orderer or Role.GOODS_RECEIVER in roles):
        return
    if kind in {TaskKind.TAKE_BACK, TaskKind.STORAGE_WIPE} and Role.GOODS_RECEIVER in roles:
        return
    raise NotAllowed(
        _("%(task)s is done by the orderer, the goods receiver or the coordinator.")
        % {"task": TaskKind(kind).label},
        Code.NOT_YOUR_TASK,
    )


def _move(task: PostDeliveryTask, to: str, *, actor: User, after: dict[str, Any]) -> None:
    before = task.status
    assert_transition(task, to=to, transitions=TASK_TRANSITIONS)
    task.status = to
    if to == TaskStatus.DONE:
        task.done_by = actor
        task.done_at = timezone.now()
    else:
        task.done_by = None
        task.done_at = None
    task.save()
    audit(
        actor=actor,
        action=f"post_delivery_task.{'done' if to == TaskStatus.DONE else 'reopen'}",
        obj=task,
        organisation=task.purchase_order.organisation,
        before={"status": before},
        after={"status": to, "kind": task.kind, **after},
    )


def _task(order: PurchaseOrder, kind: str) -> PostDeliveryTask:
    task = PostDeliveryTask.objects.select_for_update().filter(purchase_order=order, kind=kind).first()
    if task is not None:
        return task
    try:
        with transaction.atomic():
            return PostDeliveryTask.objects.create(
                organisation_id=order.organisation_id, purchase_order=order, kind=kind
            )
    except IntegrityError:
        return PostDeliveryTask.objects.select_for_update().get(purchase_order=order, kind=kind)


@transaction.atomic
def post_delivery_task_complete(
    *,
    actor: User,
    order_id: int,
    kind: str,
    answers: Mapping[str, str] | None = None,
    note: str = "",
    certificate: tuple[str, bytes] | None = None,
) -> PostDeliveryTask:
    """Mark a task of the order done. The checklist needs every question answered; the storage wipe needs
    its certificate (PDF or picture); the training sign-off names who was trained (``note``)."""
    try:
        order = lock(PurchaseOrder, int(order_id))
    except (PurchaseOrder.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if kind not in TaskKind.values:
        raise NotFound()
    _may_do(actor, order, kind)
    if kind not in selectors.required_tasks(order):
        raise DomainError(
            Code.TASK_INVALID,
            _("The agreement does not ask for %(task)s on order %(number)s.")
            % {"task": str(TaskKind(kind).label).lower(), "number": order.number},
        )
    task = _task(order, kind)
    after: dict[str, Any] = {}
    if kind == TaskKind.CHECKLIST:
        questions = selectors.checklist_questions(order)
        given = {q: str((answers or {}).get(q, "")).strip()[:500] for q in questions}
        empty = [q for q, a in given.items() if not a]
        if empty:
            raise DomainError(
                Code.TASK_INVALID,
                _("Answer every question of the checklist: %(questions)s.") % {"questions": "; ".join(empty)},
            )
        task.answers = given
        after["answers"] = len(given)
    if kind == TaskKind.STORAGE_WIPE:
        if certificate is None:
            raise DomainError(
                Code.TASK_INVALID, _("Upload the wipe or destruction certificate."), field="certificate"
            )
        name, content = certificate
        if len(content) > MAX_CERTIFICATE_BYTES:
            raise DomainError(
                Code.TASK_INVALID, _("The certificate is larger than 10 MB."), field="certificate"
            )
        if not content.startswith(CERTIFICATE_TYPES):
            raise DomainError(
                Code.TASK_INVALID,
                _("The certificate must be a PDF or a picture (PNG, JPEG)."),
                field="certificate",
            )
        task.certificate_name = name[:255] or "certificate.pdf"
        task.certificate = content
        task.certificate_sha256 = hashlib.sha256(content).hexdigest()
        after["certificate_sha256"] = task.certificate_sha256
    if kind == TaskKind.TRAINING and not note.strip():
        raise DomainError(Code.TASK_INVALID, _("Name who was trained."), field="note")
    task.note = note.strip()[:4000]
    _move(task, TaskStatus.DONE, actor=actor, after=after)
    ordering.order_timeline_add(
        order=order,
        kind=OrderEvent.Kind.TASK,
        text=_("%(task)s done") % {"task": TaskKind(kind).label} + (f" – {task.note}" if task.note else ""),
        actor=actor,
    )
    return task


@transaction.atomic
def post_delivery_task_reopen(*, actor: User, order_id: int, kind: str, reason: str) -> PostDeliveryTask:
    """The coordinator reopens a task done by mistake (with the reason)."""
    try:
        order = lock(PurchaseOrder, int(order_id))
    except (PurchaseOrder.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not buyer_roles(actor, order) & OVERSIGHT_ROLES:
        raise NotAllowed(_("Only the e-commerce coordinator reopens a task."), Code.NOT_YOUR_TASK)
    if not reason.strip():
        raise DomainError(Code.TASK_INVALID, _("Say why the task is reopened."), field="reason")
    task = PostDeliveryTask.objects.select_for_update().filter(purchase_order=order, kind=kind).first()
    if task is None:
        raise NotFound()
    _move(task, TaskStatus.OPEN, actor=actor, after={"reason": reason.strip()[:500]})
    return task
