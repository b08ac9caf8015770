"""Customers and articles: identifiers checked with python-stdnum, with messages that name the field."""

from __future__ import annotations

import pytest

from avrop.core.errors import DomainError
from avrop.receivables import services


def _create(world, **data):
    return services.customer_create(
        actor=world.clerk, organisation=world.seller, data=services.CustomerData(**data)
    )


def test_a_swedish_e_invoice_customer_gets_its_peppol_id_from_the_organisation_number(world):
    customer = _create(world, name="Kommunen", org_number="2120000142")
    assert customer.org_number == "212000-0142" and customer.peppol_id == "0007:2120000142"
    assert customer.number == str(int(world.norwegian.number) + 1)


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"org_number": "212000-0143"}, "org_number", "212000-0143"),
        ({"org_number": "2120000142", "vat_number": "SE212000014301"}, "vat_number", "SE212000014301"),
        (
            {"country": "DE", "vat_number": "FR40303265045", "delivery": "email", "email": "a@b.example"},
            "vat_number",
            "FR40303265045",
        ),
        ({"peppol_id": "0007:123", "org_number": "2120000142"}, "peppol_id", "0007:123"),
        ({"delivery": "email", "org_number": "2120000142"}, "email", ""),
        ({"country": "US", "delivery": "email", "email": "a@b.example"}, "vat_number", ""),
    ],
)
def test_bad_identifiers_are_refused_naming_the_field(world, data, field, words):
    with pytest.raises(DomainError) as caught:
        _create(world, name="Fel AB", **data)
    assert caught.value.field == field and words in caught.value.message


def test_articles_need_a_swedish_rate_and_an_exemption_reason(world):
    data = {"number": "X", "name": "X", "unit_price": "10", "revenue_account": "3001"}
    with pytest.raises(DomainError, match="25, 12"):
        services.article_create(
            actor=world.clerk, organisation=world.seller, data=services.ArticleData(**data, vat_rate="20")
        )
    with pytest.raises(DomainError) as caught:
        services.article_create(
            actor=world.clerk, organisation=world.seller, data=services.ArticleData(**data, vat_category="E")
        )
    assert caught.value.field == "exemption_reason"
    food = services.article_create(
        actor=world.clerk, organisation=world.seller, data=services.ArticleData(**data, vat_rate="12")
    )
    assert food.vat_rate == 12 and food.unit == "EA"
