import pytest
from django.urls import reverse

from avrop.organisations.roles import Role

pytestmark = pytest.mark.django_db


def test_supplier_user_sees_the_portal_start_with_its_customers(client, make_member):
    from avrop.organisations.tests.factories import OrganisationFactory
    from avrop.suppliers.models import Supplier

    supplier_org = OrganisationFactory(kind="supplier", name="Kontorsgrossisten AB")
    user, _org = make_member(Role.SUPPLIER_USER, organisation=supplier_org)
    buyer = OrganisationFactory(name="Österlens kommun")
    Supplier.objects.create(buyer=buyer, organisation=supplier_org)
    client.force_login(user)
    response = client.get(reverse("portal:start"))
    assert response.status_code == 200
    assert "Österlens kommun" in response.content.decode()


def test_buyer_user_is_refused_the_portal(client, make_member):
    user, _org = make_member(Role.ADMIN)
    client.force_login(user)
    assert client.get(reverse("portal:start")).status_code == 403


def test_portal_start_links_every_area_and_shows_the_work_waiting(client, make_member):
    from avrop.organisations.tests.factories import OrganisationFactory
    from avrop.suppliers.models import Supplier

    supplier_org = OrganisationFactory(kind="supplier", name="Kontorsgrossisten AB")
    user, _org = make_member(Role.SPOC, organisation=supplier_org)
    relation = Supplier.objects.create(
        buyer=OrganisationFactory(name="Österlens kommun"), organisation=supplier_org
    )
    client.force_login(user)
    html = client.get(reverse("portal:start")).content.decode()
    for name in ("orders", "invoices", "catalogue", "customers", "bank_details", "order_on_behalf"):
        assert f'href="{reverse(f"portal:{name}")}"' in html, name
    assert reverse("portal:customer", args=[relation.pk]) in html
