"""The SLA clock of each step, in business days of the partner's calendar (Swiss holidays for a Swiss
partner, Swedish ones with midsummer eve and the other de facto holidays for a Swedish one).

A step's deadline is a date: the work is on time when it is done on or before that day in the partner's
calendar. The step that starts on a Friday afternoon with one business day is due on Monday (or Tuesday after
Whit Monday in Zurich)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from avrop.core import calendar
from avrop.serviceorders.models import ServiceOrderStep

Step = ServiceOrderStep.Step

# Business days allowed for each step (seed 003).
ACCEPT_DAYS = 1
CONTACT_DAYS = 2
APPOINTMENT_DAYS = 3  # the second contact, two to three business days after the goods arrive
EXECUTION_DAYS = 1  # the execution is confirmed by the business day after the appointment
# The sales order reaches the partner 30–45 minutes after it is placed (a batch every quarter of an hour).
HANDOVER_AFTER = dt.timedelta(minutes=30)
HANDOVER_WITHIN = dt.timedelta(minutes=45)
# A warning goes out this many business days before the deadline (on the day before and on the day itself).
WARN_DAYS_BEFORE = 1


def calendar_of(partner: Any) -> tuple[str, str | None]:
    country = getattr(partner, "country", "SE") or "SE"
    return (country if country in calendar.SUPPORTED_COUNTRIES else "SE"), None


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def due(partner: Any, start: dt.date, days: int) -> dt.date:
    country, subdivision = calendar_of(partner)
    return calendar.add_business_days(start, days, country, subdivision)


def taken(partner: Any, start: dt.date, end: dt.date) -> int:
    """Business days from the start of a step to its end (0 when done the same day)."""
    country, subdivision = calendar_of(partner)
    return max(calendar.count_business_days(start, end, country, subdivision), 0)


def warn_from(partner: Any, due_on: dt.date) -> dt.date:
    country, subdivision = calendar_of(partner)
    return calendar.add_business_days(due_on, -WARN_DAYS_BEFORE, country, subdivision)


def step_due(partner: Any, step: str, *, started_on: dt.date, order: Any) -> dt.date:
    """The deadline of ``step`` started on ``started_on`` (the appointment counts from the goods' arrival, the
    execution from the appointment)."""
    if step == Step.ACCEPT:
        return due(partner, started_on, ACCEPT_DAYS)
    if step == Step.CONTACT:
        return due(partner, started_on, CONTACT_DAYS)
    if step == Step.APPOINTMENT:
        return due(partner, order.goods_arrival_on or started_on, APPOINTMENT_DAYS)
    return due(partner, order.appointment_on or started_on, EXECUTION_DAYS)


def state(step: ServiceOrderStep | None, today: dt.date | None = None) -> str:
    """'late', 'due_soon' or 'ok' for an open step; '' for none."""
    if step is None or step.done_at is not None:
        return ""
    today = today or timezone.localdate()
    if today > step.due_on:
        return "late"
    if step.warned_at is not None or today >= step.due_on:
        return "due_soon"
    return "ok"
