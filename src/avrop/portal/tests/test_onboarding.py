"""Portal onboarding pages: customers, departments and customer numbers, contacts, notification choices, bank
details, start-page sections; scoping (another supplier's ids are 404, buyer users 403) and query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from avrop.core.models import AuditEvent, OutboxMessage
from avrop.organisations.models import Department, DepartmentRequest, DepartmentRequestSupplier
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import DepartmentFactory, OrganisationFactory
from avrop.suppliers.models import (
    BankAccount,
    BankChangeProposal,
    ContactNotification,
    CustomerNumber,
    SupplierContact,
)
from avrop.suppliers.services import bank_account_register
from avrop.suppliers.services import portal as services
from avrop.suppliers.tests.factories import CustomerNumberFactory, SupplierContactFactory, SupplierFactory

pytestmark = pytest.mark.django_db


class World:
    pass


@pytest.fixture
def world(make_member):
    w = World()
    w.supplier = OrganisationFactory(kind="supplier", name="Lyreco Sverige AB")
    w.fatima, _ = make_member(
        Role.SUPPLIER_USER, organisation=w.supplier, first_name="Fatima", email="fatima@lyreco.example"
    )
    w.olle, _ = make_member(
        Role.SPOC, organisation=w.supplier, first_name="Olle", email="olle@lyreco.example"
    )
    w.buyer = OrganisationFactory(name="Österlens kommun")
    w.clerk, _ = make_member(Role.AP_CLERK, organisation=w.buyer, email="ap@osterlen.example")
    w.coordinator, _ = make_member(
        Role.COORDINATOR, organisation=w.buyer, email="samordnare@osterlen.example"
    )
    w.relation = SupplierFactory(buyer=w.buyer, organisation=w.supplier, order_email="order@lyreco.example")
    w.old_department = DepartmentFactory(organisation=w.buyer, name="Solgårdens kök")
    Department.objects.filter(pk=w.old_department.pk).update(
        created_at=timezone.now() - dt.timedelta(days=200)
    )
    w.new_department = DepartmentFactory(organisation=w.buyer, name="Fritidsgården Bryggan")
    CustomerNumberFactory(supplier=w.relation, department=w.old_department, number="K-1001")
    w.orders_contact = SupplierContactFactory(
        supplier=w.relation, topic="orders", name="Kundtjänst", email="order@lyreco.example"
    )
    w.agreement_contact = SupplierContactFactory(
        supplier=w.relation, topic="agreement", name="Avtalsansvarig", email="avtal@lyreco.example"
    )
    w.second_buyer = OrganisationFactory(name="Myndigheten för kustmiljö")
    w.second_relation = SupplierFactory(buyer=w.second_buyer, organisation=w.supplier)
    # Another supplier of the same buyer: its rows must never show.
    w.rival = OrganisationFactory(kind="supplier", name="Staples Sverige AB")
    w.rival_user, _ = make_member(Role.SUPPLIER_USER, organisation=w.rival)
    w.rival_relation = SupplierFactory(buyer=w.buyer, organisation=w.rival)
    w.rival_contact = SupplierContactFactory(supplier=w.rival_relation, name="Rivalkontakt")
    return w


@pytest.fixture
def fatima(client, world):
    client.force_login(world.fatima)
    return client


def _events(action):
    return list(AuditEvent.objects.filter(action=action))


def test_customers_page_counts_departments_without_number_and_new_ones(fatima, world):
    response = fatima.get(reverse("portal:customers"))
    assert response.status_code == 200
    rows = {r.buyer.name: r for r in response.context["customers"]}
    assert set(rows) == {"Österlens kommun", "Myndigheten för kustmiljö"}
    mine = rows["Österlens kommun"]
    assert (mine.department_count, mine.missing_count, mine.new_count, mine.contact_count) == (2, 1, 1, 2)
    html = response.content.decode()
    assert "<h1>" in html and 'scope="row"' in html
    assert reverse("portal:customer_numbers", args=[world.relation.pk]) in html
    assert "Staples" not in html


def test_customer_page_marks_missing_and_new_departments(fatima, world):
    response = fatima.get(reverse("portal:customer", args=[world.relation.pk]))
    assert response.status_code == 200
    departments = {d.name: d for d in response.context["departments"]}
    assert departments["Solgårdens kök"].customer_number == "K-1001"
    assert not departments["Solgårdens kök"].is_new
    assert departments["Fritidsgården Bryggan"].customer_number == ""
    assert departments["Fritidsgården Bryggan"].is_new
    html = response.content.decode()
    assert "K-1001" in html and "Kundtjänst" in html and "Rivalkontakt" not in html


def test_list_pages_keep_their_query_count_as_rows_grow(fatima, world):
    urls = [
        reverse("portal:customers"),
        reverse("portal:customer", args=[world.relation.pk]),
        reverse("portal:customer_numbers", args=[world.relation.pk]),
        reverse("portal:customer_notifications", args=[world.relation.pk]),
        reverse("portal:bank_details"),
    ]

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert fatima.get(url).status_code == 200, url
        return len(ctx.captured_queries)

    [count(url) for url in urls]  # the first request of a session stores the active organisation
    before = [count(url) for url in urls]
    for index in range(12):
        buyer = OrganisationFactory()
        relation = SupplierFactory(buyer=buyer, organisation=world.supplier)
        CustomerNumberFactory(supplier=relation)
        DepartmentFactory(organisation=buyer)
        bank_account_register(actor=None, supplier=relation, kind="bankgiro", number="5050-1055")
        department = DepartmentFactory(organisation=world.buyer)
        CustomerNumberFactory(supplier=world.relation, department=department, number=f"N{index}")
        SupplierContactFactory(supplier=world.relation, topic="ecommerce", email=f"c{index}@lyreco.example")
    after = [count(url) for url in urls]
    assert after == before


def test_list_pages_within_a_fixed_query_budget(fatima, world, django_assert_max_num_queries):
    for _ in range(10):
        relation = SupplierFactory(organisation=world.supplier)
        DepartmentFactory(organisation=relation.buyer)
    with django_assert_max_num_queries(12):
        assert fatima.get(reverse("portal:customers")).status_code == 200
    with django_assert_max_num_queries(14):
        assert fatima.get(reverse("portal:customer", args=[world.relation.pk])).status_code == 200


def test_supplier_enters_and_corrects_customer_numbers(fatima, world):
    url = reverse("portal:customer_numbers", args=[world.relation.pk])
    html = fatima.get(url).content.decode()
    new_field = f"department_{world.new_department.pk}"
    assert f'<label for="id_{new_field}">' in html
    response = fatima.post(url, {new_field: " F-2002 ", f"department_{world.old_department.pk}": "K-1001-B"})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:customer", args=[world.relation.pk])
    numbers = dict(
        CustomerNumber.objects.filter(supplier=world.relation).values_list("department_id", "number")
    )
    assert numbers == {world.new_department.pk: "F-2002", world.old_department.pk: "K-1001-B"}
    events = _events("customer_number.set")
    assert len(events) == 2
    assert {e.actor_id for e in events} == {world.fatima.pk}
    assert {e.organisation_id for e in events} == {world.buyer.pk}


def test_unchanged_numbers_write_nothing_and_empty_removes(fatima, world):
    url = reverse("portal:customer_numbers", args=[world.relation.pk])
    fatima.post(url, {f"department_{world.old_department.pk}": "K-1001"})
    assert _events("customer_number.set") == []
    fatima.post(url, {f"department_{world.old_department.pk}": ""})
    assert not CustomerNumber.objects.filter(supplier=world.relation).exists()
    assert len(_events("customer_number.remove")) == 1


def test_too_long_customer_number_is_shown_at_its_field(fatima, world):
    url = reverse("portal:customer_numbers", args=[world.relation.pk])
    field = f"department_{world.new_department.pk}"
    response = fatima.post(url, {field: "9" * 61})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert f'aria-describedby="id_{field}_helptext id_{field}_error"' in html
    assert 'aria-invalid="true"' in html
    assert not CustomerNumber.objects.filter(department=world.new_department).exists()


def _announce(world, *, status=DepartmentRequest.Status.SUPPLIERS_NOTIFIED, supplier=None):
    department = DepartmentFactory(organisation=world.buyer, name="Kulturskolan Ystad", is_active=False)
    request = DepartmentRequest.objects.create(
        organisation=world.buyer,
        status=status,
        name=department.name,
        invoice_street="Box 1",
        invoice_postal_code="271 80",
        invoice_city="Ystad",
        street="Stora Östergatan 20",
        postal_code="271 34",
        city="Ystad",
        contact_name="Karin Holm",
        contact_phone="0411-57 72 10",
        requested_by=world.coordinator,
        requested_at=timezone.now(),
        department=department,
    )
    DepartmentRequestSupplier.objects.create(
        request=request, supplier=supplier or world.relation, channel="email"
    )
    return department


def test_department_announced_by_a_request_can_be_numbered_before_it_opens(fatima, world):
    announced = _announce(world)
    page = fatima.get(reverse("portal:customer", args=[world.relation.pk]))
    shown = {d.pk: d for d in page.context["departments"]}
    assert shown[announced.pk].is_announced
    url = reverse("portal:customer_numbers", args=[world.relation.pk])
    assert fatima.post(url, {f"department_{announced.pk}": "KSY-77"}).status_code == 302
    assert CustomerNumber.objects.get(department=announced).number == "KSY-77"
    # The request's supplier step counts it as the supplier's answer, so the coordinator can close it.
    step = DepartmentRequestSupplier.objects.get(request__department=announced)
    assert (step.customer_number, step.customer_number_by) == ("KSY-77", world.fatima)


def test_inactive_department_not_announced_to_this_supplier_stays_hidden(fatima, world):
    hidden = _announce(world, supplier=world.rival_relation)
    closed = DepartmentFactory(organisation=world.buyer, name="Nedlagd enhet", is_active=False)
    page = fatima.get(reverse("portal:customer", args=[world.relation.pk]))
    shown = {d.pk for d in page.context["departments"]}
    assert hidden.pk not in shown and closed.pk not in shown
    url = reverse("portal:customer_numbers", args=[world.relation.pk])
    fatima.post(url, {f"department_{closed.pk}": "X-1"})  # not a field of the form: ignored
    assert not CustomerNumber.objects.filter(department=closed).exists()
    with pytest.raises(services.DomainError) as caught:
        services.relation_customer_numbers_set(
            actor=world.fatima, relation=world.relation, numbers=[(closed, "X")]
        )
    assert caught.value.code == "department_inactive"


def test_contacts_are_added_changed_and_removed_with_audit(fatima, world):
    add = reverse("portal:customer_contact_add", args=[world.relation.pk])
    assert fatima.get(add).status_code == 200
    response = fatima.post(
        add, {"topic": "ecommerce", "name": "Ebba Ehandel", "email": "ehandel@lyreco.example", "phone": ""}
    )
    assert response.status_code == 302
    contact = SupplierContact.objects.get(name="Ebba Ehandel")
    assert contact.supplier == world.relation
    edit = reverse("portal:contact_edit", args=[contact.pk])
    fatima.post(
        edit, {"topic": "ecommerce", "name": "Ebba Ehandel", "email": "ebba@lyreco.example", "phone": "010-1"}
    )
    contact.refresh_from_db()
    assert (contact.email, contact.phone) == ("ebba@lyreco.example", "010-1")
    remove = reverse("portal:contact_remove", args=[contact.pk])
    assert fatima.get(remove).status_code == 200
    assert fatima.post(remove).status_code == 302
    assert not SupplierContact.objects.filter(pk=contact.pk).exists()
    for action in ("supplier_contact.add", "supplier_contact.update", "supplier_contact.remove"):
        (event,) = _events(action)
        assert event.actor_id == world.fatima.pk


def test_contact_with_a_bad_email_is_refused_at_the_field(fatima, world):
    add = reverse("portal:customer_contact_add", args=[world.relation.pk])
    response = fatima.post(add, {"topic": "orders", "name": "X", "email": "inte-en-adress"})
    assert response.status_code == 400
    assert 'aria-describedby="id_email_error"' in response.content.decode()
    assert not SupplierContact.objects.filter(name="X").exists()


def test_notification_choices_are_saved_and_audited(fatima, world):
    url = reverse("portal:customer_notifications", args=[world.relation.pk])
    page = fatima.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<fieldset" in html and "<legend>" in html
    field = f"contact_{world.agreement_contact.pk}"
    assert page.context["form"][field].initial == ["disputes", "payments"]
    response = fatima.post(
        url,
        {
            f"contact_{world.orders_contact.pk}": ["new_orders"],
            field: ["payments", "order_changes"],
        },
    )
    assert response.status_code == 302
    chosen = {
        (c.contact_id, c.topic)
        for c in ContactNotification.objects.filter(contact__supplier=world.relation, enabled=True)
    }
    assert chosen == {
        (world.orders_contact.pk, "new_orders"),
        (world.agreement_contact.pk, "payments"),
        (world.agreement_contact.pk, "order_changes"),
    }
    assert ContactNotification.objects.filter(contact__supplier=world.relation).count() == 8
    (event,) = _events("contact_notification.set")
    assert event.actor_id == world.fatima.pk and event.organisation_id == world.supplier.pk
    assert event.after[str(world.agreement_contact.pk)] == ["order_changes", "payments"]


def test_unknown_topic_is_a_field_error(fatima, world):
    url = reverse("portal:customer_notifications", args=[world.relation.pk])
    response = fatima.post(url, {f"contact_{world.orders_contact.pk}": ["gossip"]})
    assert response.status_code == 400
    assert not ContactNotification.objects.exists()


def test_bank_change_needs_a_second_supplier_user(client, fatima, world):
    old = bank_account_register(actor=None, supplier=world.relation, kind="bankgiro", number="5050-1055")
    propose = reverse("portal:bank_change_propose")
    assert fatima.get(propose).status_code == 200
    response = fatima.post(propose, {"kind": "bankgiro", "number": "5402-9681", "bic": ""})
    assert response.status_code == 302
    proposal = BankChangeProposal.objects.get()
    assert (proposal.status, proposal.number, proposal.proposed_by) == ("pending", "54029681", world.fatima)
    assert list(OutboxMessage.objects.values_list("recipient", flat=True)) == ["olle@lyreco.example"]
    assert BankAccount.objects.filter(number="54029681").count() == 0

    page = fatima.get(reverse("portal:bank_details"))
    assert page.context["pending"] == proposal and page.context["can_confirm"] is False
    assert page.context["colleagues"] == 1
    fatima.post(reverse("portal:bank_change_confirm", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == "pending"

    client.force_login(world.olle)
    assert client.get(reverse("portal:bank_details")).context["can_confirm"] is True
    assert client.post(reverse("portal:bank_change_confirm", args=[proposal.pk])).status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == ("confirmed", world.olle)
    new = BankAccount.objects.filter(number="54029681").order_by("supplier_id")
    assert [(a.supplier_id, a.status) for a in new] == [
        (world.relation.pk, "unverified"),
        (world.second_relation.pk, "unverified"),
    ]
    old.refresh_from_db()
    assert old.status == "retired"
    changes = _events("bank_account.change")
    assert {e.organisation_id for e in changes if e.actor_id == world.olle.pk} == {
        world.buyer.pk,
        world.second_buyer.pk,
    }
    assert len(_events("bank_change.propose")) == 1 and len(_events("bank_change.confirm")) == 1
    alerts = OutboxMessage.objects.filter(organisation=world.buyer)
    assert list(alerts.values_list("recipient", flat=True)) == ["ap@osterlen.example"]


def test_buyer_start_page_lists_the_confirmed_change(client, world):
    proposal = services.bank_change_propose(
        actor=world.fatima,
        organisation=world.supplier,
        kind="iban",
        number="SE45 5000 0000 0583 9825 7466",
        bic="ESSESESS",
    )
    services.bank_change_confirm(actor=world.olle, proposal_id=proposal.pk)
    client.force_login(world.clerk)
    html = client.get(reverse("core:home")).content.decode()
    assert "Lyreco Sverige AB: " in html and "SE45 5000 0000 0583 9825 7466" in html
    assert reverse("suppliers:detail", args=[world.relation.pk]) in html


def test_either_supplier_user_may_withdraw(client, fatima, world):
    proposal = services.bank_change_propose(
        actor=world.fatima, organisation=world.supplier, kind="plusgiro", number="4789-4"
    )
    client.force_login(world.olle)
    assert client.post(reverse("portal:bank_change_withdraw", args=[proposal.pk])).status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == ("withdrawn", world.olle)
    assert not BankAccount.objects.exists()
    (event,) = _events("bank_change.withdraw")
    assert event.actor_id == world.olle.pk
    second = services.bank_change_propose(
        actor=world.fatima, organisation=world.supplier, kind="plusgiro", number="4789-4"
    )
    fatima.post(reverse("portal:bank_change_withdraw", args=[second.pk]))
    second.refresh_from_db()
    assert second.status == "withdrawn"


def test_bad_account_number_is_shown_at_its_field(fatima, world):
    response = fatima.post(reverse("portal:bank_change_propose"), {"kind": "bankgiro", "number": "5402-9682"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-describedby="id_number_helptext id_number_error"' in html
    assert "Luhn" in html
    assert not BankChangeProposal.objects.exists()


def test_start_page_shows_missing_numbers_and_the_change_to_confirm(client, fatima, world):
    services.bank_change_propose(
        actor=world.fatima, organisation=world.supplier, kind="bankgiro", number="5402-9681"
    )
    html = fatima.get(reverse("core:home")).content.decode()
    assert "Österlens kommun: Fritidsgården Bryggan" in html
    assert reverse("portal:customer_numbers", args=[world.relation.pk]) in html
    assert "Solgårdens kök" not in html
    client.force_login(world.olle)
    html = client.get(reverse("core:home")).content.decode()
    assert reverse("portal:bank_details") in html and "5402-9681" in html


def test_another_suppliers_ids_are_404(client, world):
    proposal = services.bank_change_propose(
        actor=world.fatima, organisation=world.supplier, kind="bankgiro", number="5402-9681"
    )
    client.force_login(world.rival_user)
    mine = world.relation.pk
    for name, pk in [
        ("customer", mine),
        ("customer_numbers", mine),
        ("customer_contact_add", mine),
        ("customer_notifications", mine),
        ("contact_edit", world.orders_contact.pk),
        ("contact_remove", world.orders_contact.pk),
    ]:
        assert client.get(reverse(f"portal:{name}", args=[pk])).status_code == 404, name
        if name != "customer":  # the only read-only page among them
            assert client.post(reverse(f"portal:{name}", args=[pk]), {"name": "x"}).status_code == 404, name
    for name in ("bank_change_confirm", "bank_change_withdraw"):
        assert client.post(reverse(f"portal:{name}", args=[proposal.pk])).status_code == 404, name
    proposal.refresh_from_db()
    assert proposal.status == "pending"
    assert SupplierContact.objects.filter(supplier=world.relation).count() == 2
    assert "Österlens kommun" in client.get(reverse("portal:customers")).content.decode()  # its own relation
    assert world.relation not in client.get(reverse("portal:customers")).context["customers"]


def test_buyer_users_are_refused_every_onboarding_page(client, world):
    proposal = services.bank_change_propose(
        actor=world.fatima, organisation=world.supplier, kind="bankgiro", number="5402-9681"
    )
    for buyer_user in (world.clerk, world.coordinator):
        client.force_login(buyer_user)
        for name, args in [
            ("customers", []),
            ("customer", [world.relation.pk]),
            ("customer_numbers", [world.relation.pk]),
            ("customer_contact_add", [world.relation.pk]),
            ("customer_notifications", [world.relation.pk]),
            ("contact_edit", [world.orders_contact.pk]),
            ("contact_remove", [world.orders_contact.pk]),
            ("bank_details", []),
            ("bank_change_propose", []),
        ]:
            assert client.get(reverse(f"portal:{name}", args=args)).status_code == 403, name
        for name in ("bank_change_confirm", "bank_change_withdraw"):
            assert client.post(reverse(f"portal:{name}", args=[proposal.pk])).status_code == 403, name
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_anonymous_visitor_is_sent_to_login(client, world):
    response = client.get(reverse("portal:customers"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_accepted_invitation_lands_in_the_portal(client, world):
    from avrop.suppliers.services import portal_invitation_send

    _invitation, key = portal_invitation_send(
        actor=world.coordinator, supplier=world.relation, email="ny@lyreco.example", base_url="http://t/"
    )
    response = client.post(
        reverse("suppliers:invitation_accept", args=[key]),
        {
            "first_name": "Ny",
            "last_name": "Person",
            "username": "ny.lyreco",
            "password1": "ett-langt-losenord-9",
            "password2": "ett-langt-losenord-9",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:customers")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert {r.pk for r in page.context["customers"]} == {world.relation.pk, world.second_relation.pk}


def test_a_lone_supplier_user_is_told_a_colleague_is_needed(client, make_member):
    alone = OrganisationFactory(kind="supplier")
    person, _ = make_member(Role.SUPPLIER_USER, organisation=alone)
    SupplierFactory(organisation=alone)
    services.bank_change_propose(actor=person, organisation=alone, kind="bankgiro", number="5402-9681")
    client.force_login(person)
    page = client.get(reverse("portal:bank_details"))
    assert page.context["colleagues"] == 0 and page.context["can_confirm"] is False
    assert BankChangeProposal.objects.get().status == "pending"
