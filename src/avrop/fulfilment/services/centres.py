"""The coordinator's register of distribution centres: a centre's address and contact, which suppliers and
categories go through it, and the weekdays it delivers to each department. Suppliers and departments of
another organisation are refused; the routes and days given replace the centre's earlier ones."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.core.locking import lock
from avrop.fulfilment.errors import Code
from avrop.fulfilment.models import DistributionCentre, DistributionDay, DistributionRoute
from avrop.fulfilment.selectors_centres import REGISTER_ROLES
from avrop.organisations.models import Department, Organisation, User
from avrop.organisations.selectors import roles_in
from avrop.organisations.validators import normalise_gln
from avrop.suppliers.models import Supplier

REQUIRED = {"name", "street", "postal_code", "city"}
TEXT_FIELDS = {
    "name": 200,
    "gln": 13,
    "street": 200,
    "postal_code": 20,
    "city": 100,
    "building": 100,
    "contact_name": 200,
    "contact_phone": 40,
}


def _invalid(message: str, field: str) -> DomainError:
    return DomainError(Code.CENTRE_INVALID, message, field=field)


def _prefixes(values: Iterable[str]) -> list[str]:
    prefixes = sorted({v.strip() for v in values if v.strip()})
    for prefix in prefixes:
        if not prefix.isdigit() or len(prefix) > 8:
            raise _invalid(
                _("%(value)s is not a category: give the first 2 to 8 digits of a UNSPSC code.")
                % {"value": prefix},
                "category_prefixes",
            )
    return prefixes


@transaction.atomic
def distribution_centre_save(
    *,
    actor: User,
    organisation: Organisation,
    centre_id: int | None = None,
    supplier_ids: Iterable[int] = (),
    category_prefixes: Iterable[str] = (),
    days: Mapping[int, Iterable[int]] | None = None,
    is_active: bool = True,
    **fields: str,
) -> DistributionCentre:
    """Create (``centre_id`` None) or change a centre of ``organisation``; ``days`` maps a department id to
    the weekdays (0 Monday … 6 Sunday) the centre delivers there."""
    if not roles_in(user=actor, organisation=organisation) & REGISTER_ROLES:
        raise NotAllowed(_("Only the coordinator keeps the register of distribution centres."))
    unknown = set(fields) - set(TEXT_FIELDS)
    if unknown:
        raise _invalid(_("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))}, "")
    values: dict[str, Any] = {
        name: str(fields.get(name, "")).strip()[:limit] for name, limit in TEXT_FIELDS.items()
    }
    for name in sorted(REQUIRED):
        if not values[name]:
            raise _invalid(_("This field is required."), name)
    if values["gln"]:
        try:
            values["gln"] = normalise_gln(values["gln"])
        except ValidationError as exc:
            raise _invalid(exc.messages[0], "gln") from None
    wanted_suppliers = sorted({int(s) for s in supplier_ids})
    suppliers = set(
        Supplier.objects.filter(buyer=organisation, pk__in=wanted_suppliers).values_list("pk", flat=True)
    )
    if len(suppliers) != len(wanted_suppliers):
        raise _invalid(_("Choose suppliers your organisation buys from."), "suppliers")
    prefixes = _prefixes(category_prefixes)
    weekdays = {int(d): sorted({int(w) for w in ws}) for d, ws in (days or {}).items()}
    weekdays = {d: ws for d, ws in weekdays.items() if ws}
    if any(w < 0 or w > 6 for ws in weekdays.values() for w in ws):
        raise _invalid(_("Choose weekdays from Monday to Sunday."), "days")
    departments = set(
        Department.objects.filter(organisation=organisation, pk__in=list(weekdays)).values_list(
            "pk", flat=True
        )
    )
    if len(departments) != len(weekdays):
        raise _invalid(_("Choose departments of your organisation."), "days")

    if centre_id is None:
        centre = DistributionCentre(organisation=organisation)
        before: dict[str, Any] = {}
    else:
        try:
            centre = lock(DistributionCentre, int(centre_id))
        except (DistributionCentre.DoesNotExist, ValueError, TypeError):
            raise NotFound() from None
        if centre.organisation_id != organisation.pk:
            raise NotFound()
        before = {name: getattr(centre, name) for name in TEXT_FIELDS} | {"is_active": centre.is_active}
    for name, value in values.items():
        setattr(centre, name, value)
    centre.is_active = bool(is_active)
    try:
        with transaction.atomic():
            centre.save()
    except IntegrityError:
        raise _invalid(
            _("Your organisation already has a distribution centre called %(name)s.")
            % {"name": values["name"]},
            "name",
        ) from None
    DistributionRoute.objects.filter(centre=centre).delete()
    DistributionRoute.objects.bulk_create(
        [DistributionRoute(centre=centre, supplier_id=s) for s in sorted(suppliers)]
        + [DistributionRoute(centre=centre, category_prefix=p) for p in prefixes]
    )
    DistributionDay.objects.filter(centre=centre).delete()
    DistributionDay.objects.bulk_create(
        [DistributionDay(centre=centre, department_id=d, weekday=w) for d, ws in weekdays.items() for w in ws]
    )
    audit(
        actor=actor,
        action="distribution_centre.create" if centre_id is None else "distribution_centre.change",
        obj=centre,
        organisation=organisation,
        before=before,
        after=values
        | {
            "is_active": centre.is_active,
            "suppliers": sorted(suppliers),
            "categories": prefixes,
            "days": {str(d): ws for d, ws in sorted(weekdays.items())},
        },
    )
    return centre
