import pytest
from django.urls import reverse

from avrop.core.errors import NotFound
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, UserFactory
from avrop.suppliers.selectors import supplier_get, supplier_list
from avrop.suppliers.tests.factories import CustomerNumberFactory, SupplierContactFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def test_buyer_sees_only_its_supplier_relations(client, two_tenants):
    (user_a, org_a), (_user_b, org_b) = two_tenants
    own = SupplierFactory(buyer=org_a)
    foreign = SupplierFactory(buyer=org_b)
    assert list(supplier_list(user=user_a, organisation=org_a)) == [own]
    with pytest.raises(NotFound):
        supplier_get(user=user_a, organisation=org_a, supplier_id=foreign.pk)
    client.force_login(user_a)
    assert client.get(reverse("suppliers:detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("suppliers:detail", args=[foreign.pk])).status_code == 404


def test_contacts_and_customer_numbers_of_another_buyer_stay_hidden(client, two_tenants):
    (user_a, org_a), (_user_b, org_b) = two_tenants
    shared_supplier_org = SupplierFactory(buyer=org_a).organisation
    theirs = SupplierFactory(buyer=org_b, organisation=shared_supplier_org)
    SupplierContactFactory(supplier=theirs, name="Hemlig Kontakt")
    CustomerNumberFactory(supplier=theirs, number="SECRET-42")
    ours = shared_supplier_org.customer_relations.get(buyer=org_a)
    client.force_login(user_a)
    html = client.get(reverse("suppliers:detail", args=[ours.pk])).content.decode()
    assert "Hemlig Kontakt" not in html and "SECRET-42" not in html
    assert client.get(reverse("suppliers:detail", args=[theirs.pk])).status_code == 404


def test_supplier_user_sees_its_customers_but_not_other_suppliers(client, make_member):
    relation = SupplierFactory()
    other = SupplierFactory(buyer=relation.buyer)
    supplier_user = UserFactory()
    MembershipFactory(user=supplier_user, organisation=relation.organisation, role=Role.SUPPLIER_USER)
    assert list(supplier_list(user=supplier_user, organisation=relation.organisation)) == [relation]
    client.force_login(supplier_user)
    assert client.get(reverse("suppliers:detail", args=[relation.pk])).status_code == 200
    assert client.get(reverse("suppliers:detail", args=[other.pk])).status_code == 404
    # A supplier user has no business in the buyer's department pages.
    assert client.get(reverse("organisations:departments")).status_code == 200
    assert relation.buyer.name not in client.get(reverse("organisations:departments")).content.decode()
