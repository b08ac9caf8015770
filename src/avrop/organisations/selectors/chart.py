"""Reads of the chart of accounts and coding dimensions, and the coding check.

An organisation sees the chart it uses (its own or a shared one), the chart-wide dimension objects and its
own objects, never another organisation's objects on a shared chart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.errors import DomainError, NotFound
from avrop.organisations.errors import Code
from avrop.organisations.models import Account, Chart, Dimension, DimensionObject, Organisation, User
from avrop.organisations.models.chart import ValidityQuerySet
from avrop.organisations.selectors import organisation_get

ACCOUNT_KEYS = {"account", "konto"}


def chart_of(organisation: Organisation) -> Chart:
    """The chart the organisation codes with, or a domain error telling the coordinator to set one up."""
    if organisation.chart_id is None:
        raise DomainError(
            Code.NO_CHART,
            _("%(org)s has no chart of accounts yet. Create one or choose a shared chart.")
            % {"org": organisation.name},
        )
    return organisation.chart  # type: ignore[return-value]


def objects_of(*, organisation: Organisation) -> QuerySet[DimensionObject]:
    """Dimension objects the organisation may use (no user check: for services and other selectors)."""
    if organisation.chart_id is None:
        return DimensionObject.objects.none()
    return DimensionObject.objects.filter(
        Q(organisation__isnull=True) | Q(organisation=organisation), dimension__chart=organisation.chart_id
    )


def cost_centres_of(*, organisation: Organisation) -> QuerySet[DimensionObject]:
    return objects_of(organisation=organisation).filter(dimension__kind=Dimension.Kind.COST_CENTRE)


def chart_get(*, user: User, organisation: Organisation) -> Chart:
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    return chart_of(organisation)


def usable_charts(*, user: User, organisation: Organisation) -> QuerySet[Chart]:
    """Charts the organisation may use: its own, and the shared charts of the service centre serving it."""
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    shared_owner = (
        Q(owner=organisation.served_by_id, is_shared=True) if organisation.served_by_id else Q(pk=None)
    )
    return Chart.objects.filter(Q(owner=organisation) | shared_owner).select_related("owner").order_by("name")


def account_list(*, user: User, organisation: Organisation, search: str = "") -> QuerySet[Account]:
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    if organisation.chart_id is None:
        return Account.objects.none()
    accounts = Account.objects.filter(chart=organisation.chart_id)
    if search:
        accounts = accounts.filter(Q(number__startswith=search) | Q(name__icontains=search))
    return accounts.order_by("number")


def dimension_list(*, user: User, organisation: Organisation) -> QuerySet[Dimension]:
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    if organisation.chart_id is None:
        return Dimension.objects.none()
    return Dimension.objects.filter(chart=organisation.chart_id).select_related("parent").order_by("number")


def dimension_object_list(
    *, user: User, organisation: Organisation, dimension: str = "", search: str = ""
) -> QuerySet[DimensionObject]:
    """Objects the organisation may use; ``dimension`` is a dimension key (``cost_centre``) or number."""
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    objects = objects_of(organisation=organisation).select_related("dimension")
    if dimension:
        objects = objects.filter(
            Q(dimension__number=int(dimension)) if dimension.isdigit() else Q(dimension__code=dimension)
        )
    if search:
        objects = objects.filter(Q(code__startswith=search) | Q(name__icontains=search))
    return objects.order_by("dimension__number", "code")


PICKER_LIMIT = 20


def coding_options(
    *, user: User, organisation: Organisation, key: str, search: str, on: dt.date | None = None
) -> list[tuple[str, str]]:
    """What a coding field may hold, for a type-ahead picker: ``(value, "value name")`` pairs whose number
    or code starts with ``search`` or whose name contains it, valid on ``on`` (default today), at most
    ``PICKER_LIMIT``. ``key``: ``account``, or a dimension's key or number (``cost_centre``, ``project``,
    ``6``). Two queries: the membership check and the options."""
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    search = search.strip()
    if organisation.chart_id is None or not search:
        return []
    day = on or timezone.localdate()
    match = Q(name__icontains=search)
    if key.lower() in ACCOUNT_KEYS:
        accounts = (
            Account.objects.filter(chart=organisation.chart_id)
            .valid_on(day)
            .filter(match | Q(number__startswith=search))
            .order_by("number")
            .values_list("number", "name")[:PICKER_LIMIT]
        )
        return [(number, f"{number} {name}") for number, name in accounts]
    if key == "cost_centre":
        dimension = Q(dimension__kind=Dimension.Kind.COST_CENTRE)
    elif key.isdigit():
        dimension = Q(dimension__number=int(key))
    else:
        dimension = Q(dimension__code=key) | Q(dimension__kind=key)
    usable = objects_of(organisation=organisation)
    assert isinstance(usable, ValidityQuerySet)
    objects = (
        usable.filter(dimension)
        .valid_on(day)
        .filter(match | Q(code__istartswith=search))
        .order_by("code", "pk")
        .values_list("code", "name")[:PICKER_LIMIT]
    )
    return [(code, f"{code} {name}") for code, name in objects]


def cost_centre_list(*, user: User, organisation: Organisation) -> QuerySet[DimensionObject]:
    return dimension_object_list(user=user, organisation=organisation).filter(
        dimension__kind=Dimension.Kind.COST_CENTRE
    )


def cost_centre_get(*, user: User, organisation: Organisation, code: str) -> DimensionObject:
    found = cost_centre_list(user=user, organisation=organisation).filter(code=code).first()
    if found is None:
        raise NotFound()
    return found


# --- Coding check --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodingProblem:
    key: str
    message: str


@dataclass
class CodingCheck:
    """The outcome of checking a coding: the values found and every problem, each tied to its key."""

    on: dt.date
    values: dict[str, str]
    account: Account | None = None
    objects: dict[str, DimensionObject] = field(default_factory=dict)
    problems: list[CodingProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_if_invalid(self) -> None:
        if self.problems:
            first = self.problems[0]
            message = " ".join(p.message for p in self.problems)
            raise DomainError(Code.CODING_INVALID, message, field=first.key)


def parse_coding(coding: Mapping[str, object] | str) -> dict[str, str]:
    """``{"account": "5410", "cost_centre": "1200"}`` or the text form ``account=5410;cost_centre=1200``."""
    if isinstance(coding, str):
        pairs: dict[str, str] = {}
        for part in coding.replace(",", ";").split(";"):
            if not part.strip():
                continue
            key, sep, value = part.partition("=")
            if not sep:
                raise DomainError(
                    Code.CODING_INVALID,
                    _("%(part)s is not key=value (e.g. account=5410;cost_centre=1200).")
                    % {"part": part.strip()},
                )
            pairs[key.strip()] = value.strip()
        return pairs
    return {str(k).strip(): "" if v is None else str(v).strip() for k, v in coding.items()}


def _validity_text(obj: Account | DimensionObject) -> str:
    if not obj.is_active:
        return _("it is closed")
    return _("it is valid %(start)s – %(end)s") % {"start": obj.valid_from or "…", "end": obj.valid_to or "…"}


def coding_check(
    *, user: User, organisation: Organisation, coding: Mapping[str, object] | str, on: dt.date | None = None
) -> CodingCheck:
    """Check that the account exists, every given dimension value exists for the organisation, all are valid
    on ``on`` (default today) and every dimension the account requires is present. Three queries at most."""
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    chart = chart_of(organisation)
    day = on or timezone.localdate()
    values = parse_coding(coding)
    check = CodingCheck(on=day, values=values)
    account_key = next((k for k in values if k.lower() in ACCOUNT_KEYS), "account")
    account_number = values.get(account_key, "")
    dimensions = list(Dimension.objects.filter(chart=chart))
    by_key: dict[str, Dimension] = {}
    for known in dimensions:
        by_key[known.code] = known
        by_key[str(known.number)] = known
    if not account_number:
        check.problems.append(CodingProblem("account", _("An account is required.")))
    else:
        check.account = Account.objects.filter(chart=chart, number=account_number).first()
        if check.account is None:
            check.problems.append(
                CodingProblem(
                    "account",
                    _("Account %(number)s does not exist in %(chart)s.")
                    % {"number": account_number, "chart": chart.name},
                )
            )
        elif not check.account.is_valid_on(day):
            check.problems.append(
                CodingProblem(
                    "account",
                    _("Account %(number)s cannot be used on %(day)s: %(why)s.")
                    % {"number": account_number, "day": day, "why": _validity_text(check.account)},
                )
            )
    wanted: dict[Dimension, tuple[str, str]] = {}
    for key, value in values.items():
        if key == account_key or not value:
            continue
        dimension = by_key.get(key)
        if dimension is None:
            check.problems.append(
                CodingProblem(
                    key, _("%(key)s is not a dimension of %(chart)s.") % {"key": key, "chart": chart.name}
                )
            )
            continue
        wanted[dimension] = (key, value)
    if wanted:
        found = {
            (o.dimension_id, o.code): o
            for o in objects_of(organisation=organisation).filter(
                dimension__in=list(wanted), code__in={v for _k, v in wanted.values()}
            )
        }
        for dimension, (key, value) in wanted.items():
            obj = found.get((dimension.pk, value))
            if obj is None:
                check.problems.append(
                    CodingProblem(
                        key,
                        _("%(dimension)s %(code)s does not exist.")
                        % {"dimension": dimension.name, "code": value},
                    )
                )
            elif not obj.is_valid_on(day):
                check.problems.append(
                    CodingProblem(
                        key,
                        _("%(dimension)s %(code)s cannot be used on %(day)s: %(why)s.")
                        % {
                            "dimension": dimension.name,
                            "code": value,
                            "day": day,
                            "why": _validity_text(obj),
                        },
                    )
                )
            else:
                check.objects[dimension.code] = obj
    if account_number:
        for dimension in dimensions:
            if dimension.is_required_for(account_number) and dimension not in wanted:
                check.problems.append(
                    CodingProblem(
                        dimension.code,
                        _("%(dimension)s is required for account %(number)s.")
                        % {"dimension": dimension.name, "number": account_number},
                    )
                )
    return check
