"""Portal orders: the inbox and its tabs, answering (the same effect as a T76), despatch advices, the buyer's
cancellations, orders on behalf of a buyer (SPOC), notifications, and who may see and do what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from avrop.core.models import AuditEvent
from avrop.fulfilment import services as fulfilment_services
from avrop.fulfilment.models import DespatchAdvice
from avrop.ordering import services
from avrop.ordering.models import (
    OnBehalfPermission,
    OrderDocument,
    OrderEvent,
    OrderResponse,
    PurchaseOrder,
    Requisition,
)
from avrop.ordering.tests.factories import build_world
from avrop.ordering.tests.helpers import ordered
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from avrop.suppliers.models import Supplier

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ordering_dirs(settings, tmp_path):
    settings.ORDERING_PEPPOL_DIR = str(tmp_path / "peppol-ordering")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AVROP_BASE_URL = "http://testserver"
    settings.LANGUAGE_CODE = "en"
    return tmp_path


@pytest.fixture
def world(db):
    return build_world()


def _supplier_user(organisation, role=Role.SUPPLIER_USER):
    user = UserFactory()
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


def _order(world, capture, *, connection="email", quantity=1):
    """One sent order of ``quantity`` of an item of the world's e-mail supplier (by e-mail or the portal)."""
    if connection != world.email.connection:
        world.email.connection = connection
        world.email.save()
    lines = services.cart_add_items(
        actor=world.requisitioner, organisation=world.buyer, items=[(world.items["email"][0].pk, quantity)]
    )
    requisition = lines[0].requisition
    with capture(execute=True):
        services.requisition_submit(actor=world.requisitioner, requisition_id=requisition.pk)
    with capture(execute=True):
        services.requisition_decide(requisition_id=requisition.pk, approver=world.approver, approve=True)
    order = PurchaseOrder.objects.get(requisition=requisition)
    assert order.channel == connection and order.status == "sent"
    return order


def _peppol_order(world, capture):
    _requisition, orders = ordered(world, capture, peppol=1, email=0)
    return orders["peppol"]


# --- inbox ---------------------------------------------------------------------------------------------


def test_inbox_tabs_count_new_then_to_answer_after_opening(client, world, django_capture_on_commit_callbacks):
    order = _order(world, django_capture_on_commit_callbacks)
    user = _supplier_user(world.email.organisation)
    client.force_login(user)
    page = client.get(reverse("portal:orders") + "?tab=new")
    assert page.status_code == 200
    assert page.context["tabs"][0] == ("new", "New", 1)
    assert [o.pk for o in page.context["orders"]] == [order.pk]
    assert client.get(reverse("portal:order", args=[order.pk])).status_code == 200
    page = client.get(reverse("portal:orders") + "?tab=to_answer")
    counts = {key: count for key, _label, count in page.context["tabs"]}
    assert counts["new"] == 0
    assert counts["to_answer"] == 1
    assert AuditEvent.objects.filter(action="portal.order_open", actor=user).count() == 1


def test_inbox_filters_by_customer(client, world, django_capture_on_commit_callbacks):
    order = _order(world, django_capture_on_commit_callbacks)
    other_buyer = OrganisationFactory(name="Ystads kommun")
    other = Supplier.objects.create(buyer=other_buyer, organisation=world.email.organisation)
    client.force_login(_supplier_user(world.email.organisation))
    mine = client.get(reverse("portal:orders") + f"?customer={world.email.pk}")
    assert [o.pk for o in mine.context["orders"]] == [order.pk]
    none = client.get(reverse("portal:orders") + f"?customer={other.pk}")
    assert none.context["orders"] == []
    stranger = Supplier.objects.create(buyer=other_buyer, organisation=world.peppol.organisation)
    assert client.get(reverse("portal:orders") + f"?customer={stranger.pk}").status_code == 404


def test_order_detail_shows_delivery_details_and_machine(client, world, django_capture_on_commit_callbacks):
    world.address.building = "Hus B"
    world.address.floor = "3"
    world.address.room = "312"
    world.address.save()
    order = _order(world, django_capture_on_commit_callbacks)
    rl = order.lines.get().requisition_line
    rl.machine_serial = "SN-4711"
    rl.machine_placement = "Korridor vid reception"
    rl.save()
    client.force_login(_supplier_user(world.email.organisation))
    html = client.get(reverse("portal:order", args=[order.pk])).content.decode()
    for text in ("Hus B", "312", "Lars Persson", "SN-4711", "Korridor vid reception", order.buyer_reference):
        assert text in html


def test_list_query_count_does_not_grow_with_rows(
    client, world, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    _order(world, django_capture_on_commit_callbacks)
    client.force_login(_supplier_user(world.email.organisation))
    url = reverse("portal:orders")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _n in range(4):
        _order(world, django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert len(page.context["orders"]) == 5


# --- answering -----------------------------------------------------------------------------------------


def _respond(client, order, code, key="k-1", **fields):
    data = {"code": code, "submit_key": key, **fields}
    return client.post(reverse("portal:order_respond", args=[order.pk]), data)


def test_accept_with_one_changed_line_reaches_the_buyer_as_a_t76_would(
    client, world, django_capture_on_commit_callbacks
):
    order = _order(world, django_capture_on_commit_callbacks, quantity=3)
    user = _supplier_user(world.email.organisation)
    client.force_login(user)
    later = timezone.localdate() + dt.timedelta(days=9)
    with django_capture_on_commit_callbacks(execute=True):
        response = _respond(
            client,
            order,
            "CA",
            **{
                "quantity-1": "2",
                "price-1": str(order.lines.get().unit_price),
                "date-1": later.isoformat(),
                "substitute-article-1": "ALT-1",
                "substitute-name-1": "Likvärdig artikel",
                "note": "En kommer senare.",
            },
        )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "accepted_with_changes"
    line = order.lines.get()
    assert line.confirmed_quantity == Decimal("2")
    assert line.confirmed_delivery_date == later
    assert line.substitute_article_number == "ALT-1"
    answer = OrderResponse.objects.get(purchase_order=order)
    assert answer.source == "portal" and answer.code == "CA" and answer.registered_by == user
    fields = {c["field"] for c in answer.lines.get().changes}
    assert fields == {"quantity", "delivery_date", "substitute"}
    assert AuditEvent.objects.filter(action="portal.order_respond", actor=user).exists()
    client.force_login(world.requisitioner)
    buyer_page = client.get(reverse("ordering:order", args=[order.pk])).content.decode()
    assert 'class="changed">2</mark>' in buyer_page
    assert "ALT-1" in buyer_page


def test_double_click_on_respond_gives_exactly_one_response(
    client, world, django_capture_on_commit_callbacks
):
    order = _order(world, django_capture_on_commit_callbacks)
    client.force_login(_supplier_user(world.email.organisation))
    with django_capture_on_commit_callbacks(execute=True):
        first = _respond(client, order, "AP", key="same")
        second = _respond(client, order, "AP", key="same")
    assert first.status_code == second.status_code == 302
    assert OrderResponse.objects.filter(purchase_order=order).count() == 1
    assert OrderEvent.objects.filter(purchase_order=order, kind="response").count() == 1


def test_reject_needs_a_reason_and_then_rejects(client, world, django_capture_on_commit_callbacks):
    order = _order(world, django_capture_on_commit_callbacks)
    client.force_login(_supplier_user(world.email.organisation))
    refused = _respond(client, order, "RE", key="a")
    assert refused.status_code == 400
    assert "why you reject" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert _respond(client, order, "RE", key="b", note="Utgått ur sortimentet.").status_code == 302
    order.refresh_from_db()
    assert order.status == "rejected"
    assert _respond(client, order, "AP", key="c").status_code == 400


def test_peppol_order_is_visible_but_read_only(client, world, django_capture_on_commit_callbacks):
    order = _peppol_order(world, django_capture_on_commit_callbacks)
    client.force_login(_supplier_user(world.peppol.organisation))
    page = client.get(reverse("portal:order", args=[order.pk]))
    assert page.status_code == 200
    assert page.context["read_only"] is True
    assert 'id="respond-form"' not in page.content.decode()
    refused = _respond(client, order, "AP")
    assert refused.status_code == 400
    assert not OrderResponse.objects.filter(purchase_order=order).exists()


def test_portal_channel_orders_are_answered_too(client, world, django_capture_on_commit_callbacks):
    order = _order(world, django_capture_on_commit_callbacks, connection="portal")
    client.force_login(_supplier_user(world.email.organisation))
    with django_capture_on_commit_callbacks(execute=True):
        assert _respond(client, order, "AP").status_code == 302
    order.refresh_from_db()
    assert order.status == "accepted"


# --- security ------------------------------------------------------------------------------------------


def test_suppliers_guessing_each_others_ids_get_404(client, world, django_capture_on_commit_callbacks):
    order = _order(world, django_capture_on_commit_callbacks)
    intruder = _supplier_user(world.peppol.organisation, role=Role.SPOC)
    client.force_login(intruder)
    assert client.get(reverse("portal:order", args=[order.pk])).status_code == 404
    assert _respond(client, order, "AP").status_code == 404
    assert client.get(reverse("portal:order_despatch", args=[order.pk])).status_code == 404
    assert (
        client.post(reverse("portal:order_despatch", args=[order.pk]), {"quantity-1": "1"}).status_code == 404
    )
    assert client.post(reverse("portal:order_cancellation_confirm", args=[order.pk])).status_code == 404
    assert order.pk not in [o.pk for o in client.get(reverse("portal:orders")).context["orders"]]
    assert not OrderResponse.objects.filter(purchase_order=order).exists()


def test_buyer_users_are_refused_portal_order_pages(client, world, django_capture_on_commit_callbacks):
    order = _order(world, django_capture_on_commit_callbacks)
    client.force_login(world.coordinator)
    assert client.get(reverse("portal:orders")).status_code == 403
    assert client.get(reverse("portal:order", args=[order.pk])).status_code == 403
    assert _respond(client, order, "AP").status_code == 403
    assert client.get(reverse("portal:order_on_behalf")).status_code == 403


# --- despatch advice ------------------------------------------------------------------------------------


def _despatch(client, order, key, **fields):
    return client.post(reverse("portal:order_despatch", args=[order.pk]), {"submit_key": key, **fields})


def test_partial_despatch_then_the_rest_delivers_the_order(client, world, django_capture_on_commit_callbacks):
    order = _order(world, django_capture_on_commit_callbacks, quantity=3)
    user = _supplier_user(world.email.organisation)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        _respond(client, order, "AP")
    first = _despatch(
        client,
        order,
        "00000000-0000-0000-0000-000000000001",
        **{"quantity-1": "1", "carrier": "PostNord", "tracking_number": "PN123456789SE"},
    )
    assert first.status_code == 302
    order.refresh_from_db()
    assert order.status == "accepted"
    too_many = _despatch(client, order, "00000000-0000-0000-0000-000000000002", **{"quantity-1": "3"})
    assert too_many.status_code == 400
    assert "at most 2" in too_many.content.decode()
    rest = _despatch(client, order, "00000000-0000-0000-0000-000000000003", **{"quantity-1": "2"})
    assert rest.status_code == 302
    order.refresh_from_db()
    assert order.status == "delivered"
    assert DespatchAdvice.objects.filter(purchase_order=order).count() == 2
    events = OrderEvent.objects.filter(purchase_order=order, kind="despatch").order_by("id")
    assert "PN123456789SE" in events[0].text and "partial" in events[0].text
    assert AuditEvent.objects.filter(action="portal.despatch_advice", actor=user).count() == 2
    client.force_login(world.requisitioner)
    buyer_page = client.get(reverse("ordering:order", args=[order.pk])).content.decode()
    assert "PN123456789SE" in buyer_page and "PostNord" in buyer_page


def test_despatch_is_kept_as_a_valid_peppol_despatch_advice(
    client, world, django_capture_on_commit_callbacks
):
    from avrop.edi.validation import validate

    order = _order(world, django_capture_on_commit_callbacks, quantity=2)
    client.force_login(_supplier_user(world.email.organisation))
    _despatch(
        client, order, "00000000-0000-0000-0000-00000000000a", **{"quantity-1": "1", "tracking_number": "T1"}
    )
    despatch = DespatchAdvice.objects.get(purchase_order=order)
    assert despatch.document is not None
    document = OrderDocument.objects.get(pk=despatch.document_id)
    assert document.kind == "despatch_xml"
    report = validate(bytes(document.content))
    assert report.valid and report.transaction == "T16"


def test_double_click_on_despatch_registers_one(client, world, django_capture_on_commit_callbacks):
    order = _order(world, django_capture_on_commit_callbacks, quantity=2)
    client.force_login(_supplier_user(world.email.organisation))
    key = "00000000-0000-0000-0000-0000000000b1"
    assert _despatch(client, order, key, **{"quantity-1": "1"}).status_code == 302
    assert _despatch(client, order, key, **{"quantity-1": "1"}).status_code == 302
    assert DespatchAdvice.objects.filter(purchase_order=order).count() == 1


def test_no_despatch_on_a_rejected_order(world, django_capture_on_commit_callbacks):
    from avrop.core.errors import DomainError

    order = _order(world, django_capture_on_commit_callbacks)
    user = _supplier_user(world.email.organisation)
    services.portal_order_respond(
        actor=user, organisation=world.email.organisation, order_id=order.pk, code="RE", note="Nej."
    )
    with pytest.raises(DomainError) as error:
        fulfilment_services.despatch_advice_register(
            actor=user, organisation=world.email.organisation, order_id=order.pk, lines={"1": "1"}
        )
    assert error.value.code == "not_despatchable"


# --- cancellations and notifications --------------------------------------------------------------------


def test_supplier_confirms_the_buyers_cancellation(
    client, world, django_capture_on_commit_callbacks, monkeypatch
):
    import avrop.suppliers.notifications as notifications

    told: list[tuple[str, str]] = []
    monkeypatch.setattr(notifications, "notify", lambda **kw: told.append((kw["topic"], kw["subject"])) or 1)
    order = _order(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.purchase_order_cancel(actor=world.requisitioner, order_id=order.pk, reason="Fel artikel")
    assert ("order_changes", f"Order {order.number} from {world.buyer.name} was changed") in told or any(
        topic == "order_changes" for topic, _s in told
    )
    user = _supplier_user(world.email.organisation)
    client.force_login(user)
    page = client.get(reverse("portal:orders") + "?tab=cancellation")
    assert [o.pk for o in page.context["orders"]] == [order.pk]
    assert client.post(reverse("portal:order_cancellation_confirm", args=[order.pk])).status_code == 302
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert AuditEvent.objects.filter(action="portal.cancellation_confirm", actor=user).exists()


def test_new_email_and_portal_orders_notify_the_supplier_but_peppol_ones_do_not(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    import avrop.suppliers.notifications as notifications

    told: list[tuple[int, str]] = []
    monkeypatch.setattr(notifications, "notify", lambda **kw: told.append((kw["obj"].pk, kw["topic"])) or 1)
    email_order = _order(world, django_capture_on_commit_callbacks)
    peppol_order = _peppol_order(world, django_capture_on_commit_callbacks)
    assert (email_order.pk, "new_orders") in told
    assert all(pk != peppol_order.pk for pk, _topic in told)


def test_buyer_change_notifies_order_changes(world, django_capture_on_commit_callbacks, monkeypatch):
    import avrop.suppliers.notifications as notifications

    told: list[str] = []
    monkeypatch.setattr(notifications, "notify", lambda **kw: told.append(kw["topic"]) or 1)
    order = _order(world, django_capture_on_commit_callbacks)
    line = order.lines.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.purchase_order_change_request(
            actor=world.requisitioner,
            order_id=order.pk,
            changes={line.pk: {"requested_delivery_date": timezone.localdate() + dt.timedelta(days=20)}},
        )
    assert told.count("order_changes") == 1


# --- orders on behalf of a buyer (SPOC) -----------------------------------------------------------------


def _spoc_setup(world, *, allowed=True):
    spoc = _supplier_user(world.email.organisation, role=Role.SPOC)
    if allowed:
        services.on_behalf_permission_set(actor=world.coordinator, supplier_id=world.email.pk, allowed=True)
    return spoc


def _on_behalf_post(client, world, key="00000000-0000-0000-0000-0000000000c1", **extra):
    item = world.items["email"][0]
    data = {
        "customer": world.email.pk,
        "requisitioner": world.requisitioner.pk,
        "origin": "phone",
        "note": "Anna ringde 09:40.",
        f"item-{item.pk}": "4",
        "free-1-name": "Specialpärm A3",
        "free-1-quantity": "2",
        "free-1-unit_price": "55",
        "submit_key": key,
        **extra,
    }
    return client.post(reverse("portal:order_on_behalf"), data)


def test_spoc_registers_an_order_that_goes_to_the_buyers_approval(
    client, world, django_capture_on_commit_callbacks
):
    from avrop.core.models import OutboxMessage

    spoc = _spoc_setup(world)
    client.force_login(spoc)
    page = client.get(reverse("portal:order_on_behalf") + f"?customer={world.email.pk}")
    assert page.status_code == 200
    assert world.requisitioner.get_full_name() in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = _on_behalf_post(client, world)
        again = _on_behalf_post(client, world)
    assert response.status_code == again.status_code == 302
    requisition = Requisition.objects.get(registered_for=world.email)
    assert requisition.requisitioner == world.requisitioner
    assert requisition.status == "pending_approval"
    assert requisition.origin == "phone" and requisition.registered_by == spoc
    assert requisition.lines.count() == 2
    assert requisition.total_amount == world.items["email"][0].unit_price * 4 + Decimal("110.00")
    assert OutboxMessage.objects.filter(recipient=world.requisitioner.email).exists()
    assert AuditEvent.objects.filter(action="portal.order_on_behalf", actor=spoc).exists()
    client.force_login(world.approver)
    queue = client.get(reverse("ordering:approvals")).content.decode()
    assert "registered by the supplier" in queue
    with django_capture_on_commit_callbacks(execute=True):
        services.requisition_decide(requisition_id=requisition.pk, approver=world.approver, approve=True)
    order = PurchaseOrder.objects.get(requisition=requisition)
    client.force_login(world.requisitioner)
    assert (
        "Registered by the supplier"
        in client.get(reverse("ordering:order", args=[order.pk])).content.decode()
    )


def test_without_permission_the_spoc_is_refused_with_a_clear_message(client, world):
    spoc = _spoc_setup(world, allowed=False)
    client.force_login(spoc)
    response = _on_behalf_post(client, world)
    assert response.status_code == 403
    assert "has not allowed you" in response.content.decode()
    assert not Requisition.objects.filter(registered_for=world.email).exists()


def test_revoked_permission_refuses_again(world):
    from avrop.core.errors import NotAllowed

    spoc = _spoc_setup(world)
    services.on_behalf_permission_set(actor=world.coordinator, supplier_id=world.email.pk, allowed=False)
    assert OnBehalfPermission.objects.get(supplier=world.email).revoked_by == world.coordinator
    with pytest.raises(NotAllowed) as error:
        services.requisition_register_on_behalf(
            actor=spoc,
            organisation=world.email.organisation,
            relation_id=world.email.pk,
            requisitioner_id=world.requisitioner.pk,
            origin="email",
            items=[(world.items["email"][0].pk, 1)],
        )
    assert error.value.code == "no_on_behalf_permission"


def test_a_supplier_user_without_spoc_role_cannot_register_on_behalf(client, world):
    from avrop.core.errors import NotAllowed

    _spoc_setup(world)
    user = _supplier_user(world.email.organisation)
    client.force_login(user)
    assert client.get(reverse("portal:order_on_behalf")).status_code == 403
    assert _on_behalf_post(client, world).status_code == 403
    with pytest.raises(NotAllowed):
        services.requisition_register_on_behalf(
            actor=user,
            organisation=world.email.organisation,
            relation_id=world.email.pk,
            requisitioner_id=world.requisitioner.pk,
            origin="phone",
            items=[(world.items["email"][0].pk, 1)],
        )
    assert not Requisition.objects.filter(registered_for=world.email).exists()


def test_spoc_cannot_order_another_suppliers_items_or_for_a_stranger(world):
    from avrop.core.errors import DomainError

    spoc = _spoc_setup(world)
    with pytest.raises(DomainError) as error:
        services.requisition_register_on_behalf(
            actor=spoc,
            organisation=world.email.organisation,
            relation_id=world.email.pk,
            requisitioner_id=world.requisitioner.pk,
            origin="phone",
            items=[(world.items["peppol"][0].pk, 1)],
        )
    assert error.value.code == "item_unavailable"
    with pytest.raises(DomainError) as error:
        services.requisition_register_on_behalf(
            actor=spoc,
            organisation=world.email.organisation,
            relation_id=world.email.pk,
            requisitioner_id=UserFactory().pk,
            origin="phone",
            items=[(world.items["email"][0].pk, 1)],
        )
    assert error.value.field == "requisitioner"


def test_only_the_coordinator_toggles_the_permission(client, world):
    client.force_login(world.requisitioner)
    url = reverse("ordering:on_behalf_permissions")
    assert client.post(url, {"supplier": world.email.pk, "allowed": "1"}).status_code == 403
    client.force_login(world.coordinator)
    assert client.get(url).status_code == 200
    assert client.post(url, {"supplier": world.email.pk, "allowed": "1"}).status_code == 302
    assert OnBehalfPermission.objects.get(supplier=world.email).is_active
    assert AuditEvent.objects.filter(action="ordering.on_behalf_permission", actor=world.coordinator).exists()


# --- start page ------------------------------------------------------------------------------------------


def test_start_page_lists_orders_to_answer_to_deliver_and_cancellations(
    client, world, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    to_answer = _order(world, django_capture_on_commit_callbacks)
    to_deliver = _order(world, django_capture_on_commit_callbacks)
    to_cancel = _order(world, django_capture_on_commit_callbacks)
    user = _supplier_user(world.email.organisation)
    organisation = world.email.organisation
    services.portal_order_respond(actor=user, organisation=organisation, order_id=to_deliver.pk, code="AP")
    services.purchase_order_cancel(actor=world.requisitioner, order_id=to_cancel.pk, reason="Fel")
    from avrop.portal.home_orders import sections

    # Four bounded lists, each scoped by the user's membership: a fixed number of queries, whatever the rows.
    with django_assert_max_num_queries(12):
        found = {
            s.title: [row.url for row in s.rows]
            for s in sections(user=user, organisation=organisation, roles=frozenset({Role.SUPPLIER_USER}))
        }
    assert found["Orders to answer"] == [reverse("portal:order", args=[to_answer.pk])]
    assert found["Orders to deliver"] == [reverse("portal:order", args=[to_deliver.pk])]
    assert found["Cancellations to confirm"] == [reverse("portal:order", args=[to_cancel.pk])]
    assert (
        sections(user=world.coordinator, organisation=world.buyer, roles=frozenset({Role.COORDINATOR})) == []
    )
    client.force_login(user)
    assert "Orders to answer" in client.get(reverse("core:home")).content.decode()
