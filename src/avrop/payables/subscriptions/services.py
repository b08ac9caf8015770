"""Subscriptions: register and change them, match incoming invoices, flag the missing ones.

An invoice from a subscription's supplier that names no order is matched to the supplier's active
subscription it can plausibly be (within a quarter of the expected amount; other invoices from the supplier
stay with the AP clerk), the closest in amount if several, for the open period of its invoice date (else the
period before or after). Inside the tolerance (the larger of the percentage of the
expected amount and the absolute amount) it is coded as the subscription (amounts in proportion) and approved
by the subscription's rule: touchless. Outside, it is coded the same way and goes to the subscription's
attestant with the reason in words. A period that ends without its invoice is flagged on the AP start page.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import DomainError, NotFound
from avrop.core.locking import lock
from avrop.payables.attest.errors import AttestCode
from avrop.payables.models import CodingLine, SupplierInvoice
from avrop.payables.services.guards import require_ap_clerk, roles_of
from avrop.payables.subscriptions.models import (
    Period,
    Subscription,
    SubscriptionInvoice,
    SubscriptionMiss,
)

logger = logging.getLogger(__name__)
Status = SupplierInvoice.Status
CENT = Decimal("0.01")
CANDIDATE_STATUSES = (Status.PRECHECK, Status.NEEDS_REFERENCE)
LOOK_BACK_PERIODS = 12


def _add_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    return dt.date(total // 12, total % 12 + 1, 1)


def period_of(subscription: Subscription, day: dt.date) -> dt.date:
    """The start of the subscription's period that ``day`` falls in (periods run from ``first_period``)."""
    start = subscription.first_period.replace(day=1)
    step = subscription.months
    months = (day.year - start.year) * 12 + day.month - start.month
    return _add_months(start, (months // step) * step)


def period_end(subscription: Subscription, start: dt.date) -> dt.date:
    return _add_months(start, subscription.months) - dt.timedelta(days=1)


def tolerance_of(subscription: Subscription) -> Decimal:
    by_percent = (subscription.expected_amount * subscription.tolerance_percent / 100).quantize(CENT)
    return max(by_percent, subscription.tolerance_amount)


def _money(value: Decimal) -> str:
    return number_format(value, 2, force_grouping=True)


# --- register ---------------------------------------------------------------------------------------------


def _clean(organisation: Any, actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    from avrop.organisations.models import User
    from avrop.payables.services.workflow import _check_coding

    supplier = data.get("supplier")
    if supplier is None or supplier.buyer_id != organisation.pk:
        raise DomainError(
            AttestCode.SUBSCRIPTION_INVALID, _("Choose one of your suppliers."), field="supplier"
        )
    try:
        expected = Decimal(str(data.get("expected_amount"))).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise DomainError(
            AttestCode.SUBSCRIPTION_INVALID,
            _("The expected amount is not a number."),
            field="expected_amount",
        ) from None
    if not expected.is_finite() or expected <= 0:
        raise DomainError(
            AttestCode.SUBSCRIPTION_INVALID,
            _("The expected amount must be above zero."),
            field="expected_amount",
        )
    if data.get("period") not in Period.values:
        raise DomainError(AttestCode.SUBSCRIPTION_INVALID, _("Choose the period."), field="period")
    percent = Decimal(str(data.get("tolerance_percent") or 0))
    absolute = Decimal(str(data.get("tolerance_amount") or 0))
    if percent < 0 or percent > 100 or absolute < 0:
        raise DomainError(
            AttestCode.SUBSCRIPTION_INVALID,
            _("The tolerance must be between 0 and 100 % and the amount zero or more."),
            field="tolerance_percent",
        )
    attestant = data.get("attestant")
    if (
        attestant is None
        or not User.objects.filter(
            pk=attestant.pk, memberships__organisation=organisation, memberships__is_active=True
        ).exists()
    ):
        raise DomainError(
            AttestCode.SUBSCRIPTION_INVALID,
            _("The attestant must be a member of %(org)s.") % {"org": organisation.name},
            field="attestant",
        )
    lines = []
    for position, line in enumerate(
        [ln for ln in data.get("coding") or [] if str(ln.get("account") or "").strip() or ln.get("amount")],
        start=1,
    ):
        account = str(line.get("account") or "").strip()
        if not account:
            raise DomainError(
                AttestCode.SUBSCRIPTION_INVALID,
                _("Coding line %(n)s needs an account.") % {"n": position},
                field="account",
            )
        try:
            amount = Decimal(str(line.get("amount"))).quantize(CENT)
        except (InvalidOperation, ValueError):
            raise DomainError(
                AttestCode.SUBSCRIPTION_INVALID,
                _("Coding line %(n)s: the amount is not a number.") % {"n": position},
                field="amount",
            ) from None
        lines.append(
            {
                "account": account,
                "cost_centre": str(line.get("cost_centre") or "").strip(),
                "project": str(line.get("project") or "").strip(),
                "amount": f"{amount:.2f}",
            }
        )
    if not lines:
        raise DomainError(
            AttestCode.SUBSCRIPTION_INVALID,
            _("Code the subscription to at least one account."),
            field="account",
        )
    total = sum((Decimal(ln["amount"]) for ln in lines), Decimal(0))
    if total != expected:
        raise DomainError(
            AttestCode.SUBSCRIPTION_INVALID,
            _("The coding adds up to %(total)s but the expected amount is %(expected)s.")
            % {"total": _money(total), "expected": _money(expected)},
            field="amount",
        )
    probe = SupplierInvoice(organisation=organisation, issue_date=timezone.localdate())
    _check_coding(
        actor,
        probe,
        [
            CodingLine(account=ln["account"], cost_centre=ln["cost_centre"], project=ln["project"])
            for ln in lines
        ],
    )
    first = data.get("first_period")
    if not isinstance(first, dt.date):
        raise DomainError(AttestCode.SUBSCRIPTION_INVALID, _("Give the first period."), field="first_period")
    return {
        "supplier": supplier,
        "name": str(data.get("name") or "").strip()[:200] or str(supplier),
        "expected_amount": expected,
        "currency": (str(data.get("currency") or "SEK").upper())[:3],
        "period": data["period"],
        "first_period": first.replace(day=1),
        "tolerance_percent": percent,
        "tolerance_amount": absolute,
        "coding": lines,
        "attestant": attestant,
        "is_active": bool(data.get("is_active", True)),
    }


@transaction.atomic
def subscription_save(
    *, actor: Any, organisation: Any, data: dict[str, Any], subscription_id: int | None = None
) -> Subscription:
    """Register a subscription, or change one (``subscription_id``); AP clerks and administrators."""
    require_ap_clerk(actor, organisation)
    values = _clean(organisation, actor, data)
    if subscription_id is None:
        created = Subscription.objects.create(organisation=organisation, created_by=actor, **values)
        audit(actor=actor, action="subscription.create", obj=created, organisation=organisation)
        return created
    subscription = (
        Subscription.objects.select_for_update().filter(pk=subscription_id, organisation=organisation).first()
    )
    if subscription is None:
        raise NotFound()
    before = {"expected_amount": f"{subscription.expected_amount}", "coding": subscription.coding}
    for key, value in values.items():
        setattr(subscription, key, value)
    subscription.save()
    audit(
        actor=actor,
        action="subscription.change",
        obj=subscription,
        organisation=organisation,
        before=before,
        after={"expected_amount": f"{subscription.expected_amount}", "coding": subscription.coding},
    )
    return subscription


# --- match ------------------------------------------------------------------------------------------------


def _coding_for(subscription: Subscription, amount: Decimal) -> list[dict[str, Any]]:
    """The subscription's coding scaled to ``amount`` (in proportion; the öre left over on the last line)."""
    expected = subscription.expected_amount
    lines = []
    for line in subscription.coding:
        share = (Decimal(line["amount"]) * amount / expected).quantize(CENT, ROUND_HALF_UP)
        lines.append({**line, "amount": share})
    lines[-1]["amount"] += amount - sum((ln["amount"] for ln in lines), Decimal(0))
    return lines


PLAUSIBLE_SHARE = Decimal("0.25")


def plausible(subscription: Subscription, amount: Decimal) -> bool:
    """Whether an invoice of ``amount`` can be this subscription's at all: within a quarter of the expected
    amount (or three tolerances, if larger). Other invoices from the supplier are left to the AP clerk."""
    window = max(subscription.expected_amount * PLAUSIBLE_SHARE, tolerance_of(subscription) * 3)
    return abs(amount - subscription.expected_amount) <= window


def _choose(
    invoice: SupplierInvoice, subscriptions: list[Subscription]
) -> tuple[Subscription, dt.date] | None:
    """The subscription (closest in amount among the plausible ones) and its period: the period of the invoice
    date, else the one before (an invoice late for its period) or after (one sent in advance), if open."""
    day = invoice.issue_date or timezone.localdate()
    taken: dict[int, set[dt.date]] = {}
    for subscription_id, start in SubscriptionInvoice.objects.filter(
        subscription__in=subscriptions
    ).values_list("subscription_id", "period_start"):
        taken.setdefault(subscription_id, set()).add(start)
    amount = invoice.net_amount if invoice.net_amount is not None else (invoice.payable_amount or Decimal(0))
    best: tuple[Decimal, Subscription, dt.date] | None = None
    for subscription in subscriptions:
        if subscription.currency != (invoice.currency or "SEK") or not plausible(subscription, amount):
            continue
        current = period_of(subscription, day)
        first = subscription.first_period.replace(day=1)
        done = taken.get(subscription.pk, set())
        periods = [
            p
            for p in (
                current,
                _add_months(current, -subscription.months),
                _add_months(current, subscription.months),
            )
            if p >= first and p not in done
        ]
        if not periods:
            continue
        distance = abs(amount - subscription.expected_amount)
        if best is None or distance < best[0]:
            best = (distance, subscription, periods[0])
    return (best[1], best[2]) if best else None


def _apply(invoice_id: int) -> bool:
    from avrop.payables.services.messages import message_queue
    from avrop.payables.services.workflow import _move

    invoice = lock(SupplierInvoice, invoice_id)
    if (
        invoice.status not in CANDIDATE_STATUSES
        or invoice.supplier_id is None
        or invoice.purchase_order_id
        or invoice.kind != SupplierInvoice.Kind.INVOICE
        or SubscriptionInvoice.objects.filter(invoice=invoice).exists()
    ):
        return False
    subscriptions = list(
        Subscription.objects.filter(
            organisation=invoice.organisation, supplier_id=invoice.supplier_id, is_active=True
        ).select_related("attestant")
    )
    chosen = _choose(invoice, subscriptions) if subscriptions else None
    if chosen is None:
        return False
    subscription, start = chosen
    amount = invoice.net_amount if invoice.net_amount is not None else (invoice.payable_amount or Decimal(0))
    tolerance = tolerance_of(subscription)
    difference = amount - subscription.expected_amount
    period_text = f"{start:%Y-%m}"
    problems = []
    if invoice.fatal_count:
        problems.append(_("the invoice has errors"))
    if invoice.duplicate_of_id:
        problems.append(_("it may be a duplicate"))
    if abs(difference) > tolerance:
        problems.append(
            _(
                "%(amount)s excl. VAT is %(diff)s %(direction)s the expected %(expected)s; the tolerance is "
                "%(tolerance)s"
            )
            % {
                "amount": _money(amount),
                "diff": _money(abs(difference)),
                "direction": _("over") if difference > 0 else _("under"),
                "expected": _money(subscription.expected_amount),
                "tolerance": _money(tolerance),
            }
        )
    within = not problems
    if within:
        reason = _(
            "Subscription %(name)s, period %(period)s: %(amount)s excl. VAT within the tolerance "
            "of %(tolerance)s."
        ) % {
            "name": subscription.name,
            "period": period_text,
            "amount": _money(amount),
            "tolerance": _money(tolerance),
        }
    else:
        reason = _("Subscription %(name)s, period %(period)s: to attest because %(why)s.") % {
            "name": subscription.name,
            "period": period_text,
            "why": "; ".join(problems),
        }
    SubscriptionInvoice.objects.create(
        subscription=subscription,
        invoice=invoice,
        period_start=start,
        within_tolerance=within,
        reason=reason[:300],
    )
    SubscriptionMiss.objects.filter(
        subscription=subscription, period_start=start, resolved_at__isnull=True
    ).update(resolved_at=timezone.now())
    invoice.coding_lines.all().delete()
    CodingLine.objects.bulk_create(
        [
            CodingLine(
                invoice=invoice,
                account=ln["account"],
                cost_centre=ln["cost_centre"],
                project=ln["project"],
                amount=ln["amount"],
                source=CodingLine.Source.MANUAL,
            )
            for ln in _coding_for(subscription, amount)
        ]
    )
    if invoice.status == Status.NEEDS_REFERENCE:
        _move(invoice, Status.PRECHECK, actor=None, action="supplier_invoice.subscription", comment=reason)
    invoice.reviewer = subscription.attestant
    invoice.routing_note = reason[:300]
    invoice.sent_to_review_at = timezone.now()
    invoice.touchless = within
    _move(
        invoice,
        Status.WAITING_REVIEW,
        actor=None,
        action="supplier_invoice.subscription",
        comment=reason,
        fields=["reviewer", "routing_note", "sent_to_review_at", "touchless"],
    )
    if within:
        invoice.approved_at = timezone.now()
        message_queue(invoice=invoice, code="AP", actor=None)
        _move(
            invoice,
            Status.APPROVED,
            actor=None,
            action="supplier_invoice.subscription_approve",
            comment=_("Approved by the rule of subscription %(name)s.") % {"name": subscription.name},
            fields=["approved_at"],
        )
    return True


def invoices_by_subscription(*, invoice_ids: Sequence[int]) -> int:
    """Match the invoices to subscriptions (each in its own transaction); returns how many matched."""
    matched = 0
    for pk in list(invoice_ids):
        try:
            with transaction.atomic():
                matched += _apply(pk)
        except IntegrityError:  # matched by another worker at the same moment
            continue
        except Exception:  # one invoice must not stop the others; it stays with the AP clerk
            logger.exception("Subscription matching of invoice %s failed", pk)
    return matched


def subscriptions_sweep(*, since: dt.datetime | None = None) -> int:
    """Match recent invoices from suppliers with an active subscription that name no order (the periodic
    task; intake's own matching only sees invoices with an order)."""
    since = since or timezone.now() - dt.timedelta(days=7)
    ids = list(
        SupplierInvoice.objects.filter(
            status__in=CANDIDATE_STATUSES,
            kind=SupplierInvoice.Kind.INVOICE,
            purchase_order__isnull=True,
            created_at__gte=since,
            subscription_match__isnull=True,
            supplier__isnull=False,
        )
        .filter(
            supplier_id__in=Subscription.objects.filter(is_active=True).values("supplier_id"),
        )
        .values_list("pk", flat=True)
        .order_by("pk")[:500]
    )
    return invoices_by_subscription(invoice_ids=ids)


# --- missing invoices -------------------------------------------------------------------------------------


def subscriptions_flag_missing(*, today: dt.date | None = None) -> int:
    """Flag every ended period (of the last twelve) of an active subscription without its invoice; returns
    how many were flagged now. Idempotent."""
    today = today or timezone.localdate()
    flagged = 0
    subscriptions = list(Subscription.objects.filter(is_active=True, first_period__lte=today))
    matched: dict[int, set[dt.date]] = {}
    for subscription_id, start in SubscriptionInvoice.objects.filter(
        subscription__in=subscriptions
    ).values_list("subscription_id", "period_start"):
        matched.setdefault(subscription_id, set()).add(start)
    known: dict[int, set[dt.date]] = {}
    for subscription_id, start in SubscriptionMiss.objects.filter(subscription__in=subscriptions).values_list(
        "subscription_id", "period_start"
    ):
        known.setdefault(subscription_id, set()).add(start)
    rows = []
    for subscription in subscriptions:
        current = period_of(subscription, today)
        first = subscription.first_period.replace(day=1)
        for k in range(1, LOOK_BACK_PERIODS + 1):
            start = _add_months(current, -k * subscription.months)
            if start < first:
                break
            if start in matched.get(subscription.pk, set()) or start in known.get(subscription.pk, set()):
                continue
            rows.append(SubscriptionMiss(subscription=subscription, period_start=start))
    if rows:
        flagged = len(SubscriptionMiss.objects.bulk_create(rows, ignore_conflicts=True))
    return flagged


def missing_for(*, user: Any, organisation: Any) -> list[SubscriptionMiss]:
    if not roles_of(user, organisation):
        raise NotFound()
    return list(
        SubscriptionMiss.objects.filter(subscription__organisation=organisation, resolved_at__isnull=True)
        .select_related("subscription__supplier__organisation")
        .order_by("period_start", "pk")
    )
