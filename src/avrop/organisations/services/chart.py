"""Chart of accounts: create or choose a chart, maintain accounts, dimensions and objects, bulk upserts.

Imports write set-based: the existing rows are read once per table, then new rows are inserted with
``bulk_create`` and changed rows updated with ``bulk_update``, so that a file with thousands of accounts takes
a handful of statements.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit, snapshot
from avrop.core.errors import DomainError, ErrorCode
from avrop.organisations.errors import Code
from avrop.organisations.models import Account, Chart, Dimension, DimensionObject, Organisation, User
from avrop.organisations.queries import db_date, insert_rows
from avrop.organisations.selectors.chart import chart_of
from avrop.organisations.services._common import dates_in_order, require_master_data_role

BATCH = 500

# SIE 4 reserves dimension numbers 1–19; these are the ones with a fixed meaning used for coding.
RESERVED_DIMENSIONS: dict[int, tuple[str, str, str]] = {
    1: ("cost_centre", "Kostnadsställe", Dimension.Kind.COST_CENTRE),
    2: ("cost_bearer", "Kostnadsbärare", Dimension.Kind.FREE),
    6: ("project", "Projekt", Dimension.Kind.PROJECT),
    7: ("employee", "Anställd", Dimension.Kind.FREE),
    8: ("customer", "Kund", Dimension.Kind.FREE),
    9: ("supplier", "Leverantör", Dimension.Kind.FREE),
    10: ("invoice", "Faktura", Dimension.Kind.FREE),
}
_ACTIVITY_WORDS = ("verksamhet", "aktivitet", "activity")


def dimension_defaults(number: int, name: str) -> tuple[str, str]:
    """The coding key and kind for a dimension number (and name, to recognise an activity dimension)."""
    if number in RESERVED_DIMENSIONS:
        code, _name, kind = RESERVED_DIMENSIONS[number]
        return code, kind
    if any(word in name.lower() for word in _ACTIVITY_WORDS):
        return "activity", Dimension.Kind.ACTIVITY
    return f"dim{number}", Dimension.Kind.FREE


@dataclass(frozen=True)
class AccountRow:
    number: str
    name: str
    kind: str = ""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


@dataclass(frozen=True)
class DimensionRow:
    number: int
    name: str
    parent: int | None = None


@dataclass(frozen=True)
class ObjectRow:
    dimension: int
    code: str
    name: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


def owned_chart(actor: User | None, organisation: Organisation) -> Chart:
    """The organisation's chart, if it owns it: a shared chart is maintained by its owner only."""
    require_master_data_role(actor, organisation)
    chart = chart_of(organisation)
    if chart.owner_id != organisation.pk:
        raise DomainError(
            Code.CHART_NOT_YOURS,
            _(
                "%(chart)s is shared by %(owner)s; only they change its accounts and dimensions. "
                "You can add your own dimension objects."
            )
            % {"chart": chart.name, "owner": chart.owner.name},
        )
    return chart


@transaction.atomic
def chart_create(
    *, actor: User | None, organisation: Organisation, name: str, is_shared: bool = False, use: bool = True
) -> Chart:
    require_master_data_role(actor, organisation)
    name = name.strip()
    if not name:
        raise DomainError(ErrorCode.VALIDATION, _("Give the chart a name."), field="name")
    if Chart.objects.filter(owner=organisation, name=name).exists():
        raise DomainError(
            ErrorCode.CONFLICT, _("There is already a chart called %(name)s.") % {"name": name}, field="name"
        )
    chart = Chart.objects.create(owner=organisation, name=name, is_shared=is_shared)
    audit(actor=actor, action="chart.create", obj=chart, organisation=organisation, after=snapshot(chart))
    if use:
        organisation.chart = chart
        organisation.save(update_fields=["chart", "updated_at"])
    return chart


@transaction.atomic
def chart_use(*, actor: User | None, organisation: Organisation, chart_id: int) -> Organisation:
    """Code with another chart: the organisation's own, or a shared one of the service centre serving it."""
    require_master_data_role(actor, organisation)
    chart = Chart.objects.filter(pk=chart_id).first()
    allowed = chart is not None and (
        chart.owner_id == organisation.pk or (chart.is_shared and chart.owner_id == organisation.served_by_id)
    )
    if not allowed:
        raise DomainError(
            Code.CHART_NOT_YOURS, _("This chart is neither yours nor shared with you."), field="chart"
        )
    before = {"chart": organisation.chart_id}
    organisation.chart = chart
    organisation.save(update_fields=["chart", "updated_at"])
    audit(actor=actor, action="chart.use", obj=organisation, before=before, after={"chart": chart_id})
    return organisation


@transaction.atomic
def dimension_create(
    *,
    actor: User | None,
    organisation: Organisation,
    number: int,
    name: str,
    code: str = "",
    kind: str = "",
    parent_number: int | None = None,
    is_required: bool = False,
    required_from_account: str = "",
    required_to_account: str = "",
) -> Dimension:
    chart = owned_chart(actor, organisation)
    default_code, default_kind = dimension_defaults(number, name)
    if Dimension.objects.filter(chart=chart, number=number).exists():
        raise DomainError(
            ErrorCode.CONFLICT, _("Dimension %(number)s exists already.") % {"number": number}, field="number"
        )
    parent = None
    if parent_number is not None:
        parent = Dimension.objects.filter(chart=chart, number=parent_number).first()
        if parent is None:
            raise DomainError(
                ErrorCode.VALIDATION,
                _("There is no dimension %(number)s.") % {"number": parent_number},
                field="parent",
            )
    dimension = Dimension.objects.create(
        chart=chart,
        number=number,
        name=name,
        code=code or default_code,
        kind=kind or default_kind,
        parent=parent,
        is_required=is_required,
        required_from_account=required_from_account,
        required_to_account=required_to_account,
    )
    audit(
        actor=actor,
        action="dimension.create",
        obj=dimension,
        organisation=organisation,
        after=snapshot(dimension),
    )
    return dimension


@transaction.atomic
def account_save(
    *,
    actor: User | None,
    organisation: Organisation,
    number: str,
    name: str,
    kind: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    is_active: bool = True,
) -> Account:
    """Create the account, or change its name, type and validity if the number exists."""
    chart = owned_chart(actor, organisation)
    number, name = number.strip(), name.strip()
    if not number or not name:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("Account number and name are required."),
            field="number" if not number else "name",
        )
    dates_in_order(valid_from, valid_to)
    account = Account.objects.select_for_update().filter(chart=chart, number=number).first()
    before = snapshot(account) if account else None
    if account is None:
        account = Account(chart=chart, number=number)
    account.name, account.kind, account.is_active = name, kind, is_active
    account.valid_from, account.valid_to = valid_from, valid_to
    account.save()
    audit(
        actor=actor,
        action="account.save",
        obj=account,
        organisation=organisation,
        before=before,
        after=snapshot(account),
    )
    return account


@transaction.atomic
def dimension_object_save(
    *,
    actor: User | None,
    organisation: Organisation,
    dimension: str,
    code: str,
    name: str,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    is_active: bool = True,
) -> DimensionObject:
    """Create or change a cost centre, project, activity …: chart-wide on an own chart, the organisation's
    own on a shared chart (so other organisations on the same chart never see it)."""
    require_master_data_role(actor, organisation)
    chart = chart_of(organisation)
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise DomainError(
            ErrorCode.VALIDATION, _("Code and name are required."), field="code" if not code else "name"
        )
    dates_in_order(valid_from, valid_to)
    found = (
        Dimension.objects.filter(chart=chart)
        .filter(Q(number=int(dimension)) if str(dimension).isdigit() else Q(code=dimension))
        .first()
    )
    if found is None:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("%(chart)s has no dimension %(key)s.") % {"chart": chart.name, "key": dimension},
            field="dimension",
        )
    scope = None if chart.owner_id == organisation.pk else organisation
    existing = (
        DimensionObject.objects.select_for_update()
        .filter(dimension=found, code=code, organisation=scope)
        .first()
    )
    if (
        existing is None
        and scope is not None
        and DimensionObject.objects.filter(dimension=found, code=code, organisation__isnull=True).exists()
    ):
        raise DomainError(
            ErrorCode.CONFLICT,
            _("%(code)s is already a code of the shared chart.") % {"code": code},
            field="code",
        )
    before = snapshot(existing) if existing else None
    obj = existing or DimensionObject(dimension=found, code=code, organisation=scope)
    obj.name, obj.valid_from, obj.valid_to, obj.is_active = name, valid_from, valid_to, is_active
    obj.save()
    audit(
        actor=actor,
        action="dimension_object.save",
        obj=obj,
        organisation=organisation,
        before=before,
        after=snapshot(obj),
    )
    return obj


def chart_bulk_upsert(
    *,
    chart: Chart,
    scope: Organisation | None,
    accounts: list[AccountRow],
    dimensions: list[DimensionRow],
    objects: list[ObjectRow],
    keep_validity: bool = False,
) -> dict[str, int]:
    """Insert new and update changed rows, set-based. Must run inside a transaction; returns the counts.

    ``scope`` is None for chart-wide objects (the chart's owner imports) or the organisation whose own objects
    these are (an organisation on a shared chart). Accounts and dimensions are only written for the owner.
    ``keep_validity`` keeps the dates of existing rows (SIE files carry none).
    """
    now = timezone.now()
    db_now = connection.ops.adapt_datetimefield_value(now)
    stamps = (db_now, db_now)  # created_at, updated_at
    scope_id = scope.pk if scope is not None else None
    counts = {
        "accounts_created": 0,
        "accounts_updated": 0,
        "dimensions_created": 0,
        "objects_created": 0,
        "objects_updated": 0,
    }
    existing_dims = {d.number: d for d in Dimension.objects.filter(chart=chart)}
    new_dims = []
    changed_dims = []
    used_codes = {d.code for d in existing_dims.values()}
    for row in dimensions:
        current = existing_dims.get(row.number)
        if current is None:
            code, kind = dimension_defaults(row.number, row.name)
            if code in used_codes:
                code = f"dim{row.number}"
            used_codes.add(code)
            dimension = Dimension(chart=chart, number=row.number, name=row.name, code=code, kind=kind)
            new_dims.append(dimension)
            existing_dims[row.number] = dimension
        elif current.name != row.name:
            current.name = row.name
            changed_dims.append(current)
    # Object rows for a reserved dimension that the file did not declare still need the dimension.
    for number in {row.dimension for row in objects} - set(existing_dims):
        code, name, kind = RESERVED_DIMENSIONS[number]
        dimension = Dimension(chart=chart, number=number, name=name, code=code, kind=kind)
        new_dims.append(dimension)
        existing_dims[number] = dimension
    Dimension.objects.bulk_create(new_dims)
    Dimension.objects.bulk_update(changed_dims, ["name"])
    counts["dimensions_created"] = len(new_dims)
    parents = [(existing_dims[r.number], existing_dims.get(r.parent)) for r in dimensions if r.parent]
    for child, parent in parents:
        child.parent = parent
    Dimension.objects.bulk_update([c for c, _p in parents], ["parent"])

    current_accounts = {
        number: (pk, name, kind, start, end)
        for pk, number, name, kind, start, end in Account.objects.filter(chart=chart).values_list(
            "pk", "number", "name", "kind", "valid_from", "valid_to"
        )
    }
    new_accounts: list[tuple[Any, ...]] = []
    changed_accounts: list[Account] = []
    for account in accounts:
        current_account = current_accounts.get(account.number)
        kind = account.kind or (current_account[2] if current_account else "")
        if current_account is not None and keep_validity:
            account = AccountRow(
                account.number, account.name, account.kind, current_account[3], current_account[4]
            )
        if current_account is None:
            new_accounts.append(
                (
                    chart.pk,
                    account.number,
                    account.name,
                    kind,
                    db_date(account.valid_from),
                    db_date(account.valid_to),
                    True,
                )
                + stamps
            )
        elif current_account[1:] != (account.name, kind, account.valid_from, account.valid_to):
            changed_accounts.append(
                Account(
                    pk=current_account[0],
                    name=account.name,
                    kind=kind,
                    valid_from=account.valid_from,
                    valid_to=account.valid_to,
                    updated_at=now,
                )
            )
    insert_rows(
        model=Account,
        columns=[
            "chart",
            "number",
            "name",
            "kind",
            "valid_from",
            "valid_to",
            "is_active",
            "created_at",
            "updated_at",
        ],
        rows=new_accounts,
    )
    Account.objects.bulk_update(
        changed_accounts, ["name", "kind", "valid_from", "valid_to", "updated_at"], batch_size=BATCH
    )
    counts["accounts_created"], counts["accounts_updated"] = len(new_accounts), len(changed_accounts)

    dim_ids = {number: d.pk for number, d in existing_dims.items()}
    scoped = DimensionObject.objects.filter(dimension__chart=chart)
    scoped = (
        scoped.filter(organisation=scope) if scope is not None else scoped.filter(organisation__isnull=True)
    )
    current_objects = {
        (dimension_id, code): (pk, name, start, end)
        for pk, dimension_id, code, name, start, end in scoped.values_list(
            "pk", "dimension_id", "code", "name", "valid_from", "valid_to"
        )
    }
    new_objects: list[tuple[Any, ...]] = []
    changed_objects: list[DimensionObject] = []
    for object_row in objects:
        key = (dim_ids[object_row.dimension], object_row.code)
        current_object = current_objects.get(key)
        if current_object is not None and keep_validity:
            object_row = ObjectRow(
                object_row.dimension, object_row.code, object_row.name, current_object[2], current_object[3]
            )
        if current_object is None:
            new_objects.append(
                (
                    key[0],
                    scope_id,
                    object_row.code,
                    object_row.name,
                    db_date(object_row.valid_from),
                    db_date(object_row.valid_to),
                    True,
                )
                + stamps
            )
        elif current_object[1:] != (object_row.name, object_row.valid_from, object_row.valid_to):
            changed_objects.append(
                DimensionObject(
                    pk=current_object[0],
                    name=object_row.name,
                    valid_from=object_row.valid_from,
                    valid_to=object_row.valid_to,
                    updated_at=now,
                )
            )
    insert_rows(
        model=DimensionObject,
        columns=[
            "dimension",
            "organisation",
            "code",
            "name",
            "valid_from",
            "valid_to",
            "is_active",
            "created_at",
            "updated_at",
        ],
        rows=new_objects,
    )
    DimensionObject.objects.bulk_update(
        changed_objects, ["name", "valid_from", "valid_to", "updated_at"], batch_size=BATCH
    )
    counts["objects_created"], counts["objects_updated"] = len(new_objects), len(changed_objects)
    return counts
