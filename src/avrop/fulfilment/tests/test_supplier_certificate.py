"""The supplier uploads the storage-wipe certificate from the portal (seed 000: GDPR wipe or removal of
storage media, documented)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from avrop.core.errors import DomainError, NotFound
from avrop.fulfilment import selectors, services
from avrop.fulfilment.models import DeliveryRequirement, PostDeliveryTask, TaskKind
from avrop.fulfilment.tests.conftest import make_order
from avrop.organisations.models import Organisation
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory

PDF = b"%PDF-1.4 raderingsintyg"


@pytest.fixture
def wipe_order(world, django_capture_on_commit_callbacks):
    order = make_order(world, django_capture_on_commit_callbacks, quantity=1)
    DeliveryRequirement.objects.create(
        organisation=world.buyer, agreement=order.agreement, tasks=["storage_wipe"]
    )
    technician = UserFactory()
    MembershipFactory(user=technician, organisation=order.supplier.organisation, role=Role.SUPPLIER_USER)
    return order, technician


def test_supplier_uploads_the_wipe_certificate(world, wipe_order):
    order, technician = wipe_order
    assert selectors.portal_delivery(order)["wipe_required"] is True
    with pytest.raises(DomainError, match="certificate"):
        services.post_delivery_task_complete(actor=technician, order_id=order.pk, kind=TaskKind.STORAGE_WIPE)
    task = services.post_delivery_task_complete(
        actor=technician, order_id=order.pk, kind=TaskKind.STORAGE_WIPE, certificate=("intyg.pdf", PDF)
    )
    assert task.status == "done" and bytes(task.certificate) == PDF
    assert selectors.portal_delivery(order)["wipe_done"] is True


def test_supplier_may_not_do_the_buyers_tasks_and_another_supplier_gets_404(world, wipe_order):
    order, technician = wipe_order
    with pytest.raises(NotFound):  # the checklist and training are the buyer's
        services.post_delivery_task_complete(actor=technician, order_id=order.pk, kind=TaskKind.TRAINING)
    stranger = UserFactory()
    MembershipFactory(
        user=stranger,
        organisation=OrganisationFactory(kind=Organisation.Kind.SUPPLIER),
        role=Role.SUPPLIER_USER,
    )
    with pytest.raises(NotFound):
        services.post_delivery_task_complete(
            actor=stranger, order_id=order.pk, kind=TaskKind.STORAGE_WIPE, certificate=("x.pdf", PDF)
        )
    assert not PostDeliveryTask.objects.filter(status="done").exists()


def test_portal_form_uploads_and_refuses_another_suppliers_order(world, wipe_order, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    order, technician = wipe_order
    client.force_login(technician)
    url = reverse("fulfilment:supplier_certificate", args=[order.pk])
    response = client.post(url, {"certificate": SimpleUploadedFile("intyg.pdf", PDF, "application/pdf")})
    assert response.status_code == 302 and response["Location"].endswith(f"/orders/{order.pk}/")
    assert PostDeliveryTask.objects.get(purchase_order=order, kind=TaskKind.STORAGE_WIPE).status == "done"
    stranger = UserFactory()
    MembershipFactory(
        user=stranger,
        organisation=OrganisationFactory(kind=Organisation.Kind.SUPPLIER),
        role=Role.SUPPLIER_USER,
    )
    client.force_login(stranger)
    assert client.post(url, {}).status_code == 404
