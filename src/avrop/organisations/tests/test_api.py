"""The master-data API: same scoping and rules as the pages, tokens from core.tokens."""

from decimal import Decimal

import pytest

from avrop.core.tokens import api_token_create
from avrop.organisations import services
from avrop.organisations.models import DocumentKind
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import (
    DeliveryAddressFactory,
    DepartmentFactory,
    MembershipFactory,
    _gln,
)

pytestmark = pytest.mark.django_db


def _headers(user, organisation):
    _token, key = api_token_create(actor=user, user=user, organisation=organisation, name="ERP")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def api(client, tenant):
    headers = _headers(tenant.coordinator, tenant.organisation)

    class Api:
        def get(self, path, headers=headers, **params):
            return client.get(f"/api/organisations{path}", params, **headers)

        def post(self, path, payload, headers=headers):
            return client.post(
                f"/api/organisations{path}", payload, content_type="application/json", **headers
            )

        def patch(self, path, payload, headers=headers):
            return client.patch(
                f"/api/organisations{path}", payload, content_type="application/json", **headers
            )

    return Api()


def test_departments_and_addresses(api, tenant, other_tenant):
    department = DepartmentFactory(organisation=tenant.organisation, default_cost_centre=tenant.kitchen)
    DeliveryAddressFactory(department=department, label="Köket", building="Hus B", floor="0")
    foreign = DepartmentFactory(organisation=other_tenant.organisation)
    listed = api.get("/departments").json()
    assert [(d["name"], d["default_cost_centre"]) for d in listed] == [(department.name, "1200")]
    detail = api.get(f"/departments/{department.pk}").json()
    assert detail["delivery_addresses"][0]["building"] == "Hus B"
    response = api.get(f"/departments/{foreign.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert [a["label"] for a in api.get("/delivery-addresses").json()] == ["Köket"]


def test_members_with_history(api, tenant):
    first = DepartmentFactory(organisation=tenant.organisation)
    second = DepartmentFactory(organisation=tenant.organisation)
    person = tenant.person(Role.APPROVER)
    membership = MembershipFactory(
        user=person, organisation=tenant.organisation, role=Role.REQUISITIONER, department=first
    )
    services.member_move(actor=tenant.coordinator, membership_id=membership.pk, department_id=second.pk)
    active = [(m["username"], m["role"], m["department_id"]) for m in api.get("/members").json()]
    assert (person.username, "requisitioner", second.pk) in active
    assert (person.username, "requisitioner", first.pk) not in active
    every = api.get("/members", include_ended="true").json()
    ended = [m for m in every if m["department_id"] == first.pk]
    assert ended[0]["is_active"] is False and ended[0]["valid_to"]


def test_accounts_cost_centres_and_coding(api, tenant):
    assert [a["number"] for a in api.get("/accounts").json()] == ["5410", "6110"]
    assert [c["code"] for c in api.get("/cost-centres").json()] == ["1200", "1300"]
    assert api.get("/dimension-objects", dimension="project").json() == []
    ok = api.post("/coding/check", {"coding": {"account": "5410", "cost_centre": "1200"}}).json()
    assert ok["ok"] is True
    bad = api.post("/coding/check", {"coding": {"account": "5410"}}).json()
    assert bad["ok"] is False and bad["problems"][0]["key"] == "cost_centre"


def test_approval_rules_and_who_can_approve(api, tenant):
    head = tenant.person(Role.APPROVER)
    response = api.post(
        "/approval-limits",
        {
            "approver_id": head.pk,
            "document_kind": "order",
            "amount_limit": "50000",
            "cost_centres": ["1200"],
            "title": "Avdelningschef",
        },
    )
    assert response.status_code == 201, response.content
    rule = response.json()
    assert rule["cost_centres"] == ["1200"] and Decimal(rule["amount_limit"]) == 50000
    requester = tenant.person(Role.REQUISITIONER)
    answer = api.get(
        "/who-can-approve",
        cost_centre="1200",
        amount="12500",
        document_kind="order",
        requester_id=requester.pk,
    ).json()
    assert answer["approvers"] == [head.pk]
    assert "50\u00a0000,00 SEK" in answer["eligible"][0]["explanation"]
    own = api.get(
        "/who-can-approve", cost_centre="1200", amount="10", document_kind="order", requester_id=head.pk
    ).json()
    assert own["approvers"] == [] and own["excluded"][0]["reason"] == "own_requisition"
    unknown = api.get("/who-can-approve", cost_centre="0000", amount="10", document_kind="order")
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_cost_centre"
    listed = api.get("/approval-limits").json()
    assert [r["id"] for r in listed] == [rule["id"]]


def test_unknown_cost_centre_and_own_limit_over_the_api(api, tenant, client):
    head = tenant.person(Role.APPROVER)
    response = api.post(
        "/approval-limits",
        {"approver_id": head.pk, "document_kind": "order", "amount_limit": "100", "cost_centres": ["4711"]},
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "unknown_cost_centre",
        "field": "cost_centres",
        "message": response.json()["message"],
    }
    rule = services.approval_limit_create(
        actor=tenant.coordinator,
        organisation=tenant.organisation,
        approver=head,
        document_kind=DocumentKind.ORDER,
        amount_limit=100,
        cost_centres=["1200"],
    )
    head_headers = _headers(head, tenant.organisation)
    widened = api.patch(f"/approval-limits/{rule.pk}", {"amount_limit": "1000000"}, headers=head_headers)
    assert widened.status_code == 403 and widened.json()["code"] == "role_needed"
    changed = api.patch(f"/approval-limits/{rule.pk}", {"amount_limit": "200"})
    assert changed.status_code == 200 and Decimal(changed.json()["amount_limit"]) == 200


def test_other_tenants_rules_are_not_found(api, tenant, other_tenant):
    stranger = other_tenant.person(Role.APPROVER)
    rule = services.approval_limit_create(
        actor=other_tenant.coordinator,
        organisation=other_tenant.organisation,
        approver=stranger,
        document_kind=DocumentKind.ORDER,
        amount_limit=10,
        cost_centres=["1200"],
    )
    assert api.patch(f"/approval-limits/{rule.pk}", {"amount_limit": "1"}).status_code == 404
    response = api.post(
        "/approval-limits",
        {
            "approver_id": stranger.pk,
            "document_kind": "order",
            "amount_limit": "10",
            "cost_centres": ["1200"],
        },
    )
    assert response.status_code == 404
    assert (
        api.get(
            "/who-can-approve",
            cost_centre="1200",
            amount="1",
            document_kind="order",
            requester_id=stranger.pk,
        ).status_code
        == 404
    )


def test_schema_documents_the_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/organisations/departments",
        "/api/organisations/who-can-approve",
        "/api/organisations/approval-limits",
        "/api/organisations/coding/check",
    ):
        assert path in paths


def test_department_requests_over_the_api(api, tenant, client, django_capture_on_commit_callbacks):
    from avrop.suppliers.tests.factories import SupplierFactory

    supplier = SupplierFactory(buyer=tenant.organisation, order_email="order@lyreco.example")
    requester = tenant.person(Role.REQUISITIONER)
    payload = {
        "name": "Hemtjänsten Östra",
        "invoice_street": "Box 100",
        "invoice_postal_code": "272 80",
        "invoice_city": "Simrishamn",
        "street": "Gatan 1",
        "postal_code": "272 31",
        "city": "Simrishamn",
        "contact_name": "Sara Lind",
        "contact_phone": "0414-1",
        "default_cost_centre_id": tenant.kitchen.pk,
    }
    response = api.post("/department-requests", payload, headers=_headers(requester, tenant.organisation))
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "requested" and created["suppliers"] == []
    services.department_request_approve(actor=tenant.coordinator, request_id=created["id"])
    services.department_request_assign_gln(
        actor=tenant.coordinator, request_id=created["id"], gln=_gln(90990005)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.department_request_notify_suppliers(actor=tenant.coordinator, request_id=created["id"])
    step = api.get(f"/department-requests/{created['id']}").json()["suppliers"][0]
    assert step["recipient"] == "order@lyreco.example" and step["customer_number"] == ""
    recorded = api.post(
        f"/department-requests/{created['id']}/customer-numbers",
        {"supplier_id": supplier.pk, "number": "L-1"},
    )
    assert recorded.status_code == 200 and recorded.json()["suppliers"][0]["customer_number"] == "L-1"
    refused = api.post(
        f"/department-requests/{created['id']}/customer-numbers",
        {"supplier_id": supplier.pk, "number": "L-2"},
        headers=_headers(requester, tenant.organisation),
    )
    assert refused.status_code == 403
    # The requester sees their own request; a stranger's request id is not found.
    assert [
        r["id"]
        for r in api.get("/department-requests", headers=_headers(requester, tenant.organisation)).json()
    ] == [created["id"]]
