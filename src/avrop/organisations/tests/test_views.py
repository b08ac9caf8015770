"""The master-data pages: they render, keep tenants apart, show field errors, do not grow in queries."""

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from avrop.core.models import OutboxMessage
from avrop.organisations import services
from avrop.organisations.models import DepartmentRequest, DocumentKind, ImportJob, Membership
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import (
    AccountFactory,
    DepartmentFactory,
    DimensionObjectFactory,
    MembershipFactory,
    UserFactory,
    _gln,
)
from avrop.suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db

REQUEST_FORM: dict[str, Any] = {
    "name": "Hemtjänsten Östra",
    "code": "HTO",
    "town": "Simrishamn",
    "invoice_street": "Box 100",
    "invoice_postal_code": "272 80",
    "invoice_city": "Simrishamn",
    "address_label": "Entré",
    "street": "Gatan 1",
    "postal_code": "272 31",
    "city": "Simrishamn",
    "contact_name": "Sara Lind",
    "contact_phone": "0414-1",
}


def _world(tenant):
    department = DepartmentFactory.create(organisation=tenant.organisation, name="Solgården")
    person = tenant.person(Role.REQUISITIONER)
    Membership.objects.filter(user=person).update(department=department)
    approver = tenant.person(Role.APPROVER)
    rule = services.approval_limit_create(
        actor=tenant.coordinator,
        organisation=tenant.organisation,
        approver=approver,
        document_kind=DocumentKind.ORDER,
        amount_limit=5000,
        cost_centres=["1200"],
    )
    services.delegation_create(
        actor=tenant.coordinator,
        organisation=tenant.organisation,
        principal=approver,
        deputy=person,
        valid_from=timezone.localdate(),
        valid_to=timezone.localdate(),
    )
    request = services.department_request_submit(
        actor=person, organisation=tenant.organisation, **REQUEST_FORM
    )
    job = services.import_job_create(
        actor=tenant.coordinator,
        organisation=tenant.organisation,
        kind=ImportJob.Kind.USERS,
        filename="x.csv",
        content=b"username\nx\n",
    )
    return department, person, approver, rule, request, job


def test_every_page_renders_for_the_coordinator(client, tenant):
    department, person, approver, rule, request, job = _world(tenant)
    address = department.delivery_addresses.create(label="Entré", street="Gatan 1", postal_code="1", city="X")
    client.force_login(tenant.coordinator)
    urls = [
        reverse("organisations:departments"),
        reverse("organisations:department_detail", args=[department.pk]),
        reverse("organisations:department_edit", args=[department.pk]),
        reverse("organisations:address_new", args=[department.pk]),
        reverse("organisations:address_edit", args=[department.pk, address.pk]),
        reverse("organisations:requests"),
        reverse("organisations:request_new"),
        reverse("organisations:request_detail", args=[request.pk]),
        reverse("organisations:people"),
        reverse("organisations:people") + "?former=1",
        reverse("organisations:person_new"),
        reverse("organisations:people_import"),
        reverse("organisations:person_detail", args=[person.pk]),
        reverse("organisations:import_detail", args=[job.pk]),
        reverse("organisations:approval"),
        reverse("organisations:approval") + "?ended=1",
        reverse("organisations:limit_new"),
        reverse("organisations:limit_edit", args=[rule.pk]),
        reverse("organisations:delegation_new"),
        reverse("organisations:who_can_approve"),
        reverse("organisations:who_can_approve") + "?cost_centre=1200&amount=100&document_kind=order",
        reverse("organisations:chart"),
        reverse("organisations:accounts") + "?q=54",
        reverse("organisations:objects") + "?dimension=cost_centre",
        reverse("organisations:account_new"),
        reverse("organisations:object_new"),
        reverse("organisations:chart_import"),
        reverse("organisations:coding") + "?coding=account%3D5410%3Bcost_centre%3D1200",
        "/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    html = client.get("/").content.decode()
    assert request.name in html  # the coordinator's start page lists the waiting request


def test_approver_start_page_shows_their_authority_and_deputyship(client, tenant):
    _department, person, approver, *_ = _world(tenant)
    client.force_login(approver)
    assert "5\u00a0000" in client.get("/").content.decode()
    Membership.objects.create(user=person, organisation=tenant.organisation, role=Role.APPROVER)
    client.force_login(person)
    html = client.get("/").content.decode()
    assert str(approver) in html  # as deputy for the approver


def test_other_roles_get_403_on_coordinator_pages_but_may_request(client, tenant):
    _department, person, *_ = _world(tenant)
    client.force_login(person)
    for name in ("people", "approval", "chart", "person_new", "who_can_approve"):
        assert client.get(reverse(f"organisations:{name}")).status_code == 403
    response = client.post(reverse("organisations:request_new"), {**REQUEST_FORM, "name": "Ny enhet"})
    created = DepartmentRequest.objects.get(name="Ny enhet")
    assert response["Location"] == reverse("organisations:request_detail", args=[created.pk])
    html = client.get(response["Location"]).content.decode()
    assert "Godkänn" not in html  # no decision buttons for the requester


def test_foreign_ids_give_404(client, tenant, other_tenant):
    department, person, approver, rule, request, job = _world(other_tenant)
    membership = Membership.objects.filter(user=person).first()
    client.force_login(tenant.coordinator)
    for url in [
        reverse("organisations:department_detail", args=[department.pk]),
        reverse("organisations:department_edit", args=[department.pk]),
        reverse("organisations:request_detail", args=[request.pk]),
        reverse("organisations:person_detail", args=[person.pk]),
        reverse("organisations:import_detail", args=[job.pk]),
        reverse("organisations:limit_edit", args=[rule.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        reverse("organisations:request_action", args=[request.pk, "approve"]),
        reverse("organisations:person_deactivate", args=[person.pk]),
        reverse("organisations:membership_end", args=[person.pk, membership.pk]),
        reverse("organisations:limit_end", args=[rule.pk]),
        reverse("organisations:import_valid_rows", args=[job.pk]),
    ]:
        assert client.post(url).status_code == 404, url
    request.refresh_from_db()
    assert request.status == DepartmentRequest.Status.REQUESTED
    assert other_tenant.organisation.name not in client.get(reverse("organisations:people")).content.decode()


def test_gln_errors_are_tied_to_the_field(client, tenant):
    _department, person, _approver, _rule, request, _job = _world(tenant)
    client.force_login(tenant.coordinator)
    client.post(reverse("organisations:request_action", args=[request.pk, "approve"]))
    good = _gln(90000777)
    bad = good[:-1] + str((int(good[-1]) + 3) % 10)
    response = client.post(reverse("organisations:request_action", args=[request.pk, "gln"]), {"gln": bad})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_gln_helptext id_gln_error"' in html
    assert 'id="id_gln_error"' in html and "kontrollsiffra" in html
    DepartmentFactory.create(gln=good)
    html = client.post(
        reverse("organisations:request_action", args=[request.pk, "gln"]), {"gln": good}
    ).content
    assert "används redan" in html.decode() or "already used" in html.decode()


def test_department_request_walk_through_the_pages(
    client, tenant, mailoutbox, django_capture_on_commit_callbacks
):
    supplier = SupplierFactory.create(buyer=tenant.organisation, order_email="order@lyreco.example")
    _department, _person, _approver, _rule, request, _job = _world(tenant)
    client.force_login(tenant.coordinator)
    url = reverse("organisations:request_detail", args=[request.pk])

    def post(action, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("organisations:request_action", args=[request.pk, action]), data or {})

    assert post("approve")["Location"] == url
    assert post("gln", {"gln": _gln(90005555)})["Location"] == url
    post("notify")
    assert [m.to for m in mailoutbox] == [["order@lyreco.example"]]
    html = client.get(url).content.decode()
    assert (
        "order@lyreco.example" in html
        and OutboxMessage.Status.SENT.label.lower() in html.lower()
        or "Skickat" in html
    )
    response = post("customer-number", {"supplier": supplier.pk, "number": ""})
    assert response.status_code == 400 and 'aria-invalid="true"' in response.content.decode()
    post("customer-number", {"supplier": supplier.pk, "number": "L-1"})
    post("complete")
    request.refresh_from_db()
    assert request.status == DepartmentRequest.Status.COMPLETED
    assert (
        client.post(reverse("organisations:request_action", args=[request.pk, "unknown"])).status_code == 404
    )


def test_person_pages_add_move_and_deactivate(client, tenant):
    first = DepartmentFactory.create(organisation=tenant.organisation, name="Solgården")
    second = DepartmentFactory.create(organisation=tenant.organisation, name="Österport")
    client.force_login(tenant.coordinator)
    response = client.post(
        reverse("organisations:person_new"),
        {
            "username": "kim",
            "first_name": "Kim",
            "last_name": "Ek",
            "email": "bad",
            "role": "requisitioner",
            "department_id": first.pk,
        },
    )
    assert response.status_code == 200 and 'id="id_email_error"' in response.content.decode()
    response = client.post(
        reverse("organisations:person_new"),
        {
            "username": "kim",
            "first_name": "Kim",
            "last_name": "Ek",
            "email": "kim@x.example",
            "role": "requisitioner",
            "department_id": first.pk,
        },
    )
    membership = Membership.objects.get(user__username="kim")
    assert response["Location"] == reverse("organisations:person_detail", args=[membership.user_id])
    client.post(
        reverse("organisations:person_move", args=[membership.user_id, membership.pk]),
        {f"m{membership.pk}-membership": membership.pk, f"m{membership.pk}-department_id": second.pk},
    )
    html = client.get(reverse("organisations:person_detail", args=[membership.user_id])).content.decode()
    assert "Österport" in html and "Solgården" in html  # the history
    assert Membership.objects.filter(user=membership.user, is_active=True).get().department == second
    client.post(reverse("organisations:person_deactivate", args=[membership.user_id]), {"reason": "Slutat"})
    membership.user.refresh_from_db()
    assert membership.user.is_active is False


def test_import_page_upload_report_and_valid_rows(client, tenant, django_capture_on_commit_callbacks):
    DepartmentFactory.create(organisation=tenant.organisation, code="SOL")
    client.force_login(tenant.coordinator)
    content = (
        b"username;first_name;last_name;email;role;department\n"
        b"a1;A;B;a1@x.example;requisitioner;SOL\n"
        b"a2;A;B;not-mail;requisitioner;SOL\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisations:people_import"),
            {"file": SimpleUploadedFile("people.csv", content, content_type="text/csv")},
        )
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("organisations:import_detail", args=[job.pk])
    html = client.get(response["Location"]).content.decode()
    assert "not-mail" in html and job.filename in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("organisations:import_valid_rows", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    partial = client.get(reverse("organisations:import_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and 'id="import-status"' in partial.content.decode()


def test_approval_rule_form_refuses_unknown_cost_centre_and_own_rule(client, tenant):
    approver = tenant.person(Role.APPROVER)
    client.force_login(tenant.coordinator)
    data = {
        "approver": approver.pk,
        "level": 1,
        "document_kind": "order",
        "amount_limit": "1000",
        "cost_centres": "1200, 9999",
    }
    html = client.post(reverse("organisations:limit_new"), data).content.decode()
    assert "9999" in html and 'id="id_cost_centres_error"' in html
    MembershipFactory.create(user=tenant.coordinator, organisation=tenant.organisation, role=Role.APPROVER)
    html = client.post(
        reverse("organisations:limit_new"),
        {**data, "approver": tenant.coordinator.pk, "cost_centres": "1200"},
    ).content.decode()
    assert 'role="alert"' in html
    assert not tenant.coordinator.approval_limits.exists()
    response = client.post(reverse("organisations:limit_new"), {**data, "cost_centres": "1200"})
    assert response.status_code == 302 and approver.approval_limits.count() == 1


def test_delegation_form_dates_out_of_order(client, tenant):
    approver = tenant.person(Role.APPROVER)
    services.approval_limit_create(
        actor=tenant.coordinator,
        organisation=tenant.organisation,
        approver=approver,
        document_kind=DocumentKind.ORDER,
        amount_limit=10,
        cost_centres=["1200"],
    )
    deputy = tenant.person(Role.REQUISITIONER)
    client.force_login(tenant.coordinator)
    today = timezone.localdate()
    html = client.post(
        reverse("organisations:delegation_new"),
        {
            "principal": approver.pk,
            "deputy": deputy.pk,
            "valid_from": today + dt.timedelta(days=5),
            "valid_to": today,
        },
    ).content.decode()
    assert 'id="id_valid_to_error"' in html


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "name", ["departments", "requests", "people", "approval", "accounts", "objects", "chart"]
)
def test_list_query_count_does_not_grow_with_rows(client, tenant, name):
    client.force_login(tenant.coordinator)
    url = reverse(f"organisations:{name}")
    client.get(url)

    def grow(n: int) -> None:
        for _ in range(n):
            department = DepartmentFactory.create(organisation=tenant.organisation)
            department.delivery_addresses.create(label="A", street="S", postal_code="1", city="C")
            person = UserFactory.create()
            MembershipFactory.create(
                user=person, organisation=tenant.organisation, role=Role.REQUISITIONER, department=department
            )
            MembershipFactory.create(user=person, organisation=tenant.organisation, role=Role.APPROVER)
            AccountFactory.create(chart=tenant.chart)
            DimensionObjectFactory.create(dimension=tenant.cost_centre)
            services.approval_limit_create(
                actor=tenant.coordinator,
                organisation=tenant.organisation,
                approver=person,
                document_kind=DocumentKind.ORDER,
                amount_limit=10,
                cost_centres=["1200", "1300"],
            )
            services.department_request_submit(
                actor=person,
                organisation=tenant.organisation,
                **{**REQUEST_FORM, "name": f"Ny {department.pk}"},
            )

    grow(2)
    few = _count(client, url)
    grow(12)
    assert _count(client, url) == few
