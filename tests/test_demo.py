"""`avrop demo` loads what the README promises, and a second run adds nothing."""

import io

import pytest
from django.apps import apps

from avrop.core.demo import DEMO_PASSWORD
from avrop.organisations.demo import DEMO_USERS
from avrop.organisations.models import Organisation, User
from avrop.organisations.roles import Role
from avrop.web.demo import load_all

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label in {"organisations", "suppliers", "agreements"}
    }


def test_demo_is_idempotent():
    load_all(io.StringIO())
    first = _counts()
    load_all(io.StringIO())
    assert _counts() == first
    # The demo's organisations, the punch-out demo shop's included.
    assert first["organisations.Organisation"] == 14


def test_demo_has_a_user_for_every_role():
    load_all(io.StringIO())
    roles = set(User.objects.filter(username__in=DEMO_USERS).values_list("memberships__role", flat=True))
    assert roles == set(Role.values)
    for username in DEMO_USERS:
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)


def test_demo_tenants_match_the_seeds():
    load_all(io.StringIO())
    names = set(Organisation.objects.values_list("name", flat=True))
    for supplier in [
        "Procurator AB",
        "Staples Sverige AB",
        "Lyreco Sverige AB",
        "Martin & Servera AB",
        "Grönsakshallen Sorunda AB",
        "Charkett AB",
        "Skånemejerier AB",
        "Ingelsta Kalkon AB",
    ]:
        assert supplier in names
    municipality = Organisation.objects.get(name="Österlens kommun")
    assert {d.town for d in municipality.departments.all()} == {"Simrishamn", "Ystad"}
    assert all(d.gln for d in municipality.departments.all())
    assert all(
        a.building and a.floor for d in municipality.departments.all() for a in d.delivery_addresses.all()
    )
    agency = Organisation.objects.get(name="Myndigheten för kustmiljö")
    assert agency.served_by.kind == Organisation.Kind.SERVICE_CENTRE
    for supplier in Organisation.objects.filter(kind=Organisation.Kind.SUPPLIER):
        assert supplier.supplier_agreements.count() == 1, supplier
