"""Organisations reaches its suppliers only through the directory it declares (``supplier_directory``), which
the suppliers app provides: the new-department workflow and the department page, with either directory."""

import pytest
from django.urls import reverse

from avrop.organisations import services, supplier_directory
from avrop.organisations.supplier_directory import CustomerNumberLine, SupplierRecipient
from avrop.organisations.tests.factories import DepartmentFactory, OrganisationFactory, _gln
from avrop.organisations.tests.test_department_requests import _submitted
from avrop.suppliers.directory import SupplierDirectory
from avrop.suppliers.models import CustomerNumber
from avrop.suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db


class RecordingDirectory:
    """A directory that is not the suppliers app: what the workflow does must come from here."""

    def __init__(self, recipients):
        self._recipients = recipients
        self.numbers = []

    def recipients(self, *, organisation):
        return self._recipients

    def customer_number_set(self, *, actor, supplier_id, department, number):
        self.numbers.append((supplier_id, department.pk, number))

    def customer_numbers(self, *, department):
        return [CustomerNumberLine(supplier_name="Recorded supplier", number="R-1")]


def test_the_suppliers_app_provides_the_directory():
    assert isinstance(supplier_directory.suppliers(), SupplierDirectory)


def test_the_workflow_uses_the_provided_directory(monkeypatch, tenant, django_capture_on_commit_callbacks):
    supplier = SupplierFactory(buyer=tenant.organisation, order_email="order@real.example")
    fake = RecordingDirectory(
        [SupplierRecipient(supplier_id=supplier.pk, name="Any", email="x@directory.example")]
    )
    monkeypatch.setattr(supplier_directory, "_directory", fake)
    request = _submitted(tenant)
    services.department_request_approve(actor=tenant.coordinator, request_id=request.pk)
    services.department_request_assign_gln(
        actor=tenant.coordinator, request_id=request.pk, gln=_gln(90900002)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.department_request_notify_suppliers(actor=tenant.coordinator, request_id=request.pk)
    assert [(s.supplier_id, s.recipient) for s in request.supplier_steps.all()] == [
        (supplier.pk, "x@directory.example")
    ]
    services.department_request_customer_number(
        actor=tenant.coordinator, request_id=request.pk, supplier_id=supplier.pk, number="N-7"
    )
    request.refresh_from_db()
    assert fake.numbers == [(supplier.pk, request.department_id, "N-7")]
    assert not CustomerNumber.objects.exists(), "the suppliers app was reached around the directory"


def test_the_department_page_lists_the_customer_numbers_by_supplier(client, tenant):
    department = DepartmentFactory(organisation=tenant.organisation)
    other_department = DepartmentFactory(organisation=tenant.organisation)
    zeta = SupplierFactory(buyer=tenant.organisation, organisation=OrganisationFactory(name="Zeta AB"))
    alfa = SupplierFactory(buyer=tenant.organisation, organisation=OrganisationFactory(name="Alfa AB"))
    CustomerNumber.objects.create(supplier=zeta, department=department, number="Z-100")
    CustomerNumber.objects.create(supplier=alfa, department=department, number="A-200")
    CustomerNumber.objects.create(supplier=alfa, department=other_department, number="A-999")
    client.force_login(tenant.coordinator)
    response = client.get(reverse("organisations:department_detail", args=[department.pk]))
    assert response.context["customer_numbers"] == [
        CustomerNumberLine(supplier_name="Alfa AB", number="A-200", supplier_id=alfa.pk),
        CustomerNumberLine(supplier_name="Zeta AB", number="Z-100", supplier_id=zeta.pk),
    ]
    html = response.content.decode()
    assert html.index("Alfa AB") < html.index("A-200") < html.index("Zeta AB") < html.index("Z-100")
    assert "A-999" not in html


def test_the_department_page_shows_what_the_directory_answers(monkeypatch, client, tenant):
    department = DepartmentFactory(organisation=tenant.organisation)
    monkeypatch.setattr(supplier_directory, "_directory", RecordingDirectory([]))
    client.force_login(tenant.coordinator)
    html = client.get(reverse("organisations:department_detail", args=[department.pk])).content.decode()
    assert "Recorded supplier" in html and "R-1" in html
