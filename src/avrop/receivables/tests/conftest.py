"""A seller organisation set up for customer invoicing, its AR clerk, customers at home and abroad,
articles, and an exchange rate; plus a second organisation for scoping tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from avrop.core.demo import se_org_number, se_vat
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from avrop.receivables import services
from avrop.receivables.models import ExchangeRate, ReceivablesSettings

BANKGIRO = "5050-1055"
ISSUE_DAY = dt.date(2026, 11, 2)


@dataclass
class World:
    seller: Any
    clerk: Any
    auditor: Any
    settings: Any
    municipality: Any  # Swedish, e-invoice
    school: Any  # Swedish, PDF by e-mail
    german: Any  # EU business with VAT number, EUR
    norwegian: Any  # outside the EU
    consulting: Any  # service article, 25 %
    paper: Any  # goods article, 25 %
    course: Any  # exempt article
    other_org: Any
    other_clerk: Any

    def invoice(
        self, customer: Any = None, *, lines: list[tuple[Any, str]] | None = None, **kwargs: Any
    ) -> Any:
        kwargs.setdefault("issue_date", ISSUE_DAY)
        return services.invoice_create(
            actor=self.clerk,
            organisation=self.seller,
            customer_id=(customer or self.municipality).pk,
            lines=[
                services.LineInput(article_id=a.pk, quantity=q)
                for a, q in (lines or [(self.consulting, "2"), (self.paper, "10")])
            ],
            **kwargs,
        )

    def sent(self, customer: Any = None, **kwargs: Any) -> Any:
        invoice = self.invoice(customer, **kwargs)
        return services.invoice_send(actor=self.clerk, invoice_id=invoice.pk)


@pytest.fixture
def world(db, settings, tmp_path) -> World:
    settings.RECEIVABLES_PEPPOL_DIR = str(tmp_path / "peppol")
    number = se_org_number("202100123")
    seller = OrganisationFactory.create(
        name="Myndigheten för test",
        org_number=number,
        vat_number=se_vat(number),
        peppol_id="0007:" + number.replace("-", ""),
        street="Storgatan 1",
        postal_code="11122",
        city="Stockholm",
        email="ekonomi@myndigheten.example",
        module_receivables=True,
    )
    clerk = UserFactory.create(username="erik", first_name="Erik", last_name="Kund")
    MembershipFactory.create(user=clerk, organisation=seller, role=Role.AR_CLERK)
    auditor = UserFactory.create(username="revisor")
    MembershipFactory.create(user=auditor, organisation=seller, role=Role.AUDITOR)
    rs = ReceivablesSettings.objects.create(organisation=seller, bankgiro=BANKGIRO)
    ExchangeRate.objects.create(currency="EUR", day=dt.date(2026, 10, 30), rate=Decimal("11.2345"))
    ExchangeRate.objects.create(currency="NOK", day=ISSUE_DAY, rate=Decimal("0.9512"))

    def customer(**data: Any) -> Any:
        return services.customer_create(actor=clerk, organisation=seller, data=services.CustomerData(**data))

    municipality = customer(name="Testkommun", org_number=se_org_number("212000777"), city="Ystad")
    school = customer(
        name="Friskolan AB",
        org_number=se_org_number("556677889"),
        delivery="email",
        email="faktura@friskolan.example",
        payment_days=20,
    )
    german = customer(
        name="Umwelt GmbH",
        country="DE",
        vat_number="DE136695976",
        delivery="email",
        email="rechnung@umwelt.example",
        currency="EUR",
        language="en",
        city="Berlin",
    )
    norwegian = customer(
        name="Fjord AS",
        country="NO",
        org_number="974760673",
        delivery="email",
        email="faktura@fjord.example",
        currency="NOK",
        city="Bergen",
    )

    def article(**data: Any) -> Any:
        return services.article_create(actor=clerk, organisation=seller, data=services.ArticleData(**data))

    consulting = article(
        number="KONS", name="Konsulttimme", unit="HUR", unit_price="1200", revenue_account="3041"
    )
    paper = article(
        number="RAPP",
        name="Tryckt rapport",
        unit="EA",
        unit_price="85.50",
        revenue_account="3051",
        is_goods=True,
    )
    course = article(
        number="UTB",
        name="Utbildningsdag",
        unit="DAY",
        unit_price="4000",
        vat_category="E",
        exemption_reason="Undantagen utbildning, 10 kap. 41 § mervärdesskattelagen",
        revenue_account="3044",
    )
    other_org = OrganisationFactory.create(name="Annan myndighet")
    other_clerk = UserFactory.create(username="annan")
    MembershipFactory.create(user=other_clerk, organisation=other_org, role=Role.AR_CLERK)
    return World(
        seller=seller,
        clerk=clerk,
        auditor=auditor,
        settings=rs,
        municipality=municipality,
        school=school,
        german=german,
        norwegian=norwegian,
        consulting=consulting,
        paper=paper,
        course=course,
        other_org=other_org,
        other_clerk=other_clerk,
    )
