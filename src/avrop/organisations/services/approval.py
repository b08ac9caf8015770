"""Approval authority: rules with limits per cost centre, and deputies for a date range.

Nobody widens their own authority: rules and delegations are kept by the coordinator or an administrator,
and not for themselves. An approver may hand their own authority to a deputy while away, but never name
themselves as someone else's deputy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit, snapshot
from avrop.core.errors import DomainError, ErrorCode, NotAllowed
from avrop.core.locking import lock
from avrop.organisations.errors import Code
from avrop.organisations.models import (
    Account,
    ApprovalDelegation,
    ApprovalLimit,
    DocumentKind,
    Membership,
    Organisation,
    User,
)
from avrop.organisations.roles import MASTER_DATA_ROLES, Role
from avrop.organisations.selectors.chart import chart_of, cost_centres_of
from avrop.organisations.services._common import dates_in_order, require_master_data_role, require_member


def _not_for_yourself(actor: User | None, approver: User) -> None:
    if actor is not None and actor.pk == approver.pk:
        raise NotAllowed(
            _(
                "You cannot set or change your own approval authority; "
                "ask another coordinator or administrator."
            ),
            code=Code.OWN_AUTHORITY,
        )


def _member(organisation: Organisation, user: User, field: str) -> User:
    if not Membership.objects.filter(
        organisation=organisation, user=user, is_active=True, user__is_active=True
    ).exists():
        raise DomainError(
            Code.NOT_A_MEMBER,
            _("%(user)s has no active role in %(org)s.") % {"user": user, "org": organisation.name},
            field=field,
        )
    return user


def _money(value: Decimal | str | int | float) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise DomainError(
            Code.AMOUNT_INVALID, _("%(value)s is not an amount.") % {"value": value}, field="amount_limit"
        ) from None
    if amount <= 0:
        raise DomainError(Code.AMOUNT_INVALID, _("The limit must be more than zero."), field="amount_limit")
    return amount


def _cost_centres(organisation: Organisation, codes: Iterable[str]) -> list:
    wanted = sorted({c.strip() for c in codes if c and c.strip()})
    found = list(cost_centres_of(organisation=organisation).filter(code__in=wanted))
    unknown = sorted(set(wanted) - {o.code for o in found})
    if unknown:
        raise DomainError(
            Code.UNKNOWN_COST_CENTRE,
            _("Unknown cost centre: %(codes)s. It does not exist in %(chart)s; create it first.")
            % {"codes": ", ".join(unknown), "chart": chart_of(organisation).name},
            field="cost_centres",
        )
    return found


def _account(organisation: Organisation, number: str) -> Account | None:
    if not number:
        return None
    account = Account.objects.filter(chart=chart_of(organisation), number=number.strip()).first()
    if account is None:
        raise DomainError(
            Code.UNKNOWN_ACCOUNT,
            _("Account %(number)s does not exist.") % {"number": number},
            field="account",
        )
    return account


@transaction.atomic
def approval_limit_create(
    *,
    actor: User | None,
    organisation: Organisation,
    approver: User,
    document_kind: str,
    amount_limit: Decimal | str | int,
    cost_centres: Iterable[str] = (),
    all_cost_centres: bool = False,
    account: str = "",
    category: str = "",
    title: str = "",
    level: int = 1,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> ApprovalLimit:
    """A rule "``approver`` approves ``document_kind`` for ``cost_centres`` (codes) up to ``amount_limit``".

    The approver gets the approver role in the organisation if they do not have it yet.
    """
    require_master_data_role(actor, organisation)
    _not_for_yourself(actor, approver)
    _member(organisation, approver, "approver")
    if document_kind not in DocumentKind.values:
        raise DomainError(
            ErrorCode.VALIDATION, _("The document kind must be order or invoice."), field="document_kind"
        )
    amount = _money(amount_limit)
    centres = [] if all_cost_centres else _cost_centres(organisation, cost_centres)
    if not all_cost_centres and not centres:
        raise DomainError(
            ErrorCode.VALIDATION, _("Name at least one cost centre, or choose all."), field="cost_centres"
        )
    start = valid_from or timezone.localdate()
    dates_in_order(start, valid_to)
    rule = ApprovalLimit.objects.create(
        organisation=organisation,
        approver=approver,
        document_kind=document_kind,
        amount_limit=amount,
        all_cost_centres=all_cost_centres,
        account=_account(organisation, account),
        category=category.strip(),
        title=title.strip(),
        level=level,
        valid_from=start,
        valid_to=valid_to,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    rule.cost_centres.set(centres)
    if not Membership.objects.filter(
        organisation=organisation, user=approver, role=Role.APPROVER, is_active=True
    ).exists():
        from avrop.organisations.services.tenancy import membership_grant

        membership_grant(actor=actor, user=approver, organisation=organisation, role=Role.APPROVER)
    audit(
        actor=actor,
        action="approval_limit.create",
        obj=rule,
        after={**snapshot(rule), "cost_centres": [c.code for c in centres]},
    )
    return rule


@transaction.atomic
def approval_limit_update(
    *,
    actor: User | None,
    limit_id: int,
    amount_limit: Decimal | str | int | None = None,
    cost_centres: Iterable[str] | None = None,
    all_cost_centres: bool | None = None,
    valid_to: dt.date | None = None,
    title: str | None = None,
    level: int | None = None,
) -> ApprovalLimit:
    rule = lock(ApprovalLimit, limit_id)
    organisation = rule.organisation
    require_master_data_role(actor, organisation)
    _not_for_yourself(actor, rule.approver)
    if not rule.is_active:
        raise DomainError(ErrorCode.INVALID_TRANSITION, _("This rule has ended; create a new one."))
    before = {**snapshot(rule), "cost_centres": sorted(rule.cost_centres.values_list("code", flat=True))}
    if amount_limit is not None:
        rule.amount_limit = _money(amount_limit)
    if all_cost_centres is not None:
        rule.all_cost_centres = all_cost_centres
    if title is not None:
        rule.title = title.strip()
    if level is not None:
        rule.level = level
    if valid_to is not None:
        dates_in_order(rule.valid_from, valid_to)
        rule.valid_to = valid_to
    rule.save()
    if cost_centres is not None or rule.all_cost_centres:
        centres = [] if rule.all_cost_centres else _cost_centres(organisation, cost_centres or ())
        if not rule.all_cost_centres and not centres:
            raise DomainError(
                ErrorCode.VALIDATION, _("Name at least one cost centre, or choose all."), field="cost_centres"
            )
        rule.cost_centres.set(centres)
    audit(
        actor=actor,
        action="approval_limit.update",
        obj=rule,
        before=before,
        after={**snapshot(rule), "cost_centres": sorted(rule.cost_centres.values_list("code", flat=True))},
    )
    return rule


@transaction.atomic
def approval_limit_end(*, actor: User | None, limit_id: int, comment: str = "") -> ApprovalLimit:
    rule = lock(ApprovalLimit, limit_id)
    require_master_data_role(actor, rule.organisation)
    if not rule.is_active:
        raise DomainError(ErrorCode.INVALID_TRANSITION, _("This rule has already ended."))
    rule.is_active = False
    rule.ended_by = actor if getattr(actor, "is_authenticated", False) else None
    rule.ended_at = timezone.now()
    today = timezone.localdate()
    if rule.valid_to is None or rule.valid_to > today:
        rule.valid_to = max(today, rule.valid_from)
    rule.save(update_fields=["is_active", "ended_by", "ended_at", "valid_to", "updated_at"])
    audit(actor=actor, action="approval_limit.end", obj=rule, comment=comment)
    return rule


@transaction.atomic
def delegation_create(
    *,
    actor: User | None,
    organisation: Organisation,
    principal: User,
    deputy: User,
    valid_from: dt.date,
    valid_to: dt.date,
    reason: str = "",
) -> ApprovalDelegation:
    """The deputy approves with the principal's rules from ``valid_from`` to ``valid_to`` (inclusive).

    The coordinator or an administrator may set any delegation except one that makes themselves a deputy;
    an approver may delegate their own authority.
    """
    roles = require_member(actor, organisation)
    if actor is not None:
        if deputy.pk == actor.pk:
            raise NotAllowed(
                _("You cannot make yourself a deputy; ask the coordinator."), code=Code.OWN_AUTHORITY
            )
        if not (roles & MASTER_DATA_ROLES) and principal.pk != actor.pk:
            raise NotAllowed(_("You can only delegate your own approval authority."), code=Code.ROLE_NEEDED)
    if principal.pk == deputy.pk:
        raise DomainError(Code.DEPUTY_IS_PRINCIPAL, _("The deputy must be someone else."), field="deputy")
    dates_in_order(valid_from, valid_to)
    if valid_to < timezone.localdate():
        raise DomainError(
            Code.DATES_OUT_OF_ORDER, _("The delegation would already be over."), field="valid_to"
        )
    _member(organisation, principal, "principal")
    _member(organisation, deputy, "deputy")
    delegation = ApprovalDelegation.objects.create(
        organisation=organisation,
        principal=principal,
        deputy=deputy,
        valid_from=valid_from,
        valid_to=valid_to,
        reason=reason.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit(
        actor=actor,
        action="delegation.create",
        obj=delegation,
        organisation=organisation,
        after=snapshot(delegation),
    )
    return delegation


@transaction.atomic
def delegation_end(*, actor: User | None, delegation_id: int) -> ApprovalDelegation:
    delegation = lock(ApprovalDelegation, delegation_id)
    organisation = delegation.organisation
    roles = require_member(actor, organisation)
    if actor is not None and not (roles & MASTER_DATA_ROLES) and delegation.principal_id != actor.pk:
        raise NotAllowed(
            _("Only the principal or the coordinator may end a delegation."), code=Code.ROLE_NEEDED
        )
    if not delegation.is_active:
        raise DomainError(ErrorCode.INVALID_TRANSITION, _("This delegation has already ended."))
    delegation.is_active = False
    delegation.ended_by = actor if getattr(actor, "is_authenticated", False) else None
    delegation.ended_at = timezone.now()
    delegation.save(update_fields=["is_active", "ended_by", "ended_at", "updated_at"])
    audit(actor=actor, action="delegation.end", obj=delegation, organisation=organisation)
    return delegation
