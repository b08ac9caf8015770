"""A customer that only calls off a supplier's agreement (a service centre's shared one) can still map that
supplier to an account: the mapping page lists it, and the rule is the supplier's default account."""

from decimal import Decimal

import pytest
from django.urls import reverse

from avrop.agreements.models import Agreement
from avrop.agreements.tests.factories import AgreementFactory
from avrop.catalogue.models import AccountRule
from avrop.catalogue.selectors import mapping_suppliers, supplier_default_account
from avrop.organisations.roles import Role

pytestmark = pytest.mark.django_db


def test_the_suppliers_of_called_off_agreements_can_be_mapped(client, make_member):
    coordinator, municipality = make_member(Role.COORDINATOR)
    _centre_coordinator, centre = make_member(Role.COORDINATOR)
    shared = AgreementFactory(
        owner=centre,
        kind=Agreement.Kind.SHARED,
        parties=[municipality],
        max_price_increase_percent=Decimal(3),
    )
    not_ours = AgreementFactory(owner=centre, kind=Agreement.Kind.SHARED)
    names = dict(mapping_suppliers(user=coordinator, organisation=municipality))
    assert shared.supplier_id in names and not_ours.supplier_id not in names
    assert supplier_default_account(organisation=municipality, supplier_id=shared.supplier_id) == ""

    client.force_login(coordinator)
    response = client.post(
        reverse("catalogue:accounts"),
        {"kind": AccountRule.Kind.SUPPLIER, "supplier": shared.supplier_id, "account_code": "6110"},
    )
    assert response.status_code == 302
    assert supplier_default_account(organisation=municipality, supplier_id=shared.supplier_id) == "6110"
    # A supplier the organisation has no agreement with cannot be chosen.
    response = client.post(
        reverse("catalogue:accounts"),
        {"kind": AccountRule.Kind.SUPPLIER, "supplier": not_ours.supplier_id, "account_code": "6110"},
    )
    assert response.status_code == 400
    assert supplier_default_account(organisation=municipality, supplier_id=not_ours.supplier_id) == ""
