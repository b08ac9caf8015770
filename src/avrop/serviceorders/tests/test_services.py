"""The five steps, their guards, the transition table, the billing statement (once per order) and the check
of the partner's invoice (billing id, each SP-ID once, none of another statement, amounts)."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.utils import translation

from avrop.core.errors import DomainError, InvalidTransition, NotFound
from avrop.core.workflows import assert_transition
from avrop.serviceorders import checks, services
from avrop.serviceorders.models import BillingStatement, PartnerInvoice, ServiceOrder
from avrop.serviceorders.pdf import statement_html
from avrop.serviceorders.samples import partner_invoice_xml
from avrop.serviceorders.tests.conftest import completed, handed_over
from avrop.serviceorders.workflows import TRANSITIONS

Status = ServiceOrder.Status


@pytest.mark.parametrize("start, to", list(itertools.product(Status.values, Status.values)))
def test_every_move_outside_the_table_is_refused(start, to):
    order = ServiceOrder(status=start)
    if to in TRANSITIONS[start]:
        assert_transition(order, to=to, transitions=TRANSITIONS)
    else:
        with pytest.raises(InvalidTransition):
            assert_transition(order, to=to, transitions=TRANSITIONS)


def test_the_five_steps_move_the_order_through_the_sections(world, clock):
    order = completed(world, clock)
    assert order.status == Status.COMPLETED
    assert order.due_on is None
    assert [(s.step, s.on_time) for s in order.steps.order_by("started_at")] == [
        ("accept", True),
        ("contact", True),
        ("appointment", True),
        ("execution", True),
    ]


def test_requirements_are_met_only_when_every_point_is_checked(world, clock):
    order = handed_over(world, clock)
    services.service_order_accept(actor=world.fitter, order_id=order.pk, partner=world.partner)
    services.service_order_record_check(
        actor=world.fitter,
        order_id=order.pk,
        partner=world.partner,
        checks_done={"check_connections": True, "check_space": True},
    )
    with pytest.raises(DomainError) as error, translation.override("en"):
        services.service_order_requirements_met(actor=world.fitter, order_id=order.pk, partner=world.partner)
    assert "wall" in error.value.message
    assert ServiceOrder.objects.get(pk=order.pk).status == Status.REQUIREMENTS_CHECK


def test_requirements_met_asks_the_supplier_to_ship(
    world, clock, mailoutbox, django_capture_on_commit_callbacks
):
    order = handed_over(world, clock)
    services.service_order_accept(actor=world.fitter, order_id=order.pk, partner=world.partner)
    services.service_order_record_check(
        actor=world.fitter,
        order_id=order.pk,
        partner=world.partner,
        checks_done=dict.fromkeys(services.CHECKLIST, True),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.service_order_requirements_met(actor=world.fitter, order_id=order.pk, partner=world.partner)
    assert any(order.sp_id in m.subject and m.to == ["clerk@handel.example"] for m in mailoutbox)


def test_another_partner_cannot_touch_the_order(world, clock):
    order = handed_over(world, clock)
    with pytest.raises(NotFound):
        services.service_order_accept(actor=world.other_fitter, order_id=order.pk, partner=world.other)


def test_the_partner_does_not_see_an_order_before_its_hand_over(world, clock):
    order = world.order()
    with pytest.raises(NotFound):
        services.service_order_accept(actor=world.fitter, order_id=order.pk, partner=world.partner)


def test_execution_cannot_be_confirmed_before_the_appointment(world, clock):
    order = handed_over(world, clock)
    p = world.partner
    services.service_order_accept(actor=world.fitter, order_id=order.pk, partner=p)
    services.service_order_record_check(
        actor=world.fitter, order_id=order.pk, partner=p, checks_done=dict.fromkeys(services.CHECKLIST, True)
    )
    services.service_order_requirements_met(actor=world.fitter, order_id=order.pk, partner=p)
    services.service_order_ship(actor=world.clerk, order_id=order.pk, supplier=world.supplier)
    later = clock.now.date().replace(day=clock.now.day + 5)
    services.service_order_set_appointment(actor=world.fitter, order_id=order.pk, partner=p, on=later)
    with pytest.raises(DomainError):
        services.service_order_confirm_execution(actor=world.fitter, order_id=order.pk, partner=p)


# --- statements ---------------------------------------------------------------------------------------


def test_a_statement_lists_every_sp_id_in_its_pdf(world, clock):
    orders = [completed(world, clock, amount=a) for a in ("180.00", "240.50")]
    statement = services.statement_create(
        actor=world.fitter, partner=world.partner, order_ids=[o.pk for o in orders]
    )
    assert statement.number.startswith("VR-")
    assert statement.total_amount == Decimal("420.50")
    assert bytes(statement.pdf).startswith(b"%PDF")
    assert set(ServiceOrder.objects.filter(statement=statement).values_list("status", flat=True)) == {
        Status.BILLED
    }
    html = statement_html(statement, orders, "de")
    assert statement.number in html and all(o.sp_id in html for o in orders)
    assert "Diese Verrechnung ist noch keine Rechnung." in html


def test_a_statement_requested_twice_for_the_same_orders_is_refused(world, clock):
    order = completed(world, clock)
    services.statement_create(actor=world.fitter, partner=world.partner, order_ids=[order.pk])
    with pytest.raises(DomainError) as error:
        services.statement_create(actor=world.fitter, partner=world.partner, order_ids=[order.pk])
    assert error.value.code == "service_order_already_billed"
    assert order.sp_id in error.value.message
    assert BillingStatement.objects.count() == 1


def test_a_statement_refuses_open_orders_and_another_partners_orders(world, clock):
    open_order = handed_over(world, clock)
    with pytest.raises(DomainError):
        services.statement_create(actor=world.fitter, partner=world.partner, order_ids=[open_order.pk])
    theirs = completed(world, clock, world.other)
    with pytest.raises(NotFound):
        services.statement_create(actor=world.fitter, partner=world.partner, order_ids=[theirs.pk])


# --- the partner's invoice ----------------------------------------------------------------------------


@pytest.fixture
def billed(world, clock):
    orders = [completed(world, clock, amount=a) for a in ("180.00", "240.50")]
    statement = services.statement_create(
        actor=world.fitter, partner=world.partner, order_ids=[o.pk for o in orders]
    )
    return statement, orders


def _check(world, statement, content, **kwargs):
    return services.partner_invoice_check(
        actor=world.fitter,
        statement_id=statement.pk,
        organisation=world.partner,
        file_name="r.xml",
        content=content,
        **kwargs,
    )


def test_an_invoice_that_agrees_closes_the_statement(world, billed):
    statement, orders = billed
    xml = partner_invoice_xml(statement=statement, lines=[(o.sp_id, o.amount) for o in orders])
    invoice = _check(world, statement, xml)
    assert invoice.result == PartnerInvoice.Result.AGREES, invoice.findings
    assert BillingStatement.objects.get(pk=statement.pk).status == BillingStatement.Status.INVOICED


def test_an_sp_id_listed_twice_is_a_deviation_told_to_the_supplier(
    world, billed, mailoutbox, django_capture_on_commit_callbacks
):
    statement, orders = billed
    lines = [(o.sp_id, o.amount) for o in orders] + [(orders[0].sp_id, orders[0].amount)]
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        invoice = _check(world, statement, partner_invoice_xml(statement=statement, lines=lines))
    codes = [f["code"] for f in invoice.findings]
    assert "sp_id_twice" in codes and "total" in codes
    assert BillingStatement.objects.get(pk=statement.pk).status == BillingStatement.Status.DEVIATION
    told = [m for m in mailoutbox if m.to == ["clerk@handel.example"] and statement.number in m.subject]
    assert told and f"{orders[0].sp_id} is listed 2 times" in told[0].body


def test_an_sp_id_from_another_statement_is_named_with_that_statement(world, clock, billed):
    statement, orders = billed
    later = completed(world, clock)
    second = services.statement_create(actor=world.fitter, partner=world.partner, order_ids=[later.pk])
    lines = [(o.sp_id, o.amount) for o in orders] + [(later.sp_id, later.amount)]
    invoice = _check(
        world, statement, partner_invoice_xml(statement=statement, lines=lines, total=statement.total_amount)
    )
    assert {"code": "sp_id_other_statement", "sp_id": later.sp_id, "other": second.number} in invoice.findings
    with translation.override("sv"):
        assert checks.finding_text(invoice.findings[0]).startswith(
            f"SP-ID {later.sp_id} hör till en annan avräkning"
        )
    with translation.override("de"):
        assert checks.finding_text(invoice.findings[0]).startswith(f"Die SP-ID {later.sp_id} gehört")
    with translation.override("en"):
        assert checks.finding_text(invoice.findings[0]).startswith(
            f"SP-ID {later.sp_id} belongs to another statement"
        )


def test_missing_billing_id_missing_sp_id_and_a_wrong_amount_are_each_found(world, billed):
    statement, orders = billed
    lines = [(orders[0].sp_id, Decimal("200.00"))]
    invoice = _check(world, statement, partner_invoice_xml(statement=statement, lines=lines, billing_id=""))
    codes = {f["code"] for f in invoice.findings}
    assert codes == {"billing_id_missing", "sp_id_missing", "line_amount", "total"}


def test_a_pdf_invoice_is_checked_with_the_figures_entered(world, billed):
    statement, orders = billed
    figures = checks.entered(
        invoice_number="2026-77",
        billing_id=statement.number,
        sp_ids_text="\n".join(o.sp_id for o in orders),
        total=statement.total_amount,
        currency="CHF",
    )
    invoice = _check(world, statement, b"%PDF-1.4 ...", entered=figures)
    assert (invoice.kind, invoice.result) == (PartnerInvoice.Kind.PDF, PartnerInvoice.Result.AGREES)


def test_an_unreadable_file_is_refused_with_a_reason(world, billed):
    statement, _orders = billed
    with pytest.raises(DomainError) as error:
        _check(world, statement, b"<not xml")
    assert error.value.code == "service_order_invoice_unreadable"


def test_another_partner_cannot_check_an_invoice_on_the_statement(world, billed):
    statement, orders = billed
    with pytest.raises(NotFound):
        services.partner_invoice_check(
            actor=world.other_fitter,
            statement_id=statement.pk,
            organisation=world.other,
            file_name="x",
            content=b"",
        )


def test_accepting_twice_is_refused_as_a_transition_and_keeps_one_clock(world, clock):
    order = handed_over(world, clock)
    services.service_order_accept(actor=world.fitter, order_id=order.pk, partner=world.partner)
    with pytest.raises(InvalidTransition):
        services.service_order_accept(actor=world.fitter, order_id=order.pk, partner=world.partner)
    assert order.steps.filter(step="contact").count() == 1
