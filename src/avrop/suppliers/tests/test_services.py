import datetime as dt

import pytest
from django.utils import timezone, translation

from avrop.core.errors import DomainError, InvalidTransition, NotAllowed, NotFound
from avrop.core.models import AuditEvent, OutboxMessage
from avrop.organisations.models import Membership, Organisation
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import DepartmentFactory, MembershipFactory, OrganisationFactory
from avrop.suppliers import services
from avrop.suppliers.models import BankAccount, PortalInvitation, SupplierContact
from avrop.suppliers.tests.factories import SupplierContactFactory, SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def coordinator(make_member):
    return make_member(Role.COORDINATOR)


def test_register_creates_the_supplier_organisation_and_relation(coordinator):
    user, buyer = coordinator
    supplier = services.supplier_register(
        actor=user,
        buyer=buyer,
        name="Nya Städ AB",
        org_number="5560123456",
        vat_number="SE556012345601",
        peppol_id="0007:5560123456",
        connection="peppol",
    )
    assert supplier.buyer == buyer
    assert supplier.organisation.org_number == "556012-3456"
    assert supplier.organisation.kind == Organisation.Kind.SUPPLIER
    assert AuditEvent.objects.filter(action="supplier.connect", organisation=buyer).exists()


def test_register_reuses_a_known_supplier_organisation(coordinator, make_member):
    user, buyer = coordinator
    known = OrganisationFactory(kind=Organisation.Kind.SUPPLIER, name="Känd AB")
    supplier = services.supplier_register(
        actor=user,
        buyer=buyer,
        name="ignored",
        org_number=known.org_number,
        connection="email",
        order_email="order@kand.example",
    )
    assert supplier.organisation == known
    with pytest.raises(DomainError) as exc:
        services.supplier_register(
            actor=user,
            buyer=buyer,
            name="x",
            org_number=known.org_number,
            connection="email",
            order_email="order@kand.example",
        )
    assert exc.value.code == "supplier_already_connected" and exc.value.field == "org_number"


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"org_number": "556012-3457"}, "org_number", "Luhn"),
        ({"vat_number": "SE556012345602"}, "vat_number", "VAT number"),
        ({"peppol_id": "0007:5560123457"}, "peppol_id", "Swedish organisation number"),
        ({"connection": "peppol", "peppol_id": ""}, "connection", "Peppol id"),
        ({"connection": "email", "order_email": ""}, "order_email", "e-mail address for orders"),
    ],
)
def test_register_rejects_bad_identifiers_with_the_field(coordinator, fields, field, text):
    user, buyer = coordinator
    data = {"name": "Fel AB", "org_number": "5560123456", "connection": "portal", **fields}
    with pytest.raises(DomainError) as exc:
        services.supplier_register(actor=user, buyer=buyer, **data)
    assert exc.value.field == field
    assert text in exc.value.message


def test_register_refuses_a_buyer_organisation_number(coordinator):
    user, buyer = coordinator
    other_buyer = OrganisationFactory()
    with pytest.raises(DomainError, match="not a supplier"):
        services.supplier_register(
            actor=user, buyer=buyer, name="x", org_number=other_buyer.org_number, connection="portal"
        )


def test_only_master_data_roles_register_suppliers(make_member):
    user, buyer = make_member(Role.REQUISITIONER)
    with pytest.raises(NotAllowed):
        services.supplier_register(
            actor=user, buyer=buyer, name="x", org_number="5560123456", connection="portal"
        )


def test_contact_add_update_remove_are_audited(coordinator):
    user, buyer = coordinator
    supplier = SupplierFactory(buyer=buyer)
    contact = services.supplier_contact_add(
        actor=user,
        supplier=supplier,
        topic=SupplierContact.Topic.AGREEMENT,
        name="Maria Avtal",
        email="maria@s.example",
    )
    services.supplier_contact_update(
        actor=user,
        contact_id=contact.pk,
        topic=SupplierContact.Topic.ECOMMERCE,
        name="Maria Ehandel",
        email="maria@s.example",
        phone="010-1",
    )
    contact.refresh_from_db()
    assert (contact.topic, contact.name) == ("ecommerce", "Maria Ehandel")
    services.supplier_contact_remove(actor=user, contact_id=contact.pk)
    assert not SupplierContact.objects.exists()
    actions = list(
        AuditEvent.objects.filter(object_type="suppliers.suppliercontact").values_list("action", flat=True)
    )
    assert sorted(actions) == ["supplier_contact.add", "supplier_contact.remove", "supplier_contact.update"]
    with pytest.raises(DomainError):
        services.supplier_contact_add(actor=user, supplier=supplier, topic="invoices", name="x")


def test_contacts_of_another_buyer_cannot_be_changed(two_tenants):
    (user_a, _org_a), (_user_b, org_b) = two_tenants
    theirs = SupplierContactFactory(supplier=SupplierFactory(buyer=org_b))
    with pytest.raises(NotFound):
        services.supplier_contact_remove(actor=user_a, contact_id=theirs.pk)


def test_customer_number_set_change_and_clear(coordinator):
    user, buyer = coordinator
    supplier = SupplierFactory(buyer=buyer)
    department = DepartmentFactory(organisation=buyer)
    services.customer_number_set(actor=user, supplier=supplier, department=department, number="K-1")
    services.customer_number_set(
        actor=user, supplier=supplier, department=department, number="K-1"
    )  # no change
    services.customer_number_set(actor=user, supplier=supplier, department=department, number="K-2")
    assert supplier.customer_numbers.get().number == "K-2"
    assert (
        services.customer_number_set(actor=user, supplier=supplier, department=department, number=" ") is None
    )
    assert not supplier.customer_numbers.exists()
    actions = list(
        AuditEvent.objects.filter(object_type="suppliers.customernumber").values_list("action", flat=True)
    )
    assert sorted(actions) == ["customer_number.remove", "customer_number.set", "customer_number.set"]
    with pytest.raises(DomainError, match="another organisation"):
        services.customer_number_set(
            actor=user, supplier=supplier, department=DepartmentFactory(), number="X"
        )


# --- bank details -----------------------------------------------------------------------------------------


def test_bank_change_retires_the_old_account_and_is_flagged(coordinator):
    user, buyer = coordinator
    supplier = SupplierFactory(buyer=buyer)
    first = services.bank_account_register(actor=user, supplier=supplier, kind="bankgiro", number="5050-1055")
    assert first.status == BankAccount.Status.UNVERIFIED and first.number == "50501055"
    second = services.bank_account_register(actor=user, supplier=supplier, kind="bankgiro", number="505-1057")
    first.refresh_from_db()
    assert first.status == BankAccount.Status.RETIRED and first.retired_by == user
    assert second.status == BankAccount.Status.UNVERIFIED
    event = AuditEvent.objects.filter(action="bank_account.change", object_id=str(second.pk)).get()
    assert event.before["number"] == "50501055" and event.after["number"] == "5051057"
    assert "verify" in event.comment
    # Registering the same details again changes nothing.
    assert (
        services.bank_account_register(actor=user, supplier=supplier, kind="bankgiro", number="5051057")
        == second
    )


@pytest.mark.parametrize(
    ("kind", "number", "bic", "field", "check"),
    [
        ("bankgiro", "5050-1056", "", "number", "Luhn mod-10"),
        ("plusgiro", "489188", "", "number", "Luhn mod-10"),
        ("iban", "SE45 5000 0000 0583 9825 7467", "ESSESESS", "number", "mod-97"),
        ("iban", "SE45 5000 0000 0583 9825 7466", "", "bic", "BIC"),
        ("iban", "SE45 5000 0000 0583 9825 7466", "ESSE", "bic", "ISO 9362"),
        ("bankgiro", "5050-1055", "ESSESESS", "bic", "only with an IBAN"),
        ("swish", "123", "", "kind", "Unknown"),
    ],
)
def test_bank_details_are_checked(coordinator, kind, number, bic, field, check):
    user, buyer = coordinator
    with pytest.raises(DomainError) as exc:
        services.bank_account_register(
            actor=user, supplier=SupplierFactory(buyer=buyer), kind=kind, number=number, bic=bic
        )
    assert exc.value.field == field and check in exc.value.message


def test_verification_needs_a_second_person(coordinator, make_member):
    user, buyer = coordinator
    clerk, _ = make_member(Role.AP_CLERK, organisation=buyer)
    account = services.bank_account_register(
        actor=user,
        supplier=SupplierFactory(buyer=buyer),
        kind="iban",
        number="SE4550000000058398257466",
        bic="ESSESESS",
    )
    with pytest.raises(NotAllowed) as exc:
        services.bank_account_verify(actor=user, account_id=account.pk, note="called")
    assert exc.value.code == "bank_account_same_person"
    with pytest.raises(DomainError):
        services.bank_account_verify(actor=clerk, account_id=account.pk, note=" ")
    services.bank_account_verify(actor=clerk, account_id=account.pk, note="Called switchboard 010-100 00 00")
    account.refresh_from_db()
    assert account.status == "verified" and account.verified_by == clerk
    with pytest.raises(InvalidTransition):
        services.bank_account_verify(actor=clerk, account_id=account.pk, note="again")
    services.bank_account_retire(actor=clerk, account_id=account.pk)
    with pytest.raises(InvalidTransition):
        services.bank_account_retire(actor=clerk, account_id=account.pk)


def test_requisitioners_do_not_touch_bank_details(make_member):
    user, buyer = make_member(Role.REQUISITIONER)
    with pytest.raises(NotAllowed):
        services.bank_account_register(
            actor=user, supplier=SupplierFactory(buyer=buyer), kind="bankgiro", number="5050-1055"
        )


# --- portal invitations -----------------------------------------------------------------------------------


def _invite(coordinator, **kwargs):
    user, buyer = coordinator
    supplier = kwargs.pop("supplier", None) or SupplierFactory(buyer=buyer)
    return services.portal_invitation_send(
        actor=user,
        supplier=supplier,
        email="anna@supplier.example",
        base_url="https://avrop.example/",
        **kwargs,
    )


def test_invitation_mail_carries_a_single_use_link(
    coordinator, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, key = _invite(coordinator)
    assert invitation.token_hash != key and key not in invitation.token_hash
    message = OutboxMessage.objects.get()
    assert message.recipient == "anna@supplier.example"
    assert f"https://avrop.example/suppliers/invitation/{key}/" in message.body
    assert len(mailoutbox) == 1 and key in mailoutbox[0].body

    user = services.portal_invitation_accept(
        key=key, username="anna", password="a-long-pass-phrase-7", first_name="Anna", last_name="Lev"
    )
    assert user.check_password("a-long-pass-phrase-7") and user.email == "anna@supplier.example"
    membership = Membership.objects.get(user=user)
    assert (
        membership.organisation == invitation.supplier.organisation and membership.role == Role.SUPPLIER_USER
    )
    invitation.refresh_from_db()
    assert invitation.status == PortalInvitation.Status.ACCEPTED and invitation.accepted_by == user

    with pytest.raises(DomainError) as exc:
        services.portal_invitation_accept(key=key, username="anna2", password="a-long-pass-phrase-7")
    assert exc.value.code == "invitation_used"


def test_expired_revoked_and_unknown_links(coordinator):
    invitation, key = _invite(coordinator)
    PortalInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with pytest.raises(DomainError) as exc:
        services.portal_invitation_accept(key=key, username="anna", password="a-long-pass-phrase-7")
    assert exc.value.code == "invitation_expired"

    other, other_key = _invite(coordinator)
    services.portal_invitation_revoke(actor=coordinator[0], invitation_id=other.pk)
    with pytest.raises(DomainError) as exc:
        services.portal_invitation_by_key(key=other_key)
    assert exc.value.code == "invitation_revoked"
    with pytest.raises(InvalidTransition):
        services.portal_invitation_revoke(actor=coordinator[0], invitation_id=other.pk)
    with pytest.raises(NotFound):
        services.portal_invitation_by_key(key="not-a-key")


def test_accept_checks_password_and_user_name(coordinator, make_member):
    _invitation, key = _invite(coordinator)
    with pytest.raises(DomainError) as exc:
        services.portal_invitation_accept(key=key, username="anna", password="12345678901")
    assert exc.value.field == "password1"
    taken, _ = make_member(Role.REQUISITIONER)
    with pytest.raises(DomainError) as exc:
        services.portal_invitation_accept(key=key, username=taken.username, password="a-long-pass-phrase-7")
    assert exc.value.field == "username"
    # The failed attempts did not use up the link.
    assert services.portal_invitation_by_key(key=key).status == "pending"


def test_service_partner_gets_the_service_partner_role(coordinator):
    user, buyer = coordinator
    partner = OrganisationFactory(kind=Organisation.Kind.SERVICE_PARTNER)
    _invitation, key = _invite(coordinator, supplier=SupplierFactory(buyer=buyer, organisation=partner))
    person = services.portal_invitation_accept(key=key, username="hans", password="a-long-pass-phrase-7")
    assert Membership.objects.get(user=person).role == Role.SERVICE_PARTNER


def test_only_coordinators_invite(make_member):
    user, buyer = make_member(Role.PROCUREMENT_OFFICER)
    MembershipFactory(user=user, organisation=buyer, role=Role.REQUISITIONER)
    with pytest.raises(NotAllowed):
        services.portal_invitation_send(
            actor=user, supplier=SupplierFactory(buyer=buyer), email="a@b.example", base_url="http://x/"
        )
