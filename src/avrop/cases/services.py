"""Actions on support cases. One service per transition; each locks the case and writes an audit event."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.cases.checklists import CHECKLISTS, CaseType
from avrop.cases.models import Case, CaseMessage, CaseStep
from avrop.cases.workflows import TRANSITIONS, Status
from avrop.core.audit import audit, snapshot
from avrop.core.errors import DomainError, ErrorCode, InvalidTransition, NotAllowed
from avrop.core.locking import lock
from avrop.core.outbox import outbox_email
from avrop.core.workflows import assert_transition
from avrop.organisations.models import Department, Organisation, User
from avrop.organisations.permissions import require_role
from avrop.organisations.roles import Role
from avrop.organisations.selectors import roles_in
from avrop.suppliers.models import Supplier

CASE_WORKER_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})


def is_case_worker(*, user: User, organisation: Organisation) -> bool:
    return bool(roles_in(user=user, organisation=organisation) & CASE_WORKER_ROLES)


def _require_worker(actor: User, case: Case) -> None:
    require_role(user=actor, organisation=case.organisation, roles=CASE_WORKER_ROLES)


def _require_party(actor: User, case: Case) -> None:
    """The requester or a case worker; anybody else in the organisation does not even see the case."""
    require_role(user=actor, organisation=case.organisation, roles=Role.values)
    if case.requester_id != actor.pk and not is_case_worker(user=actor, organisation=case.organisation):
        raise NotAllowed(_("Only the requester and the e-commerce coordinators take part in this case."))


def _move(case: Case, to: str, *, only_from: str | None = None) -> dict[str, str]:
    """Check the edge; ``only_from`` narrows it when two services lead to the same status (start, resume)."""
    if only_from is not None and case.status != only_from:
        labels = dict(Case.Status.choices)
        raise InvalidTransition(
            _("This cannot be done now: the case is “%(status)s”, and this step needs it to be “%(needed)s”.")
            % {"status": case.get_status_display(), "needed": labels.get(only_from, only_from)},
            detail=f"Case {case.pk} is {case.status!r}; this step needs {only_from!r}.",
        )
    assert_transition(case, to=str(to), transitions=TRANSITIONS)
    before = {"status": case.status}
    case.status = to
    return before


@transaction.atomic
def case_open(
    *,
    actor: User,
    organisation: Organisation,
    case_type: str,
    subject: str,
    description: str = "",
    requester: User | None = None,
    supplier: Supplier | None = None,
    department: Department | None = None,
    order_reference: str = "",
) -> Case:
    """Any member of a buying organisation opens a case; a coordinator may open one for someone who called."""
    roles = require_role(user=actor, organisation=organisation, roles=Role.values)
    if not organisation.is_buyer:
        raise NotAllowed(_("Support cases are handled by buying organisations."))
    if case_type not in CaseType.values:
        raise DomainError(
            ErrorCode.VALIDATION, _("Unknown case type %(type)s.") % {"type": case_type}, field="case_type"
        )
    if not subject.strip():
        raise DomainError(
            ErrorCode.VALIDATION, _("Say in a few words what the case is about."), field="subject"
        )
    requester = requester or actor
    if requester != actor:
        if not roles & CASE_WORKER_ROLES:
            raise NotAllowed(_("Only a coordinator opens a case on behalf of someone else."))
        if not roles_in(user=requester, organisation=organisation):
            raise DomainError(
                ErrorCode.VALIDATION,
                _("The requester is not a member of the organisation."),
                field="requester",
            )
    if supplier is not None and supplier.buyer_id != organisation.pk:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("The supplier is not one of the organisation's suppliers."),
            field="supplier",
        )
    if department is not None and department.organisation_id != organisation.pk:
        raise DomainError(
            ErrorCode.VALIDATION, _("The department belongs to another organisation."), field="department"
        )
    case = Case.objects.create(
        organisation=organisation,
        case_type=case_type,
        subject=subject.strip(),
        description=description.strip(),
        requester=requester,
        opened_by=actor,
        supplier=supplier,
        department=department,
        order_reference=order_reference.strip(),
    )
    CaseStep.objects.bulk_create(
        [CaseStep(case=case, position=i, text=text) for i, text in enumerate(CHECKLISTS[case_type], start=1)]
    )
    audit(actor=actor, action="case.open", obj=case, organisation=organisation, after=snapshot(case))
    return case


@transaction.atomic
def case_start(*, actor: User, case_id: int) -> Case:
    """The coordinator takes the case (open → in progress) and becomes its handler unless someone is."""
    case = lock(Case, case_id)
    _require_worker(actor, case)
    before = _move(case, Status.IN_PROGRESS, only_from=Status.OPEN)
    if case.assignee_id is None:
        case.assignee = actor
    case.started_at = case.started_at or timezone.now()
    case.save(update_fields=["status", "assignee", "started_at", "updated_at"])
    audit(
        actor=actor,
        action="case.start",
        obj=case,
        organisation=case.organisation,
        before=before,
        after={"status": case.status, "assignee": case.assignee_id},
    )
    return case


@transaction.atomic
def case_wait(*, actor: User, case_id: int, reason: str) -> Case:
    """Waiting for someone else (the requester, the supplier, IT): the reason goes into the thread."""
    case = lock(Case, case_id)
    _require_worker(actor, case)
    if not reason.strip():
        raise DomainError(ErrorCode.VALIDATION, _("Say what the case is waiting for."), field="reason")
    before = _move(case, Status.WAITING)
    case.save(update_fields=["status", "updated_at"])
    CaseMessage.objects.create(case=case, author=actor, body=reason.strip())
    audit(
        actor=actor,
        action="case.wait",
        obj=case,
        organisation=case.organisation,
        before=before,
        after={"status": case.status},
        comment=reason.strip(),
    )
    return case


@transaction.atomic
def case_resume(*, actor: User, case_id: int) -> Case:
    case = lock(Case, case_id)
    _require_worker(actor, case)
    before = _move(case, Status.IN_PROGRESS, only_from=Status.WAITING)
    case.save(update_fields=["status", "updated_at"])
    audit(
        actor=actor,
        action="case.resume",
        obj=case,
        organisation=case.organisation,
        before=before,
        after={"status": case.status},
    )
    return case


@transaction.atomic
def case_resolve(*, actor: User, case_id: int, resolution: str) -> Case:
    """Resolved: the requester is told what was done (by e-mail after commit)."""
    case = lock(Case, case_id)
    _require_worker(actor, case)
    if not resolution.strip():
        raise DomainError(
            ErrorCode.VALIDATION, _("Describe the resolution for the requester."), field="resolution"
        )
    before = _move(case, Status.RESOLVED)
    case.resolution = resolution.strip()
    case.resolved_by, case.resolved_at = actor, timezone.now()
    if case.assignee_id is None:
        case.assignee = actor
    case.save(update_fields=["status", "resolution", "resolved_by", "resolved_at", "assignee", "updated_at"])
    audit(
        actor=actor,
        action="case.resolve",
        obj=case,
        organisation=case.organisation,
        before=before,
        after={"status": case.status},
        comment=case.resolution,
    )
    if case.requester.email and case.requester_id != actor.pk:
        outbox_email(
            recipient=case.requester.email,
            organisation=case.organisation,
            obj=case,
            subject=_("Your case #%(number)s is resolved: %(subject)s")
            % {"number": case.pk, "subject": case.subject},
            body=_("%(resolution)s\n\nIf the problem remains, reopen the case in avrop.\n\n%(who)s")
            % {"resolution": case.resolution, "who": actor.get_full_name() or actor.username},
        )
    return case


@transaction.atomic
def case_close(*, actor: User, case_id: int) -> Case:
    case = lock(Case, case_id)
    _require_party(actor, case)
    before = _move(case, Status.CLOSED)
    case.closed_by, case.closed_at = actor, timezone.now()
    case.save(update_fields=["status", "closed_by", "closed_at", "updated_at"])
    audit(
        actor=actor,
        action="case.close",
        obj=case,
        organisation=case.organisation,
        before=before,
        after={"status": case.status},
    )
    return case


@transaction.atomic
def case_reopen(*, actor: User, case_id: int, reason: str) -> Case:
    """The problem came back: the case is open again and waits for a coordinator."""
    case = lock(Case, case_id)
    _require_party(actor, case)
    if not reason.strip():
        raise DomainError(ErrorCode.VALIDATION, _("Say why the case is reopened."), field="reason")
    before = _move(case, Status.OPEN)
    case.reopened_count += 1
    case.resolved_by = case.resolved_at = case.closed_by = case.closed_at = None
    case.save(
        update_fields=[
            "status",
            "reopened_count",
            "resolved_by",
            "resolved_at",
            "closed_by",
            "closed_at",
            "updated_at",
        ]
    )
    CaseMessage.objects.create(case=case, author=actor, body=reason.strip())
    audit(
        actor=actor,
        action="case.reopen",
        obj=case,
        organisation=case.organisation,
        before=before,
        after={"status": case.status},
        comment=reason.strip(),
    )
    return case


@transaction.atomic
def case_message_add(*, actor: User, case_id: int, body: str) -> CaseMessage:
    case = lock(Case, case_id)
    _require_party(actor, case)
    if case.status == Status.CLOSED:
        raise DomainError(ErrorCode.INVALID_TRANSITION, _("The case is closed; reopen it to write more."))
    if not body.strip():
        raise DomainError(ErrorCode.VALIDATION, _("Write a message."), field="body")
    message = CaseMessage.objects.create(case=case, author=actor, body=body.strip())
    case.save(update_fields=["updated_at"])
    audit(
        actor=actor,
        action="case.message",
        obj=case,
        organisation=case.organisation,
        after={"message": message.pk},
    )
    return message


@transaction.atomic
def case_step_set(*, actor: User, case_id: int, position: int, done: bool) -> CaseStep:
    """Tick (or untick) one checklist step; who and when are recorded."""
    case = lock(Case, case_id)
    _require_worker(actor, case)
    if case.status in {Status.RESOLVED, Status.CLOSED}:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            _("The case is %(status)s; reopen it to change the checklist.")
            % {"status": case.get_status_display().lower()},
        )
    try:
        step = CaseStep.objects.select_for_update().get(case=case, position=position)
    except CaseStep.DoesNotExist:
        raise DomainError(
            ErrorCode.VALIDATION, _("The checklist has no step %(n)s.") % {"n": position}, field="position"
        ) from None
    if step.is_done == done:
        return step
    step.done_by, step.done_at = (actor, timezone.now()) if done else (None, None)
    step.save(update_fields=["done_by", "done_at"])
    case.save(update_fields=["updated_at"])
    audit(
        actor=actor,
        action="case.step_done" if done else "case.step_undone",
        obj=case,
        organisation=case.organisation,
        after={"step": position},
    )
    return step
