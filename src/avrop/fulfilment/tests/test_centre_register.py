"""The coordinator's register of distribution centres: a centre with its routes (suppliers, categories) and
delivery days per department is created and changed through the form; another organisation's suppliers,
departments and centres are never shown nor accepted; only the coordinator and the administrator keep it."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.fulfilment import services
from avrop.fulfilment.models import DistributionCentre, DistributionDay, DistributionRoute
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from avrop.suppliers.models import Supplier

pytestmark = pytest.mark.django_db

NEW = "/fulfilment/centres/register/new/"
REGISTER = "/fulfilment/centres/register/"


def _form(world, **changes):
    data = {
        "name": "DC Tomelilla",
        "gln": "7350000000016",
        "street": "Industrigatan 4",
        "postal_code": "273 35",
        "city": "Tomelilla",
        "contact_name": "Dora Central",
        "is_active": "on",
        "suppliers": [str(world.email.pk)],
        "category_prefixes": "50, 5010",
        f"days_{world.department.pk}": ["1", "3"],
    }
    return data | changes


def _save(world, actor=None, **fields):
    values = {
        "actor": actor or world.coordinator,
        "organisation": world.buyer,
        "name": "DC",
        "street": "Gatan 1",
        "postal_code": "1",
        "city": "Ystad",
    }
    return services.distribution_centre_save(**(values | fields))


@pytest.fixture
def foreign(world):
    other = OrganisationFactory()
    supplier = Supplier.objects.create(buyer=other, organisation=world.email.organisation)
    department = DepartmentFactory(organisation=other)
    centre = DistributionCentre.objects.create(
        organisation=other, name="Elsewhere DC", street="x", postal_code="1", city="y"
    )
    coordinator = UserFactory()
    MembershipFactory(user=coordinator, organisation=other, role=Role.COORDINATOR)
    return type(
        "Foreign", (), {"supplier": supplier, "department": department, "centre": centre, "user": coordinator}
    )


def test_coordinator_registers_and_changes_a_centre_with_routes_and_days(world, client):
    client.force_login(world.coordinator)
    page = client.get(NEW).content.decode()
    assert '<label for="id_name">Name <span aria-hidden="true">*</span></label>' in page
    assert f"<legend>{world.department.name}</legend>" in page
    response = client.post(NEW, _form(world))
    assert response.status_code == 302 and response["Location"] == REGISTER
    centre = DistributionCentre.objects.get(organisation=world.buyer)
    assert (centre.name, centre.gln, centre.is_active) == ("DC Tomelilla", "7350000000016", True)
    assert sorted((r.supplier_id or 0, r.category_prefix) for r in centre.routes.all()) == [
        (0, "50"),
        (0, "5010"),
        (world.email.pk, ""),
    ]
    assert sorted(centre.days.values_list("department_id", "weekday")) == [
        (world.department.pk, 1),
        (world.department.pk, 3),
    ]
    edit = f"/fulfilment/centres/register/{centre.pk}/"
    page = client.get(edit).content.decode()
    assert 'value="DC Tomelilla"' in page and 'value="50, 5010"' in page
    response = client.post(
        edit,
        _form(world, name="DC Österlen", suppliers=[], category_prefixes="", is_active="")
        | {f"days_{world.department.pk}": ["0"]},
    )
    assert response.status_code == 302
    centre.refresh_from_db()
    assert centre.name == "DC Österlen" and not centre.is_active
    assert not DistributionRoute.objects.filter(centre=centre).exists()
    assert list(DistributionDay.objects.filter(centre=centre).values_list("weekday", flat=True)) == [0]
    assert "Monday" in client.get(REGISTER).content.decode()


def test_register_lists_centres_in_a_fixed_number_of_queries(world, client, foreign):
    _save(world, name="DC 1", supplier_ids=[world.email.pk], days={world.department.pk: [1]})
    client.force_login(world.coordinator)
    client.get(REGISTER)
    with CaptureQueriesContext(connection) as one:
        page = client.get(REGISTER).content.decode()
    assert "DC 1" in page and "Elsewhere DC" not in page
    for number in range(2, 7):
        _save(
            world,
            name=f"DC {number}",
            supplier_ids=[world.email.pk, world.peppol.pk],
            category_prefixes=["50"],
            days={world.department.pk: [0, 2, 4]},
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get(REGISTER).content.decode()
    assert len(re.findall(r'href="/fulfilment/centres/register/\d+/"', page)) == 6
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]


def test_another_organisations_supplier_department_and_centre_are_refused(world, client, foreign):
    client.force_login(world.coordinator)
    page = client.get(NEW).content.decode()
    assert f'name="suppliers" value="{foreign.supplier.pk}"' not in page
    assert f"<legend>{foreign.department.name}</legend>" not in page
    response = client.post(NEW, _form(world, suppliers=[str(foreign.supplier.pk)]))
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_suppliers_error"' in page and 'aria-describedby="id_suppliers_error"' in page
    assert "Choose suppliers your organisation buys from." in page
    assert not DistributionCentre.objects.filter(organisation=world.buyer).exists()
    with pytest.raises(DomainError) as error:
        _save(world, supplier_ids=[foreign.supplier.pk])
    assert error.value.field == "suppliers"
    with pytest.raises(DomainError) as error:
        _save(world, days={foreign.department.pk: [1]})
    assert error.value.field == "days"
    assert client.get(f"/fulfilment/centres/register/{foreign.centre.pk}/").status_code == 404
    assert client.post(f"/fulfilment/centres/register/{foreign.centre.pk}/", _form(world)).status_code == 404
    with pytest.raises(NotFound):
        _save(world, centre_id=foreign.centre.pk)
    foreign.centre.refresh_from_db()
    assert foreign.centre.name == "Elsewhere DC"


def test_bad_input_is_shown_at_its_field(world, client):
    client.force_login(world.coordinator)
    response = client.post(NEW, _form(world, name="", gln="7350000000018", category_prefixes="fruit"))
    page = response.content.decode()
    assert response.status_code == 400
    assert 'aria-invalid="true"' in page
    assert 'id="id_name_error"' in page and 'aria-describedby="id_name_error"' in page
    assert "GS1 check digit" in page
    _save(world, name="DC Tomelilla")
    response = client.post(NEW, _form(world, gln=""))
    assert response.status_code == 400
    assert "already has a distribution centre called DC Tomelilla" in response.content.decode()
    response = client.post(NEW, _form(world, name="DC 2", gln="", category_prefixes="fruit"))
    assert response.status_code == 400 and 'id="id_category_prefixes_error"' in response.content.decode()
    assert DistributionCentre.objects.filter(organisation=world.buyer).count() == 1


@pytest.mark.parametrize("role", [Role.REQUISITIONER, Role.GOODS_RECEIVER, Role.APPROVER])
def test_a_role_without_the_right_cannot_keep_the_register(world, client, role):
    centre = _save(world, name="DC Tomelilla")
    user = UserFactory()
    MembershipFactory(user=user, organisation=world.buyer, role=role, department=None)
    client.force_login(user)
    assert client.get(REGISTER).status_code == 403
    assert client.post(NEW, _form(world, name="DC 2")).status_code == 403
    assert client.post(f"/fulfilment/centres/register/{centre.pk}/", _form(world)).status_code == 403
    with pytest.raises(NotAllowed):
        _save(world, actor=user, name="DC 3")
    assert list(DistributionCentre.objects.values_list("name", flat=True)) == ["DC Tomelilla"]
