"""Actions on agreements."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from avrop.agreements.models import Agreement, AgreementParty
from avrop.core.audit import audit, snapshot
from avrop.core.errors import DomainError, ErrorCode
from avrop.organisations.models import Organisation, User


@transaction.atomic
def agreement_create(
    *,
    actor: User | None,
    owner: Organisation,
    supplier: Organisation,
    reference: str,
    title: str,
    valid_from: dt.date,
    valid_to: dt.date,
    parties: list[Organisation] | None = None,
    **fields: Any,
) -> Agreement:
    if valid_to < valid_from:
        raise DomainError(ErrorCode.VALIDATION, _("The agreement ends before it starts."), field="valid_to")
    if supplier.kind not in {Organisation.Kind.SUPPLIER, Organisation.Kind.SERVICE_PARTNER}:
        raise DomainError(ErrorCode.VALIDATION, _("%(name)s is not a supplier.") % {"name": supplier.name},
                          field="supplier")
    if Agreement.objects.filter(owner=owner, reference=reference).exists():
        raise DomainError(ErrorCode.CONFLICT,
                          _("Agreement reference %(ref)s is already used.") % {"ref": reference}, field="reference")
    agreement = Agreement.objects.create(owner=owner, supplier=supplier, reference=reference, title=title,
                                         valid_from=valid_from, valid_to=valid_to, **fields)
    AgreementParty.objects.bulk_create(
        [AgreementParty(agreement=agreement, organisation=party) for party in {owner, *(parties or [])}]
    )
    audit(actor=actor, action="agreement.create", obj=agreement, organisation=owner, after=snapshot(agreement))
    return agreement
