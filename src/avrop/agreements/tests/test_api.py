import datetime as dt

import pytest

from avrop.agreements.tests.factories import AgreementFactory
from avrop.core.tokens import api_token_create
from avrop.organisations.roles import Role
from avrop.suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db


def _headers(user, organisation):
    _token, key = api_token_create(actor=user, user=user, organisation=organisation, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_create_update_and_meetings(client, two_tenants):
    (user_a, org_a), (_user_b, org_b) = two_tenants
    relation = SupplierFactory(buyer=org_a)
    headers = _headers(user_a, org_a)
    payload = {
        "supplier_id": relation.pk,
        "reference": "API-1",
        "title": "Papper",
        "valid_from": "2026-01-01",
        "valid_to": "2027-12-31",
        "consumables_business_days": 3,
        "follow_up_meetings_per_year": 4,
    }
    response = client.post("/api/agreements/", payload, content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    agreement = response.json()
    assert (
        agreement["supplier_name"] == relation.organisation.name
        and agreement["consumables_business_days"] == 3
    )

    again = client.post("/api/agreements/", payload, content_type="application/json", **headers)
    assert again.status_code == 400 and again.json() == {
        "code": "conflict",
        "message": again.json()["message"],
        "field": "reference",
    }
    backwards = client.patch(
        f"/api/agreements/{agreement['id']}",
        {"valid_to": "2025-01-01"},
        content_type="application/json",
        **headers,
    )
    assert backwards.status_code == 400 and backwards.json()["field"] == "valid_to"
    patched = client.patch(
        f"/api/agreements/{agreement['id']}",
        {"title": "Papper och pennor"},
        content_type="application/json",
        **headers,
    ).json()
    assert patched["title"] == "Papper och pennor" and patched["valid_to"] == "2027-12-31"

    meeting = client.post(
        f"/api/agreements/{agreement['id']}/meetings",
        {"held_on": "2026-03-01", "attendees": "SPOC", "minutes": "Bra"},
        content_type="application/json",
        **headers,
    )
    assert meeting.status_code == 201
    assert [
        m["minutes"] for m in client.get(f"/api/agreements/{agreement['id']}/meetings", **headers).json()
    ] == ["Bra"]
    assert client.get(f"/api/agreements/{agreement['id']}/documents", **headers).json() == []

    foreign_relation = SupplierFactory(buyer=org_b)
    assert (
        client.post(
            "/api/agreements/",
            {**payload, "supplier_id": foreign_relation.pk, "reference": "API-2"},
            content_type="application/json",
            **headers,
        ).status_code
        == 404
    )


def test_parties_read_but_do_not_change(client, two_tenants, make_member):
    (user_a, org_a), (user_b, org_b) = two_tenants
    shared = AgreementFactory(owner=org_b, parties=[org_a], valid_to=dt.date.today() + dt.timedelta(days=30))
    headers = _headers(user_a, org_a)
    assert client.get(f"/api/agreements/{shared.pk}", **headers).status_code == 200
    assert [a["id"] for a in client.get("/api/agreements/expiring?within_days=90", **headers).json()] == [
        shared.pk
    ]
    assert client.get("/api/agreements/expiring?within_days=10", **headers).json() == []
    assert (
        client.patch(
            f"/api/agreements/{shared.pk}", {"title": "x"}, content_type="application/json", **headers
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/agreements/{shared.pk}/meetings",
            {"held_on": "2026-03-01", "attendees": "x"},
            content_type="application/json",
            **headers,
        ).status_code
        == 404
    )
    requisitioner, _ = make_member(Role.REQUISITIONER, organisation=org_b)
    response = client.patch(
        f"/api/agreements/{shared.pk}",
        {"title": "x"},
        content_type="application/json",
        **_headers(requisitioner, org_b),
    )
    assert response.status_code == 403
