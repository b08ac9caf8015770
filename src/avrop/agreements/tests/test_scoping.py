import pytest
from django.urls import reverse

from avrop.agreements.selectors import agreement_get, agreement_list, agreements_expiring
from avrop.agreements.tests.factories import AgreementFactory
from avrop.core.errors import NotFound
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_agreements_are_scoped_to_owner_parties_and_supplier(client, two_tenants):
    (user_a, org_a), (user_b, org_b) = two_tenants
    own = AgreementFactory(owner=org_a)
    foreign = AgreementFactory(owner=org_b)
    shared = AgreementFactory(owner=org_b, parties=[org_a])
    assert set(agreement_list(user=user_a, organisation=org_a)) == {own, shared}
    with pytest.raises(NotFound):
        agreement_get(user=user_a, organisation=org_a, agreement_id=foreign.pk)
    client.force_login(user_a)
    assert client.get(reverse("agreements:detail", args=[shared.pk])).status_code == 200
    assert client.get(reverse("agreements:detail", args=[foreign.pk])).status_code == 404
    assert foreign.reference not in client.get(reverse("agreements:list")).content.decode()


def test_supplier_sees_the_agreements_it_delivers_under(two_tenants):
    (_user_a, org_a), _ = two_tenants
    agreement = AgreementFactory(owner=org_a)
    AgreementFactory(owner=org_a)  # another supplier's agreement
    supplier_user = UserFactory()
    MembershipFactory(user=supplier_user, organisation=agreement.supplier, role=Role.SUPPLIER_USER)
    assert list(agreement_list(user=supplier_user, organisation=agreement.supplier)) == [agreement]


def test_expiring_list(two_tenants):
    (user_a, org_a), _ = two_tenants
    import datetime as dt

    today = dt.date(2026, 11, 23)
    soon = AgreementFactory(owner=org_a, valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2027, 1, 31))
    AgreementFactory(owner=org_a, valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2027, 12, 31))
    AgreementFactory(owner=org_a, valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2026, 10, 1))  # ended
    assert list(agreements_expiring(user=user_a, organisation=org_a, within_days=90, today=today)) == [soon]
