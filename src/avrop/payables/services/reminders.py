"""Reminders about invoices waiting for review: first the reviewer, later the reviewer's manager."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from avrop.core.calendar import count_business_days
from avrop.core.outbox import outbox_email
from avrop.payables import conf
from avrop.payables.models import Reminder, SupplierInvoice


def manager_of(user: Any, organisation: Any) -> Any:
    """Who stands above the reviewer: the invoice approver on the next higher level, else an administrator.

    The approval rules (organisations.ApprovalLimit) say who approves invoices on which level; the lowest
    level above the reviewer's highest is the manager.
    """
    from avrop.organisations.models import Membership

    try:
        limit_model = apps.get_model("organisations", "ApprovalLimit")
    except LookupError:
        limit_model = None
    if limit_model is not None:
        limits = limit_model.objects.filter(
            organisation=organisation, document_kind="invoice", is_active=True
        )
        own = max((lim.level for lim in limits if lim.approver_id == user.pk), default=0)
        higher = (
            limits.filter(level__gt=own, approver__is_active=True)
            .exclude(approver=user)
            .order_by("level", "pk")
        )
        found = higher.select_related("approver").first()
        if found is not None:
            return found.approver
    membership = (
        Membership.objects.filter(
            organisation=organisation, role="admin", is_active=True, user__is_active=True
        )
        .exclude(user=user)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership is not None else None


def reminders_send(*, today: Any = None) -> int:
    """Send due reminders; each (invoice, level, waiting period) at most once."""
    today = today or timezone.localdate()
    first, second = conf.reminder_business_days(), conf.escalation_business_days()
    waiting = SupplierInvoice.objects.filter(
        status=SupplierInvoice.Status.WAITING_REVIEW, reviewer__isnull=False
    ).select_related("reviewer", "organisation", "supplier__organisation")
    sent = 0
    for invoice in waiting.iterator(chunk_size=500):
        days = count_business_days(timezone.localdate(invoice.status_changed_at), today)
        levels = []
        if days >= first:
            levels.append((Reminder.Level.REVIEWER, invoice.reviewer))
        if days >= second:
            levels.append((Reminder.Level.MANAGER, manager_of(invoice.reviewer, invoice.organisation)))
        for level, person in levels:
            if person is None or not person.email:
                continue
            sent += _remind(invoice, level, person, days)
    return sent


def _remind(invoice: SupplierInvoice, level: str, person: Any, days: int) -> int:
    try:
        with transaction.atomic():
            Reminder.objects.create(
                invoice=invoice, level=level, waiting_since=invoice.status_changed_at, recipient=person.email
            )
            with translation.override(person.preferred_language or "sv"):
                context = {
                    "invoice": invoice,
                    "person": person,
                    "days": days,
                    "level": level,
                    "reviewer": invoice.reviewer,
                }
                subject = render_to_string("payables/email/reminder_subject.txt", context).strip()
                body = render_to_string("payables/email/reminder.txt", context)
            outbox_email(
                recipient=person.email,
                subject=subject,
                body=body,
                organisation=invoice.organisation,
                obj=invoice,
            )
    except IntegrityError:
        return 0
    return 1
