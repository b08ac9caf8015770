"""Post-check actions: draw a period's sample, record the check, follow a finding up."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.core.locking import lock
from avrop.core.workflows import move_status
from avrop.organisations.roles import Role
from avrop.payables.errors import Code
from avrop.payables.models import SupplierInvoice
from avrop.payables.postcheck.models import (
    POSTCHECK_TRANSITIONS,
    PostCheckSample,
    PostCheckSettings,
    PostCheckStatus,
    SampleReason,
)

CHECKER_ROLES = frozenset({Role.AP_CLERK, Role.ADMIN})
ATTESTED = (SupplierInvoice.Status.APPROVED, SupplierInvoice.Status.PAID)
THOUSAND = Decimal(1000)


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of ``day``'s month and of the next."""
    start = day.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return start, following


def _roles(actor: Any, organisation: Any) -> frozenset[str]:
    from avrop.organisations.selectors import roles_in

    return roles_in(user=actor, organisation=organisation)


def _require_checker(actor: Any, organisation: Any) -> None:
    roles = _roles(actor, organisation)
    if not roles:
        raise NotFound()
    if not roles & CHECKER_ROLES:
        raise NotAllowed(
            _("Only an accounts payable clerk or an administrator does post-checks."), Code.NOT_AP_CLERK
        )


def settings_for(organisation: Any) -> PostCheckSettings:
    return PostCheckSettings.objects.filter(organisation=organisation).first() or PostCheckSettings(
        organisation=organisation
    )


@transaction.atomic
def post_check_draw(*, actor: Any, organisation: Any, period: dt.date) -> int:
    """Draw the sample of invoices attested in ``period``'s month; returns how many were added. Drawing again
    adds only invoices attested since that a rule picks (the random part is drawn once per period).
    ``actor`` None is the monthly task."""
    if actor is not None:
        _require_checker(actor, organisation)
    start, end = month_of(period)
    if start > timezone.localdate():
        raise DomainError(
            Code.SETTINGS_INVALID, _("A period that has not begun cannot be sampled."), field="period"
        )
    rules = settings_for(organisation)
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end, dt.time.min, tzinfo=tz)
    population = list(
        SupplierInvoice.objects.filter(
            organisation=organisation,
            kind=SupplierInvoice.Kind.INVOICE,
            status__in=ATTESTED,
            approved_at__gte=since,
            approved_at__lt=until,
            post_check__isnull=True,
        ).values_list("pk", "supplier_id", "payable_amount", "approved_at")
    )
    if not population:
        return 0
    suppliers = {s for _pk, s, _a, _t in population if s}
    first_of = dict(
        SupplierInvoice.objects.filter(
            organisation=organisation, status__in=ATTESTED, supplier_id__in=suppliers
        )
        .values("supplier_id")
        .annotate(first=Min("approved_at"))
        .values_list("supplier_id", "first")
    )
    from avrop.suppliers.models import BankAccount

    window = dt.timedelta(days=rules.bank_account_days)
    changed: dict[int, list[dt.datetime]] = defaultdict(list)
    for supplier_id, created, updated in BankAccount.objects.filter(
        Q(created_at__gte=since - window) | Q(updated_at__gte=since - window), supplier_id__in=suppliers
    ).values_list("supplier_id", "created_at", "updated_at"):
        changed[supplier_id] += [created, updated]

    reasons: dict[int, list[str]] = {}
    for pk, supplier, amount, approved_at in population:
        found = []
        if approved_at is None:  # not possible for an attested invoice in the period; typed as nullable
            continue
        if supplier and first_of.get(supplier) == approved_at:
            found.append(SampleReason.NEW_SUPPLIER)
        if supplier and any(
            approved_at - window <= when <= approved_at for when in changed.get(supplier, [])
        ):
            found.append(SampleReason.BANK_ACCOUNT)
        if amount is not None and amount >= rules.large_amount:
            found.append(SampleReason.LARGE_AMOUNT)
        if amount is not None and amount >= THOUSAND and amount % THOUSAND == 0:
            found.append(SampleReason.ROUND_AMOUNT)
        if found:
            reasons[pk] = [str(r) for r in found]
    already_random = _has_random(organisation, start)
    if not already_random:
        rest = sorted(pk for pk, *_ in population if pk not in reasons)
        count = math.ceil(len(rest) * rules.random_percent / 100)
        # The same period always draws the same invoices (repeatable for the auditor).
        for pk in random.Random(f"{organisation.pk}:{start.isoformat()}").sample(rest, min(count, len(rest))):
            reasons[pk] = [SampleReason.RANDOM.value]
    PostCheckSample.objects.bulk_create(
        [
            PostCheckSample(organisation=organisation, invoice_id=pk, period=start, reasons=why)
            for pk, why in sorted(reasons.items())
        ]
    )
    audit(
        actor=actor,
        action="post_check.draw",
        organisation=organisation,
        after={"period": start.isoformat(), "invoices": len(population), "drawn": len(reasons)},
    )
    return len(reasons)


def _has_random(organisation: Any, start: dt.date) -> bool:
    return any(
        SampleReason.RANDOM.value in (why or [])
        for why in PostCheckSample.objects.filter(organisation=organisation, period=start).values_list(
            "reasons", flat=True
        )
    )


def _sample(actor: Any, sample_id: int) -> PostCheckSample:
    sample = PostCheckSample.objects.filter(pk=sample_id).select_related("invoice").first()
    if sample is None:
        raise NotFound()
    _require_checker(actor, sample.organisation)
    return lock(PostCheckSample, sample.pk)


@transaction.atomic
def post_check_record(*, actor: Any, sample_id: int, passed: bool, finding: str = "") -> PostCheckSample:
    """The checker records the result. Nobody checks an invoice they registered, sent on or attested."""
    sample = _sample(actor, sample_id)
    invoice = sample.invoice
    if actor.pk in {
        invoice.registered_by_id,
        invoice.sent_to_review_by_id,
        invoice.approved_by_id,
        invoice.reviewer_id,
    }:
        raise NotAllowed(
            _("You handled this invoice yourself, so someone else must post-check it."), Code.SAME_PERSON
        )
    finding = finding.strip()
    if not passed and not finding:
        raise DomainError(Code.REASON_REQUIRED, _("Describe the finding."), field="finding")
    sample.checked_by, sample.checked_at, sample.finding = actor, timezone.now(), finding
    move_status(
        sample,
        PostCheckStatus.PASSED if passed else PostCheckStatus.FINDING,
        transitions=POSTCHECK_TRANSITIONS,
        actor=actor,
        action="post_check.record",
        fields=["checked_by", "checked_at", "finding"],
        comment=finding,
    )
    return sample


@transaction.atomic
def post_check_close(*, actor: Any, sample_id: int, follow_up: str) -> PostCheckSample:
    """A finding is followed up (corrected, recovered from the supplier, reported) by someone other than the
    checker who found it."""
    sample = _sample(actor, sample_id)
    if actor.pk == sample.checked_by_id:
        raise NotAllowed(_("Someone other than the checker follows the finding up."), Code.SAME_PERSON)
    follow_up = follow_up.strip()
    if not follow_up:
        raise DomainError(Code.REASON_REQUIRED, _("Say how the finding was followed up."), field="follow_up")
    sample.closed_by, sample.closed_at, sample.follow_up = actor, timezone.now(), follow_up
    move_status(
        sample,
        PostCheckStatus.CLOSED,
        transitions=POSTCHECK_TRANSITIONS,
        actor=actor,
        action="post_check.close",
        fields=["closed_by", "closed_at", "follow_up"],
        comment=follow_up,
    )
    return sample


def post_check_draw_last_month() -> int:
    """The monthly task: last month's sample for every organisation with attested invoices in it."""
    from avrop.organisations.models import Organisation

    start, _end = month_of(timezone.localdate().replace(day=1) - dt.timedelta(days=1))
    total = 0
    since = dt.datetime.combine(start, dt.time.min, tzinfo=timezone.get_current_timezone())
    for organisation in Organisation.objects.filter(
        pk__in=SupplierInvoice.objects.filter(status__in=ATTESTED, approved_at__gte=since).values(
            "organisation_id"
        )
    ):
        total += post_check_draw(actor=None, organisation=organisation, period=start)
    return total
