"""Fixtures for the organisations tests: an organisation with a chart, cost centres and people."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from avrop.organisations.models import Account, Chart, Dimension, DimensionObject, Organisation, User
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import (
    AccountFactory,
    ChartFactory,
    DimensionFactory,
    DimensionObjectFactory,
    MembershipFactory,
    UserFactory,
)


@dataclass
class Tenant:
    organisation: Organisation
    coordinator: User
    chart: Chart
    cost_centre: Dimension
    project: Dimension
    kitchen: DimensionObject  # cost centre 1200
    school: DimensionObject  # cost centre 1300
    food: Account  # 5410
    office: Account  # 6110

    def person(self, role: str = Role.REQUISITIONER, **fields: object) -> User:
        user = UserFactory.create(**fields)
        MembershipFactory.create(user=user, organisation=self.organisation, role=role)
        return user


def build_tenant(make_member) -> Tenant:  # noqa: ANN001
    coordinator, organisation = make_member(Role.COORDINATOR)
    chart = ChartFactory.create(owner=organisation, name=f"Kommun-Bas {organisation.pk}")
    organisation.chart = chart
    organisation.save(update_fields=["chart"])
    cost_centre = DimensionFactory.create(
        chart=chart, is_required=True, required_from_account="3000", required_to_account="8999"
    )
    project = DimensionFactory.create(
        chart=chart, number=6, code="project", name="Projekt", kind=Dimension.Kind.PROJECT
    )
    return Tenant(
        organisation=organisation,
        coordinator=coordinator,
        chart=chart,
        cost_centre=cost_centre,
        project=project,
        kitchen=DimensionObjectFactory.create(dimension=cost_centre, code="1200", name="Solgårdens kök"),
        school=DimensionObjectFactory.create(dimension=cost_centre, code="1300", name="Österportskolan"),
        food=AccountFactory.create(chart=chart, number="5410", name="Livsmedel"),
        office=AccountFactory.create(chart=chart, number="6110", name="Kontorsmaterial"),
    )


@pytest.fixture
def tenant(make_member) -> Tenant:
    return build_tenant(make_member)


@pytest.fixture
def other_tenant(make_member) -> Tenant:
    return build_tenant(make_member)
