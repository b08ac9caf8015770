import pytest

from avrop.cases.models import Case
from avrop.core.tokens import api_token_create
from avrop.organisations.roles import Role
from avrop.suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db


def _headers(user, organisation):
    _token, key = api_token_create(actor=user, user=user, organisation=organisation, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_case_life_over_the_api(client, make_member, two_tenants):
    coordinator, organisation = make_member(Role.COORDINATOR)
    requisitioner, _ = make_member(Role.REQUISITIONER, organisation=organisation)
    supplier = SupplierFactory(buyer=organisation)
    req, coord = _headers(requisitioner, organisation), _headers(coordinator, organisation)

    response = client.post(
        "/api/cases/",
        {
            "case_type": "goods_not_received",
            "subject": "Inga varor",
            "supplier_id": supplier.pk,
            "order_reference": "PO-9",
        },
        content_type="application/json",
        **req,
    )
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["status"] == "open" and len(case["steps"]) == 3 and case["supplier_id"] == supplier.pk

    response = client.post(
        f"/api/cases/{case['id']}/transitions",
        {"action": "wait", "text": "x"},
        content_type="application/json",
        **coord,
    )
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    assert (
        client.post(
            f"/api/cases/{case['id']}/transitions",
            {"action": "start"},
            content_type="application/json",
            **req,
        ).status_code
        == 403
    )
    client.post(
        f"/api/cases/{case['id']}/transitions", {"action": "start"}, content_type="application/json", **coord
    )
    step = client.put(
        f"/api/cases/{case['id']}/steps/1", {"done": True}, content_type="application/json", **coord
    ).json()
    assert step["done"] and step["done_by"]
    message = client.post(
        f"/api/cases/{case['id']}/messages", {"body": "Ringt DC"}, content_type="application/json", **coord
    )
    assert message.status_code == 201
    response = client.post(
        f"/api/cases/{case['id']}/transitions",
        {"action": "resolve", "text": ""},
        content_type="application/json",
        **coord,
    )
    assert response.status_code == 400 and response.json()["field"] == "resolution"
    detail = client.post(
        f"/api/cases/{case['id']}/transitions",
        {"action": "resolve", "text": "Levererat"},
        content_type="application/json",
        **coord,
    ).json()
    assert detail["status"] == "resolved" and [m["body"] for m in detail["messages"]] == ["Ringt DC"]

    assert [c["id"] for c in client.get("/api/cases/?status=resolved", **req).json()] == [case["id"]]
    (outsider, other_org), _ = two_tenants
    assert client.get(f"/api/cases/{case['id']}", **_headers(outsider, other_org)).status_code == 404
    assert client.get("/api/cases/", **_headers(outsider, other_org)).json() == []


def test_open_for_someone_else_and_bad_links(client, make_member, two_tenants):
    coordinator, organisation = make_member(Role.COORDINATOR)
    requisitioner, _ = make_member(Role.REQUISITIONER, organisation=organisation)
    headers = _headers(coordinator, organisation)
    response = client.post(
        "/api/cases/",
        {"case_type": "other", "subject": "Samtal", "requester_id": requisitioner.pk},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201 and Case.objects.get().requester == requisitioner
    (_outsider, other_org), _ = two_tenants
    foreign_supplier = SupplierFactory(buyer=other_org)
    response = client.post(
        "/api/cases/",
        {"case_type": "other", "subject": "x", "supplier_id": foreign_supplier.pk},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 404
    stranger, _ = make_member(Role.REQUISITIONER)
    response = client.post(
        "/api/cases/",
        {"case_type": "other", "subject": "x", "requester_id": stranger.pk},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 400 and response.json()["field"] == "requester_id"
