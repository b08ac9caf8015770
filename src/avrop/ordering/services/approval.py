"""Sending for approval, deciding (whole requisition or per line), one-click e-mail links, reminders,
escalation and re-approval.

The route comes from the organisation's approval rules through ``who_can_approve``: one step per cost centre
(and category or account where rules are narrowed to one), shown to the requisitioner before sending. The
decision checks the authority again at that moment, so a deputy who started today may decide and someone
whose rule ended may not. Segregation of duties: nobody approves their own requisition.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from avrop.core import formatting
from avrop.core.calendar import count_business_days
from avrop.core.errors import DomainError, InvalidTransition, NotAllowed, NotFound
from avrop.core.locking import lock
from avrop.core.outbox import outbox_email, outbox_emails
from avrop.core.workflows import assert_transition
from avrop.ordering import conf
from avrop.ordering.checks import active_lines, approval_route, readiness
from avrop.ordering.errors import Code
from avrop.ordering.models import (
    ApprovalLink,
    ApprovalStep,
    OrderEvent,
    PurchaseOrder,
    Requisition,
    RequisitionLine,
    money,
)
from avrop.ordering.services._common import event, event_row, lock_requisition, policy_for
from avrop.ordering.services._transitions import move_requisition, move_steps, retire_pending_steps
from avrop.ordering.workflows import (
    REQUISITION_TRANSITIONS,
    LineDecision,
    RequisitionStatus,
    StepStatus,
)
from avrop.organisations.models import DocumentKind, Membership, User
from avrop.organisations.roles import Role
from avrop.organisations.selectors.approval import approval_authority, who_can_approve

LINK_SALT = "avrop.ordering.approval-link"
WAITING = frozenset({RequisitionStatus.PENDING_APPROVAL, RequisitionStatus.PENDING_REAPPROVAL})
# What sending and deciding read of a requisition besides its row (not the department's cost centre).
RELATED = ("organisation", "department", "requisitioner")
# Sending also reads the organisation's ordering policy (the links' lifetime): joined, not read apart.
SUBMIT_RELATED = ("organisation__ordering_policy", "department", "requisitioner")


# --- sending ----------------------------------------------------------------------------------------------


def _create_steps(
    requisition: Requisition,
    route: list[Any],
    *,
    reason: str = ApprovalStep.Reason.NEW,
    purchase_order: PurchaseOrder | None = None,
) -> list[ApprovalStep]:
    steps = [
        ApprovalStep(
            requisition=requisition,
            round=requisition.approval_round,
            position=index,
            reason=reason,
            cost_centre=step.cost_centre,
            category=step.category,
            account=step.account,
            amount=step.amount,
            currency=requisition.currency,
            line_ids=step.line_ids,
            approver_ids=[u.pk for u in step.approvers],
            explanation=step.explanation(),
            purchase_order=purchase_order,
        )
        for index, step in enumerate(route, start=1)
    ]
    return ApprovalStep.objects.bulk_create(steps)


@transaction.atomic
def requisition_submit(
    *, actor: User, requisition_id: int, submit_key: uuid.UUID | str | None = None
) -> Requisition:
    """Send the cart for approval. The same ``submit_key`` twice (a double click) sends it once."""
    key = uuid.UUID(str(submit_key)) if submit_key else None
    requisition = lock_requisition(requisition_id, related=SUBMIT_RELATED)
    if requisition.requisitioner_id != actor.pk:
        raise NotFound()
    if key is not None and requisition.submit_key == key and requisition.status != RequisitionStatus.DRAFT:
        return requisition
    return submit_checked(requisition=requisition, actor=actor, key=key)


def submit_checked(*, requisition: Requisition, actor: User, key: uuid.UUID | None) -> Requisition:
    """Send a locked draft for approval once the caller has checked who may (the requisitioner, or a
    supplier's SPOC registering on their behalf)."""
    assert_transition(requisition, to=RequisitionStatus.PENDING_APPROVAL, transitions=REQUISITION_TRANSITIONS)
    check = readiness(requisition)
    if check.blocking:
        raise DomainError(Code.CANNOT_SEND, " ".join(p.message for p in check.blocking))
    requisition.approval_round = 1
    requisition.submitted_at = timezone.now()
    requisition.submit_key = key
    if not requisition.title:
        requisition.title = ", ".join(str(s) for s in check.suppliers)[:200]
    move_requisition(
        requisition,
        RequisitionStatus.PENDING_APPROVAL,
        actor=actor,
        action="requisition.submit",
        fields=["approval_round", "submitted_at", "submit_key", "title"],
        after={"total": requisition.total_amount, "steps": [step.cost_centre for step in check.route]},
    )
    steps = _create_steps(requisition, check.route)
    event(
        requisition=requisition,
        kind=OrderEvent.Kind.SUBMITTED,
        text=_("%(count)s approval steps; total %(total)s %(currency)s")
        % {
            "count": len(steps),
            "total": formatting.amount(requisition.total_amount),
            "currency": requisition.currency,
        },
        actor=actor,
    )
    # The route's approvers are active users with an active role: no need to read them again.
    approvers = {user.pk: user for route_step in check.route for user in route_step.approvers}
    notify_approvers(
        requisition=requisition,
        steps=steps,
        lines=check.lines,
        users=[approvers[pk] for pk in sorted(approvers)],
    )
    return requisition


# --- notifications and one-click links --------------------------------------------------------------------


def _links_for(requisition: Requisition, users: list[User], hours: int) -> dict[int, str]:
    """One single-use link per approver, stored as the hash of its nonce; the URL carries the signed id."""
    nonces = {user.pk: secrets.token_urlsafe(24) for user in users}
    expires = timezone.now() + dt.timedelta(hours=hours)
    links = ApprovalLink.objects.bulk_create(
        [
            ApprovalLink(
                requisition=requisition,
                round=requisition.approval_round,
                user=user,
                nonce_hash=hashlib.sha256(nonces[user.pk].encode()).hexdigest(),
                expires_at=expires,
            )
            for user in users
        ]
    )
    return {
        link.user_id: conf.base_url()
        + reverse(
            "ordering:approve_link",
            args=[signing.dumps({"l": link.pk, "n": nonces[link.user_id]}, salt=LINK_SALT, compress=True)],
        )
        for link in links
    }


def notify_approvers(
    *,
    requisition: Requisition,
    steps: Iterable[ApprovalStep],
    template: str = "ordering/email/approve.txt",
    with_links: bool = True,
    lines: list[Any] | None = None,
    users: list[User] | None = None,
) -> int:
    """E-mail each approver of the steps once, with a one-click link of their own. ``users``: the steps'
    approvers when the caller has them already (active ones only)."""
    ids = {pk for step in steps for pk in step.approver_ids}
    if users is None:
        users = list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))
    chosen = {user.pk: user for user in users if user.pk in ids}
    lines = active_lines(requisition) if lines is None else lines
    hours = policy_for(requisition.organisation).approval_link_hours
    queue_url = conf.base_url() + reverse("ordering:approvals")
    recipients = [user for user in chosen.values() if user.email]
    links = _links_for(requisition, recipients, hours) if with_links and recipients else {}
    messages: list[tuple[str, str, str]] = []
    for user in recipients:
        with translation.override(user.preferred_language or "sv"):
            body = render_to_string(
                template,
                {
                    "requisition": requisition,
                    "lines": lines,
                    "approver": user,
                    "link": links.get(user.pk, ""),
                    "queue_url": queue_url,
                    "hours": hours,
                },
            )
            subject = _("Approve requisition %(number)s from %(name)s (%(total)s %(currency)s)") % {
                "number": requisition.number,
                "name": requisition.requisitioner.get_full_name(),
                "total": formatting.amount(requisition.total_amount),
                "currency": requisition.currency,
            }
        messages.append((user.email, subject, body))
    if messages:
        outbox_emails(messages=messages, organisation=requisition.organisation, obj=requisition)
    return len(chosen)


@dataclass
class LinkCheck:
    link: ApprovalLink
    requisition: Requisition


def approval_link_check(*, token: str) -> LinkCheck:
    """The link's requisition if the signature holds and it is unused, unexpired and for this round."""
    try:
        data = signing.loads(token, salt=LINK_SALT)
        link = ApprovalLink.objects.select_related("requisition__requisitioner", "user").get(
            pk=int(data["l"])
        )
    except (signing.BadSignature, ApprovalLink.DoesNotExist, KeyError, TypeError, ValueError):
        raise DomainError(Code.LINK_INVALID, _("This approval link is not valid.")) from None
    if not secrets.compare_digest(
        link.nonce_hash, hashlib.sha256(str(data.get("n", "")).encode()).hexdigest()
    ):
        raise DomainError(Code.LINK_INVALID, _("This approval link is not valid."))
    if link.used_at is not None:
        raise DomainError(
            Code.LINK_USED,
            _("This link was already used on %(when)s. Open the approval queue to see the requisition.")
            % {"when": timezone.localtime(link.used_at).strftime("%Y-%m-%d %H:%M")},
        )
    if link.expires_at < timezone.now():
        raise DomainError(
            Code.LINK_EXPIRED, _("This link has expired. Log in and decide from your approval queue.")
        )
    if link.round != link.requisition.approval_round or link.requisition.status not in WAITING:
        raise DomainError(Code.LINK_USED, _("The requisition has already been decided or has changed since."))
    return LinkCheck(link=link, requisition=link.requisition)


@transaction.atomic
def approval_link_use(*, token: str, approve: bool, comment: str = "") -> Requisition:
    """Decide from the e-mail: the link stands for its approver, once."""
    check = approval_link_check(token=token)
    link = lock(ApprovalLink, check.link.pk)
    if link.used_at is not None:
        raise DomainError(Code.LINK_USED, _("This approval link was already used."))
    link.used_at = timezone.now()
    link.save(update_fields=["used_at", "updated_at"])
    return requisition_decide(
        requisition_id=link.requisition_id,
        approver=link.user,
        approve=approve,
        comment=comment,
        via_link=True,
    )


# --- deciding ---------------------------------------------------------------------------------------------


def _decidable(requisition: Requisition, steps: list[ApprovalStep], user: User) -> list[ApprovalStep]:
    """Those of ``steps`` that ``user`` may decide now, by the rules in force today (read once for all)."""
    if user.pk == requisition.requisitioner_id:
        return []
    steps = [step for step in steps if step.cost_centre]
    if not steps:
        return []
    authority = approval_authority(
        user=requisition.requisitioner,
        organisation=requisition.organisation,
        document_kind=DocumentKind.ORDER,
        cost_centres=[step.cost_centre for step in steps],
        requester=requisition.requisitioner,
        organisation_read=True,
    )
    return [
        step
        for step in steps
        if authority.answer(
            cost_centre=step.cost_centre, amount=step.amount, account=step.account, category=step.category
        ).can_approve(user)
    ]


def steps_for(requisition: Requisition, user: User) -> list[ApprovalStep]:
    """The pending steps of the current round that ``user`` may decide now."""
    steps = requisition.steps.filter(round=requisition.approval_round, status=StepStatus.PENDING)
    return _decidable(requisition, list(steps.order_by("position", "pk")), user)


def _pending_steps(requisition: Requisition) -> list[ApprovalStep]:
    """The current round's pending steps by position (read on every decision), knowing their requisition."""
    steps = list(
        ApprovalStep.objects.filter(
            requisition=requisition, round=requisition.approval_round, status=StepStatus.PENDING
        ).order_by("position", "pk")
    )
    for step in steps:
        step.requisition = requisition
    return steps


def _rescope_pending(requisition: Requisition, actor: User) -> None:
    """After lines were rejected: pending steps cover only the lines left, or are no longer needed."""
    rejected = set(requisition.lines.filter(decision=LineDecision.REJECTED).values_list("pk", flat=True))
    if not rejected:
        return
    lines = {line.pk: line for line in active_lines(requisition)}
    unneeded = []
    for step in requisition.steps.filter(round=requisition.approval_round, status=StepStatus.PENDING):
        remaining = [pk for pk in step.line_ids if pk not in rejected]
        if not remaining:
            unneeded.append(step)
            continue
        amount = sum(
            (
                s.amount
                for pk in remaining
                for s in lines[pk].splits.all()
                if s.cost_centre == step.cost_centre
            ),
            Decimal("0"),
        )
        step.line_ids = remaining
        step.amount = money(amount)
        step.save(update_fields=["line_ids", "amount", "updated_at"])
    move_steps(
        unneeded,
        StepStatus.NOT_NEEDED,
        requisition=requisition,
        actor=actor,
        action="approval_step.not_needed",
        after={"reason": "lines rejected"},
    )


@transaction.atomic
def requisition_decide(
    *,
    requisition_id: int,
    approver: User,
    approve: bool,
    comment: str = "",
    reject_line_ids: Iterable[int] = (),
    via_link: bool = False,
) -> Requisition:
    """Approve or reject the steps ``approver`` may decide; ``reject_line_ids`` rejects single lines and
    approves the rest. The last approval creates the purchase orders (their sending waits for the commit)."""
    requisition = lock_requisition(requisition_id, related=RELATED)
    if approver.pk == requisition.requisitioner_id:
        raise NotAllowed(
            _("Segregation of duties: you cannot approve your own requisition."), code=Code.OWN_REQUISITION
        )
    if requisition.status not in WAITING:
        raise InvalidTransition(
            _("Requisition %(number)s is already %(status)s; nothing is waiting for your decision.")
            % {"number": requisition.number, "status": requisition.get_status_display().lower()}
        )
    pending = _pending_steps(requisition)
    steps = _decidable(requisition, pending, approver)
    if not steps:
        decided = requisition.steps.filter(round=requisition.approval_round).exclude(
            status=StepStatus.PENDING
        )
        if any(approver.pk in step.approver_ids for step in decided):
            raise DomainError(Code.ALREADY_DECIDED, _("Someone has already decided this requisition."))
        raise NotAllowed(
            _("You have no approval authority for what is waiting in requisition %(number)s.")
            % {"number": requisition.number},
            code=Code.NOT_AN_APPROVER,
        )
    comment = comment.strip()
    reject_ids = {int(pk) for pk in reject_line_ids}
    reapproval = requisition.status == RequisitionStatus.PENDING_REAPPROVAL
    if reject_ids and reapproval:
        raise DomainError(Code.COMMENT_REQUIRED, _("A change is approved or rejected as a whole."))
    if not approve and not comment:
        raise DomainError(
            Code.COMMENT_REQUIRED, _("Say why you reject, so the requisitioner can act."), field="comment"
        )
    now = timezone.now()
    in_scope = {pk for step in steps for pk in step.line_ids}
    if reject_ids:
        unknown = reject_ids - in_scope
        if unknown:
            raise NotAllowed(_("You can only reject lines you approve."), code=Code.NOT_AN_APPROVER)
        requisition.lines.filter(pk__in=reject_ids).update(
            decision=LineDecision.REJECTED, decided_by=approver, decided_at=now, decision_comment=comment
        )
        _rescope_pending(requisition, approver)
        steps = [s for s in steps if requisition.steps.filter(pk=s.pk, status=StepStatus.PENDING).exists()]
        for step in steps:
            step.refresh_from_db()
    move_steps(
        steps,
        StepStatus.APPROVED if approve else StepStatus.REJECTED,
        requisition=requisition,
        actor=approver,
        action="requisition.approve" if approve else "requisition.reject",
        comment=comment,
        after={"rejected_lines": sorted(reject_ids), "via_link": via_link},
        columns={"decided_by": approver, "decided_at": now, "comment": comment},
    )
    if not approve and not reapproval:
        rejected_lines = {pk for step in steps for pk in step.line_ids}
        requisition.lines.filter(pk__in=rejected_lines).update(
            decision=LineDecision.REJECTED, decided_by=approver, decided_at=now, decision_comment=comment
        )
        _rescope_pending(requisition, approver)
    # Written below: with the orders' events when this decision creates them, else on its own.
    decision = event_row(
        requisition=requisition,
        kind=OrderEvent.Kind.APPROVED if approve else OrderEvent.Kind.REJECTED,
        text=(
            _("Cost centres %(centres)s%(lines)s%(via)s%(comment)s")
            % {
                "centres": ", ".join(s.cost_centre for s in steps),
                "lines": (" " + _("(%(n)s lines rejected)") % {"n": len(reject_ids)}) if reject_ids else "",
                "via": " " + _("(from the e-mail link)") if via_link else "",
                "comment": f": {comment}" if comment else "",
            }
        ),
        actor=approver,
    )
    if reapproval:
        decision.save(force_insert=True)
        return _finish_reapproval(requisition, approver, approve=approve, comment=comment)
    if approve and not reject_ids:
        # Nothing was rescoped and the requisition is locked: the steps left are those not decided now.
        decided_ids = {step.pk for step in steps}
        if any(step.pk not in decided_ids for step in pending):
            decision.save(force_insert=True)
            return requisition
    elif requisition.steps.filter(round=requisition.approval_round, status=StepStatus.PENDING).exists():
        decision.save(force_insert=True)
        return requisition
    return _finish(requisition, approver, comment, decision)


def _finish(requisition: Requisition, approver: User, comment: str, decision: OrderEvent) -> Requisition:
    """The last decision: the requisition is rejected, or approved and ordered. ``decision``: its event, not
    yet written."""
    from avrop.ordering.services.orders import lines_for_orders, purchase_orders_create

    # Every line at once (the requisition is locked): which were rejected, and the orders' lines.
    lines = list(lines_for_orders(requisition))
    remaining = [line for line in lines if line.decision != LineDecision.REJECTED]
    now = timezone.now()
    any_rejected = len(remaining) < len(lines)
    if any_rejected and not remaining:
        decision.save(force_insert=True)
        requisition.rejected_at = now
        requisition.rejected_by = approver
        requisition.rejection_comment = comment
        move_requisition(
            requisition,
            RequisitionStatus.REJECTED,
            actor=approver,
            action="requisition.rejected",
            fields=["rejected_at", "rejected_by", "rejection_comment"],
            comment=comment,
        )
        _tell_requisitioner(
            requisition, "ordering/email/rejected.txt", _("Requisition %(number)s was rejected")
        )
        return requisition
    still_open = [line for line in remaining if line.decision == LineDecision.OPEN]
    if still_open:
        RequisitionLine.objects.filter(pk__in=[line.pk for line in still_open]).update(
            decision=LineDecision.APPROVED, decided_by=approver, decided_at=now
        )
        for line in still_open:
            line.decision, line.decided_by, line.decided_at = LineDecision.APPROVED, approver, now
    if any_rejected:
        from avrop.ordering.services.cart import recalculate

        recalculate(requisition)
    # Approved, and ordered in the same step: both moves are checked before any order exists.
    assert_transition(requisition, to=RequisitionStatus.APPROVED, transitions=REQUISITION_TRANSITIONS)
    requisition.approved_at = now
    requisition.approved_amount = requisition.total_amount
    # Orders are created only here, on the way from the first approval to ORDERED: there are none yet.
    purchase_orders_create(
        requisition=requisition, actor=approver, lines=remaining, first_orders=True, events_before=[decision]
    )
    move_requisition(
        requisition,
        RequisitionStatus.ORDERED,
        via=RequisitionStatus.APPROVED,
        actor=approver,
        action="requisition.ordered",
        fields=["approved_at", "approved_amount"],
        after={"approved_amount": requisition.approved_amount},
    )
    return requisition


def _tell_requisitioner(requisition: Requisition, template: str, subject: str, **context: Any) -> None:
    user = requisition.requisitioner
    if not user.email:
        return
    with translation.override(user.preferred_language or "sv"):
        body = render_to_string(
            template,
            {
                "requisition": requisition,
                "url": conf.base_url() + reverse("ordering:requisition", args=[requisition.pk]),
                **context,
            },
        )
        text = _(subject) % {"number": requisition.number}
    outbox_email(
        recipient=user.email, subject=text, body=body, organisation=requisition.organisation, obj=requisition
    )


# --- re-approval ------------------------------------------------------------------------------------------


def beyond_tolerance(requisition: Requisition, new_total: Decimal) -> bool:
    """Does ``new_total`` exceed the approved amount by more than the organisation tolerates?"""
    approved = (
        requisition.approved_amount if requisition.approved_amount is not None else requisition.total_amount
    )
    increase = new_total - approved
    if increase <= 0:
        return False
    policy = policy_for(requisition.organisation_id)
    if approved > 0 and increase * 100 / approved > policy.reapproval_tolerance_percent:
        return True
    return bool(policy.reapproval_tolerance_amount and increase > policy.reapproval_tolerance_amount)


def reapproval_start(
    *,
    requisition: Requisition,
    purchase_order: PurchaseOrder,
    reason: str,
    new_amounts: dict[int, Decimal],
    actor: User | None,
) -> list[ApprovalStep]:
    """Send an ordered requisition back for approval of the order's new amounts (line id → new amount).

    Runs inside the caller's transaction with the requisition locked."""
    assert_transition(
        requisition, to=RequisitionStatus.PENDING_REAPPROVAL, transitions=REQUISITION_TRANSITIONS
    )
    lines = [line for line in active_lines(requisition) if line.pk in new_amounts]
    for line in lines:
        factor = new_amounts[line.pk] / line.line_amount if line.line_amount else Decimal("1")
        for split in line.splits.all():
            split.amount = money(split.amount * factor)
    route = approval_route(requisition, lines)
    if any(not step.approvers for step in route):
        missing = ", ".join(step.cost_centre for step in route if not step.approvers)
        raise DomainError(
            Code.NOT_AN_APPROVER,
            _("Nobody may approve the new amount on cost centre %(centres)s.") % {"centres": missing},
        )
    requisition.approval_round += 1
    move_requisition(
        requisition,
        RequisitionStatus.PENDING_REAPPROVAL,
        actor=actor,
        action="requisition.reapproval",
        fields=["approval_round"],
        after={"order": purchase_order.number, "reason": reason},
    )
    steps = _create_steps(requisition, route, reason=reason, purchase_order=purchase_order)
    event(
        requisition=requisition,
        purchase_order=purchase_order,
        kind=OrderEvent.Kind.REAPPROVAL,
        text=_("New total %(total)s %(currency)s needs approval (%(reason)s)")
        % {
            "total": formatting.amount(sum(new_amounts.values(), Decimal("0"))),
            "currency": requisition.currency,
            "reason": ApprovalStep.Reason(reason).label,
        },
        actor=actor,
    )
    # In the transaction, not after commit: a process that dies right after the commit must not lose them.
    notify_approvers(requisition=requisition, steps=steps, template="ordering/email/reapprove.txt")
    return steps


def _finish_reapproval(
    requisition: Requisition, approver: User, *, approve: bool, comment: str
) -> Requisition:
    from avrop.ordering.services.orders import reapproval_decided

    if (
        approve
        and requisition.steps.filter(round=requisition.approval_round, status=StepStatus.PENDING).exists()
    ):
        return requisition
    retire_pending_steps(
        requisition, actor=approver, action="approval_step.not_needed", round=requisition.approval_round
    )
    step = requisition.steps.filter(round=requisition.approval_round, purchase_order__isnull=False).first()
    move_requisition(
        requisition,
        RequisitionStatus.ORDERED,
        actor=approver,
        action="requisition.reapproval_end",
        after={"approved": approve},
        comment=comment,
    )
    if step is not None and step.purchase_order_id is not None:
        reapproval_decided(order_id=step.purchase_order_id, approved=approve, actor=approver, comment=comment)
    return requisition


# --- reminders and escalation -----------------------------------------------------------------------------


def approval_reminders_run(*, today: Any = None) -> dict[str, int]:
    """Remind approvers of steps waiting ``reminder_business_days``; after ``escalation_business_days``
    tell the coordinators and approvers one level up. Once per step and day; safe to run repeatedly."""
    today = today or timezone.localdate()
    reminded = escalated = 0
    pending = (
        ApprovalStep.objects.filter(status=StepStatus.PENDING, requisition__status__in=WAITING)
        .select_related("requisition__organisation", "requisition__requisitioner")
        .order_by("requisition_id", "position")
    )
    for step in pending:
        requisition = step.requisition
        if step.round != requisition.approval_round:
            continue
        policy = policy_for(requisition.organisation_id)
        waited = count_business_days(timezone.localtime(step.created_at).date(), today)
        if waited >= policy.escalation_business_days and step.escalated_at is None:
            with transaction.atomic():
                locked = lock(ApprovalStep, step.pk)
                if locked.escalated_at is None and locked.status == StepStatus.PENDING:
                    _escalate(locked, requisition, waited)
                    escalated += 1
        elif waited >= policy.reminder_business_days and (
            step.reminded_on is None or step.reminded_on < today
        ):
            with transaction.atomic():
                locked = lock(ApprovalStep, step.pk)
                if locked.status != StepStatus.PENDING:
                    continue
                locked.reminder_count += 1
                locked.reminded_at = timezone.now()
                locked.reminded_on = today
                locked.save(update_fields=["reminder_count", "reminded_at", "reminded_on", "updated_at"])
                notify_approvers(
                    requisition=requisition, steps=[locked], template="ordering/email/reminder.txt"
                )
                event(
                    requisition=requisition,
                    kind=OrderEvent.Kind.REMINDER,
                    text=_(
                        "Reminder %(n)s to the approvers of cost centre %(centre)s "
                        "after %(days)s business days"
                    )
                    % {"n": locked.reminder_count, "centre": locked.cost_centre, "days": waited},
                )
                reminded += 1
    return {"reminded": reminded, "escalated": escalated}


def _escalate(step: ApprovalStep, requisition: Requisition, waited: int) -> None:
    """Widen the step to approvers with a higher limit and tell the coordinators."""
    step.escalated_at = timezone.now()
    answer = who_can_approve(
        user=requisition.requisitioner,
        organisation=requisition.organisation,
        cost_centre=step.cost_centre,
        amount=step.amount,
        document_kind=DocumentKind.ORDER,
        account=step.account,
        category=step.category,
        requester=requisition.requisitioner,
    )
    higher = [c.user.pk for c in answer.eligible if c.user.pk not in step.approver_ids]
    step.approver_ids = list(step.approver_ids) + higher
    step.save(update_fields=["escalated_at", "approver_ids", "updated_at"])
    coordinators = list(
        Membership.objects.filter(
            organisation=requisition.organisation, role=Role.COORDINATOR, is_active=True, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    notify_approvers(
        requisition=requisition,
        steps=[ApprovalStep(approver_ids=higher + coordinators)],
        template="ordering/email/escalated.txt",
        with_links=False,
    )
    event(
        requisition=requisition,
        kind=OrderEvent.Kind.ESCALATED,
        text=_("Cost centre %(centre)s waited %(days)s business days; escalated to the coordinators")
        % {"centre": step.cost_centre, "days": waited},
        is_error=True,
    )
