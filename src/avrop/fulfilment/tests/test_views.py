"""Fulfilment pages: who sees what (role and organisation; another tenant's ids answer 404), the receipt
form, the order page's part, the portal part, the start page and query counts of the lists."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from avrop.fulfilment import selectors, services
from avrop.fulfilment.models import DeliveryAttempt, DeliveryRequirement, GoodsReceipt, PostDeliveryTask
from avrop.fulfilment.tests.conftest import make_order
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _stranger(role=Role.GOODS_RECEIVER):
    user = UserFactory()
    MembershipFactory(user=user, organisation=OrganisationFactory(), role=role)
    return user


def test_goods_receiver_lists_and_receives_with_a_signed_receipt(
    client, world, django_capture_on_commit_callbacks
):
    order = make_order(world, django_capture_on_commit_callbacks, quantity=2)
    client.force_login(world.receiver)
    page = client.get(reverse("fulfilment:deliveries"))
    assert page.status_code == 200
    assert [o.pk for o in page.context["orders"]] == [order.pk]
    form = client.get(reverse("fulfilment:receive", args=[order.pk]))
    assert form.status_code == 200
    key = form.context["submit_key"]
    bad = client.post(
        reverse("fulfilment:receive", args=[order.pk]),
        {"submit_key": key, "quantity-1": "9", "condition-1": "ok"},
    )
    assert bad.status_code == 400
    assert "left to receive" in bad.content.decode()
    done = client.post(
        reverse("fulfilment:receive", args=[order.pk]),
        {"submit_key": key, "quantity-1": "2", "condition-1": "ok"},
    )
    assert done.status_code == 302
    assert GoodsReceipt.objects.get().received_by == world.receiver
    assert list(client.get(reverse("fulfilment:deliveries")).context["orders"]) == []


def test_pages_answer_404_to_other_tenants_and_403_to_other_roles(
    client, world, django_capture_on_commit_callbacks
):
    order = make_order(world, django_capture_on_commit_callbacks)
    client.force_login(_stranger())
    assert client.get(reverse("fulfilment:receive", args=[order.pk])).status_code == 404
    assert client.post(reverse("fulfilment:receive", args=[order.pk]), {"quantity-1": "1"}).status_code == 404
    assert list(client.get(reverse("fulfilment:deliveries")).context["orders"]) == []
    client.force_login(_stranger(Role.COORDINATOR))
    assert client.get(reverse("fulfilment:despatch", args=[order.pk])).status_code == 404
    assert (
        client.post(reverse("fulfilment:attempt", args=[order.pk]), {"outcome": "site_closed"}).status_code
        == 404
    )
    assert client.post(reverse("fulfilment:task", args=[order.pk, "checklist"])).status_code == 404
    assert client.get(reverse("fulfilment:certificate", args=[order.pk])).status_code == 404
    client.force_login(world.requisitioner)
    assert client.get(reverse("fulfilment:receive", args=[order.pk])).status_code == 403
    assert client.get(reverse("fulfilment:despatch", args=[order.pk])).status_code == 403
    other_supplier = UserFactory()
    MembershipFactory(user=other_supplier, organisation=world.peppol.organisation, role=Role.SUPPLIER_USER)
    client.force_login(other_supplier)
    url = reverse("fulfilment:supplier_attempt", args=[order.pk])
    assert client.post(url, {"outcome": "site_closed"}).status_code == 404
    assert not DeliveryAttempt.objects.exists()


def test_receiver_of_another_department_gets_404(client, world, django_capture_on_commit_callbacks):
    order = make_order(world, django_capture_on_commit_callbacks)
    school = world.department.__class__.objects.create(
        organisation=world.buyer, name="Skolan", code="SKO", gln="7350000000019"
    )
    elsewhere = UserFactory()
    MembershipFactory(user=elsewhere, organisation=world.buyer, role=Role.GOODS_RECEIVER, department=school)
    client.force_login(elsewhere)
    assert client.get(reverse("fulfilment:receive", args=[order.pk])).status_code == 404
    assert list(client.get(reverse("fulfilment:deliveries")).context["orders"]) == []


def test_deliveries_list_query_count_does_not_grow(
    client, world, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for _ in range(3):
        make_order(world, django_capture_on_commit_callbacks)
    client.force_login(world.receiver)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("fulfilment:deliveries"))
    assert len(page.context["orders"]) == 3
    with django_assert_max_num_queries(40):
        assert client.get("/").status_code == 200


def test_order_page_shows_despatch_receipt_attempt_and_tasks(
    client, world, django_capture_on_commit_callbacks
):
    order = make_order(world, django_capture_on_commit_callbacks, quantity=2)
    DeliveryRequirement.objects.create(
        organisation=world.buyer, agreement=order.agreement, tasks=["training"], checklist=[]
    )
    services.despatch_advice_register_manual(actor=world.coordinator, order_id=order.pk, lines={"1": "2"})
    services.delivery_attempt_log(
        actor=world.coordinator, organisation=world.buyer, order_id=order.pk, outcome="nobody_answered"
    )
    services.goods_receipt_register(actor=world.receiver, order_id=order.pk, lines={"1": {"quantity": "2"}})
    client.force_login(world.coordinator)
    with translation.override("sv"):
        page = client.get(reverse("ordering:order", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="sv")
    html = page.content.decode()
    assert page.status_code == 200
    assert f"{order.number}-D1" in html and f"{order.number}-M1" in html
    assert 'id="task-training"' in html
    assert "Uppgifter före fakturan" in html and "Leveransförsök" in html and "Ingen svarade" in html
    response = client.post(
        reverse("fulfilment:task", args=[order.pk, "training"]), {"note": "Anna Berg, Bo Ek"}
    )
    assert response.status_code == 302
    assert PostDeliveryTask.objects.get(purchase_order=order).status == "done"
    assert selectors.order_ready_to_invoice(order) == (True, [])


def test_storage_wipe_certificate_upload_and_download(client, world, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = make_order(world, django_capture_on_commit_callbacks, quantity=1)
    DeliveryRequirement.objects.create(organisation=world.buyer, tasks=["storage_wipe"])
    client.force_login(world.receiver)
    upload = SimpleUploadedFile("intyg.pdf", b"%PDF-1.4 intyg", content_type="application/pdf")
    url = reverse("fulfilment:task", args=[order.pk, "storage_wipe"])
    response = client.post(
        url, {"certificate": upload, "next": reverse("fulfilment:receive", args=[order.pk])}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"/orders/{order.pk}/receive/")
    client.force_login(world.coordinator)
    download = client.get(reverse("fulfilment:certificate", args=[order.pk]))
    assert download.status_code == 200 and download.content == b"%PDF-1.4 intyg"


def test_portal_shows_receipt_deviation_and_supplier_logs_an_attempt(
    client, world, django_capture_on_commit_callbacks
):
    order = make_order(world, django_capture_on_commit_callbacks, quantity=2)
    receipt = services.goods_receipt_register(
        actor=world.receiver, order_id=order.pk, lines={"1": {"quantity": "1", "condition": "wrong_item"}}
    )
    supplier_user = UserFactory()
    MembershipFactory(user=supplier_user, organisation=world.email.organisation, role=Role.SUPPLIER_USER)
    client.force_login(supplier_user)
    page = client.get(reverse("portal:order", args=[order.pk]))
    assert page.status_code == 200
    assert f"#{receipt.case_id}" in page.content.decode()
    response = client.post(
        reverse("fulfilment:supplier_attempt", args=[order.pk]),
        {"outcome": "new_date", "new_date": "2099-01-05"},
    )
    assert response.status_code == 302
    attempt = DeliveryAttempt.objects.get()
    assert attempt.by_supplier and attempt.new_date.year == 2099
    assert selectors.received_by_line([order]) == {}
    assert Decimal("0") == sum(selectors.received_by_line([order]).values(), Decimal("0"))


def test_coordinator_start_page_lists_refused_despatch_advices(
    client, world, django_capture_on_commit_callbacks
):
    from avrop.fulfilment.tests.conftest import t16
    from avrop.organisations.tests.factories import OrganisationFactory as Org

    order = make_order(world, django_capture_on_commit_callbacks, channel="peppol")
    services.despatch_advice_receive(content=t16(order, {1: Decimal("1")}, supplier_org=Org(kind="supplier")))
    client.force_login(world.coordinator)
    with translation.override("sv"):
        page = client.get("/", HTTP_ACCEPT_LANGUAGE="sv")
    html = page.content.decode()
    assert "Avvisade leveransaviseringar" in html and order.number in html


def test_order_part_is_left_out_for_an_order_nothing_is_on_its_way_for(
    world, django_capture_on_commit_callbacks
):
    from types import SimpleNamespace

    from avrop.fulfilment.views import order_part

    order = make_order(world, django_capture_on_commit_callbacks)
    order.status = "cancelled"
    request = SimpleNamespace(
        organisation=world.buyer, roles=frozenset({Role.COORDINATOR}), user=world.coordinator
    )
    assert order_part(request, order) == ""
