"""What people read on the cart, the coding page and an answered order: numbers without exponent, Swedish
words rather than codes, and the total as the supplier confirmed it."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from avrop.core import formatting
from avrop.ordering import services
from avrop.ordering.display import describe_changes, response_status_label, transport_error_text
from avrop.ordering.tests.helpers import ordered, t76

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _swedish():
    """Swedish whatever an earlier test in this worker left active (the pages here are read in Swedish)."""
    with translation.override("sv"):
        yield


NBSP = "\u00a0"
EXPONENT = re.compile(r"\b\d+(?:[.,]\d+)?E[+-]\d+\b")


def _cart_line(world, quantity):
    item = world.items["peppol"][0]
    services.cart_add_items(actor=world.requisitioner, organisation=world.buyer, items=[(item.pk, quantity)])
    return services.cart_get(user=world.requisitioner, organisation=world.buyer).lines.get()


def test_cart_shows_a_quantity_of_20_as_20_with_the_unit_by_name(world, client):
    line = _cart_line(world, 20)
    assert line.quantity.normalize() == Decimal("2E+1")  # what used to reach the page
    client.force_login(world.requisitioner)
    page = client.get(reverse("ordering:cart")).content.decode()
    assert not EXPONENT.search(page), EXPONENT.search(page)
    assert f'name="l{line.pk}-quantity" value="20"' in page
    assert formatting.money(line.unit_price * 20, language="sv") in page
    assert formatting.money(line.unit_price, language="sv") + "/st" in page


def test_coding_page_shows_100_percent_as_100_and_the_error_in_words(world, client):
    line = _cart_line(world, 20)
    services.line_coding_set(
        actor=world.requisitioner,
        line_id=line.pk,
        splits=[{"account": "6110", "cost_centre": "1200", "percent": "100"}],
    )
    client.force_login(world.requisitioner)
    url = reverse("ordering:line_coding", args=[line.pk])
    page = client.get(url).content.decode()
    assert not EXPONENT.search(page), EXPONENT.search(page)
    assert 'name="split-0-percent" value="100"' in page
    cart = client.get(reverse("ordering:cart")).content.decode()
    assert f"100{NBSP}%" in cart and "1E+2" not in cart
    failed = client.post(
        url,
        {
            "split-TOTAL_FORMS": "1",
            "split-INITIAL_FORMS": "1",
            "split-MIN_NUM_FORMS": "1",
            "split-MAX_NUM_FORMS": "10",
            "split-0-account": "6110",
            "split-0-cost_centre": "1200",
            "split-0-percent": "80",
        },
    ).content.decode()
    assert f"Procentsatserna blir tillsammans 80{NBSP}%, inte 100 %." in failed
    assert "8E+1" not in failed


@pytest.fixture
def answered(world, django_capture_on_commit_callbacks):
    """A Peppol order of two lines (2 × 11.00 each) that the supplier accepted with changes on line 1."""
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks, peppol=2, email=0)
    order = orders["peppol"]
    with django_capture_on_commit_callbacks(execute=True):
        services.order_response_receive(
            content=t76(order, "CA", lines=[{"line_id": 1, "quantity": 1, "price": "10.50"}]),
            filename="r.xml",
        )
    order.refresh_from_db()
    return order


def _totals(order):
    """(confirmed, ordered): line 1 became 1 × 10.50, line 2 stays as ordered."""
    second = order.lines.get(line_number=2)
    return Decimal("10.50") + second.quantity * second.unit_price, order.total_amount


def test_an_answered_order_shows_the_changes_in_swedish_words_and_the_confirmed_total(
    world, client, answered
):
    order = answered
    assert order.status == "accepted_with_changes"
    confirmed, as_ordered = _totals(order)
    client.force_login(world.requisitioner)
    page = client.get(reverse("ordering:order", args=[order.pk])).content.decode()
    assert not EXPONENT.search(page), EXPONENT.search(page)
    assert 'antal 2 → <mark class="changed">1</mark>' in page
    assert 'à-pris 11,00 → <mark class="changed">10,50</mark>' in page
    assert "ändrad av leverantören" in page
    for code in ("unit_price", ">changed<", "quantity 2"):
        assert code not in page, code
    total = re.search(r'<dd id="order-total">(.*?)</dd>', page, re.S).group(1)
    assert total.startswith(formatting.money(confirmed, language="sv"))
    assert f"beställt {formatting.money(as_ordered, language='sv')}" in total


def test_the_same_order_in_english(world, client, answered):
    client.force_login(world.requisitioner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("ordering:order", args=[answered.pk])).content.decode()
    assert 'quantity 2 → <mark class="changed">1</mark>' in page
    assert 'unit price 11.00 → <mark class="changed">10.50</mark>' in page
    assert "changed by the supplier" in page
    confirmed, as_ordered = _totals(answered)
    assert formatting.money(confirmed, language="en").startswith(f"SEK{NBSP}")
    assert formatting.money(confirmed, language="en") in page
    assert f"ordered {formatting.money(as_ordered, language='en')}" in page


def test_the_supplier_portal_shows_the_answer_in_words(world, client, answered):
    from avrop.organisations.roles import Role
    from avrop.organisations.tests.factories import MembershipFactory, UserFactory

    supplier_user = UserFactory()
    MembershipFactory(user=supplier_user, organisation=world.peppol.organisation, role=Role.SUPPLIER_USER)
    client.force_login(supplier_user)
    response = client.get(reverse("portal:order", args=[answered.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "antal 2 → 1" in page and "ändrad av leverantören" in page
    assert "unit_price 11" not in page
    assert formatting.money(_totals(answered)[0], language="sv") in page


def test_changes_and_answers_are_described_in_words():
    changes = describe_changes(
        [
            {"field": "quantity", "old": "5", "new": "4"},
            {"field": "unit_price", "old": "5.64", "new": "5.5"},
            {"field": "delivery_date", "old": "", "new": "2026-12-09"},
            {"field": "status", "old": "", "new": "rejected"},
            {"field": "colour", "old": "red", "new": "blue"},
        ]
    )
    assert [(c.label, c.old, c.new) for c in changes] == [
        ("antal", "5", "4"),
        ("à-pris", "5,64", "5,50"),
        ("leveransdatum", "–", "2026-12-09"),
        ("status", "–", "avvisad"),
        ("colour", "red", "blue"),
    ]
    assert response_status_label("changed") == "ändrad av leverantören"
    assert response_status_label("teleported") == "teleported"


def test_transport_errors_in_words():
    assert transport_error_text(
        "Access point: HTTP 503 Service Unavailable from ap.martinservera.example"
    ).startswith("Mottagarens accesspunkt har ett fel just nu (HTTP 503).")
    assert "HTTP 400" in transport_error_text("Access point: HTTP 400 Bad Request")
    assert (
        transport_error_text(
            "Access point: ConnectionRefusedError: access point at ap.example:443 refused the connection"
        )
        == "Accesspunkten gick inte att nå. Ordern skickas igen automatiskt."
    )
    assert transport_error_text("") == ""
