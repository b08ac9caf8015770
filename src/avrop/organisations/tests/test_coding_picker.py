"""The type-ahead for coding fields: accounts and dimension objects by number or name, the organisation's
own and valid today, at most twenty, in two queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import AccountFactory, DimensionObjectFactory

pytestmark = pytest.mark.django_db


def _options(client, key, text, *, name="q"):
    response = client.get(reverse("organisations:coding_picker", args=[key]), {name: text})
    assert response.status_code == 200
    return response.content.decode()


def test_accounts_by_number_and_by_name(client, tenant):
    client.force_login(tenant.person(Role.REQUISITIONER))
    by_number = _options(client, "account", "54")
    assert '<option value="5410">5410 Livsmedel</option>' in by_number and "6110" not in by_number
    # HTMX sends the typed text under the field's own name.
    by_name = _options(client, "account", "kontors", name="split-0-account")
    assert '<option value="6110">6110 Kontorsmaterial</option>' in by_name and "5410" not in by_name


def test_cost_centres_and_projects_valid_today_and_scoped(client, tenant, other_tenant):
    today = timezone.localdate()
    DimensionObjectFactory.create(
        dimension=tenant.cost_centre, code="1250", name="Stängt kök", valid_to=today - dt.timedelta(days=1)
    )
    DimensionObjectFactory.create(dimension=tenant.project, code="P-7", name="Nytt kök")
    DimensionObjectFactory.create(dimension=other_tenant.cost_centre, code="1210", name="Grannens kök")
    client.force_login(tenant.person(Role.REQUISITIONER))
    centres = _options(client, "cost_centre", "kök")
    assert '<option value="1200">1200 Solgårdens kök</option>' in centres
    assert "1250" not in centres  # closed yesterday
    assert "1210" not in centres and "Grannens" not in centres  # another organisation's chart
    assert "P-7" not in centres  # a project, not a cost centre
    assert _options(client, "cost_centre", "13").count("<option") == 1
    assert '<option value="P-7">P-7 Nytt kök</option>' in _options(client, "project", "p-")
    assert _options(client, "account", "").strip() == ""


def test_at_most_twenty_in_two_queries(client, tenant):
    for n in range(30):
        AccountFactory.create(chart=tenant.chart, number=f"7{n:03d}", name=f"Tjänst {n}")
    client.force_login(tenant.person(Role.REQUISITIONER))
    url = reverse("organisations:coding_picker", args=["account"])
    client.get(url, {"q": "7"})  # the session and the organisation are read once per request
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"q": "7"})
    html = response.content.decode()
    assert html.count("<option") == 20 and '<option value="7000">' in html
    picker = [q["sql"] for q in ctx.captured_queries if "organisations_account" in q["sql"]]
    assert len(picker) == 1, picker
    assert len(ctx.captured_queries) <= 6, [q["sql"] for q in ctx.captured_queries]


def test_a_supplier_has_no_picker(client, make_member):
    from avrop.organisations.models import Organisation
    from avrop.organisations.tests.factories import OrganisationFactory

    user, _organisation = make_member(
        Role.SUPPLIER_USER, OrganisationFactory(kind=Organisation.Kind.SUPPLIER)
    )
    client.force_login(user)
    assert client.get(reverse("organisations:coding_picker", args=["account"]), {"q": "5"}).status_code == 404
