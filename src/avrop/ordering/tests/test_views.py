"""Pages: other tenants get 404, roles are enforced, query counts do not grow with the data, the flow works
through the web (HTMX and plain forms)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from avrop.ordering import services
from avrop.ordering.models import PurchaseOrder, Requisition
from avrop.ordering.tests.factories import build_world, make_items
from avrop.ordering.tests.helpers import cart_with, ordered

pytestmark = pytest.mark.django_db


def _queries(client, url):
    client.get(url)  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def test_other_tenants_requisitions_and_orders_are_404(world, client, django_capture_on_commit_callbacks):
    requisition, orders = ordered(world, django_capture_on_commit_callbacks)
    other = build_world(items=1)
    for user in (other.requisitioner, other.coordinator, other.approver):
        client.force_login(user)
        assert client.get(f"/ordering/requisitions/{requisition.pk}/").status_code == 404
        assert client.get(f"/ordering/orders/{orders['peppol'].pk}/").status_code == 404
        document = orders["peppol"].documents.first()
        assert (
            client.get(f"/ordering/orders/{orders['peppol'].pk}/documents/{document.pk}/").status_code == 404
        )
    client.force_login(other.coordinator)
    assert client.post(f"/ordering/orders/{orders['peppol'].pk}/cancel/", {"reason": "x"}).status_code == 404
    client.force_login(other.approver)
    assert client.get(f"/ordering/approvals/{requisition.pk}/").status_code == 404


def test_a_colleague_without_oversight_does_not_see_my_orders(
    world, client, django_capture_on_commit_callbacks
):
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks)
    colleague = world.member(department=world.department)
    client.force_login(colleague)
    assert client.get(f"/ordering/orders/{orders['peppol'].pk}/").status_code == 404
    assert orders["peppol"].number.encode() not in client.get("/ordering/orders/?all=1").content


def test_a_goods_receiver_opens_the_orders_of_their_department(
    world, client, django_capture_on_commit_callbacks
):
    """The receiving page links back to the order; the goods receiver of its department may open it, the
    goods receiver of another department gets 404."""
    from avrop.organisations.roles import Role
    from avrop.organisations.tests.factories import DepartmentFactory

    _requisition, orders = ordered(world, django_capture_on_commit_callbacks)
    url = f"/ordering/orders/{orders['peppol'].pk}/"
    client.force_login(world.member(Role.GOODS_RECEIVER, department=world.department))
    response = client.get(url)
    assert response.status_code == 200
    assert orders["peppol"].number in response.content.decode()
    # ... but not the requisition behind it, so the page does not link it
    assert f"/ordering/requisitions/{_requisition.pk}/" not in response.content.decode()
    assert client.get(f"/ordering/requisitions/{_requisition.pk}/").status_code == 404
    client.force_login(world.member(Role.GOODS_RECEIVER))  # receives for the whole organisation
    assert client.get(url).status_code == 200
    elsewhere = DepartmentFactory.create(organisation=world.buyer)
    client.force_login(world.member(Role.GOODS_RECEIVER, department=elsewhere))
    assert client.get(url).status_code == 404


def test_an_approver_follows_a_requisition_to_its_orders(world, client, django_capture_on_commit_callbacks):
    requisition, orders = ordered(world, django_capture_on_commit_callbacks)
    client.force_login(world.approver)
    page = client.get(f"/ordering/requisitions/{requisition.pk}/").content.decode()
    url = f"/ordering/orders/{orders['peppol'].pk}/"
    assert url in page  # the requisition links its orders ...
    response = client.get(url)  # ... and the approver may open them
    assert response.status_code == 200
    assert orders["peppol"].number in response.content.decode()


def test_roles_are_needed(world, client):
    client.force_login(world.approver)
    assert client.get("/ordering/cart/").status_code == 403
    client.force_login(world.requisitioner)
    assert client.get("/ordering/approvals/").status_code == 403
    assert client.get("/ordering/troubleshooting/").status_code == 403


def test_cart_page_queries_do_not_grow_with_the_cart(world, client):
    client.force_login(world.requisitioner)
    cart_with(world, peppol=1, email=1)
    small = _queries(client, "/ordering/cart/")
    more = make_items(world.buyer, world.peppol.organisation, 12)
    services.cart_add_items(
        actor=world.requisitioner, organisation=world.buyer, items=[(i.pk, 1) for i in more]
    )
    assert Requisition.objects.get(status="draft").lines.count() == 14
    assert _queries(client, "/ordering/cart/") == small


def test_list_pages_queries_do_not_grow(world, client, django_capture_on_commit_callbacks):
    ordered(world, django_capture_on_commit_callbacks)
    pending = cart_with(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.requisition_submit(actor=world.requisitioner, requisition_id=pending.pk)
    pages = {
        world.requisitioner: ["/ordering/requisitions/", "/ordering/orders/"],
        world.coordinator: [
            "/ordering/orders/?all=1",
            "/ordering/troubleshooting/",
            "/ordering/requisitions/?all=1",
        ],
        world.approver: ["/ordering/approvals/"],
    }
    before = {}
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            before[url] = _queries(client, url)
    for _ in range(3):
        ordered(world, django_capture_on_commit_callbacks)
        extra = cart_with(world)
        with django_capture_on_commit_callbacks(execute=True):
            services.requisition_submit(actor=world.requisitioner, requisition_id=extra.pk)
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            assert _queries(client, url) == before[url], url


def test_order_page_shows_changes_and_the_timeline(world, client, django_capture_on_commit_callbacks):
    from avrop.ordering.tests.helpers import t76

    _requisition, orders = ordered(world, django_capture_on_commit_callbacks)
    order = orders["peppol"]
    with django_capture_on_commit_callbacks(execute=True):
        services.order_response_receive(
            content=t76(order, "CA", lines=[{"line_id": 1, "quantity": 1, "price": "11.00"}])
        )
    client.force_login(world.coordinator)
    page = client.get(f"/ordering/orders/{order.pk}/").content.decode()
    assert '<mark class="changed">1</mark>' in page
    assert (
        page.count('<time datetime="') >= 6
    )  # created, submitted, approved, order created, queued, sent, response


def test_cart_to_orders_through_the_web(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.requisitioner)
    item = world.items["peppol"][0]
    response = client.post("/ordering/cart/add/", {"item": item.pk, "quantity": "3"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b'role="status"' in response.content
    client.post("/ordering/cart/add/", {"item": world.items["email"][0].pk, "quantity": "1"})
    cart = Requisition.objects.get(status="draft")
    line = cart.lines.get(item=item)
    response = client.post(
        f"/ordering/cart/lines/{line.pk}/",
        {
            f"l{line.pk}-quantity": "4",
            f"l{line.pk}-delivery_address": world.address.pk,
            f"l{line.pk}-note_to_supplier": "Port 3",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and b'id="cart"' in response.content
    line.refresh_from_db()
    assert line.quantity == 4 and line.note_to_supplier == "Port 3"
    coding = client.post(
        f"/ordering/cart/lines/{line.pk}/coding/",
        {
            "split-TOTAL_FORMS": "2",
            "split-INITIAL_FORMS": "1",
            "split-MIN_NUM_FORMS": "1",
            "split-MAX_NUM_FORMS": "10",
            "split-0-account": "6110",
            "split-0-cost_centre": "1200",
            "split-0-percent": "75",
            "split-1-account": "6110",
            "split-1-cost_centre": "1300",
            "split-1-percent": "25",
        },
    )
    assert coding.status_code == 302, coding.content.decode()[:2000]
    page = client.get("/ordering/cart/").content.decode()
    key = re.search(r'name="submit_key" value="([^"]+)"', page).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/ordering/cart/send/", {"submit_key": key})
        second = client.post("/ordering/cart/send/", {"submit_key": key})
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert Requisition.objects.exclude(status="draft").count() == 1
    requisition = Requisition.objects.get(status="pending_approval")
    assert requisition.steps.count() == 2
    client.force_login(world.approver)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/ordering/approvals/{requisition.pk}/", {"decision": "approve"})
    assert response.status_code == 302
    assert PurchaseOrder.objects.filter(requisition=requisition).count() == 2


def test_cart_shows_why_it_cannot_be_sent(world, client):
    item = world.items["peppol"][0]
    item.account_code = ""
    item.save()
    client.force_login(world.requisitioner)
    client.post("/ordering/cart/add/", {"item": item.pk, "quantity": "1"})
    page = client.get("/ordering/cart/").content.decode()
    assert 'role="alert"' in page and 'href="#line-' in page
    assert 'name="submit_key"' not in page


def test_free_text_page(world, client):
    client.force_login(world.requisitioner)
    response = client.post(
        "/ordering/cart/free-text/",
        {
            "supplier": world.email.pk,
            "name": "Städning efter flytt",
            "quantity": "1",
            "unit": "EA",
            "unit_price": "3000",
        },
    )
    assert response.status_code == 400
    response = client.post(
        "/ordering/cart/free-text/",
        {
            "supplier": world.email.pk,
            "name": "Städning efter flytt",
            "quantity": "1",
            "unit": "EA",
            "unit_price": "3000",
            "outside_agreement_reason": "Engångsbehov",
        },
    )
    assert response.status_code == 302


def test_troubleshooting_resend_and_fetch(world, client, django_capture_on_commit_callbacks, settings):
    settings.ORDERING_ACCESS_POINT = "avrop.ordering.tests.helpers.flaky_access_point"
    from avrop.ordering.tests.helpers import FlakyAccessPoint

    FlakyAccessPoint.down = True
    FlakyAccessPoint.sent = []
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks)
    order = orders["peppol"]
    order.transmissions.update(status="failed")
    client.force_login(world.coordinator)
    page = client.get("/ordering/troubleshooting/").content.decode()
    assert order.number in page and "refused the connection" in page
    FlakyAccessPoint.down = False
    row = order.transmissions.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/ordering/transmissions/{row.pk}/resend/", {})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == "sent"
    assert client.post("/ordering/troubleshooting/fetch/").status_code == 302


def test_start_page_sections(world, client, django_capture_on_commit_callbacks):
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks)
    pending = cart_with(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.requisition_submit(actor=world.requisitioner, requisition_id=pending.pk)
    client.force_login(world.approver)
    assert pending.number in client.get("/").content.decode()
    client.force_login(world.requisitioner)
    assert orders["peppol"].number in client.get("/").content.decode()
    client.force_login(world.coordinator)
    assert "/ordering/troubleshooting/" in client.get("/").content.decode()
    first = _queries(client, "/")
    ordered(world, django_capture_on_commit_callbacks)
    assert _queries(client, "/") == first
