"""Matching invoices to their orders line by line: the rules, their words, and the batch applying them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from avrop.payables import samples
from avrop.payables.matching import engine, reasons
from avrop.payables.matching.models import InvoiceLine, InvoiceMatch, LineMatch, MatchTolerance
from avrop.payables.models import Channel, SupplierInvoice

D = Decimal


def _order_line(**kw):
    values = dict(
        id=1, line_number=1, article_number="A-1", gtin="", unit="EA", quantity=D(10), unit_price=D(100)
    )
    values.update(kw)
    return engine.OrderLine(**values)


def _line(**kw):
    values = dict(
        position=1, line_id="1", order_line_reference="1", unit_code="EA", quantity=D(10), unit_price=D(100)
    )
    values.update(kw)
    return engine.Line(**values)


# --- the rules -------------------------------------------------------------------------------------------


def test_an_exact_line_matches():
    result = engine.match_line(_line(), _order_line(), engine.DEFAULT, D(0))
    assert (result.status, result.reasons) == (LineMatch.MATCHED, [])


@pytest.mark.parametrize(
    ("price", "tolerance", "expected"),
    [
        (D("103.20"), D(2), LineMatch.DEVIATION),
        (D("101.50"), D(2), LineMatch.WITHIN_TOLERANCE),
        (D("100.05"), D(0), LineMatch.MATCHED),  # 0.50 on the line: inside the one-krona rounding
        (D("95"), D(0), LineMatch.WITHIN_TOLERANCE),  # cheaper than ordered: noted, not stopped
    ],
)
def test_price_against_the_order(price, tolerance, expected):
    result = engine.match_line(
        _line(unit_price=price), _order_line(), engine.Tolerance(price_percent=tolerance), D(0)
    )
    assert result.status == expected


def test_the_price_reason_says_how_far_over_and_the_tolerance_in_words():
    result = engine.match_line(
        _line(unit_price=D("103.20")), _order_line(), engine.Tolerance(price_percent=D(2)), D(0)
    )
    with translation.override("en"):
        assert reasons.texts(result.reasons) == [
            "Price 3.2% over the order (103.20 instead of 100.00), tolerance 2%."
        ]


def test_the_confirmed_price_of_the_order_response_is_what_counts():
    order_line = _order_line(unit_price=D(110))  # as the services build it from confirmed_unit_price
    result = engine.match_line(_line(unit_price=D(110)), order_line, engine.DEFAULT, D(0))
    assert result.status == LineMatch.MATCHED


def test_quantity_counts_what_earlier_invoices_invoiced():
    first = engine.match_line(_line(quantity=D(6)), _order_line(), engine.DEFAULT, D(0))
    second = engine.match_line(_line(quantity=D(6)), _order_line(), engine.DEFAULT, D(6))
    assert first.status == LineMatch.MATCHED
    assert second.status == LineMatch.DEVIATION
    with translation.override("en"):
        assert "12 invoiced, 10 ordered (tolerance 0%)." in reasons.texts(second.reasons)


def test_three_way_against_what_was_received():
    received = _order_line(quantity=D(20), received=D(10))
    over = engine.match_line(_line(quantity=D(12)), received, engine.DEFAULT, D(0))
    assert over.status == LineMatch.DEVIATION
    with translation.override("en"):
        assert "12 invoiced, 10 received." in reasons.texts(over.reasons)
    nothing = engine.match_line(_line(), _order_line(received=D(0)), engine.DEFAULT, D(0))
    assert nothing.status == LineMatch.DEVIATION
    assert nothing.reasons[-1]["code"] == "nothing_received"


def test_unit_cancelled_line_and_unknown_article_deviate():
    assert (
        engine.match_line(_line(unit_code="PK"), _order_line(), engine.DEFAULT, D(0)).status
        == LineMatch.DEVIATION
    )
    cancelled = engine.match_line(_line(), _order_line(cancelled=True), engine.DEFAULT, D(0))
    assert cancelled.status == LineMatch.DEVIATION
    index = engine.OrderIndex([_order_line()])
    assert index.find(_line(order_line_reference="", seller_item_id="a-1")) is not None  # article, any case
    assert index.find(_line(order_line_reference="7", seller_item_id="X")) is None
    missing = engine.match_line(_line(seller_item_id="X"), None, engine.DEFAULT, D(0))
    assert missing.status == LineMatch.NO_ORDER_LINE
    with translation.override("sv"):
        assert reasons.texts(missing.reasons) == ["Rad 1: ingen orderrad för artikel X."]


def test_credit_note_larger_than_what_is_left_of_its_invoice():
    status, why = engine.credit_result(
        credit_amount=D(600), credited=[("F-1", D(1000), D(500))], references=["F-1"]
    )
    assert status == InvoiceMatch.CREDIT_DEVIATION
    assert why[0]["code"] == "credit_larger"
    assert engine.credit_result(
        credit_amount=D(400), credited=[("F-1", D(1000), D(500))], references=["F-1"]
    )[0] == (InvoiceMatch.CREDIT_MATCHED)
    assert (
        engine.credit_result(credit_amount=D(1), credited=[], references=["F-9"])[1][0]["code"]
        == "credited_missing"
    )


def test_no_reason_code_reaches_a_person():
    assert reasons.text({"code": "from_a_newer_version"}) and "from_a_newer_version" not in reasons.text(
        {"code": "from_a_newer_version"}
    )
    for code in reasons._TEXTS:
        assert code not in reasons.text({"code": code}), code


# --- the batch over stored invoices ----------------------------------------------------------------------


@pytest.fixture
def ordered_world(settings, tmp_path, django_capture_on_commit_callbacks):
    from avrop.ordering.tests.factories import build_world
    from avrop.ordering.tests.helpers import ordered

    settings.ORDERING_PEPPOL_DIR = str(tmp_path / "peppol-ordering")
    settings.PAYABLES_PEPPOL_DIR = str(tmp_path / "peppol-payables")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world = build_world()
    world.buyer.module_payables = True
    world.buyer.save()
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks, email=1)
    return world, orders["peppol"]


def _receive(world, order, number, items, capture, *, credit_of=""):
    from avrop.payables.services.intake import Incoming, process

    supplier = world.peppol
    content = samples.invoice_xml(
        number=number,
        seller=samples.Party(supplier.organisation.name, supplier.organisation.org_number),
        buyer=samples.Party(world.buyer.name, world.buyer.org_number),
        order_reference=order.number,
        buyer_reference="x",
        items=items,
        credit_note=bool(credit_of),
        credited_invoice=credit_of,
    )
    with capture(execute=True):
        process([Incoming(content=content, filename=f"{number}.xml", channel=Channel.PEPPOL)])
    return SupplierInvoice.objects.get(number=number, kind="credit_note" if credit_of else "invoice")


def _items(order, changes=None):
    items = []
    for line in order.lines.order_by("line_number"):
        item = {
            "order_line": line.line_number,
            "quantity": line.quantity,
            "price": line.unit_price,
            "unit": line.unit,
        }
        item.update((changes or {}).get(line.line_number, {}))
        items.append(item)
    return items


@pytest.mark.django_db
def test_an_invoice_as_ordered_matches_on_arrival_and_keeps_its_lines(
    ordered_world, django_capture_on_commit_callbacks
):
    world, order = ordered_world
    invoice = _receive(world, order, "M-1", _items(order), django_capture_on_commit_callbacks)
    assert invoice.purchase_order == order
    assert invoice.match_status == InvoiceMatch.MATCHED
    lines = list(InvoiceLine.objects.filter(invoice=invoice).order_by("position"))
    assert len(lines) == order.lines.count()
    assert {line.order_line_id for line in lines} == set(order.lines.values_list("id", flat=True))
    assert all(line.match == LineMatch.MATCHED for line in lines)


@pytest.mark.django_db
def test_a_price_over_the_tolerance_deviates_and_the_page_says_why(
    ordered_world, django_capture_on_commit_callbacks, client
):
    world, order = ordered_world
    first = order.lines.order_by("line_number").first()
    MatchTolerance.objects.create(organisation=world.buyer, price_percent=D(2))
    price = (first.unit_price * D("1.10")).quantize(D("0.01"))
    invoice = _receive(
        world,
        order,
        "M-2",
        _items(order, {first.line_number: {"price": price}}),
        django_capture_on_commit_callbacks,
    )
    assert invoice.match_status == InvoiceMatch.DEVIATION
    line = InvoiceLine.objects.get(invoice=invoice, position=1)
    assert line.match == LineMatch.DEVIATION and line.match_reasons[0]["code"] == "price_over"
    from avrop.organisations.roles import Role
    from avrop.organisations.tests.factories import MembershipFactory, UserFactory

    clerk = UserFactory.create()
    MembershipFactory.create(user=clerk, organisation=world.buyer, role=Role.AP_CLERK)
    client.force_login(clerk)
    with translation.override("sv"):
        page = client.get(f"/payables/{invoice.pk}/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "Matchning mot ordern" in page
    assert "över ordern" in page and "tolerans 2" in page


@pytest.mark.django_db
def test_a_supplier_specific_tolerance_wins_over_the_organisations(
    ordered_world, django_capture_on_commit_callbacks
):
    world, order = ordered_world
    first = order.lines.order_by("line_number").first()
    MatchTolerance.objects.create(organisation=world.buyer, price_percent=D(0))
    MatchTolerance.objects.create(organisation=world.buyer, supplier=world.peppol, price_percent=D(15))
    price = (first.unit_price * D("1.10")).quantize(D("0.01"))
    invoice = _receive(
        world,
        order,
        "M-3",
        _items(order, {first.line_number: {"price": price}}),
        django_capture_on_commit_callbacks,
    )
    assert invoice.match_status == InvoiceMatch.WITHIN_TOLERANCE


@pytest.mark.django_db
def test_a_second_invoice_for_the_same_quantities_deviates(ordered_world, django_capture_on_commit_callbacks):
    world, order = ordered_world
    first = _receive(world, order, "M-4", _items(order), django_capture_on_commit_callbacks)
    second = _receive(world, order, "M-5", _items(order), django_capture_on_commit_callbacks)
    assert first.match_status == InvoiceMatch.MATCHED
    assert second.match_status == InvoiceMatch.DEVIATION
    codes = {r["code"] for line in second.lines.all() for r in line.match_reasons}
    assert {"invoiced_before", "over_ordered"} <= codes
    # Matching the first again does not count the later one as earlier.
    from avrop.payables.services import invoices_match

    invoices_match(invoice_ids=[first.pk])
    first.refresh_from_db()
    assert first.match_status == InvoiceMatch.MATCHED


@pytest.mark.django_db
def test_credit_notes_are_matched_to_their_invoice(ordered_world, django_capture_on_commit_callbacks):
    world, order = ordered_world
    invoice = _receive(world, order, "M-6", _items(order), django_capture_on_commit_callbacks)
    small = [{"quantity": 1, "price": "10.00"}]
    credit = _receive(world, order, "K-1", small, django_capture_on_commit_callbacks, credit_of="M-6")
    assert credit.match_status == InvoiceMatch.CREDIT_MATCHED
    big = [{"quantity": 1, "price": str(invoice.payable_amount)}]
    too_big = _receive(world, order, "K-2", big, django_capture_on_commit_callbacks, credit_of="M-6")
    assert too_big.match_status == InvoiceMatch.CREDIT_DEVIATION
    assert too_big.match_reasons[0]["code"] == "credit_larger"


@pytest.mark.django_db
def test_an_invoice_without_our_order_is_not_matched_line_by_line(
    ordered_world, django_capture_on_commit_callbacks
):
    world, order = ordered_world
    order.number = "X"  # the invoice below names an order number we do not have
    invoice = _receive(
        world, order, "M-7", [{"quantity": 1, "price": "5"}], django_capture_on_commit_callbacks
    )
    assert invoice.purchase_order is None
    assert invoice.match_status == ""  # nothing to match: not run on arrival
    from avrop.payables.services import invoices_match

    invoices_match(invoice_ids=[invoice.pk])
    invoice.refresh_from_db()
    assert invoice.match_status == InvoiceMatch.NO_ORDER


@pytest.mark.django_db
def test_matching_a_batch_takes_a_fixed_number_of_statements(
    ordered_world, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    world, order = ordered_world
    ids = [
        _receive(world, order, f"Q-{n}", _items(order), django_capture_on_commit_callbacks).pk
        for n in range(4)
    ]
    from avrop.payables.services import invoices_match

    # The first invoice's lines are exact matches, written by one set-based statement.
    with django_assert_max_num_queries(11):
        invoices_match(invoice_ids=ids[:1])
    # The second invoices the same quantities again: its lines are matched in memory (their lines, the order's
    # lines, what was invoiced before, and their results written add four statements).
    with django_assert_max_num_queries(16) as two:
        invoices_match(invoice_ids=ids[:2])
    # Twice the invoices with the same results: no more statements.
    with django_assert_max_num_queries(len(two.captured_queries)):
        invoices_match(invoice_ids=ids)
    statuses = dict(SupplierInvoice.objects.filter(pk__in=ids).values_list("pk", "match_status"))
    assert [statuses[pk] for pk in ids] == [InvoiceMatch.MATCHED] + [InvoiceMatch.DEVIATION] * 3


def _goods_receiver(world):
    from avrop.organisations.roles import Role
    from avrop.organisations.tests.factories import MembershipFactory, UserFactory

    receiver = UserFactory.create(first_name="Gustav", last_name="Gods")
    MembershipFactory.create(
        user=receiver, organisation=world.buyer, role=Role.GOODS_RECEIVER, department=world.department
    )
    return receiver


@pytest.mark.django_db
def test_three_way_counts_what_was_received_and_holds_until_the_order_is_received(
    ordered_world, django_capture_on_commit_callbacks
):
    from avrop.fulfilment.services import goods_receipt_register

    world, order = ordered_world
    receiver = _goods_receiver(world)
    lines = list(order.lines.order_by("line_number"))
    first = lines[0]
    # Half of the first line arrives; everything else not yet.
    half = (first.quantity / 2).quantize(D("1"))
    with django_capture_on_commit_callbacks(execute=True):
        goods_receipt_register(
            actor=receiver, order_id=order.pk, lines={str(first.line_number): {"quantity": str(half)}}
        )
    invoice = _receive(world, order, "H-1", _items(order), django_capture_on_commit_callbacks)
    assert invoice.match_status == InvoiceMatch.HELD
    line = InvoiceLine.objects.get(invoice=invoice, position=1)
    assert line.match == LineMatch.DEVIATION
    assert {"code": "over_received", "invoiced": str(first.quantity.normalize()), "received": str(half)} in [
        {k: r[k] for k in ("code", "invoiced", "received")}
        for r in line.match_reasons
        if r["code"] == "over_received"
    ]
    # The rest arrives: matched again, it matches 3-way and is no longer held.
    rest = {str(first.line_number): {"quantity": str(first.quantity - half)}}
    rest.update({str(ol.line_number): {"quantity": str(ol.quantity)} for ol in lines[1:]})
    with django_capture_on_commit_callbacks(execute=True):
        goods_receipt_register(actor=receiver, order_id=order.pk, lines=rest)
    from avrop.payables.services import invoices_match

    invoices_match(invoice_ids=[invoice.pk])
    invoice.refresh_from_db()
    assert invoice.match_status == InvoiceMatch.MATCHED, invoice.match_reasons


@pytest.mark.django_db
def test_a_held_invoice_says_what_the_order_still_lacks(ordered_world, django_capture_on_commit_callbacks):
    from avrop.fulfilment.services import goods_receipt_register
    from avrop.payables.matching.selectors import match_view

    world, order = ordered_world
    receiver = _goods_receiver(world)
    first = order.lines.order_by("line_number").first()
    with django_capture_on_commit_callbacks(execute=True):
        goods_receipt_register(
            actor=receiver, order_id=order.pk, lines={str(first.line_number): {"quantity": "1"}}
        )
    invoice = _receive(world, order, "H-2", _items(order), django_capture_on_commit_callbacks)
    with translation.override("en"):
        view = match_view(invoice)
    assert view.deviates
    assert "Held until the order is received in full and its tasks are done." in view.texts
    assert "The delivery has not been received and signed in full." in view.texts


# --- touchless ---------------------------------------------------------------------------------------------


def _automate(world, mode, *, invoice_limit=True):
    from avrop.organisations.models import DocumentKind
    from avrop.payables.matching.models import InvoiceAutomation

    InvoiceAutomation.objects.create(organisation=world.buyer, touchless=mode)
    if invoice_limit:
        rule = world.limit(world.approver, "100000")
        rule.document_kind = DocumentKind.INVOICE
        rule.save()


@pytest.mark.django_db
@pytest.mark.parametrize(("mode", "status"), [("to_attest", "waiting_review"), ("to_payment", "approved")])
def test_a_matched_invoice_goes_touchless_as_the_organisation_chose(
    ordered_world, django_capture_on_commit_callbacks, mode, status
):
    from avrop.core.models import AuditEvent
    from avrop.payables.models import CodingLine

    world, order = ordered_world
    _automate(world, mode)
    invoice = _receive(world, order, f"T-{mode}", _items(order), django_capture_on_commit_callbacks)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.touchless) == (status, True), invoice.routing_note
    assert invoice.reviewer == world.approver
    coding = list(invoice.coding_lines.all())
    assert coding and all(line.source == CodingLine.Source.ORDER for line in coding)
    assert sum(line.amount for line in coding) == invoice.net_amount
    assert AuditEvent.objects.filter(
        action="supplier_invoice.touchless_review", object_id=str(invoice.pk)
    ).exists()


@pytest.mark.django_db
def test_without_the_rule_or_with_a_deviation_the_clerk_pre_checks(
    ordered_world, django_capture_on_commit_callbacks
):
    world, order = ordered_world
    untouched = _receive(world, order, "T-off", _items(order), django_capture_on_commit_callbacks)
    assert (untouched.status, untouched.touchless) == (
        "precheck",
        False,
    )  # no rule: every invoice to the clerk
    _automate(world, "to_payment")
    first = order.lines.order_by("line_number").first()
    price = (first.unit_price * D("1.5")).quantize(D("0.01"))
    deviating = _receive(
        world,
        order,
        "T-dev",
        _items(order, {first.line_number: {"price": price}}),
        django_capture_on_commit_callbacks,
    )
    deviating.refresh_from_db()
    assert (deviating.status, deviating.touchless) == ("precheck", False)


@pytest.mark.django_db
def test_an_attestant_without_an_invoice_limit_keeps_it_with_the_clerk_and_says_why(
    ordered_world, django_capture_on_commit_callbacks
):
    world, order = ordered_world
    _automate(world, "to_attest", invoice_limit=False)
    with translation.override("en"):
        invoice = _receive(world, order, "T-nolimit", _items(order), django_capture_on_commit_callbacks)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.touchless) == ("precheck", False)
    assert invoice.routing_note.startswith("Not touchless: ")
    assert "no approval limit for invoices" in invoice.routing_note


@pytest.mark.django_db
def test_touchless_share(ordered_world, django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    from avrop.payables.matching.touchless import touchless_share

    world, order = ordered_world
    _receive(world, order, "S-1", _items(order), django_capture_on_commit_callbacks)  # before the rule
    _automate(world, "to_attest")
    # A second invoice of the same quantities deviates (already invoiced), so it is not touchless either.
    _receive(world, order, "S-2", _items(order), django_capture_on_commit_callbacks)
    assert touchless_share(organisation=world.buyer, since=timezone.now() - dt.timedelta(days=1)) == (0, 2)


# --- the settings page -------------------------------------------------------------------------------------


def _member(world, role):
    from avrop.organisations.tests.factories import MembershipFactory, UserFactory

    user = UserFactory.create()
    MembershipFactory.create(user=user, organisation=world.buyer, role=role)
    return user


@pytest.mark.django_db
def test_an_administrator_sets_tolerances_and_the_clerk_reads_them(ordered_world, client):
    from avrop.core.models import AuditEvent
    from avrop.payables.matching.models import InvoiceAutomation

    world, _order = ordered_world
    admin = _member(world, "admin")
    client.force_login(admin)
    data = {
        "touchless": "to_attest",
        "supplier": world.peppol.pk,
        "price_percent": "2.5",
        "quantity_percent": "0",
    }
    response = client.post("/payables/matching/", {**data, "amount_absolute": "0.50"})
    assert response.status_code == 302
    rule = MatchTolerance.objects.get(organisation=world.buyer, supplier=world.peppol)
    assert (rule.price_percent, rule.amount_absolute) == (D("2.5"), D("0.50"))
    assert InvoiceAutomation.objects.get(organisation=world.buyer).touchless == "to_attest"
    assert AuditEvent.objects.filter(action="matching_settings.change", actor=admin).count() == 1

    clerk = _member(world, "ap_clerk")
    client.force_login(clerk)
    with translation.override("sv"):
        page = client.get("/payables/matching/", HTTP_ACCEPT_LANGUAGE="sv")
    assert page.status_code == 200
    assert world.peppol.organisation.name in page.content.decode()
    assert 'name="price_percent"' not in page.content.decode()  # no form to change them
    assert client.post("/payables/matching/", {**data, "amount_absolute": "9"}).status_code == 404
    assert MatchTolerance.objects.get(organisation=world.buyer, supplier=world.peppol).amount_absolute == D(
        "0.50"
    )


@pytest.mark.django_db
def test_a_supplier_of_another_organisation_cannot_be_given_tolerances(ordered_world, client):
    from avrop.ordering.tests.factories import build_world

    world, _order = ordered_world
    other = build_world()
    client.force_login(_member(world, "admin"))
    data = {"touchless": "off", "supplier": other.peppol.pk, "price_percent": "1", "quantity_percent": "0"}
    response = client.post("/payables/matching/", {**data, "amount_absolute": "1"})
    assert response.status_code == 400  # not among the choices
    assert not MatchTolerance.objects.filter(supplier=other.peppol).exists()
    requisitioner_page = client.get("/payables/matching/")
    assert requisitioner_page.status_code == 200
    client.force_login(world.requisitioner)
    assert client.get("/payables/matching/").status_code in {403, 404}
