"""A user of organisation A can neither read nor reach B's objects; guessed ids give 404, not 403."""

import pytest
from django.urls import reverse

from avrop.core.errors import NotFound
from avrop.organisations import selectors
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import DeliveryAddressFactory, DepartmentFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_organisation_selectors_are_scoped(two_tenants):
    (user_a, org_a), (_user_b, org_b) = two_tenants
    assert list(selectors.organisation_list(user=user_a)) == [org_a]
    with pytest.raises(NotFound):
        selectors.organisation_get(user=user_a, organisation_id=org_b.pk)
    # Asking for B's data while claiming B as the organisation is refused too.
    with pytest.raises(NotFound):
        selectors.department_list(user=user_a, organisation=org_b)


def test_department_of_another_tenant_is_not_found(client, two_tenants):
    (user_a, org_a), (_user_b, org_b) = two_tenants
    own = DepartmentFactory(organisation=org_a)
    foreign = DepartmentFactory(organisation=org_b)
    assert list(selectors.department_list(user=user_a, organisation=org_a)) == [own]
    with pytest.raises(NotFound):
        selectors.department_get(user=user_a, organisation=org_a, department_id=foreign.pk)
    client.force_login(user_a)
    assert client.get(reverse("organisations:department_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("organisations:department_detail", args=[foreign.pk])).status_code == 404
    assert foreign.name not in client.get(reverse("organisations:departments")).content.decode()


def test_delivery_address_of_another_tenant_is_invisible(client, two_tenants):
    (user_a, org_a), (_user_b, org_b) = two_tenants
    own = DeliveryAddressFactory(department=DepartmentFactory(organisation=org_a), label="Vår entré")
    foreign = DeliveryAddressFactory(department=DepartmentFactory(organisation=org_b), label="Deras entré")
    assert list(selectors.delivery_address_list(user=user_a, organisation=org_a)) == [own]
    client.force_login(user_a)
    html = client.get(reverse("organisations:department_detail", args=[own.department_id])).content.decode()
    assert "Vår entré" in html and "Deras entré" not in html
    assert (
        client.get(reverse("organisations:department_detail", args=[foreign.department_id])).status_code
        == 404
    )


def test_memberships_of_another_tenant_are_invisible(two_tenants):
    (user_a, org_a), (user_b, org_b) = two_tenants
    assert {m.user for m in selectors.member_list(user=user_a, organisation=org_a)} == {user_a}
    with pytest.raises(NotFound):
        selectors.member_list(user=user_a, organisation=org_b)


def test_deactivated_membership_loses_access(client, two_tenants):
    (user_a, org_a), _ = two_tenants
    department = DepartmentFactory(organisation=org_a)
    user_a.memberships.update(is_active=False)
    with pytest.raises(NotFound):
        selectors.department_get(user=user_a, organisation=org_a, department_id=department.pk)


def test_user_with_two_organisations_sees_only_the_active_ones_objects(client, make_member):
    user, first = make_member(Role.COORDINATOR)
    _other_user, second = make_member(Role.COORDINATOR)
    MembershipFactory(user=user, organisation=second, role=Role.COORDINATOR)
    in_second = DepartmentFactory(organisation=second)
    client.force_login(user)
    client.post(reverse("organisations:switch"), {"organisation": first.pk})
    assert client.get(reverse("organisations:department_detail", args=[in_second.pk])).status_code == 404
    client.post(reverse("organisations:switch"), {"organisation": second.pk})
    assert client.get(reverse("organisations:department_detail", args=[in_second.pk])).status_code == 200
