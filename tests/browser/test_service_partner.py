"""Seed 003 in a real browser, in German: a Swiss service partner switches the language to Deutsch, accepts
a new order, checks the requirements with the customer and marks them met, sets the appointment once the
supplier has shipped, marks the service performed, creates the billing statement (PDF) and has its Peppol
invoice checked against it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from avrop.organisations.models import Organisation
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from avrop.serviceorders import services
from avrop.serviceorders.models import BillingStatement, PartnerInvoice, ServiceOrder
from avrop.serviceorders.samples import partner_invoice_xml
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def partner_world(transactional_db):
    supplier = OrganisationFactory(name="Elektro Handel AG", kind=Organisation.Kind.SUPPLIER)
    partner = OrganisationFactory(
        name="Montage Meier GmbH", kind=Organisation.Kind.SERVICE_PARTNER, country="CH"
    )
    clerk = UserFactory(username="handel")
    MembershipFactory(user=clerk, organisation=supplier, role=Role.SUPPLIER_USER)
    fitter = UserFactory(username="meier")
    MembershipFactory(user=fitter, organisation=partner, role=Role.SERVICE_PARTNER)
    order = services.service_order_create(
        actor=clerk,
        supplier=supplier,
        partner=partner,
        data=services.ServiceOrderData(
            sales_order_ref="VK-1001",
            product="Samsung QE65 TV",
            service="Wandmontage TV",
            customer_name="Familie Brunner",
            customer_city="Winterthur",
            amount=Decimal("180.00"),
        ),
        ordered_at=timezone.now() - dt.timedelta(minutes=31),
    )
    services.service_orders_hand_over_due()
    return supplier, clerk, order


def test_the_five_steps_in_german(page, partner_world):
    supplier, clerk, order = partner_world
    login(page, "meier", "secret-password-1")
    page.get_by_role("button", name="Deutsch").click()
    page.goto("/serviceorders/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Servicepartner-Aufträge")
    expect(
        page.get_by_role("heading", name=re.compile("Servicepartneraufträge mit Status «Neu»"))
    ).to_be_visible()

    page.get_by_role("link", name=order.sp_id).first.click()
    page.get_by_role("button", name="Auftrag akzeptieren").click()
    expect(page.get_by_text("Auftrag akzeptiert.")).to_be_visible()

    for label in (
        "Alle Anschlüsse sind vorhanden",
        "Der Kunde hat genügend Platz für das Produkt",
        "Die Durchgänge sind breit genug für den Transport",
        "Der Kunde hat die nötigen Halterungen oder Bausätze",
        "Die Tragfähigkeit der Wand reicht für die geplante Montage",
    ):
        page.get_by_label(label).check()
    page.get_by_role("button", name="Kundenkontakt speichern").click()
    expect(page.get_by_text("Kundenkontakt und Checkliste gespeichert.")).to_be_visible()
    page.get_by_role("button", name="Als Anforderungen erfüllt kennzeichnen").click()
    expect(page.get_by_text("Anforderungen als erfüllt gekennzeichnet")).to_be_visible()

    services.service_order_ship(actor=clerk, order_id=order.pk, supplier=supplier)
    page.reload()
    page.get_by_label("Termindatum").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Termin speichern").click()
    expect(page.get_by_text("Termin gespeichert.")).to_be_visible()
    page.get_by_role("button", name="Service als erbracht markieren").click()
    expect(page.get_by_text("Service als erbracht markiert.")).to_be_visible()
    assert ServiceOrder.objects.get(pk=order.pk).status == ServiceOrder.Status.COMPLETED

    page.get_by_role("link", name="Abgeschlossene und nicht in Rechnung gestellte Aufträge").first.click()
    page.get_by_role("button", name="Verrechnung erstellen (PDF)").click()
    statement = BillingStatement.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Verrechnung {statement.number}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Verrechnung herunterladen (PDF)").click()
    assert download.value.suggested_filename == f"{statement.number}.pdf"

    xml = partner_invoice_xml(statement=statement, lines=[(order.sp_id, Decimal("180.00"))])
    page.get_by_label("Rechnungsdatei").set_input_files(
        files=[{"name": "rechnung.xml", "mimeType": "application/xml", "buffer": xml}]
    )
    page.get_by_role("button", name="Rechnung prüfen").click()
    expect(page.get_by_text("Die Rechnung stimmt mit der Verrechnung überein.")).to_be_visible()
    assert PartnerInvoice.objects.get().result == PartnerInvoice.Result.AGREES
