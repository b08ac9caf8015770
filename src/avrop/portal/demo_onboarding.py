"""Demo data of portal onboarding for Lyreco Sverige AB (login ``supplier_user``, Fatima Lyreco):

- a department Österlens kommun opened recently, still without Lyreco's customer number;
- new bank details proposed by Lyreco's second portal user (login ``lyreco.ekonomi``, Mikael Lyreco), waiting
  for Fatima's confirmation;
- notification choices for the contacts of Lyreco's relation with the municipality.

Objects are found by natural keys (org.no, department name, user name), so a second run adds nothing.
"""

from __future__ import annotations

from typing import Any

from stdnum import luhn

from avrop.core.demo import DEMO_PASSWORD, gln, se_org_number
from avrop.organisations import services as organisation_services
from avrop.organisations.demo import MUNICIPALITY
from avrop.organisations.models import DeliveryAddress, Department, Organisation, User
from avrop.organisations.roles import Role
from avrop.suppliers.demo import NEW_DEPARTMENT
from avrop.suppliers.models import (
    BankChangeProposal,
    ContactNotification,
    NotificationTopic,
    Supplier,
    SupplierContact,
)
from avrop.suppliers.services import portal as services

LYRECO = se_org_number("556056789")
SECOND_USER = "lyreco.ekonomi"


def _new_department(municipality: Organisation) -> Department:
    department = Department.objects.filter(organisation=municipality, name=NEW_DEPARTMENT).first()
    if department is None:
        department = organisation_services.department_create(
            actor=None,
            organisation=municipality,
            name=NEW_DEPARTMENT,
            town="Ystad",
            gln=gln("735999100090"),
            code="FGB",
            invoice_street=municipality.street,
            invoice_postal_code=municipality.postal_code,
            invoice_city=municipality.city,
        )
    if not DeliveryAddress.objects.filter(department=department).exists():
        organisation_services.delivery_address_create(
            actor=None,
            department=department,
            label="Entré hamnen",
            street="Strandvägen 9",
            postal_code="271 39",
            city="Ystad",
            building="Fritidsgården",
            floor="1",
            room="Kontoret",
            contact_name="Amir Haddad",
            contact_phone="0411-57 75 40",
            delivery_days="Må–fr",
            opening_hours="09:00–16:00",
            is_default=True,
            gln=department.gln,
        )
    return department


def _second_user(lyreco: Organisation) -> User:
    user = User.objects.filter(username=SECOND_USER).first()
    if user is None:
        user = organisation_services.user_create(
            actor=None,
            username=SECOND_USER,
            password=DEMO_PASSWORD,
            first_name="Mikael",
            last_name="Lyreco",
            email="ekonomi@lyreco.example",
        )
        organisation_services.membership_grant(
            actor=None, user=user, organisation=lyreco, role=Role.SUPPLIER_USER
        )
    return user


def _pending_bank_change(lyreco: Organisation, proposer: User) -> None:
    if BankChangeProposal.objects.filter(organisation=lyreco).exists():
        return
    base = "5731122"
    services.bank_change_propose(
        actor=proposer,
        organisation=lyreco,
        kind="bankgiro",
        number=base + luhn.calc_check_digit(base),
        base_url="http://127.0.0.1:8000/",
    )


def _notification_choices(relation: Supplier, actor: User) -> None:
    if ContactNotification.objects.filter(contact__supplier=relation).exists():
        return
    wanted: dict[str, list[str]] = {
        SupplierContact.Topic.ORDERS: [NotificationTopic.NEW_ORDERS, NotificationTopic.ORDER_CHANGES],
        SupplierContact.Topic.ECOMMERCE: [NotificationTopic.ORDER_CHANGES, NotificationTopic.DISPUTES],
        SupplierContact.Topic.AGREEMENT: [NotificationTopic.DISPUTES, NotificationTopic.PAYMENTS],
    }
    chosen = {contact.pk: wanted.get(contact.topic, []) for contact in relation.contacts.all()}
    services.relation_notifications_set(actor=actor, relation=relation, chosen=chosen)


def load_late(stdout: Any) -> None:
    municipality = Organisation.objects.get(org_number=MUNICIPALITY)
    lyreco = Organisation.objects.get(org_number=LYRECO)
    relation = Supplier.objects.get(buyer=municipality, organisation=lyreco)
    fatima = User.objects.get(username="supplier_user")
    _new_department(municipality)
    _pending_bank_change(lyreco, _second_user(lyreco))
    _notification_choices(relation, fatima)
    stdout.write(
        f"portal onboarding: {BankChangeProposal.objects.filter(status='pending').count()} bank change(s) "
        f"waiting for confirmation, {ContactNotification.objects.count()} notification choices"
    )
