"""A small world: a supplier and two Swiss service partners (and a Swedish one), each with its people, and a
clock the tests set (``django.utils.timezone.now``, which every service and ``localdate`` read)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from avrop.organisations.models import Organisation
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from avrop.serviceorders import services

STOCKHOLM = ZoneInfo("Europe/Stockholm")


class Clock:
    def __init__(self, monkeypatch):
        self.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=STOCKHOLM)
        monkeypatch.setattr("django.utils.timezone.now", lambda: self.now)

    def set(self, year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
        self.now = dt.datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)
        return self.now

    def advance(self, **kwargs: float) -> dt.datetime:
        self.now += dt.timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def _member(organisation, role):
    user = UserFactory()
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def world(db):
    supplier = OrganisationFactory(
        name="Elektro Handel AG", kind=Organisation.Kind.SUPPLIER, email="clerk@handel.example"
    )
    partner = OrganisationFactory(
        name="Montage Meier GmbH",
        kind=Organisation.Kind.SERVICE_PARTNER,
        country="CH",
        email="meier@example.ch",
    )
    other = OrganisationFactory(
        name="Andere Montage AG", kind=Organisation.Kind.SERVICE_PARTNER, country="CH"
    )
    swedish = OrganisationFactory(
        name="Montering Syd AB", kind=Organisation.Kind.SERVICE_PARTNER, country="SE"
    )
    buyer = OrganisationFactory(name="Kommunen")
    w = SimpleNamespace(
        supplier=supplier,
        partner=partner,
        other=other,
        swedish=swedish,
        buyer=buyer,
        clerk=_member(supplier, Role.SUPPLIER_USER),
        fitter=_member(partner, Role.SERVICE_PARTNER),
        other_fitter=_member(other, Role.SERVICE_PARTNER),
        swedish_fitter=_member(swedish, Role.SERVICE_PARTNER),
        buyer_admin=_member(buyer, Role.ADMIN),
    )

    def order(partner=None, *, prepaid=False, amount="180.00", **fields):
        return services.service_order_create(
            actor=w.clerk,
            supplier=supplier,
            partner=partner or w.partner,
            data=services.ServiceOrderData(
                sales_order_ref=fields.pop("ref", "SO-1"),
                product="TV 65 Zoll",
                service="Wandmontage",
                customer_name="Frau Muster",
                customer_city="Winterthur",
                amount=Decimal(amount),
                prepaid=prepaid,
                **fields,
            ),
        )

    w.order = order
    return w


def handed_over(w, clock, partner=None, **fields):
    order = w.order(partner, **fields)
    clock.advance(minutes=31)
    services.service_orders_hand_over_due()
    order.refresh_from_db()
    return order


def completed(w, clock, partner=None, **fields):
    """An order walked through the five steps to completed (each step on time)."""
    order = handed_over(w, clock, partner, **fields)
    fitter = w.fitter if (partner or w.partner) == w.partner else w.other_fitter
    p = partner or w.partner
    services.service_order_accept(actor=fitter, order_id=order.pk, partner=p)
    services.service_order_record_check(
        actor=fitter, order_id=order.pk, partner=p, checks_done=dict.fromkeys(services.CHECKLIST, True)
    )
    services.service_order_requirements_met(actor=fitter, order_id=order.pk, partner=p)
    services.service_order_ship(actor=w.clerk, order_id=order.pk, supplier=w.supplier)
    services.service_order_set_appointment(actor=fitter, order_id=order.pk, partner=p, on=clock.now.date())
    services.service_order_confirm_execution(actor=fitter, order_id=order.pk, partner=p)
    order.refresh_from_db()
    return order
