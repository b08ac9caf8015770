"""The "new department" workflow: each step, its guards, the supplier messages and the audit trail."""

import pytest
from django.core import mail

from avrop.core.errors import DomainError, InvalidTransition, NotAllowed, NotFound
from avrop.core.models import AuditEvent, OutboxMessage
from avrop.organisations import services
from avrop.organisations.models import DepartmentRequest, Organisation
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import DepartmentFactory, _gln
from avrop.suppliers.models import CustomerNumber, SupplierContact
from avrop.suppliers.tests.factories import SupplierContactFactory, SupplierFactory

pytestmark = pytest.mark.django_db

Status = DepartmentRequest.Status
FORM = {
    "name": "Hemtjänsten Östra",
    "code": "HTO",
    "town": "Simrishamn",
    "invoice_street": "Box 100",
    "invoice_postal_code": "272 80",
    "invoice_city": "Simrishamn",
    "street": "Järnvägsgatan 3",
    "postal_code": "272 31",
    "city": "Simrishamn",
    "building": "Hus B",
    "floor": "1",
    "room": "Förråd 12",
    "contact_name": "Sara Lind",
    "contact_phone": "0414-81 92 00",
    "delivery_days": "Tis, fre",
    "opening_hours": "07:00–15:00",
    "orders_food": True,
}


@pytest.fixture
def suppliers(tenant):
    """Three suppliers of the organisation: with an e-commerce contact, with only an order e-mail, and one of
    another buyer (which must not be told)."""
    with_contact = SupplierFactory(buyer=tenant.organisation, order_email="order@lyreco.example")
    SupplierContactFactory(
        supplier=with_contact, topic=SupplierContact.Topic.ECOMMERCE, email="ehandel@lyreco.example"
    )
    order_only = SupplierFactory(buyer=tenant.organisation, order_email="order@procurator.example")
    SupplierFactory(order_email="order@someone-else.example")
    return with_contact, order_only


def _submitted(tenant, requester=None, **overrides):
    requester = requester or tenant.person(Role.REQUISITIONER, email="chef@kommun.example")
    return services.department_request_submit(
        actor=requester,
        organisation=tenant.organisation,
        default_cost_centre_id=tenant.kitchen.pk,
        **{**FORM, **overrides},
    )


def _to_notified(tenant, request, django_capture_on_commit_callbacks):
    coordinator = tenant.coordinator
    services.department_request_approve(actor=coordinator, request_id=request.pk)
    services.department_request_assign_gln(actor=coordinator, request_id=request.pk, gln=_gln(90900001))
    with django_capture_on_commit_callbacks(execute=True):
        services.department_request_notify_suppliers(actor=coordinator, request_id=request.pk)
    request.refresh_from_db()
    return request


def test_whole_flow_from_request_to_ready(tenant, suppliers, django_capture_on_commit_callbacks):
    with_contact, order_only = suppliers
    request = _submitted(tenant)
    assert request.status == Status.REQUESTED and request.department is None

    request = services.department_request_approve(actor=tenant.coordinator, request_id=request.pk)
    department = request.department
    assert request.status == Status.APPROVED and request.approved_by == tenant.coordinator
    assert department.is_active is False, "a department is not orderable before every supplier knows it"
    assert department.default_cost_centre == tenant.kitchen
    address = department.delivery_addresses.get()
    assert (address.building, address.floor, address.room, address.delivery_days) == (
        "Hus B",
        "1",
        "Förråd 12",
        "Tis, fre",
    )

    gln = _gln(90900001)
    services.department_request_assign_gln(actor=tenant.coordinator, request_id=request.pk, gln=gln)
    department.refresh_from_db()
    address.refresh_from_db()
    assert department.gln == gln and address.gln == gln

    with django_capture_on_commit_callbacks(execute=True):
        services.department_request_notify_suppliers(actor=tenant.coordinator, request_id=request.pk)
    steps = {s.supplier_id: s for s in request.supplier_steps.all()}
    assert set(steps) == {with_contact.pk, order_only.pk}
    assert steps[with_contact.pk].recipient == "ehandel@lyreco.example"
    assert steps[order_only.pk].recipient == "order@procurator.example"
    assert sorted(m.to[0] for m in mail.outbox) == ["ehandel@lyreco.example", "order@procurator.example"]
    body = mail.outbox[0].body
    for fact in (
        gln,
        "Hemtjänsten Östra",
        "Hus B",
        "Förråd 12",
        "Sara Lind",
        "0414-81 92 00",
        "Tis, fre",
        "Box 100",
        request.reference,
    ):
        assert fact in body
    assert all(s.message.status == OutboxMessage.Status.SENT for s in steps.values())

    with pytest.raises(DomainError) as missing:
        services.department_request_complete(actor=tenant.coordinator, request_id=request.pk)
    assert missing.value.code == "customer_numbers_missing"
    assert with_contact.organisation.name in missing.value.message

    for supplier, number in ((with_contact, "L-4711"), (order_only, "P-0815")):
        services.department_request_customer_number(
            actor=tenant.coordinator, request_id=request.pk, supplier_id=supplier.pk, number=number
        )
    assert dict(
        CustomerNumber.objects.filter(department=department).values_list("supplier_id", "number")
    ) == {with_contact.pk: "L-4711", order_only.pk: "P-0815"}

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.department_request_complete(actor=tenant.coordinator, request_id=request.pk)
    request.refresh_from_db()
    department.refresh_from_db()
    assert request.status == Status.COMPLETED and department.is_active
    assert [m.to for m in mail.outbox] == [["chef@kommun.example"]]
    assert "L-4711" in mail.outbox[0].body
    actions = list(
        AuditEvent.objects.filter(
            object_type="organisations.departmentrequest", object_id=str(request.pk)
        ).values_list("action", flat=True)
    )
    for action in ("submit", "approve", "assign_gln", "notify_suppliers", "customer_number", "complete"):
        assert f"department_request.{action}" in actions


def test_steps_cannot_be_skipped_or_repeated(tenant, suppliers, django_capture_on_commit_callbacks):
    request = _submitted(tenant)
    with pytest.raises(InvalidTransition, match="cannot go from 'requested' to 'gln_assigned'"):
        services.department_request_assign_gln(
            actor=tenant.coordinator, request_id=request.pk, gln=_gln(90000001)
        )
    with pytest.raises(InvalidTransition):
        services.department_request_notify_suppliers(actor=tenant.coordinator, request_id=request.pk)
    with pytest.raises(DomainError, match="efter att leverantörerna har meddelats"):
        services.department_request_customer_number(
            actor=tenant.coordinator, request_id=request.pk, supplier_id=suppliers[0].pk, number="1"
        )
    services.department_request_approve(actor=tenant.coordinator, request_id=request.pk)
    with pytest.raises(InvalidTransition):
        services.department_request_approve(actor=tenant.coordinator, request_id=request.pk)
    services.department_request_cancel(actor=tenant.coordinator, request_id=request.pk, reason="Fel")
    with pytest.raises(InvalidTransition, match="final state"):
        services.department_request_assign_gln(
            actor=tenant.coordinator, request_id=request.pk, gln=_gln(90000001)
        )


def test_only_the_coordinator_decides(tenant):
    requester = tenant.person(Role.REQUISITIONER)
    request = _submitted(tenant, requester=requester)
    with pytest.raises(NotAllowed) as refused:
        services.department_request_approve(actor=requester, request_id=request.pk)
    assert refused.value.code == "role_needed"
    approver = tenant.person(Role.APPROVER)
    with pytest.raises(NotAllowed):
        services.department_request_reject(actor=approver, request_id=request.pk, reason="nej")


def test_requester_may_cancel_only_before_approval(tenant):
    requester = tenant.person(Role.REQUISITIONER)
    first = _submitted(tenant, requester=requester)
    services.department_request_cancel(actor=requester, request_id=first.pk)
    second = _submitted(tenant, requester=requester, name="Annan avdelning")
    services.department_request_approve(actor=tenant.coordinator, request_id=second.pk)
    with pytest.raises(NotAllowed):
        services.department_request_cancel(actor=requester, request_id=second.pk)


def test_rejection_needs_a_reason(tenant):
    request = _submitted(tenant)
    with pytest.raises(DomainError) as empty:
        services.department_request_reject(actor=tenant.coordinator, request_id=request.pk, reason=" ")
    assert empty.value.field == "reason"
    services.department_request_reject(actor=tenant.coordinator, request_id=request.pk, reason="Finns redan")
    request.refresh_from_db()
    assert (request.status, request.close_reason) == (Status.REJECTED, "Finns redan")


def test_invalid_gln_names_the_check_and_duplicate_gln_is_refused(tenant):
    request = _submitted(tenant)
    services.department_request_approve(actor=tenant.coordinator, request_id=request.pk)
    good = _gln(90424242)
    wrong_digit = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(DomainError) as bad:
        services.department_request_assign_gln(
            actor=tenant.coordinator, request_id=request.pk, gln=wrong_digit
        )
    assert (bad.value.code, bad.value.field) == ("gln_invalid", "gln")
    assert "kontrollsiffra" in bad.value.message  # the message names the GS1 check (Swedish UI default)
    with pytest.raises(DomainError, match="fel längd"):
        services.department_request_assign_gln(actor=tenant.coordinator, request_id=request.pk, gln="735999")
    DepartmentFactory(gln=good)  # in another organisation: GLNs are global
    with pytest.raises(DomainError) as taken:
        services.department_request_assign_gln(actor=tenant.coordinator, request_id=request.pk, gln=good)
    assert taken.value.code == "gln_taken"
    request.refresh_from_db()
    assert request.status == Status.APPROVED


def test_missing_required_field_and_duplicate_name(tenant):
    requester = tenant.person(Role.REQUISITIONER)
    with pytest.raises(DomainError) as missing:
        services.department_request_submit(
            actor=requester, organisation=tenant.organisation, **{**FORM, "contact_phone": ""}
        )
    assert missing.value.field == "contact_phone"
    DepartmentFactory(organisation=tenant.organisation, name=FORM["name"])
    request = _submitted(tenant, requester=requester)
    with pytest.raises(DomainError) as duplicate:
        services.department_request_approve(actor=tenant.coordinator, request_id=request.pk)
    assert (duplicate.value.code, duplicate.value.field) == ("conflict", "name")


def test_cost_centre_of_another_organisation_is_refused(tenant, other_tenant):
    requester = tenant.person(Role.REQUISITIONER)
    with pytest.raises(DomainError) as foreign:
        services.department_request_submit(
            actor=requester,
            organisation=tenant.organisation,
            default_cost_centre_id=other_tenant.kitchen.pk,
            **FORM,
        )
    assert foreign.value.code == "unknown_cost_centre"


def test_coordinator_of_another_organisation_cannot_touch_the_request(tenant, other_tenant):
    request = _submitted(tenant)
    with pytest.raises(NotFound):
        services.department_request_approve(actor=other_tenant.coordinator, request_id=request.pk)
    with pytest.raises(NotFound):
        services.department_request_submit(
            actor=other_tenant.coordinator, organisation=tenant.organisation, **FORM
        )


def test_customer_number_for_a_supplier_not_in_the_request(
    tenant, suppliers, django_capture_on_commit_callbacks
):
    request = _to_notified(tenant, _submitted(tenant), django_capture_on_commit_callbacks)
    stranger = SupplierFactory(buyer=tenant.organisation)  # connected after the notification
    with pytest.raises(DomainError) as refused:
        services.department_request_customer_number(
            actor=tenant.coordinator, request_id=request.pk, supplier_id=stranger.pk, number="X1"
        )
    assert refused.value.code == "supplier_not_in_request"
    with pytest.raises(DomainError, match="Ange kundnumret"):
        services.department_request_customer_number(
            actor=tenant.coordinator, request_id=request.pk, supplier_id=suppliers[0].pk, number="  "
        )


def test_supplier_without_any_address_is_listed_but_not_mailed(tenant, django_capture_on_commit_callbacks):
    silent = SupplierFactory(
        buyer=tenant.organisation,
        order_email="",
        organisation__kind=Organisation.Kind.SUPPLIER,
        organisation__email="",
    )
    request = _to_notified(tenant, _submitted(tenant), django_capture_on_commit_callbacks)
    step = request.supplier_steps.get()
    assert step.supplier == silent and step.recipient == "" and step.notified_at is None
    assert mail.outbox == []


def test_organisation_without_suppliers_completes_at_once(tenant, django_capture_on_commit_callbacks):
    request = _to_notified(tenant, _submitted(tenant), django_capture_on_commit_callbacks)
    services.department_request_complete(actor=tenant.coordinator, request_id=request.pk)
    request.refresh_from_db()
    assert request.status == Status.COMPLETED and request.department.is_active
