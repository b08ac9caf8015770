"""Approval authority reads, above all ``who_can_approve``: the one question ordering and payables ask.

Usage (from ordering, payables or the API)::

    answer = who_can_approve(
        user=request.user, organisation=organisation, cost_centre="1200", amount=Decimal("12500.00"),
        document_kind=DocumentKind.ORDER, account="5410", requester=requisition.created_by,
    )
    answer.approvers          # [User, …] who may approve, lowest sufficient limit first
    answer.can_approve(user)  # bool, for checking a decision
    answer.eligible           # [Candidate] – each with the rule, its limit and, for a deputy, for whom
    answer.excluded           # [Excluded] – who was considered and why not (limit too low, own requisition …)

Rules: a rule applies when it is active and valid on the day, is for the document kind, covers the cost
centre (or all cost centres), and — if it is narrowed to an account or a category — matches those. A rule
covers the amount when ``amount <= amount_limit``. The approver must still hold an active approver role.
A deputy with an active delegation on the day approves with the principal's rules. Segregation of duties:
nobody approves their own requisition, neither as approver nor as deputy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core import formatting
from avrop.core.errors import DomainError, ErrorCode, NotFound
from avrop.organisations.errors import Code
from avrop.organisations.models import (
    ApprovalDelegation,
    ApprovalLimit,
    Dimension,
    DimensionObject,
    DocumentKind,
    Membership,
    Organisation,
    User,
)
from avrop.organisations.roles import Role
from avrop.organisations.selectors import memberships_of, organisation_get, organisation_list
from avrop.organisations.selectors.chart import chart_of


class Exclusion(StrEnum):
    LIMIT_TOO_LOW = "limit_too_low"
    OWN_REQUISITION = "own_requisition"
    DEPUTY_OWN_REQUISITION = "deputy_own_requisition"
    NOT_AN_APPROVER = "not_an_approver"
    DEPUTY_NOT_A_MEMBER = "deputy_not_a_member"
    OTHER_ACCOUNT = "other_account"
    OTHER_CATEGORY = "other_category"


@dataclass(frozen=True)
class Candidate:
    """Someone who may approve, and on which ground."""

    user: User
    rule: ApprovalLimit
    deputy_for: User | None = None

    @property
    def amount_limit(self) -> Decimal:
        return self.rule.amount_limit

    @property
    def explanation(self) -> str:
        scope = self.rule.title or _("level %(level)s") % {"level": self.rule.level}
        text = _("%(scope)s: %(kind)s up to %(limit)s %(currency)s") % {
            "scope": scope,
            "kind": self.rule.get_document_kind_display().lower(),
            "limit": formatting.amount(self.rule.amount_limit),
            "currency": self.rule.currency,
        }
        if self.deputy_for is not None:
            text += " " + _("(deputy for %(principal)s)") % {"principal": self.deputy_for}
        return text


@dataclass(frozen=True)
class Excluded:
    """Someone whose rule touched the question but who may not approve, with the reason."""

    user: User
    reason: Exclusion
    rule: ApprovalLimit | None = None
    deputy_for: User | None = None
    explanation: str = ""


@dataclass
class ApprovalAnswer:
    organisation: Organisation
    cost_centre: DimensionObject
    amount: Decimal
    document_kind: str
    account: str
    category: str
    on: dt.date
    requester: User | None
    eligible: list[Candidate] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)

    @property
    def document_kind_label(self) -> str:
        return str(DocumentKind(self.document_kind).label)

    @property
    def approvers(self) -> list[User]:
        seen: dict[int, User] = {}
        for candidate in self.eligible:
            seen.setdefault(candidate.user.pk, candidate.user)
        return list(seen.values())

    def can_approve(self, user: User) -> bool:
        return any(c.user.pk == user.pk for c in self.eligible)


def _amount(value: Decimal | str | int) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(
            Code.AMOUNT_INVALID, _("%(value)s is not an amount.") % {"value": value}, field="amount"
        ) from None
    if not amount.is_finite() or amount < 0:
        raise DomainError(Code.AMOUNT_INVALID, _("The amount must be zero or more."), field="amount")
    return amount


def who_can_approve(
    *,
    user: User,
    organisation: Organisation,
    cost_centre: str,
    amount: Decimal | str | int,
    document_kind: str,
    account: str = "",
    category: str = "",
    requester: User | None = None,
    on: dt.date | None = None,
) -> ApprovalAnswer:
    """Who may approve a document of ``document_kind`` ("order" or "invoice") for ``amount`` on
    ``cost_centre`` (its code), optionally for ``account`` (number) and purchasing ``category``, made by
    ``requester``? Eligible first by lowest sufficient limit; everyone considered and refused is listed with
    the reason. A fixed number of queries, whatever the number of rules. Raises a domain error for an
    unknown cost centre.
    """
    authority = approval_authority(
        user=user,
        organisation=organisation,
        document_kind=document_kind,
        cost_centres=[cost_centre],
        requester=requester,
        on=on,
    )
    return authority.answer(cost_centre=cost_centre, amount=amount, account=account, category=category)


@dataclass
class ApprovalAuthority:
    """The rules, deputies and approver roles in force for some cost centres, loaded once: ``answer`` then
    asks ``who_can_approve``'s question for any of them without another query."""

    organisation: Organisation
    document_kind: str
    on: dt.date
    requester: User | None
    centres: dict[str, DimensionObject]
    rules: list[ApprovalLimit]
    covers: dict[int, set[int]]
    deputies_of: dict[int, list[ApprovalDelegation]]
    members: set[int]
    approvers: set[int]

    def answer(
        self, *, cost_centre: str, amount: Decimal | str | int, account: str = "", category: str = ""
    ) -> ApprovalAnswer:
        money = _amount(amount)
        if self.organisation.chart_id is None:
            chart_of(self.organisation)  # raises: no chart of accounts yet
        centre = self.centres.get(cost_centre)
        if centre is None:
            raise DomainError(
                Code.UNKNOWN_COST_CENTRE,
                _("Cost centre %(code)s does not exist in %(chart)s.")
                % {"code": cost_centre, "chart": chart_of(self.organisation).name},
                field="cost_centre",
            )
        answer = ApprovalAnswer(
            organisation=self.organisation,
            cost_centre=centre,
            amount=money,
            document_kind=self.document_kind,
            account=account,
            category=category,
            on=self.on,
            requester=self.requester,
        )
        rules = [r for r in self.rules if r.all_cost_centres or centre.pk in self.covers.get(r.pk, ())]
        _judge(answer, rules, self.deputies_of, self.members, self.approvers)
        return answer


def _organisation_with_chart(user: User, organisation_id: int) -> Organisation:
    """``organisation_get`` with the chart in the same query."""
    try:
        return organisation_list(user=user).select_related("chart").get(pk=organisation_id)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def cost_centres_among(
    objects: Iterable[DimensionObject], dimensions: Iterable[Dimension], codes: Iterable[str]
) -> dict[str, DimensionObject]:
    """The cost centre ``approval_authority`` takes for each of ``codes``, out of dimension objects the caller
    has read already: ``objects`` the organisation may use (``objects_of``) with every one of ``codes`` among
    their codes, ``dimensions`` all of its chart. Of the objects of a cost-centre dimension, the first by
    dimension number, dimension and id, as the query does."""
    by_pk = {dimension.pk: dimension for dimension in dimensions}
    wanted = set(codes)
    centres: dict[str, DimensionObject] = {}
    for obj in sorted(
        (
            obj
            for obj in objects
            if obj.code in wanted and by_pk[obj.dimension_id].kind == Dimension.Kind.COST_CENTRE
        ),
        key=lambda obj: (by_pk[obj.dimension_id].number, obj.dimension_id, obj.pk),
    ):
        centres.setdefault(obj.code, obj)
    return centres


def _require_member(user: User, organisation: Organisation) -> None:
    """``organisation_get``'s check without reading the organisation again: ``NotFound`` unless ``user`` holds
    an active role in it (both active)."""
    if not memberships_of(user=user).filter(organisation_id=organisation.pk).exists():
        raise NotFound()


def approval_authority(
    *,
    user: User,
    organisation: Organisation,
    document_kind: str,
    cost_centres: Iterable[str],
    requester: User | None = None,
    on: dt.date | None = None,
    organisation_read: bool = False,
    centres_read: Mapping[str, DimensionObject] | None = None,
) -> ApprovalAuthority:
    """Everything ``who_can_approve`` needs for ``cost_centres`` (codes) in at most six queries, so that a
    requisition's route or decision asks about all its cost centres at once.

    ``organisation_read``: the caller has just read ``organisation`` from the database (a requisition's,
    say); then ``user``'s membership is checked before anything else and the row is not read a second time.
    Either way nothing is returned to a user without an active role in the organisation.

    ``centres_read``: the cost centres of ``cost_centres`` as ``cost_centres_among`` took them from objects
    the caller has just read (a code it has no object for is unknown); they are not read again."""
    if organisation_read:
        # The caller read the organisation; the membership is checked here, first, whatever follows.
        _require_member(user, organisation)
    else:
        organisation = _organisation_with_chart(user, organisation.pk)
    if document_kind not in DocumentKind.values:
        raise DomainError(
            ErrorCode.VALIDATION, _("The document kind must be order or invoice."), field="document_kind"
        )
    day = on or timezone.localdate()
    codes = sorted({code for code in cost_centres if code})
    centres: dict[str, DimensionObject] = {}
    if organisation.chart_id is not None and codes and centres_read is not None:
        centres = {code: centres_read[code] for code in codes if code in centres_read}
    elif organisation.chart_id is not None and codes:
        # The same object ``.first()`` would pick by the model's ordering (dimension, code) for each code.
        for obj in _cost_centres(organisation, codes):
            centres.setdefault(obj.code, obj)
    authority = ApprovalAuthority(
        organisation=organisation,
        document_kind=document_kind,
        on=day,
        requester=requester,
        centres=centres,
        rules=[],
        covers={},
        deputies_of={},
        members=set(),
        approvers=set(),
    )
    if not centres:
        return authority
    centre_ids = [c.pk for c in centres.values()]
    authority.rules = _rules(organisation, document_kind, day, centre_ids)
    narrow = [r.pk for r in authority.rules if not r.all_cost_centres]
    if len(centre_ids) == 1:
        authority.covers = {pk: set(centre_ids) for pk in narrow}
    elif narrow:
        through = ApprovalLimit.cost_centres.through
        for rule_id, centre_id in through.objects.filter(
            approvallimit_id__in=narrow, dimensionobject_id__in=centre_ids
        ).values_list("approvallimit_id", "dimensionobject_id"):
            authority.covers.setdefault(rule_id, set()).add(centre_id)
    principals = {rule.approver_id for rule in authority.rules}
    if not principals:
        return authority
    delegations = _delegations(organisation, principals, day)
    people = principals | {d.deputy_id for d in delegations}
    memberships = _roles(organisation, people)
    authority.members = {user_id for user_id, _role in memberships}
    authority.approvers = {user_id for user_id, role in memberships if role == Role.APPROVER}
    for delegation in delegations:
        authority.deputies_of.setdefault(delegation.principal_id, []).append(delegation)
    return authority


def _cost_centres(organisation: Organisation, codes: list[str]) -> QuerySet[DimensionObject]:
    """The organisation's cost-centre objects with one of ``codes`` (by dimension number, dimension, code)."""
    if organisation.chart_id is None:
        return DimensionObject.objects.none()
    return DimensionObject.objects.filter(
        Q(organisation__isnull=True) | Q(organisation=organisation),
        dimension__chart_id=organisation.chart_id,
        dimension__kind=Dimension.Kind.COST_CENTRE,
        code__in=codes,
    ).order_by("dimension__number", "dimension_id", "code", "id")


def _rules(
    organisation: Organisation, document_kind: str, day: dt.date, centre_ids: list[int]
) -> list[ApprovalLimit]:
    """The rules in force on ``day`` for all cost centres or one of ``centre_ids``, each with its approver and
    account, by limit, level and id."""
    covering = ApprovalLimit.cost_centres.through.objects.filter(
        approvallimit_id=OuterRef("pk"), dimensionobject_id__in=centre_ids
    )
    return list(
        ApprovalLimit.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
            Q(all_cost_centres=True) | Exists(covering),
            organisation=organisation,
            document_kind=document_kind,
            is_active=True,
            valid_from__lte=day,
        )
        .select_related("approver", "account")
        .order_by("amount_limit", "level", "id")
    )


def _delegations(organisation: Organisation, principals: set[int], day: dt.date) -> list[ApprovalDelegation]:
    """The active delegations of ``principals`` on ``day``, each with its deputy, by id."""
    return list(
        ApprovalDelegation.objects.filter(
            organisation=organisation,
            principal_id__in=principals,
            is_active=True,
            valid_from__lte=day,
            valid_to__gte=day,
        )
        .select_related("deputy")
        .order_by("id")
    )


def _roles(organisation: Organisation, people: set[int]) -> list[tuple[int, str]]:
    """(user id, role) of the active roles in ``organisation`` of those of ``people`` who are active users."""
    return list(
        Membership.objects.filter(
            organisation=organisation, is_active=True, user_id__in=people, user__is_active=True
        ).values_list("user_id", "role")
    )


def _judge(
    answer: ApprovalAnswer,
    rules: list[ApprovalLimit],
    deputies_of: dict[int, list[ApprovalDelegation]],
    members: set[int],
    approvers: set[int],
) -> None:
    """Sort the people of ``rules`` (in force for the answer's cost centre) into eligible and excluded."""
    requester = answer.requester
    account = answer.account
    category = answer.category
    money = answer.amount
    for rule in rules:
        person = rule.approver
        if rule.account is not None and rule.account.number != account:
            answer.excluded.append(
                Excluded(
                    person,
                    Exclusion.OTHER_ACCOUNT,
                    rule,
                    explanation=_("The rule is only for account %(number)s.")
                    % {"number": rule.account.number},
                )
            )
            continue
        if rule.category and rule.category != category:
            answer.excluded.append(
                Excluded(
                    person,
                    Exclusion.OTHER_CATEGORY,
                    rule,
                    explanation=_("The rule is only for category %(category)s.")
                    % {"category": rule.category},
                )
            )
            continue
        if rule.amount_limit < money:
            answer.excluded.append(
                Excluded(
                    person,
                    Exclusion.LIMIT_TOO_LOW,
                    rule,
                    explanation=_("The limit %(limit)s %(currency)s is below %(amount)s.")
                    % {
                        "limit": formatting.amount(rule.amount_limit),
                        "currency": rule.currency,
                        "amount": formatting.amount(money),
                    },
                )
            )
            continue
        if person.pk not in approvers:
            answer.excluded.append(
                Excluded(
                    person,
                    Exclusion.NOT_AN_APPROVER,
                    rule,
                    explanation=_("%(user)s no longer holds an active approver role.") % {"user": person},
                )
            )
        elif requester is not None and person.pk == requester.pk:
            answer.excluded.append(
                Excluded(
                    person,
                    Exclusion.OWN_REQUISITION,
                    rule,
                    explanation=_("Segregation of duties: nobody approves their own requisition."),
                )
            )
        else:
            answer.eligible.append(Candidate(person, rule))
        for delegation in deputies_of.get(person.pk, []):
            deputy = delegation.deputy
            if deputy.pk not in members:
                answer.excluded.append(
                    Excluded(
                        deputy,
                        Exclusion.DEPUTY_NOT_A_MEMBER,
                        rule,
                        person,
                        _("The deputy %(user)s has no active role in the organisation.") % {"user": deputy},
                    )
                )
            elif requester is not None and deputy.pk == requester.pk:
                answer.excluded.append(
                    Excluded(
                        deputy,
                        Exclusion.DEPUTY_OWN_REQUISITION,
                        rule,
                        person,
                        _(
                            "Segregation of duties: as deputy for %(principal)s, %(user)s would approve "
                            "their own "
                            "requisition."
                        )
                        % {"principal": person, "user": deputy},
                    )
                )
            else:
                answer.eligible.append(Candidate(deputy, rule, deputy_for=person))
    answer.eligible.sort(
        key=lambda c: (c.rule.amount_limit, c.rule.level, c.deputy_for is not None, c.user.pk)
    )


def approval_limit_list(
    *, user: User, organisation: Organisation, include_ended: bool = False
) -> QuerySet[ApprovalLimit]:
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    limits = ApprovalLimit.objects.filter(organisation=organisation)
    if not include_ended:
        limits = limits.filter(is_active=True)
    return (
        limits.select_related("approver", "account")
        .prefetch_related("cost_centres")
        .order_by("document_kind", "level", "amount_limit", "approver__last_name", "pk")
    )


def approval_limit_get(*, user: User, organisation: Organisation, limit_id: int) -> ApprovalLimit:
    try:
        return approval_limit_list(user=user, organisation=organisation, include_ended=True).get(pk=limit_id)
    except (ApprovalLimit.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def authority_of(
    *, user: User, organisation: Organisation, on: dt.date | None = None
) -> QuerySet[ApprovalLimit]:
    """The user's own rules in force, and those they hold as a deputy today (for the start page)."""
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    day = on or timezone.localdate()
    principals = ApprovalDelegation.objects.filter(
        organisation=organisation, deputy=user, is_active=True, valid_from__lte=day, valid_to__gte=day
    ).values("principal_id")
    return (
        ApprovalLimit.objects.filter(
            Q(approver=user) | Q(approver__in=principals),
            organisation=organisation,
            is_active=True,
            valid_from__lte=day,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .select_related("approver")
        .prefetch_related("cost_centres")
        .order_by("document_kind", "amount_limit")
    )


def delegation_list(
    *, user: User, organisation: Organisation, include_ended: bool = False
) -> QuerySet[ApprovalDelegation]:
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    delegations = ApprovalDelegation.objects.filter(organisation=organisation)
    if not include_ended:
        delegations = delegations.filter(is_active=True, valid_to__gte=timezone.localdate())
    return delegations.select_related("principal", "deputy").order_by("-valid_from", "-pk")


def delegation_get(*, user: User, organisation: Organisation, delegation_id: int) -> ApprovalDelegation:
    try:
        return delegation_list(user=user, organisation=organisation, include_ended=True).get(pk=delegation_id)
    except (ApprovalDelegation.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
