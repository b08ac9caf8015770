"""Why a requisition cannot be sent, and who will approve it: computed for the cart page and again on send.

The seed's checklist "Beställare kan inte skicka beställning" becomes concrete messages, each tied to the
line and field to fix: several tabs (suppliers) to look through, wrong coding, missing approval authority,
and a requisitioner not linked to an ordering department (the "card code").

A fixed number of queries whatever the number of lines: the coding check loads accounts, dimensions and
dimension objects once for all lines; the route has one step per cost centre (and category or account when
the organisation has rules narrowed to one), answered by ``who_can_approve``'s rules read once for them all.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.catalogue.models import CatalogueItem
from avrop.core import formatting
from avrop.core.errors import DomainError
from avrop.ordering.models import CodingSplit, FreeTextForm, Requisition, RequisitionLine, money
from avrop.ordering.workflows import LineDecision
from avrop.organisations.models import (
    Account,
    ApprovalLimit,
    Dimension,
    DocumentKind,
    Membership,
    Organisation,
)
from avrop.organisations.roles import Role
from avrop.organisations.selectors.approval import (
    ApprovalAnswer,
    ApprovalAuthority,
    approval_authority,
    cost_centres_among,
)
from avrop.organisations.selectors.chart import objects_of


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    line_id: int | None = None
    field: str = ""
    blocking: bool = True


@dataclass
class RouteStep:
    cost_centre: str
    category: str
    account: str
    amount: Decimal
    line_ids: list[int]
    answer: ApprovalAnswer | None = None
    error: str = ""

    @property
    def approvers(self) -> list[Any]:
        return self.answer.approvers if self.answer is not None else []

    @property
    def cost_centre_name(self) -> str:
        return self.answer.cost_centre.name if self.answer is not None else ""

    def explanation(self) -> list[str]:
        """Who may approve and on which ground, then who was considered and why not."""
        if self.answer is None:
            return [self.error] if self.error else []
        texts = [f"{c.user}: {c.explanation}" for c in self.answer.eligible]
        texts += [f"{e.user}: {e.explanation}" for e in self.answer.excluded]
        return texts


def splits_in_order() -> Prefetch:
    """A line's splits by position, without the model's ordering through line and requisition (two joins and
    a sort over every split of the requisition)."""
    return Prefetch("splits", queryset=CodingSplit.objects.order_by("position", "pk"))


def active_lines(requisition: Requisition) -> list[RequisitionLine]:
    """The lines still wanted (not rejected) with what the checks and pages need, in two queries."""
    return list(
        requisition.lines.exclude(decision=LineDecision.REJECTED)
        .select_related("supplier__organisation", "delivery_address", "free_text_form")
        .prefetch_related(splits_in_order())
        .order_by("position")
    )


def lines_to_check(requisition: Requisition) -> list[RequisitionLine]:
    """The lines still wanted with what sending reads (the checks, the route and the approvers' e-mail):
    supplier and splits in two queries, the free-text forms in a third only when a line has one."""
    lines = lines_with_splits(requisition, rejected=False)
    form_ids = {line.free_text_form_id for line in lines if line.free_text_form_id is not None}
    if form_ids:
        forms = FreeTextForm.objects.in_bulk(form_ids)
        for line in lines:
            if line.free_text_form_id is not None:
                line.free_text_form = forms[line.free_text_form_id]
    return lines


def lines_with_splits(
    requisition: Requisition, *, rejected: bool = True, for_orders: bool = False
) -> list[RequisitionLine]:
    """The requisition's lines by position (without the rejected ones unless ``rejected``), each with its
    supplier and the supplier's organisation joined (``for_orders``: also its agreement and delivery address)
    and its splits by position at hand as ``line.splits.all()`` (two queries)."""
    related = ["supplier__organisation"]
    if for_orders:
        related += ["agreement", "delivery_address"]
    lines = requisition.lines.select_related(*related).prefetch_related(splits_in_order())
    if not rejected:
        lines = lines.exclude(decision=LineDecision.REJECTED)
    return list(lines.order_by("position"))


# --- coding -----------------------------------------------------------------------------------------------


def _valid_on(obj: Any, day: dt.date) -> bool:
    return bool(
        obj.is_active
        and (obj.valid_from is None or obj.valid_from <= day)
        and (obj.valid_to is None or obj.valid_to >= day)
    )


class _AccountRead(NamedTuple):
    """An account as the coding check reads it."""

    number: str
    is_active: bool
    valid_from: dt.date | None
    valid_to: dt.date | None


@dataclass
class ChartRead:
    """What ``coding_problems`` read of the chart: all its dimensions and the dimension objects the
    organisation may use with any of ``codes``; ``done`` once filled."""

    done: bool = False
    codes: set[str] = field(default_factory=set)
    dimensions: list[Dimension] = field(default_factory=list)
    objects: list[Any] = field(default_factory=list)


def coding_problems(
    organisation: Organisation,
    splits: list[tuple[int, CodingSplit]],
    *,
    on: dt.date | None = None,
    read: ChartRead | None = None,
) -> list[Problem]:
    """The rules of ``organisations.selectors.chart.coding_check`` for many codings at once (3 queries).
    ``read``: filled with what was read, for the approval route to use again."""
    if not splits:
        return []
    if organisation.chart_id is None:
        return [
            Problem(
                "no_chart",
                _("%(org)s has no chart of accounts yet; the coordinator sets it up before anyone can order.")
                % {"org": organisation.name},
            )
        ]
    day = on or timezone.localdate()
    numbers = {s.account for _l, s in splits if s.account}
    # One chart: its ordering by chart name is no order at all, and costs a join. Only what the check reads.
    accounts = {
        a.number: _AccountRead(a.number, a.is_active, a.valid_from, a.valid_to)
        for a in (
            Account.objects.filter(chart_id=organisation.chart_id, number__in=numbers).order_by("pk")
            if numbers
            else []
        )
    }
    dimensions = list(Dimension.objects.filter(chart_id=organisation.chart_id).order_by("number", "pk"))
    by_key = {d.code: d for d in dimensions} | {str(d.number): d for d in dimensions}
    centre = next((d for d in dimensions if d.kind == Dimension.Kind.COST_CENTRE), None)
    if centre is not None:
        by_key["cost_centre"] = centre
    wanted_codes = {v for _l, s in splits for k, v in s.coding.items() if k != "account" and v}
    objects: dict[tuple[int, str], Any] = {}
    found = (
        list(objects_of(organisation=organisation).filter(code__in=wanted_codes).order_by("pk"))
        if wanted_codes
        else []
    )
    for dimension_object in found:
        objects[(dimension_object.dimension_id, dimension_object.code)] = dimension_object
    if read is not None:
        read.done, read.codes, read.dimensions, read.objects = True, wanted_codes, dimensions, found
    problems: list[Problem] = []
    for line_id, split in splits:
        account_number = split.account
        if not account_number:
            problems.append(Problem("coding_invalid", _("An account is required."), line_id, "account"))
        else:
            account = accounts.get(account_number)
            if account is None:
                problems.append(
                    Problem(
                        "coding_invalid",
                        _("Account %(number)s does not exist in the chart of accounts.")
                        % {"number": account_number},
                        line_id,
                        "account",
                    )
                )
            elif not _valid_on(account, day):
                problems.append(
                    Problem(
                        "coding_invalid",
                        _("Account %(number)s is closed.") % {"number": account_number},
                        line_id,
                        "account",
                    )
                )
        present: set[int] = set()
        for key, value in split.coding.items():
            if key == "account" or not value:
                continue
            dimension = by_key.get(key)
            if dimension is None:
                problems.append(
                    Problem(
                        "coding_invalid", _("%(key)s is not a coding dimension.") % {"key": key}, line_id, key
                    )
                )
                continue
            present.add(dimension.pk)
            obj = objects.get((dimension.pk, value))
            if obj is None:
                problems.append(
                    Problem(
                        "coding_invalid",
                        _("%(dimension)s %(code)s does not exist.")
                        % {"dimension": dimension.name, "code": value},
                        line_id,
                        key,
                    )
                )
            elif not _valid_on(obj, day):
                problems.append(
                    Problem(
                        "coding_invalid",
                        _("%(dimension)s %(code)s is closed.") % {"dimension": dimension.name, "code": value},
                        line_id,
                        key,
                    )
                )
        if account_number:
            for dimension in dimensions:
                if dimension.is_required_for(account_number) and dimension.pk not in present:
                    problems.append(
                        Problem(
                            "coding_invalid",
                            _("%(dimension)s is required for account %(number)s.")
                            % {"dimension": dimension.name, "number": account_number},
                            line_id,
                            dimension.code,
                        )
                    )
    return problems


def split_problems(line: RequisitionLine, splits: list[CodingSplit]) -> list[Problem]:
    if not splits:
        return [Problem("split_invalid", _("The line has no coding."), line.pk, "coding")]
    total = sum((s.amount for s in splits), Decimal("0"))
    if money(total) != money(line.line_amount):
        return [
            Problem(
                "split_invalid",
                _("The split adds up to %(total)s but the line is %(amount)s; adjust the amounts.")
                % {"total": money(total), "amount": money(line.line_amount)},
                line.pk,
                "coding",
            )
        ]
    return []


# --- approval route ---------------------------------------------------------------------------------------


def _narrowed_rules(organisation: Organisation) -> tuple[set[str], set[str]]:
    """Categories and accounts that have approval rules of their own (else they are not asked about)."""
    found = ApprovalLimit.objects.filter(
        Q(category__gt="") | Q(account__isnull=False),
        organisation=organisation,
        document_kind=DocumentKind.ORDER,
        is_active=True,
    ).values_list("category", "account__number")
    categories = {c for c, _a in found if c}
    accounts = {a for _c, a in found if a}
    return categories, accounts


def approval_groups(
    organisation: Organisation, lines: list[RequisitionLine]
) -> list[tuple[str, str, str, Decimal, list[int]]]:
    """(cost centre, category, account, amount, line ids) per approval needed."""
    categories, accounts = _narrowed_rules(organisation)
    groups: dict[tuple[str, str, str], list[Any]] = defaultdict(lambda: [Decimal("0"), []])
    for line in lines:
        for split in line.splits.all():
            key = (
                split.cost_centre,
                line.category if line.category in categories else "",
                split.account if split.account in accounts else "",
            )
            groups[key][0] += split.amount
            if line.pk not in groups[key][1]:
                groups[key][1].append(line.pk)
    return [(k[0], k[1], k[2], money(v[0]), v[1]) for k, v in sorted(groups.items())]


def approval_route(
    requisition: Requisition, lines: list[RequisitionLine], *, chart: ChartRead | None = None
) -> list[RouteStep]:
    """One step per approval group; the rules, deputies and roles of all its cost centres are read once.
    ``chart``: what the coding check has just read, where the cost centres are found when it has them."""
    groups = approval_groups(requisition.organisation, lines)
    authority: ApprovalAuthority | None = None
    failure = ""
    codes = [cost_centre for cost_centre, *_rest in groups]
    if any(codes):
        centres = None
        if chart is not None and chart.done and {code for code in codes if code} <= chart.codes:
            centres = cost_centres_among(chart.objects, chart.dimensions, codes)
        try:
            authority = approval_authority(
                user=requisition.requisitioner,
                organisation=requisition.organisation,
                document_kind=DocumentKind.ORDER,
                cost_centres=codes,
                requester=requisition.requisitioner,
                organisation_read=True,
                centres_read=centres,
            )
        except DomainError as exc:
            failure = exc.message
    route: list[RouteStep] = []
    for cost_centre, category, account, amount, line_ids in groups:
        step = RouteStep(cost_centre, category, account, amount, line_ids)
        if not cost_centre:
            step.error = _("A cost centre is missing.")
        elif authority is None:
            step.error = failure
        else:
            try:
                step.answer = authority.answer(
                    cost_centre=cost_centre, amount=amount, account=account, category=category
                )
            except DomainError as exc:
                step.error = exc.message
        route.append(step)
    return route


def _authority_problem(step: RouteStep) -> Problem:
    limits = [e for e in step.answer.excluded if e.rule is not None] if step.answer else []
    highest = max((e.rule.amount_limit for e in limits if e.rule is not None), default=None)
    if highest is not None:
        message = _(
            "Nobody may approve %(amount)s %(currency)s on cost centre %(centre)s: "
            "the highest approval limit is %(limit)s. "
            "Split the requisition or ask the coordinator to give someone the authority."
        ) % {
            "amount": formatting.amount(step.amount),
            "currency": "SEK",
            "centre": step.cost_centre,
            "limit": formatting.amount(highest),
        }
    else:
        message = _(
            "Nobody has approval authority for cost centre %(centre)s. "
            "Ask the coordinator to set up an approver."
        ) % {"centre": step.cost_centre}
    if step.answer is not None and any(e.reason == "own_requisition" for e in step.answer.excluded):
        message += " " + _("You cannot approve your own requisition (segregation of duties).")
    return Problem("missing_authority", message, field="approval")


# --- everything together ----------------------------------------------------------------------------------


@dataclass
class Readiness:
    problems: list[Problem] = field(default_factory=list)
    route: list[RouteStep] = field(default_factory=list)
    suppliers: list[Any] = field(default_factory=list)
    lines: list[RequisitionLine] = field(default_factory=list)

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.blocking]

    @property
    def can_send(self) -> bool:
        return not self.blocking

    def for_line(self, line_id: int) -> list[Problem]:
        return [p for p in self.problems if p.line_id == line_id]


def _line_problems(
    line: RequisitionLine, today: dt.date, allowed_agreements: frozenset[int], active_items: set[int]
) -> list[Problem]:
    problems: list[Problem] = []
    if not line.supplier.is_active:
        problems.append(
            Problem(
                "supplier_unavailable",
                _("%(supplier)s is no longer an active supplier; remove the line.")
                % {"supplier": line.supplier},
                line.pk,
            )
        )
    if line.item_id is not None and (
        line.item_id not in active_items or line.agreement_id not in allowed_agreements
    ):
        problems.append(
            Problem(
                "item_unavailable",
                _(
                    "The item has left the catalogue or the agreement is no longer valid; "
                    "choose another item."
                ),
                line.pk,
            )
        )
    if line.delivery_address_id is None:
        problems.append(
            Problem("delivery_address", _("Choose a delivery address."), line.pk, "delivery_address")
        )
    if line.requested_delivery_date is not None and line.requested_delivery_date < today:
        problems.append(
            Problem(
                "delivery_date",
                _("The requested delivery date has passed."),
                line.pk,
                "requested_delivery_date",
            )
        )
    if line.outside_agreement and not line.outside_agreement_reason.strip():
        problems.append(
            Problem(
                "reason_required",
                _("Say why you buy outside the agreement."),
                line.pk,
                "outside_agreement_reason",
            )
        )
    if line.is_consumable and not line.machine_serial.strip():
        problems.append(
            Problem(
                "machine_missing",
                _(
                    "Consumables need the machine's serial number "
                    "(and placement, building, floor and contact)."
                ),
                line.pk,
                "machine_serial",
            )
        )
    if line.free_text_form is not None:
        for question in line.free_text_form.fields or []:
            if question.get("required") and not str(line.form_answers.get(question.get("key"), "")).strip():
                problems.append(
                    Problem(
                        "form_incomplete",
                        _("Answer the form's question: %(label)s.") % {"label": question.get("label")},
                        line.pk,
                        question.get("key", ""),
                    )
                )
    if line.supplier.connection == "email" and not line.supplier.order_email:
        problems.append(
            Problem(
                "supplier_unavailable",
                _("%(supplier)s takes orders by e-mail but has no order address; ask the coordinator.")
                % {"supplier": line.supplier},
                line.pk,
            )
        )
    return problems


def readiness(requisition: Requisition, lines: list[RequisitionLine] | None = None) -> Readiness:
    """Every reason the requisition cannot be sent yet, and the approval route it would take."""
    from avrop.catalogue.selectors import callable_agreement_ids

    lines = lines_to_check(requisition) if lines is None else lines
    result = Readiness(lines=lines)
    if not lines:
        result.problems.append(Problem("empty_cart", _("The cart is empty.")))
        return result
    today = timezone.localdate()
    organisation = requisition.organisation
    linked = Membership.objects.filter(
        user_id=requisition.requisitioner_id,
        organisation=organisation,
        role=Role.REQUISITIONER,
        is_active=True,
        department_id=requisition.department_id,
    ).exists()
    if not linked:
        result.problems.append(
            Problem(
                "not_linked",
                _(
                    "Your user is not linked to the ordering department %(department)s (card code). "
                    "Ask the coordinator to link you."
                )
                % {"department": requisition.department},
            )
        )
    allowed = callable_agreement_ids(organisation=organisation, today=today)
    item_ids = [line.item_id for line in lines if line.item_id is not None]
    active_items: set[int] = set()
    if item_ids:
        active_items = set(
            CatalogueItem.objects.filter(is_active=True, pk__in=item_ids).values_list("pk", flat=True)
        )
    splits: list[tuple[int, CodingSplit]] = []
    suppliers: dict[int, Any] = {}
    for line in lines:
        suppliers.setdefault(line.supplier_id, line.supplier)
        result.problems.extend(_line_problems(line, today, allowed, active_items))
        line_splits = list(line.splits.all())
        result.problems.extend(split_problems(line, line_splits))
        splits.extend((line.pk, s) for s in line_splits)
    chart = ChartRead()
    result.problems.extend(coding_problems(organisation, splits, on=today, read=chart))
    result.suppliers = list(suppliers.values())
    if len(suppliers) > 1:
        result.problems.append(
            Problem(
                "several_tabs",
                _(
                    "The cart has lines for %(count)s suppliers (%(names)s): each becomes its own order. "
                    "Check every supplier's lines before you send."
                )
                % {"count": len(suppliers), "names": ", ".join(str(s) for s in suppliers.values())},
                blocking=False,
            )
        )
    if not any(p.code == "coding_invalid" for p in result.problems):
        result.route = approval_route(requisition, lines, chart=chart)
        for step in result.route:
            if step.error:
                result.problems.append(Problem("missing_authority", step.error, field="approval"))
            elif not step.approvers:
                result.problems.append(_authority_problem(step))
    return result
