"""Punch-out round trips against the demo shop served on 127.0.0.1: OCI 4.0, OCI 5.0 (XML), cXML; the checks
before the lines join the cart; replays, other sessions, tampering, hostile XML, a shop that is down; then
the normal approval and purchase order."""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
import socket
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone, translation

from avrop.catalogue.models import AccountRule, CatalogueItem, PunchOutConfig, PunchOutSession
from avrop.catalogue.punch_out import demo_shop, protocols
from avrop.catalogue.services.punch_out import punch_out_config_save
from avrop.ordering import services
from avrop.ordering.models import PurchaseOrder, RequisitionLine
from avrop.organisations.roles import Role

T77_EXAMPLE = (
    Path(__file__).resolve().parents[2] / "edi/tests/standards/peppol-poacc/examples/bis/PunchOut_Example.xml"
)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')


@pytest.fixture
def shop():
    server, url = demo_shop.serve()
    yield url
    server.shutdown()
    server.server_close()


def _agreement_items(world):
    """The agreement's price list holds the shop's paper, toner and pens (not its coffee machine)."""
    first = world.items["peppol"][0]
    now = timezone.now()
    for product in demo_shop.PRODUCTS[:3]:
        CatalogueItem.objects.create(
            organisation=world.buyer,
            agreement=first.agreement,
            supplier=first.supplier,
            version=first.version,
            article_number=product.sku,
            name=product.name,
            unit=product.unit,
            price_amount=product.price,
            category_scheme="unspsc",
            category_code=product.unspsc,
            first_seen_at=now,
            updated_at=now,
        )
    return first.agreement


def _configure(world, shop_url, protocol="oci4", **extra):
    agreement = _agreement_items(world)
    AccountRule.objects.create(organisation=world.buyer, kind="unspsc", value="1411", account_code="6110")
    credentials = {
        "username": demo_shop.OCI_USERNAME,
        "password": demo_shop.OCI_PASSWORD,
        "from_identity": "KOMMUN",
        "to_identity": demo_shop.CXML_IDENTITY,
        "shared_secret": demo_shop.CXML_SHARED_SECRET,
    }
    values = {
        "protocol": protocol,
        "setup_url": f"{shop_url}/cxml" if protocol == "cxml" else f"{shop_url}/oci",
        "agreement_id": agreement.pk,
        "restrict_to_agreement": True,
        "price_tolerance_percent": "2",
        "default_account": "5410",
        "credentials": credentials,
    } | extra
    return punch_out_config_save(
        actor=world.coordinator, organisation=world.buyer, supplier_id=world.peppol.pk, **values
    )


def _post(url, fields):
    data = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data, method="POST"), timeout=5) as response:
        return response.read().decode()


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def _hidden(page):
    return [(html.unescape(n), html.unescape(v)) for n, v in HIDDEN.findall(page)]


def _action(page):
    return html.unescape(re.search(r'<form id="return" method="post" action="([^"]*)"', page).group(1))


ORDER = {"qty-KP-A4-80": "5", "qty-TN-59A": "1", "qty-KAFFE-01": "1"}


def _punch_out(client, world, shop_url, order=ORDER):
    """Go to the shop, fill the cart there, and come back: returns (hook path, return fields)."""
    response = client.post(f"/catalogue/punch-out/{world.peppol.pk}/start/")
    assert response.status_code == 200, response.content
    departure = response.context["departure"]
    if departure.method == "post":
        page = _post(departure.url, departure.fields)
        catalogue_fields = _hidden(page)
    else:
        page = _get(departure.url)
        catalogue_fields = _hidden(page)
    page = _post(f"{shop_url}/checkout", catalogue_fields + list(order.items()))
    hook = urllib.parse.urlsplit(_action(page)).path
    return hook, dict(_hidden(page))


def _login(world):
    client = Client()
    client.force_login(world.requisitioner)
    return client


def _cart_lines(world):
    return list(
        RequisitionLine.objects.filter(
            requisition__requisitioner=world.requisitioner, requisition__status="draft"
        )
    )


@pytest.mark.parametrize("protocol", ["oci4", "oci5", "cxml"])
def test_round_trip_adds_the_accepted_lines_and_says_why_the_others_are_refused(world, shop, protocol):
    _configure(world, shop, protocol=protocol)
    client = _login(world)
    hook, fields = _punch_out(client, world, shop)
    if protocol == "oci5":
        assert "~xmlDocument" in fields and not any(k.startswith("NEW_ITEM-") for k in fields)
    if protocol == "cxml":
        assert "cxml-urlencoded" in fields
    response = client.post(hook, fields)
    assert response.status_code == 303
    review = response["Location"]
    with translation.override("sv"):
        page = client.get(review)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Inte i avtalets sortiment" in text and "KAFFE-01" in text
    assert "Lägg 2 rader i varukorgen" in text
    response = client.post(review)
    assert response.status_code == 302
    lines = sorted(_cart_lines(world), key=lambda line: line.article_number)
    assert [(line.article_number, line.quantity, line.unit_price) for line in lines] == [
        ("KP-A4-80", Decimal("5"), Decimal("44.5")),
        ("TN-59A", Decimal("1"), Decimal("1190")),
    ]
    paper, toner = lines
    assert paper.agreement_id is not None and not paper.outside_agreement
    assert paper.splits.get().account == "6110"  # UNSPSC 1411… through the account mapping
    assert toner.splits.get().account == "5410"  # no UNSPSC rule: the supplier's fallback account
    session = PunchOutSession.objects.get()
    assert (
        session.status == "joined" and session.raw_sha256 and session.requisition_id == paper.requisition_id
    )


def test_the_cxml_setup_carries_the_shared_secret_and_the_shop_refuses_a_wrong_one(world, shop):
    config = _configure(world, shop, protocol="cxml")
    punch_out_config_save(
        actor=world.coordinator,
        organisation=world.buyer,
        supplier_id=world.peppol.pk,
        protocol="cxml",
        setup_url=config.setup_url,
        agreement_id=config.agreement_id,
        credentials={"shared_secret": "wrong"},
    )
    client = _login(world)
    with translation.override("sv"):
        response = client.post(f"/catalogue/punch-out/{world.peppol.pk}/start/", follow=True)
    assert "svarade inte" in response.content.decode()
    assert "401" in response.content.decode()
    assert PunchOutSession.objects.get().status == "failed"
    assert _cart_lines(world) == []


def test_a_shop_that_does_not_answer_leaves_the_cart_unchanged(world, shop):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    _configure(world, shop, protocol="cxml", setup_url=f"http://127.0.0.1:{closed_port}/cxml")
    services.cart_add_item(
        actor=world.requisitioner, organisation=world.buyer, item_id=world.items["peppol"][0].pk
    )
    client = _login(world)
    with translation.override("sv"):
        response = client.post(f"/catalogue/punch-out/{world.peppol.pk}/start/", follow=True)
    assert "svarade inte" in response.content.decode()
    assert "Din varukorg är oförändrad" in response.content.decode()
    assert len(_cart_lines(world)) == 1
    assert PunchOutSession.objects.get().status == "failed"


def test_a_double_post_and_a_double_click_add_nothing_twice(world, shop):
    _configure(world, shop)
    client = _login(world)
    hook, fields = _punch_out(client, world, shop)
    review = client.post(hook, fields)["Location"]
    with translation.override("sv"):
        again = client.post(hook, fields)
    assert again.status_code == 409
    assert "redan kommit tillbaka" in again.content.decode()
    client.post(review)
    with translation.override("sv"):
        second = client.post(review, follow=True)
    assert "ingenting lades till två gånger" in second.content.decode()
    assert len(_cart_lines(world)) == 2


def test_an_extra_line_sent_after_the_session_is_refused(world, shop):
    _configure(world, shop)
    client = _login(world)
    hook, fields = _punch_out(client, world, shop)
    client.post(hook, fields)
    extra = dict(fields)
    extra.update({"NEW_ITEM-DESCRIPTION[9]": "Extra", "NEW_ITEM-QUANTITY[9]": "1", "NEW_ITEM-PRICE[9]": "1"})
    assert client.post(hook, extra).status_code == 409
    assert len(PunchOutSession.objects.get().result["lines"]) == 3


def test_a_return_without_a_session_is_refused(world, client):
    with translation.override("sv"):
        response = client.post("/catalogue/punch-out/return/no-such-token/", {"NEW_ITEM-QUANTITY[1]": "1"})
    assert response.status_code == 404
    assert "hör inte till någon punch-out-session" in response.content.decode()


def test_another_users_or_another_logins_return_is_refused(world, shop):
    _configure(world, shop)
    client = _login(world)
    hook, fields = _punch_out(client, world, shop)
    review = client.post(hook, fields)["Location"]
    colleague = world.member(Role.REQUISITIONER, department=world.department)
    other = Client()
    other.force_login(colleague)
    assert other.get(review).status_code == 404
    assert other.post(review).status_code == 404
    same_user_elsewhere = _login(world)  # another login session of the same user
    with translation.override("sv"):
        response = same_user_elsewhere.post(review, follow=True)
    assert "påbörjades i en annan inloggning" in response.content.decode()
    assert _cart_lines(world) == []


def test_prices_are_checked_against_the_agreement_with_the_tolerance(world, shop):
    _configure(world, shop)
    client = _login(world)
    hook, fields = _punch_out(client, world, shop, order={"qty-KP-A4-80": "1", "qty-TN-59A": "1"})
    paper = next(n for n, v in fields.items() if v == "KP-A4-80").replace("VENDORMAT", "PRICE")
    toner = next(n for n, v in fields.items() if v == "TN-59A").replace("VENDORMAT", "PRICE")
    fields[paper] = "45.30"  # +1.8 %: within 2 %
    fields[toner] = "1300.00"  # +9.24 %: above
    review = client.post(hook, fields)["Location"]
    with translation.override("sv"):
        text = client.get(review).content.decode()
    assert "avvikelse 1,8" in text
    assert "9,24" in text and "över avtalets prislista" in text
    client.post(review)
    assert [line.article_number for line in _cart_lines(world)] == ["KP-A4-80"]


def test_a_cxml_cart_changed_after_the_shop_sent_it_is_refused(world, shop):
    _configure(world, shop, protocol="cxml")
    client = _login(world)
    hook, fields = _punch_out(client, world, shop)
    fields["cxml-urlencoded"] = fields["cxml-urlencoded"].replace(">44.50<", ">4.50<")
    review = client.post(hook, fields)["Location"]
    with translation.override("sv"):
        text = client.get(review).content.decode()
    assert "stämmer inte med raderna" in text
    assert "i varukorgen</button>" not in text
    with translation.override("sv"):
        assert (
            "inget från den här varukorgen att lägga till"
            in client.post(review, follow=True).content.decode()
        )
    assert _cart_lines(world) == []
    assert PunchOutSession.objects.get().status == "refused"


def test_a_cxml_cart_of_another_session_is_refused(world, shop):
    _configure(world, shop, protocol="cxml")
    client = _login(world)
    hook, fields = _punch_out(client, world, shop)
    session = PunchOutSession.objects.get()
    fields["cxml-urlencoded"] = fields["cxml-urlencoded"].replace(
        session.buyer_cookie, "someone-elses-cookie"
    )
    review = client.post(hook, fields)["Location"]
    with translation.override("sv"):
        assert "en annan punch-out-session" in client.get(review).content.decode()
    assert PunchOutSession.objects.get().status == "refused"


XXE = (
    '<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<cXML><Message><PunchOutOrderMessage><BuyerCookie>&xxe;</BuyerCookie></PunchOutOrderMessage></Message></cXML>"
)


@pytest.mark.parametrize(
    ("document", "words"),
    [(XXE, "av säkerhetsskäl vägrar"), ("<cXML><Message>", "kunde inte läsas")],
)
def test_hostile_or_malformed_cxml_is_refused_in_words(world, shop, document, words):
    _configure(world, shop, protocol="cxml")
    client = _login(world)
    hook, _fields = _punch_out(client, world, shop)
    review = client.post(hook, {"cxml-urlencoded": document})["Location"]
    with translation.override("sv"):
        text = client.get(review).content.decode()
    assert words in text
    assert "root:" not in text
    assert PunchOutSession.objects.get().status == "refused"


def test_a_peppol_punch_out_return_is_validated_with_the_official_rules(world, shop):
    _configure(world, shop, restrict_to_agreement=False)
    client = _login(world)
    hook, _fields = _punch_out(client, world, shop)
    example = T77_EXAMPLE.read_bytes()
    response = client.post(hook, {"peppol-punch-out": base64.b64encode(example).decode()})
    session = PunchOutSession.objects.get()
    assert response.status_code == 303
    assert session.status == "received", session.result
    assert session.result["lines"][0]["article_number"] == "MNTR011"


def test_a_peppol_punch_out_that_breaks_the_rules_is_refused(world, shop):
    _configure(world, shop)
    client = _login(world)
    hook, _fields = _punch_out(client, world, shop)
    broken = T77_EXAMPLE.read_bytes().replace(b"<cbc:ID>1</cbc:ID>", b"", 1)
    broken = re.sub(rb"<cac:ProviderParty>.*?</cac:ProviderParty>", b"", broken, flags=re.S)
    client.post(hook, {"peppol-punch-out": base64.b64encode(broken).decode()})
    session = PunchOutSession.objects.get()
    assert session.status == "refused"
    assert session.result["problems"][0]["code"] in {"t77_invalid", "unreadable"}


def test_the_lines_go_through_approval_to_a_purchase_order(world, shop, django_capture_on_commit_callbacks):
    _configure(world, shop)
    client = _login(world)
    hook, fields = _punch_out(client, world, shop)
    review = client.post(hook, fields)["Location"]
    client.post(review)
    requisition = _cart_lines(world)[0].requisition
    with django_capture_on_commit_callbacks(execute=True):
        services.requisition_submit(actor=world.requisitioner, requisition_id=requisition.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.requisition_decide(requisition_id=requisition.pk, approver=world.approver, approve=True)
    order = PurchaseOrder.objects.get(requisition=requisition)
    assert order.supplier_id == world.peppol.pk
    assert sorted(order.lines.values_list("article_number", flat=True)) == ["KP-A4-80", "TN-59A"]


def test_settings_are_the_coordinators_and_secrets_are_stored_encrypted(world, shop):
    agreement = _agreement_items(world)
    coordinator = Client()
    coordinator.force_login(world.coordinator)
    url = f"/catalogue/suppliers/{world.peppol.pk}/punch-out/"
    response = coordinator.post(
        url,
        {
            "protocol": "oci4",
            "setup_url": f"{shop}/oci",
            "language": "sv",
            "agreement": agreement.pk,
            "restrict_to_agreement": "on",
            "allowed_unspsc": "14, 44",
            "price_tolerance_percent": "2",
            "username": "anna",
            "password": "mycket-hemligt",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    config = PunchOutConfig.objects.get()
    assert b"mycket-hemligt" not in bytes(config.credentials)
    assert config.allowed_unspsc == "14, 44"
    world.peppol.refresh_from_db()
    assert world.peppol.connection == "punch_out"
    page = coordinator.get(url).content.decode()
    assert "mycket-hemligt" not in page
    detail = coordinator.get(f"/suppliers/{world.peppol.pk}/").content.decode()
    assert "SAP OCI 4.0" in detail
    requisitioner = _login(world)
    assert requisitioner.get(url).status_code == 403
    from avrop.ordering.tests.factories import build_world

    other = build_world(items=1)
    stranger = Client()
    stranger.force_login(other.coordinator)
    assert stranger.get(url).status_code == 404
    assert stranger.post(f"/catalogue/punch-out/{world.peppol.pk}/start/").status_code in {403, 404}


def test_the_shop_page_lists_the_punch_out_suppliers(world, shop):
    _configure(world, shop)
    with translation.override("sv"):
        text = _login(world).get("/ordering/").content.decode()
    assert "Gå till butiken" in text
    assert f"/catalogue/punch-out/{world.peppol.pk}/start/" in text


def test_unspsc_restriction_refuses_other_categories(world, shop):
    _configure(world, shop, allowed_unspsc="1411")
    client = _login(world)
    hook, fields = _punch_out(client, world, shop)
    review = client.post(hook, fields)["Location"]
    with translation.override("sv"):
        text = client.get(review).content.decode()
    assert "UNSPSC 44103103 ligger utanför de kategorier" in text
    client.post(review)
    assert [line.article_number for line in _cart_lines(world)] == ["KP-A4-80"]


def test_protocols_module_limits_line_count():
    many = {f"NEW_ITEM-QUANTITY[{n}]": "1" for n in range(1, protocols.MAX_LINES + 2)}
    with pytest.raises(protocols.ReturnError):
        protocols.oci_parse(many)


def test_a_large_oci_cart_is_read_past_djangos_field_limit(world, shop):
    _configure(world, shop, restrict_to_agreement=False)
    client = _login(world)
    hook, fields = _punch_out(client, world, shop, order={"qty-KP-A4-80": "1"})
    lines = [demo_shop.PRODUCTS[0]] * 150
    many = demo_shop.oci_fields(
        [
            protocols.ReturnedLine(
                position=n,
                article_number=f"{p.sku}-{n}",
                name=p.name,
                quantity=Decimal(1),
                unit=p.unit,
                unit_price=p.price,
                currency="SEK",
                unspsc=p.unspsc,
            )
            for n, p in enumerate(lines, start=1)
        ]
    )
    assert len(many) > 1000  # DATA_UPLOAD_MAX_NUMBER_FIELDS
    response = client.post(
        hook, urllib.parse.urlencode(many), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 303
    session = PunchOutSession.objects.get()
    assert len(session.result["lines"]) == 150
    assert bytes(session.raw_return) == urllib.parse.urlencode(many).encode()


def test_a_return_after_the_session_expired_is_refused(world, shop):
    _configure(world, shop)
    client = _login(world)
    hook, fields = _punch_out(client, world, shop)
    PunchOutSession.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    review = client.post(hook, fields)["Location"]
    with translation.override("sv"):
        assert "sessionen hade gått ut" in client.get(review).content.decode()
    assert PunchOutSession.objects.get().status == "refused"
    assert _cart_lines(world) == []


def test_the_way_to_an_oci_shop_allows_exactly_its_origin_as_form_target(world, shop):
    _configure(world, shop)
    response = _login(world).post(f"/catalogue/punch-out/{world.peppol.pk}/start/")
    policy = response["Content-Security-Policy"]
    form_action = next(part for part in policy.split(";") if "form-action" in part)
    assert shop in form_action and "'self'" in form_action


def test_the_demo_shop_is_served_by_avrop_only_when_switched_on(world, monkeypatch, settings):
    settings.DEBUG = False
    client = _login(world)
    fields = {"USERNAME": demo_shop.OCI_USERNAME, "PASSWORD": demo_shop.OCI_PASSWORD, "HOOK_URL": "/x/"}
    monkeypatch.delenv("AVROP_DEMO_SHOP", raising=False)
    form = "application/x-www-form-urlencoded"  # as a browser posts a plain form
    assert (
        client.post("/catalogue/demo-shop/oci", urllib.parse.urlencode(fields), content_type=form).status_code
        == 404
    )
    monkeypatch.setenv("AVROP_DEMO_SHOP", "true")
    page = client.post("/catalogue/demo-shop/oci", urllib.parse.urlencode(fields), content_type=form)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'action="/catalogue/demo-shop/checkout"' in text
    assert "Kaffebryggare" in text
    wrong = client.post(
        "/catalogue/demo-shop/oci", urllib.parse.urlencode({**fields, "PASSWORD": "x"}), content_type=form
    )
    assert wrong.status_code == 403
