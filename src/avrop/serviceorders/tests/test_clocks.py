"""SLA clocks in the partner's calendar: Swiss holidays for a Swiss partner, Swedish midsummer for a Swedish
one; a late accept is allowed and recorded as a breach; the clock task warns before and records after."""

from __future__ import annotations

import datetime as dt

import pytest

from avrop.core.models import AuditEvent
from avrop.serviceorders import services
from avrop.serviceorders.models import ServiceOrder, ServiceOrderStep
from avrop.serviceorders.tests.conftest import handed_over

Step = ServiceOrderStep.Step


def _step(order, step):
    return ServiceOrderStep.objects.get(order=order, step=step)


def test_a_swiss_partner_accepts_over_ascension_by_the_friday(world, clock):
    clock.set(2026, 5, 13, 10, 0)  # Wednesday; Thursday 14 May is Ascension Day in Zurich
    order = handed_over(world, clock)
    assert _step(order, Step.ACCEPT).due_on == dt.date(2026, 5, 15)


def test_a_swiss_partner_contacts_the_customer_over_whit_monday(world, clock):
    clock.set(2026, 5, 22, 8, 0)  # Friday before Whit Monday (25 May)
    order = handed_over(world, clock)
    services.service_order_accept(actor=world.fitter, order_id=order.pk, partner=world.partner)
    # Two business days after Friday skip the weekend and Whit Monday: Tuesday and Wednesday.
    assert _step(order, Step.CONTACT).due_on == dt.date(2026, 5, 27)


def test_a_swedish_partner_skips_midsummer_eve_but_a_swiss_one_does_not(world, clock):
    clock.set(2026, 6, 18, 9, 0)  # Thursday; Friday 19 June is midsummer eve
    swedish = handed_over(world, clock, world.swedish)
    swiss = handed_over(world, clock)
    assert _step(swedish, Step.ACCEPT).due_on == dt.date(2026, 6, 22)
    assert _step(swiss, Step.ACCEPT).due_on == dt.date(2026, 6, 19)


def test_a_late_accept_is_allowed_and_recorded_as_a_breach(world, clock):
    clock.set(2026, 12, 1, 9, 0)  # Tuesday: due Wednesday
    order = handed_over(world, clock)
    clock.set(2026, 12, 4, 15, 0)  # Friday
    services.service_order_accept(actor=world.fitter, order_id=order.pk, partner=world.partner)
    step = _step(order, Step.ACCEPT)
    assert (step.on_time, step.business_days, step.done_on) == (False, 3, dt.date(2026, 12, 4))
    assert step.breached_at is not None
    assert ServiceOrder.objects.get(pk=order.pk).status == ServiceOrder.Status.REQUIREMENTS_CHECK
    breach = AuditEvent.objects.get(action="service_order.deadline_missed", object_id=str(order.pk))
    assert breach.after["step"] == "accept"


def test_an_accept_on_the_due_day_is_on_time_and_no_breach(world, clock):
    clock.set(2026, 12, 1, 9, 0)
    order = handed_over(world, clock)
    clock.set(2026, 12, 2, 17, 0)
    services.service_order_accept(actor=world.fitter, order_id=order.pk, partner=world.partner)
    step = _step(order, Step.ACCEPT)
    assert (step.on_time, step.business_days, step.breached_at) == (True, 1, None)
    assert not AuditEvent.objects.filter(action="service_order.deadline_missed").exists()


def test_the_clock_task_warns_on_the_day_before_and_records_the_breach_after(world, clock):
    clock.set(2026, 12, 1, 9, 0)
    order = handed_over(world, clock)
    assert services.service_order_clocks_tick() == (1, 0)  # due tomorrow: warned today
    assert services.service_order_clocks_tick() == (0, 0)  # once
    clock.set(2026, 12, 3, 8, 0)
    assert services.service_order_clocks_tick() == (0, 1)
    step = _step(order, Step.ACCEPT)
    assert step.warned_at is not None and step.breached_at is not None
    # Accepting later keeps the breach the clock recorded, without a second event.
    services.service_order_accept(actor=world.fitter, order_id=order.pk, partner=world.partner)
    assert (
        AuditEvent.objects.filter(action="service_order.deadline_missed", object_id=str(order.pk)).count()
        == 1
    )


def test_hand_over_waits_30_minutes_and_a_prepaid_order_waits_for_the_payment(world, clock):
    order = world.order()
    prepaid = world.order(prepaid=True)
    clock.advance(minutes=20)
    assert services.service_orders_hand_over_due() == 0
    clock.advance(minutes=11)
    assert services.service_orders_hand_over_due() == 1
    order.refresh_from_db()
    prepaid.refresh_from_db()
    assert order.status == ServiceOrder.Status.NEW
    assert prepaid.status == ServiceOrder.Status.AWAITING_PAYMENT
    services.service_order_payment_received(actor=world.clerk, order_id=prepaid.pk, supplier=world.supplier)
    prepaid.refresh_from_db()
    assert prepaid.status == ServiceOrder.Status.NEW and prepaid.handed_over_at is not None


@pytest.mark.parametrize(
    "arrival, due", [(dt.date(2026, 12, 3), dt.date(2026, 12, 8)), (None, dt.date(2026, 12, 7))]
)
def test_the_appointment_is_due_three_business_days_after_the_goods_arrive(world, clock, arrival, due):
    clock.set(2026, 12, 1, 9, 0)
    order = handed_over(world, clock)
    services.service_order_accept(actor=world.fitter, order_id=order.pk, partner=world.partner)
    services.service_order_record_check(
        actor=world.fitter,
        order_id=order.pk,
        partner=world.partner,
        checks_done=dict.fromkeys(services.CHECKLIST, True),
    )
    services.service_order_requirements_met(actor=world.fitter, order_id=order.pk, partner=world.partner)
    services.service_order_ship(
        actor=world.clerk, order_id=order.pk, supplier=world.supplier, arrival_on=arrival
    )
    assert _step(order, Step.APPOINTMENT).due_on == due


def test_the_sla_histogram_counted_step_by_step_equals_a_recount(world, clock):
    from avrop.serviceorders import selectors
    from avrop.serviceorders.models import ServiceOrderStepDay
    from avrop.serviceorders.tests.conftest import completed

    clock.set(2026, 12, 1, 9, 0)
    completed(world, clock)
    late = handed_over(world, clock)
    clock.set(2026, 12, 4, 10, 0)
    services.service_order_accept(actor=world.fitter, order_id=late.pk, partner=world.partner)
    completed(world, clock, world.other)
    counted = sorted(
        ServiceOrderStepDay.objects.values_list("partner", "day", "step", "business_days", "on_time", "count")
    )
    report = selectors.sla_report(user=world.fitter, organisation=world.partner)
    assert services.sla_days_rebuild() == len(counted)
    assert (
        sorted(
            ServiceOrderStepDay.objects.values_list(
                "partner", "day", "step", "business_days", "on_time", "count"
            )
        )
        == counted
    )
    accept = next(f for f in report if f.step == "accept")
    assert (accept.done, accept.on_time, accept.median, accept.p95) == (2, 1, 0.0, 3.0)
    supplier = selectors.sla_report(user=world.clerk, organisation=world.supplier)
    assert next(f for f in supplier if f.step == "accept").done == 3
