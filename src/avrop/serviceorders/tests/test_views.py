"""The pages: the partner's work queue with a fixed number of queries, the five steps through the forms,
billing and the statement PDF, the invoice check; role and organisation checks (another partner's ids, a
supplier, a buyer: 404); German for the partner who chose it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, UserFactory
from avrop.serviceorders import services
from avrop.serviceorders.models import BillingStatement, PartnerInvoice, ServiceOrder
from avrop.serviceorders.samples import partner_invoice_xml
from avrop.serviceorders.tests.conftest import completed, handed_over

Status = ServiceOrder.Status


@pytest.fixture
def fitter(client, world):
    client.force_login(world.fitter)
    return client


def test_the_queue_shows_each_section_with_its_count(fitter, world, clock):
    handed_over(world, clock)
    handed_over(world, clock)
    completed(world, clock)
    with translation.override("en"):
        page = fitter.get(reverse("serviceorders:queue"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    sections = {s.status: s.count for s in page.context["sections"]}
    assert sections == {
        "new": 2,
        "requirements_check": 0,
        "requirements_met": 0,
        "appointment_to_set": 0,
        "execution_to_confirm": 0,
        "completed": 1,
    }


def test_the_queue_takes_the_same_number_of_queries_for_more_orders(
    fitter, world, clock, django_assert_max_num_queries
):
    handed_over(world, clock)
    completed(world, clock)
    url = reverse("serviceorders:queue")
    fitter.get(url)  # the first request of a session writes the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        fitter.get(url)
    for _n in range(5):
        handed_over(world, clock)
        completed(world, clock)
    with django_assert_max_num_queries(len(few)):
        assert fitter.get(url).status_code == 200
    with django_assert_max_num_queries(len(few)):
        assert fitter.get(url + "?section=new").status_code == 200


def test_the_five_steps_through_the_pages(fitter, world, clock):
    order = handed_over(world, clock)
    url = reverse("serviceorders:order", args=[order.pk])
    assert fitter.get(url).status_code == 200
    fitter.post(reverse("serviceorders:accept", args=[order.pk]))
    checklist = {name: "on" for name in services.CHECKLIST} | {"check_note": "Alles da."}
    fitter.post(reverse("serviceorders:check", args=[order.pk]), checklist)
    fitter.post(reverse("serviceorders:requirements_met", args=[order.pk]))
    assert ServiceOrder.objects.get(pk=order.pk).status == Status.REQUIREMENTS_MET
    services.service_order_ship(actor=world.clerk, order_id=order.pk, supplier=world.supplier)
    fitter.post(
        reverse("serviceorders:appointment", args=[order.pk]),
        {"on": clock.now.date().isoformat(), "time": "8–10"},
    )
    fitter.post(reverse("serviceorders:execute", args=[order.pk]), {"note": "ok"})
    assert ServiceOrder.objects.get(pk=order.pk).status == Status.COMPLETED
    answer = fitter.post(reverse("serviceorders:billing"), {"orders": [order.pk]})
    statement = BillingStatement.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "serviceorders:statement", args=[statement.pk]
    )
    pdf = fitter.get(reverse("serviceorders:statement_pdf", args=[statement.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    again = fitter.post(reverse("serviceorders:billing"), {"orders": [order.pk]})
    assert again.status_code == 400
    assert BillingStatement.objects.count() == 1
    xml = partner_invoice_xml(statement=statement, lines=[(order.sp_id, order.amount)])
    upload = SimpleUploadedFile("r.xml", xml, content_type="application/xml")
    answer = fitter.post(
        reverse("serviceorders:statement_invoice", args=[statement.pk]), {"kind": "peppol", "file": upload}
    )
    assert answer.status_code == 302
    assert PartnerInvoice.objects.get().result == PartnerInvoice.Result.AGREES


def test_the_supplier_sees_the_deviation_in_words(client, world, clock):
    order = completed(world, clock, amount="100.00")
    statement = services.statement_create(actor=world.fitter, partner=world.partner, order_ids=[order.pk])
    xml = partner_invoice_xml(statement=statement, lines=[(order.sp_id, Decimal("100.00"))] * 2)
    services.partner_invoice_check(
        actor=world.fitter,
        statement_id=statement.pk,
        organisation=world.partner,
        file_name="r.xml",
        content=xml,
    )
    client.force_login(world.clerk)
    with translation.override("en"):
        page = client.get(reverse("serviceorders:statement", args=[statement.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert f"SP-ID {order.sp_id} is listed 2 times" in page.content.decode()


def test_another_partner_gets_404_for_every_id(client, world, clock):
    order = completed(world, clock)
    statement = services.statement_create(actor=world.fitter, partner=world.partner, order_ids=[order.pk])
    client.force_login(world.other_fitter)
    for name, pk in [
        ("serviceorders:order", order.pk),
        ("serviceorders:statement", statement.pk),
        ("serviceorders:statement_pdf", statement.pk),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    for name in ("accept", "check", "requirements_met", "appointment", "execute"):
        assert client.post(reverse(f"serviceorders:{name}", args=[order.pk])).status_code in {302, 404}
    assert ServiceOrder.objects.get(pk=order.pk).status == Status.BILLED
    answer = client.post(reverse("serviceorders:billing"), {"orders": [order.pk]})
    assert answer.status_code == 404


def test_a_buyer_and_a_supplier_get_404_on_the_partner_pages(client, world):
    for user in (world.buyer_admin, world.clerk):
        client.force_login(user)
        assert client.get(reverse("serviceorders:queue")).status_code == 404
        assert client.get(reverse("serviceorders:billing")).status_code == 404
    client.force_login(world.buyer_admin)
    assert client.get(reverse("serviceorders:sla")).status_code == 404
    assert client.get(reverse("serviceorders:supplier_orders")).status_code == 404


def test_a_partner_member_without_the_role_is_refused(client, world):
    auditor = UserFactory()
    MembershipFactory(user=auditor, organisation=world.partner, role=Role.AUDITOR)
    client.force_login(auditor)
    assert client.get(reverse("serviceorders:queue")).status_code == 403


def test_the_supplier_ships_and_another_supplier_cannot(client, world, clock):
    order = handed_over(world, clock)
    services.service_order_accept(actor=world.fitter, order_id=order.pk, partner=world.partner)
    services.service_order_record_check(
        actor=world.fitter,
        order_id=order.pk,
        partner=world.partner,
        checks_done=dict.fromkeys(services.CHECKLIST, True),
    )
    services.service_order_requirements_met(actor=world.fitter, order_id=order.pk, partner=world.partner)
    from avrop.organisations.models import Organisation
    from avrop.organisations.tests.factories import OrganisationFactory

    rival = OrganisationFactory(kind=Organisation.Kind.SUPPLIER)
    rival_user = UserFactory()
    MembershipFactory(user=rival_user, organisation=rival, role=Role.SUPPLIER_USER)
    client.force_login(rival_user)
    assert client.get(reverse("serviceorders:order", args=[order.pk])).status_code == 404
    assert client.post(reverse("serviceorders:ship", args=[order.pk])).status_code == 404
    client.force_login(world.clerk)
    assert client.get(reverse("serviceorders:supplier_orders")).status_code == 200
    client.post(reverse("serviceorders:ship", args=[order.pk]))
    assert ServiceOrder.objects.get(pk=order.pk).status == Status.APPOINTMENT_TO_SET


def test_the_sla_report_for_partner_and_supplier(client, world, clock):
    completed(world, clock)
    client.force_login(world.fitter)
    page = client.get(reverse("serviceorders:sla"))
    figures = {f.step: f for f in page.context["figures"]}
    assert (figures["accept"].done, figures["accept"].share_on_time, figures["accept"].median) == (
        1,
        1.0,
        0.0,
    )
    client.force_login(world.clerk)
    page = client.get(reverse("serviceorders:sla"), {"partner": world.partner.pk})
    assert {f.step: f.done for f in page.context["figures"]}["execution"] == 1


def test_german_for_the_partner_who_chose_it_not_for_a_buyer(client, world, clock):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    client.force_login(world.fitter)
    page = client.get(reverse("serviceorders:queue"))
    assert page["Content-Language"] == "de"
    assert "Servicepartner-Aufträge" in page.content.decode()
    client.force_login(world.buyer_admin)
    page = client.get(reverse("core:home"))
    assert page["Content-Language"] == "sv"


def test_the_language_switch_offers_german_to_a_partner_only(client, world):
    client.force_login(world.fitter)
    assert 'value="de"' in client.get(reverse("serviceorders:queue")).content.decode()
    client.force_login(world.buyer_admin)
    assert 'value="de"' not in client.get(reverse("core:home")).content.decode()


def test_the_partner_start_page_in_german_shows_the_queue_sections(client, world, clock):
    handed_over(world, clock)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    client.force_login(world.fitter)
    html = client.get(reverse("core:home")).content.decode()
    assert "Willkommen" in html and "Welcome" not in html
    assert "Servicepartner-Aufträge" in html and "Anforderungen prüfen" in html
    assert "Välkommen" not in html


def test_the_supplier_start_page_lists_products_to_ship(client, world, clock):
    order = handed_over(world, clock)
    services.service_order_accept(actor=world.fitter, order_id=order.pk, partner=world.partner)
    services.service_order_record_check(
        actor=world.fitter,
        order_id=order.pk,
        partner=world.partner,
        checks_done=dict.fromkeys(services.CHECKLIST, True),
    )
    services.service_order_requirements_met(actor=world.fitter, order_id=order.pk, partner=world.partner)
    client.force_login(world.clerk)
    with translation.override("en"):
        page = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en")
    sections = [s for s in page.context["sections"] if s.title == "Service orders"]
    assert sections and sections[0].rows[0].detail == "1"
