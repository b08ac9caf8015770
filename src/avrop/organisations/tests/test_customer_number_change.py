"""A customer number recorded for a new department can be corrected: on the request while it is open, and
from the department and the supplier page afterwards."""

import pytest
from django.urls import reverse

from avrop.organisations.models import DepartmentRequest
from avrop.organisations.tests.test_views import _gln, _world
from avrop.suppliers.models import CustomerNumber
from avrop.suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db


def test_a_saved_customer_number_can_be_changed_on_the_request_and_afterwards(
    client, tenant, django_capture_on_commit_callbacks
):
    supplier = SupplierFactory.create(buyer=tenant.organisation, order_email="order@lyreco.example")
    _department, _person, _approver, _rule, request, _job = _world(tenant)
    client.force_login(tenant.coordinator)
    url = reverse("organisations:request_detail", args=[request.pk])

    def post(action, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("organisations:request_action", args=[request.pk, action]), data or {})

    post("approve")
    post("gln", {"gln": _gln(90005556)})
    post("notify")
    post("customer-number", {"supplier": supplier.pk, "number": "L-1"})
    html = client.get(url).content.decode()
    assert f'id="number-{supplier.pk}" name="number" maxlength="60" value="L-1"' in html
    post("customer-number", {"supplier": supplier.pk, "number": "L-2"})  # a typo corrected
    request.refresh_from_db()
    assert CustomerNumber.objects.get(supplier=supplier, department=request.department).number == "L-2"
    assert request.supplier_steps.get(supplier=supplier).customer_number == "L-2"

    post("complete")
    request.refresh_from_db()
    assert request.status == DepartmentRequest.Status.COMPLETED
    edit = reverse("suppliers:customer_numbers", args=[supplier.pk])
    assert edit in client.get(url).content.decode()
    detail = client.get(reverse("organisations:department_detail", args=[request.department_id]))
    assert edit in detail.content.decode()
    response = client.post(edit, {f"department_{request.department_id}": "L-3"})
    assert response.status_code == 302
    assert CustomerNumber.objects.get(supplier=supplier, department=request.department).number == "L-3"
