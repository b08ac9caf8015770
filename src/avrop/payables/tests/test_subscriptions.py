"""Subscriptions: registered with supplier, expected amount, period, tolerance and coding; an invoice inside
the tolerance is approved by the subscription's rule (touchless), one outside goes to the attestant with the
reason; a missing invoice is flagged after its period; the pages, with scoping and bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from avrop.core.errors import DomainError, NotAllowed
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, UserFactory
from avrop.payables.models import InvoiceMessage, SupplierInvoice
from avrop.payables.subscriptions import services
from avrop.payables.subscriptions.models import Subscription, SubscriptionInvoice, SubscriptionMiss

Status = SupplierInvoice.Status


def _data(world, **changes):
    data = {
        "name": "Hyra Storgatan 4",
        "supplier": world.supplier,
        "expected_amount": Decimal("1000.00"),
        "currency": "SEK",
        "period": "monthly",
        "first_period": dt.date(2026, 1, 1),
        "tolerance_percent": Decimal("2"),
        "tolerance_amount": Decimal("0"),
        "attestant": world.reviewer,
        "coding": [
            {"account": "5460", "cost_centre": "SOL", "amount": Decimal("600.00")},
            {"account": "4010", "cost_centre": "100", "amount": Decimal("400.00")},
        ],
        "is_active": True,
    }
    data.update(changes)
    return data


def _subscription(world, **changes):
    return services.subscription_save(
        actor=world.clerk, organisation=world.buyer, data=_data(world, **changes)
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"expected_amount": Decimal("0")}, "expected_amount"),
        ({"expected_amount": "tusen"}, "expected_amount"),
        ({"period": "weekly"}, "period"),
        ({"tolerance_percent": Decimal("150")}, "tolerance_percent"),
        ({"coding": []}, "account"),
        ({"coding": [{"account": "5460", "cost_centre": "SOL", "amount": "999"}]}, "amount"),
        ({"coding": [{"account": "", "cost_centre": "SOL", "amount": "1000"}]}, "account"),
        ({"first_period": None}, "first_period"),
    ],
)
def test_bad_subscriptions_are_refused_with_the_field(world, changes, field):
    with pytest.raises(DomainError) as bad:
        _subscription(world, **changes)
    assert bad.value.field == field and not Subscription.objects.exists()


def test_unknown_account_another_buyers_supplier_and_a_stranger_as_attestant_are_refused(world, make_member):
    with pytest.raises(DomainError):
        _subscription(world, coding=[{"account": "9999", "cost_centre": "SOL", "amount": "1000"}])
    stranger, other_org = make_member(Role.APPROVER)
    with pytest.raises(DomainError) as attestant:
        _subscription(world, attestant=stranger)
    assert attestant.value.field == "attestant"
    from avrop.suppliers.models import Supplier

    foreign = Supplier.objects.create(buyer=other_org, organisation=world.supplier_org, connection="peppol")
    with pytest.raises(DomainError) as supplier:
        _subscription(world, supplier=foreign)
    assert supplier.value.field == "supplier"
    with pytest.raises(NotAllowed):
        services.subscription_save(actor=world.reviewer, organisation=world.buyer, data=_data(world))


def _invoice(world, receive, number, day, **kwargs):
    return receive(world.xml(number, issue_date=day, **kwargs))


@pytest.fixture
def rent(world, receive):
    """A received invoice and a subscription expecting 1 % less than it (inside the 2 % tolerance)."""
    invoice = _invoice(world, receive, "SUB-1", dt.date(2026, 2, 3), seed=601)
    expected = (invoice.net_amount / Decimal("1.01")).quantize(Decimal("0.01"))
    subscription = _subscription(
        world,
        expected_amount=expected,
        coding=[
            {"account": "5460", "cost_centre": "SOL", "amount": expected - Decimal("100.00")},
            {"account": "4010", "cost_centre": "100", "amount": Decimal("100.00")},
        ],
    )
    return invoice, subscription


def test_inside_the_tolerance_approved_by_the_subscriptions_rule(world, rent):
    from avrop.payables.keyfigures import key_figures

    invoice, subscription = rent
    assert services.subscriptions_sweep() == 1
    invoice.refresh_from_db()
    assert invoice.status == Status.APPROVED and invoice.touchless and invoice.approved_by is None
    assert invoice.reviewer == world.reviewer
    lines = list(invoice.coding_lines.order_by("account"))
    assert [ln.account for ln in lines] == ["4010", "5460"]
    assert sum(ln.amount for ln in lines) == invoice.net_amount
    match = SubscriptionInvoice.objects.get(invoice=invoice)
    assert match.within_tolerance and match.period_start == dt.date(2026, 2, 1)
    assert InvoiceMessage.objects.filter(invoice=invoice, code="AP").count() == 1
    assert services.subscriptions_sweep() == 0  # once
    today = timezone.localdate()
    figures = key_figures(
        organisation=world.buyer, start=today.replace(day=1), end=today + dt.timedelta(days=1)
    )
    assert figures.touchless >= 1 and figures.by_subscription == 1


def test_outside_the_tolerance_goes_to_the_attestant_with_the_reason(world, receive):
    invoice = _invoice(world, receive, "SUB-2", dt.date(2026, 2, 3), seed=602)
    expected = (invoice.net_amount * Decimal("0.85")).quantize(Decimal("0.01"))
    _subscription(
        world,
        expected_amount=expected,
        coding=[{"account": "5460", "cost_centre": "SOL", "amount": expected}],
    )
    with translation.override("en"):
        services.invoices_by_subscription(invoice_ids=[invoice.pk])
    invoice.refresh_from_db()
    assert invoice.status == Status.WAITING_REVIEW and not invoice.touchless
    assert invoice.reviewer == world.reviewer
    assert "over the expected" in invoice.routing_note and "tolerance" in invoice.routing_note
    assert not SubscriptionInvoice.objects.get(invoice=invoice).within_tolerance
    assert invoice.coding_lines.get().amount == invoice.net_amount


def test_an_ended_subscription_or_an_implausible_amount_is_left_alone(world, receive):
    invoice = _invoice(world, receive, "SUB-3", dt.date(2026, 2, 3), seed=603)
    expected = invoice.net_amount
    _subscription(
        world,
        is_active=False,
        expected_amount=expected,
        coding=[{"account": "5460", "cost_centre": "SOL", "amount": expected}],
    )
    assert services.invoices_by_subscription(invoice_ids=[invoice.pk]) == 0
    half = (invoice.net_amount / 2).quantize(Decimal("0.01"))  # another kind of invoice from the supplier
    _subscription(
        world,
        name="Licens",
        expected_amount=half,
        coding=[{"account": "5460", "cost_centre": "SOL", "amount": half}],
    )
    assert services.invoices_by_subscription(invoice_ids=[invoice.pk]) == 0
    assert not SubscriptionInvoice.objects.exists()
    assert SupplierInvoice.objects.get(pk=invoice.pk).status != Status.APPROVED


def test_missing_invoice_flagged_after_its_period_and_resolved_when_it_comes(client, world, rent, receive):
    invoice, subscription = rent
    services.subscriptions_sweep()  # February matched
    flagged = services.subscriptions_flag_missing(today=dt.date(2026, 4, 10))
    # January and March ended without their invoice; February has one; April has not ended.
    assert flagged == 2
    assert sorted(SubscriptionMiss.objects.values_list("period_start", flat=True)) == [
        dt.date(2026, 1, 1),
        dt.date(2026, 3, 1),
    ]
    assert services.subscriptions_flag_missing(today=dt.date(2026, 4, 10)) == 0  # idempotent
    client.force_login(world.clerk)
    home = client.get("/").content.decode()
    assert reverse("payables:subscriptions") in home
    page = client.get(reverse("payables:subscriptions")).content.decode()
    assert "2026-01" in page and "2026-03" in page
    late = _invoice(world, receive, "SUB-LATE", dt.date(2026, 3, 28), seed=601)
    services.invoices_by_subscription(invoice_ids=[late.pk])
    assert SubscriptionMiss.objects.get(period_start=dt.date(2026, 3, 1)).resolved_at is not None


def test_quarterly_and_yearly_periods():
    subscription = Subscription(first_period=dt.date(2026, 2, 1), period="quarterly")
    assert services.period_of(subscription, dt.date(2026, 6, 30)) == dt.date(2026, 5, 1)
    assert services.period_of(subscription, dt.date(2026, 1, 31)) == dt.date(2025, 11, 1)
    yearly = Subscription(first_period=dt.date(2026, 1, 1), period="yearly")
    assert services.period_of(yearly, dt.date(2027, 12, 31)) == dt.date(2027, 1, 1)
    assert services.period_end(yearly, dt.date(2027, 1, 1)) == dt.date(2027, 12, 31)


# --- pages ------------------------------------------------------------------------------------------------


def _post(world, **changes):
    data = {
        "name": "El Solgården",
        "supplier": world.supplier.pk,
        "expected_amount": "2500.00",
        "currency": "SEK",
        "period": "quarterly",
        "first_period": "2026-01",
        "tolerance_percent": "5",
        "tolerance_amount": "0",
        "attestant": world.reviewer.pk,
        "is_active": "on",
        "coding-TOTAL_FORMS": "2",
        "coding-INITIAL_FORMS": "0",
        "coding-0-account": "5460",
        "coding-0-cost_centre": "SOL",
        "coding-0-amount": "2500.00",
    }
    data.update(changes)
    return data


def test_register_change_and_read_through_the_pages(client, world):
    client.force_login(world.clerk)
    assert client.get(reverse("payables:subscription_new")).status_code == 200
    bad = client.post(reverse("payables:subscription_new"), _post(world, **{"coding-0-amount": "10"}))
    assert bad.status_code == 400 and not Subscription.objects.exists()
    response = client.post(reverse("payables:subscription_new"), _post(world))
    subscription = Subscription.objects.get()
    assert response.status_code == 302 and subscription.period == "quarterly"
    edit = client.get(reverse("payables:subscription_edit", args=[subscription.pk]))
    assert edit.status_code == 200 and "El Solgården" in edit.content.decode()
    client.post(
        reverse("payables:subscription_edit", args=[subscription.pk]),
        _post(world, expected_amount="3000.00", **{"coding-0-amount": "3000.00"}),
    )
    subscription.refresh_from_db()
    assert subscription.expected_amount == Decimal("3000.00")
    detail = client.get(reverse("payables:subscription", args=[subscription.pk]))
    assert detail.status_code == 200 and "5460" in detail.content.decode()


def test_list_page_query_count_does_not_grow(client, world):
    client.force_login(world.clerk)
    _subscription(world)
    client.get(reverse("payables:subscriptions"))  # warm: session and per-process caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("payables:subscriptions")).status_code == 200
    for n in range(5):
        _subscription(world, name=f"Licens {n}")
    with CaptureQueriesContext(connection) as six:
        client.get(reverse("payables:subscriptions"))
    assert len(six.captured_queries) == len(one.captured_queries)


def test_roles_and_other_organisations(client, world, make_member):
    subscription = _subscription(world)
    auditor = UserFactory(username="rev")
    MembershipFactory(user=auditor, organisation=world.buyer, role=Role.AUDITOR)
    client.force_login(auditor)
    assert client.get(reverse("payables:subscriptions")).status_code == 200
    assert client.get(reverse("payables:subscription", args=[subscription.pk])).status_code == 200
    assert client.get(reverse("payables:subscription_new")).status_code == 403
    assert client.post(reverse("payables:subscription_new"), _post(world)).status_code == 403
    client.force_login(world.reviewer)  # a requisitioner and approver: not the AP team's page
    assert client.get(reverse("payables:subscriptions")).status_code == 403
    stranger, _org = make_member(Role.AP_CLERK)
    client.force_login(stranger)
    assert client.get(reverse("payables:subscription", args=[subscription.pk])).status_code == 404
    assert client.get(reverse("payables:subscription_edit", args=[subscription.pk])).status_code == 404
    client.force_login(world.supplier_user)
    assert client.get(reverse("payables:subscriptions")).status_code == 404
    assert Subscription.objects.count() == 1
