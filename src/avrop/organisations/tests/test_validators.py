"""Identifiers: each bad value gets a field-level message that names the check that failed."""

import pytest
from django.utils import translation

from avrop.core.errors import DomainError
from avrop.organisations import services
from avrop.organisations.models import Organisation
from avrop.organisations.tests.factories import _gln, _org_number

pytestmark = pytest.mark.django_db


def _wrong_last_digit(value: str) -> str:
    return value[:-1] + str((int(value[-1]) + 1) % 10)


def test_organisation_number_names_the_luhn_check():
    with translation.override("en"), pytest.raises(DomainError) as bad:
        services.organisation_create(
            actor=None,
            name="X",
            kind=Organisation.Kind.BUYER,
            org_number=_wrong_last_digit(_org_number(4711)),
        )
    assert bad.value.field == "org_number"
    assert "check digit" in bad.value.message and "Luhn" in bad.value.message


def test_department_gln_names_the_gs1_check_and_refuses_duplicates(tenant):
    with translation.override("en"):
        with pytest.raises(DomainError) as bad:
            services.department_create(
                actor=tenant.coordinator,
                organisation=tenant.organisation,
                name="A",
                gln=_wrong_last_digit(_gln(90000031)),
            )
        assert (bad.value.code, bad.value.field) == ("gln_invalid", "gln")
        assert "GS1 check digit" in bad.value.message
        services.department_create(
            actor=tenant.coordinator, organisation=tenant.organisation, name="B", gln=_gln(90000031)
        )
        with pytest.raises(DomainError) as taken:
            services.department_create(
                actor=tenant.coordinator, organisation=tenant.organisation, name="C", gln=_gln(90000031)
            )
        assert taken.value.code == "gln_taken"


def test_delivery_address_gln_is_checked(tenant):
    department = services.department_create(
        actor=tenant.coordinator, organisation=tenant.organisation, name="D"
    )
    with pytest.raises(DomainError) as bad:
        services.delivery_address_create(
            actor=tenant.coordinator,
            department=department,
            label="x",
            street="s",
            postal_code="1",
            city="c",
            gln="123",
        )
    assert bad.value.field == "gln"
    address = services.delivery_address_create(
        actor=tenant.coordinator,
        department=department,
        label="x",
        street="s",
        postal_code="1",
        city="c",
        gln=_gln(90000077),
    )
    with pytest.raises(DomainError):
        services.delivery_address_update(actor=tenant.coordinator, address_id=address.pk, gln="7359")
    services.delivery_address_update(
        actor=tenant.coordinator, address_id=address.pk, floor="3", is_default=True
    )
    address.refresh_from_db()
    assert address.floor == "3" and address.is_default
