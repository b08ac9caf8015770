"""Supplier-side services of portal onboarding and the notification choices (``suppliers.notifications``):
guards, segregation of duties for bank details, and mail through a real SMTP server."""

import pytest
from django.db import transaction

from avrop.core.errors import DomainError, InvalidTransition, NotAllowed, NotFound
from avrop.core.models import OutboxMessage
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import OrganisationFactory
from avrop.suppliers.models import BankAccount, BankChangeProposal, ContactNotification
from avrop.suppliers.notifications import DEFAULT_CONTACT_TOPIC, Topic, notify, recipients
from avrop.suppliers.services import bank_account_register
from avrop.suppliers.services import portal as services
from avrop.suppliers.tests.factories import SupplierContactFactory, SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def supplier(make_member):
    organisation = OrganisationFactory(kind="supplier", name="Lyreco Sverige AB")
    first, _ = make_member(Role.SUPPLIER_USER, organisation=organisation, email="fatima@lyreco.example")
    second, _ = make_member(Role.ADMIN, organisation=organisation, email="admin@lyreco.example")
    buyer = OrganisationFactory(name="Österlens kommun")
    relation = SupplierFactory(buyer=buyer, organisation=organisation, order_email="Order@Lyreco.example")
    return organisation, first, second, relation


def test_topic_interface_is_unchanged():
    assert [t.value for t in Topic] == ["new_orders", "order_changes", "disputes", "payments"]
    assert DEFAULT_CONTACT_TOPIC[Topic.NEW_ORDERS] == "orders"
    assert DEFAULT_CONTACT_TOPIC[Topic.PAYMENTS] == "agreement"


def test_recipients_default_to_the_contact_kind_and_the_order_email(supplier):
    _org, _first, _second, relation = supplier
    # No contacts yet. An e-mailed order is itself the notice of a new order at the order address ...
    assert relation.connection == "email"
    assert recipients(relation, Topic.NEW_ORDERS) == []
    assert recipients(relation, Topic.ORDER_CHANGES) == ["order@lyreco.example"]
    # ... a portal supplier hears of it there.
    relation.connection = "portal"
    assert recipients(relation, Topic.NEW_ORDERS) == ["order@lyreco.example"]
    assert recipients(relation, Topic.PAYMENTS) == []
    SupplierContactFactory(supplier=relation, topic="orders", email="Kundtjanst@lyreco.example")
    SupplierContactFactory(supplier=relation, topic="agreement", email="avtal@lyreco.example")
    SupplierContactFactory(supplier=relation, topic="agreement", email="avtal@lyreco.example")
    assert recipients(relation, "new_orders") == ["kundtjanst@lyreco.example"]
    assert recipients(relation, Topic.DISPUTES) == ["avtal@lyreco.example"]


def test_recipients_honour_each_contacts_choices(supplier):
    _org, first, _second, relation = supplier
    orders = SupplierContactFactory(supplier=relation, topic="orders", email="order-team@lyreco.example")
    agreement = SupplierContactFactory(supplier=relation, topic="agreement", email="avtal@lyreco.example")
    ecommerce = SupplierContactFactory(supplier=relation, topic="ecommerce", email="ehandel@lyreco.example")
    services.relation_notifications_set(
        actor=first,
        relation=relation,
        chosen={orders.pk: ["new_orders"], ecommerce.pk: ["order_changes", "payments"]},
    )
    assert recipients(relation, Topic.NEW_ORDERS) == ["order-team@lyreco.example"]
    assert recipients(relation, Topic.ORDER_CHANGES) == ["ehandel@lyreco.example"]
    assert recipients(relation, Topic.PAYMENTS) == ["ehandel@lyreco.example"]
    assert recipients(relation, Topic.DISPUTES) == []  # chosen by nobody: no fallback to the order e-mail
    assert agreement.pk not in {
        c.contact_id for c in ContactNotification.objects.filter(enabled=True, contact__supplier=relation)
    }


def test_opting_everyone_out_of_orders_stops_the_order_email_fallback(supplier):
    _org, first, _second, relation = supplier
    relation.connection = "portal"  # an e-mail supplier has no fallback for new orders at all
    contact = SupplierContactFactory(supplier=relation, topic="orders", email="")
    assert recipients(relation, Topic.NEW_ORDERS) == ["order@lyreco.example"]
    services.relation_notifications_set(actor=first, relation=relation, chosen={contact.pk: []})
    assert recipients(relation, Topic.NEW_ORDERS) == []


def test_choices_for_another_relations_contact_are_refused(supplier):
    _org, first, _second, relation = supplier
    stranger = SupplierContactFactory()
    with pytest.raises(DomainError) as caught:
        services.relation_notifications_set(
            actor=first, relation=relation, chosen={stranger.pk: ["payments"]}
        )
    assert caught.value.code == "validation"
    assert not ContactNotification.objects.exists()


def test_notify_mails_the_chosen_contact_through_smtp(
    supplier, smtp_server, django_capture_on_commit_callbacks
):
    _org, first, _second, relation = supplier
    orders = SupplierContactFactory(supplier=relation, topic="orders", email="order-team@lyreco.example")
    agreement = SupplierContactFactory(supplier=relation, topic="agreement", email="avtal@lyreco.example")
    services.relation_notifications_set(
        actor=first, relation=relation, chosen={orders.pk: ["payments"], agreement.pk: []}
    )
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        queued = notify(relation=relation, topic=Topic.PAYMENTS, subject="Betalning 2026-11-30", body="Hej!")
    assert queued == 1
    assert [m["To"] for m in smtp_server.messages] == ["order-team@lyreco.example"]
    assert smtp_server.messages[0]["Subject"] == "Betalning 2026-11-30"
    assert OutboxMessage.objects.get().status == "sent"


def test_bank_change_confirmed_mails_the_buyers_ap_clerks_through_smtp(
    supplier, make_member, smtp_server, django_capture_on_commit_callbacks
):
    organisation, first, second, relation = supplier
    make_member(Role.AP_CLERK, organisation=relation.buyer, email="ap@osterlen.example")
    make_member(Role.COORDINATOR, organisation=relation.buyer, email="samordnare@osterlen.example")
    other_buyer = SupplierFactory(organisation=organisation).buyer
    make_member(Role.ADMIN, organisation=other_buyer, email="admin@kustmiljo.example")  # no AP clerk there
    with django_capture_on_commit_callbacks(execute=True):
        proposal = services.bank_change_propose(
            actor=first,
            organisation=organisation,
            kind="bankgiro",
            number="5402-9681",
            base_url="https://avrop.test/",
        )
    assert [m["To"] for m in smtp_server.messages] == ["admin@lyreco.example"]
    assert "https://avrop.test/portal/bank-details/" in smtp_server.messages[0].get_content()
    with django_capture_on_commit_callbacks(execute=True):
        services.bank_change_confirm(actor=second, proposal_id=proposal.pk, base_url="https://avrop.test/")
    to_buyers = sorted(m["To"] for m in smtp_server.messages[1:])
    assert to_buyers == ["admin@kustmiljo.example", "ap@osterlen.example"]
    body = next(m for m in smtp_server.messages if m["To"] == "ap@osterlen.example").get_content()
    assert "5402-9681" in body and f"https://avrop.test/suppliers/{relation.pk}/" in body


def test_proposer_cannot_confirm_and_a_decided_proposal_stays_decided(supplier):
    organisation, first, second, _relation = supplier
    proposal = services.bank_change_propose(
        actor=first, organisation=organisation, kind="bankgiro", number="5402-9681"
    )
    with pytest.raises(NotAllowed) as caught:
        services.bank_change_confirm(actor=first, proposal_id=proposal.pk)
    assert caught.value.code == "bank_change_same_person"
    assert not BankAccount.objects.exists()
    services.bank_change_confirm(actor=second, proposal_id=proposal.pk)
    with pytest.raises(InvalidTransition):
        services.bank_change_withdraw(actor=first, proposal_id=proposal.pk)
    with pytest.raises(InvalidTransition):
        services.bank_change_confirm(actor=second, proposal_id=proposal.pk)
    assert BankAccount.objects.filter(status="unverified").count() == 1


def test_one_pending_proposal_at_a_time(supplier):
    organisation, first, second, _relation = supplier
    services.bank_change_propose(actor=first, organisation=organisation, kind="bankgiro", number="5402-9681")
    with pytest.raises(DomainError) as caught:
        services.bank_change_propose(
            actor=second, organisation=organisation, kind="plusgiro", number="4789-4"
        )
    assert caught.value.code == "bank_change_pending"
    assert BankChangeProposal.objects.count() == 1


def test_iban_needs_a_valid_bic_and_is_stored_compact(supplier):
    organisation, first, _second, _relation = supplier
    with pytest.raises(DomainError) as caught:
        services.bank_change_propose(
            actor=first, organisation=organisation, kind="iban", number="SE45 5000 0000 0583 9825 7466"
        )
    assert caught.value.field == "bic"
    with pytest.raises(DomainError) as caught:
        services.bank_change_propose(
            actor=first, organisation=organisation, kind="bankgiro", number="5402-968"
        )
    assert caught.value.field == "number"
    proposal = services.bank_change_propose(
        actor=first,
        organisation=organisation,
        kind="iban",
        number="SE45 5000 0000 0583 9825 7466",
        bic="essesess",
    )
    assert (proposal.number, proposal.bic) == ("SE4550000000058398257466", "ESSESESS")


def test_people_outside_the_supplier_cannot_act(supplier, make_member):
    organisation, first, _second, relation = supplier
    buyer_clerk, _ = make_member(Role.AP_CLERK, organisation=relation.buyer)
    rival, _ = make_member(Role.SUPPLIER_USER, organisation=OrganisationFactory(kind="supplier"))
    requisitioner_at_supplier, _ = make_member(Role.REQUISITIONER, organisation=organisation)
    for outsider in (buyer_clerk, rival):
        with pytest.raises(NotFound):
            services.bank_change_propose(
                actor=outsider, organisation=organisation, kind="bankgiro", number="5402-9681"
            )
        with pytest.raises(NotFound):
            services.relation_contact_add(actor=outsider, relation=relation, topic="orders", name="X")
    with pytest.raises(NotAllowed):
        services.bank_change_propose(
            actor=requisitioner_at_supplier, organisation=organisation, kind="bankgiro", number="5402-9681"
        )
    proposal = services.bank_change_propose(
        actor=first, organisation=organisation, kind="bankgiro", number="5402-9681"
    )
    with pytest.raises(NotFound):
        services.bank_change_confirm(actor=rival, proposal_id=proposal.pk)
    assert BankChangeProposal.objects.get().status == "pending"


def test_confirmation_skips_inactive_relations_and_unchanged_accounts(supplier, make_member):
    organisation, first, second, relation = supplier
    make_member(Role.AP_CLERK, organisation=relation.buyer, email="ap@osterlen.example")
    ended = SupplierFactory(organisation=organisation, is_active=False)
    same = SupplierFactory(organisation=organisation)
    make_member(Role.AP_CLERK, organisation=same.buyer, email="ap@same.example")
    bank_account_register(actor=None, supplier=same, kind="bankgiro", number="5402-9681")
    proposal = services.bank_change_propose(
        actor=first, organisation=organisation, kind="bankgiro", number="5402-9681"
    )
    services.bank_change_confirm(actor=second, proposal_id=proposal.pk)
    assert not BankAccount.objects.filter(supplier=ended).exists()
    assert BankAccount.objects.filter(supplier=same).count() == 1  # already current: nothing new, no alert
    assert BankAccount.objects.get(supplier=relation).registered_by == second
    alerts = OutboxMessage.objects.exclude(organisation=organisation).values_list("recipient", flat=True)
    assert list(alerts) == ["ap@osterlen.example"]


def test_no_customers_no_proposal(make_member):
    organisation = OrganisationFactory(kind="supplier")
    person, _ = make_member(Role.SUPPLIER_USER, organisation=organisation)
    with pytest.raises(DomainError) as caught:
        services.bank_change_propose(
            actor=person, organisation=organisation, kind="bankgiro", number="5402-9681"
        )
    assert caught.value.code == "bank_change_no_customers"


def test_ended_relation_cannot_be_edited_from_the_portal(supplier):
    _organisation, first, _second, relation = supplier
    relation.is_active = False
    relation.save()
    with pytest.raises(NotAllowed):
        services.relation_contact_add(actor=first, relation=relation, topic="orders", name="X")


def test_saving_the_defaults_is_audited_once_and_a_repeat_writes_nothing(supplier):
    from avrop.core.models import AuditEvent

    _org, first, _second, relation = supplier
    contact = SupplierContactFactory(supplier=relation, topic="orders", email="order-team@lyreco.example")
    defaults = {contact.pk: ["new_orders", "order_changes"]}
    services.relation_notifications_set(actor=first, relation=relation, chosen=defaults)
    assert ContactNotification.objects.filter(contact=contact).count() == 4
    assert AuditEvent.objects.filter(action="contact_notification.set").count() == 1
    services.relation_notifications_set(actor=first, relation=relation, chosen=defaults)
    assert AuditEvent.objects.filter(action="contact_notification.set").count() == 1
    assert recipients(relation, Topic.NEW_ORDERS) == ["order-team@lyreco.example"]
