import pytest

from avrop.core.tokens import api_token_create
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import DepartmentFactory, MembershipFactory, UserFactory
from avrop.suppliers import services
from avrop.suppliers.tests.factories import SupplierContactFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def _headers(user, organisation):
    _token, key = api_token_create(actor=user, user=user, organisation=organisation, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_suppliers_contacts_and_customer_numbers(client, two_tenants):
    (user_a, org_a), (user_b, org_b) = two_tenants
    own = SupplierFactory(buyer=org_a)
    foreign = SupplierFactory(buyer=org_b)
    foreign_contact = SupplierContactFactory(supplier=foreign)
    headers = _headers(user_a, org_a)

    assert [s["id"] for s in client.get("/api/suppliers/", **headers).json()] == [own.pk]
    assert client.get(f"/api/suppliers/{foreign.pk}", **headers).status_code == 404

    response = client.post(
        f"/api/suppliers/{own.pk}/contacts",
        {"topic": "agreement", "name": "Maria"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201
    contact_id = response.json()["id"]
    response = client.put(
        f"/api/suppliers/contacts/{contact_id}",
        {"topic": "orders", "name": "Maria", "email": "not-an-address"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 400 and response.json()["field"] == "email"
    client.put(
        f"/api/suppliers/contacts/{contact_id}",
        {"topic": "orders", "name": "Maria O"},
        content_type="application/json",
        **headers,
    )
    assert client.get(f"/api/suppliers/{own.pk}/contacts", **headers).json()[0]["name"] == "Maria O"
    assert client.delete(f"/api/suppliers/contacts/{foreign_contact.pk}", **headers).status_code == 404
    assert (
        client.post(
            f"/api/suppliers/{foreign.pk}/contacts",
            {"topic": "orders", "name": "x"},
            content_type="application/json",
            **headers,
        ).status_code
        == 404
    )
    assert client.delete(f"/api/suppliers/contacts/{contact_id}", **headers).status_code == 204

    department = DepartmentFactory(organisation=org_a, name="Köket")
    numbers = client.put(
        f"/api/suppliers/{own.pk}/customer-numbers",
        {"department_id": department.pk, "number": "K-1"},
        content_type="application/json",
        **headers,
    ).json()
    assert numbers == [{"department_id": department.pk, "department_name": "Köket", "number": "K-1"}]
    foreign_department = DepartmentFactory(organisation=org_b)
    assert (
        client.put(
            f"/api/suppliers/{own.pk}/customer-numbers",
            {"department_id": foreign_department.pk, "number": "K-1"},
            content_type="application/json",
            **headers,
        ).status_code
        == 404
    )


def test_bank_accounts_are_read_only_and_need_a_role(client, make_member):
    coordinator, organisation = make_member(Role.COORDINATOR)
    supplier = SupplierFactory(buyer=organisation)
    services.bank_account_register(actor=coordinator, supplier=supplier, kind="bankgiro", number="5050-1055")
    rows = client.get(
        f"/api/suppliers/{supplier.pk}/bank-accounts", **_headers(coordinator, organisation)
    ).json()
    assert rows[0]["display_number"] == "5050-1055" and rows[0]["status"] == "unverified"
    requisitioner, _ = make_member(Role.REQUISITIONER, organisation=organisation)
    response = client.get(
        f"/api/suppliers/{supplier.pk}/bank-accounts", **_headers(requisitioner, organisation)
    )
    assert response.status_code == 403
    # The supplier's own users do not read the buyer's payment register.
    person = UserFactory()
    MembershipFactory(user=person, organisation=supplier.organisation, role=Role.ADMIN)
    headers = _headers(person, supplier.organisation)
    assert client.get(f"/api/suppliers/{supplier.pk}", **headers).status_code == 200
    assert client.get(f"/api/suppliers/{supplier.pk}/bank-accounts", **headers).status_code == 404
