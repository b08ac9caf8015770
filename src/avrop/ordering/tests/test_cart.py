"""The cart: adding, free text, lines, coding and splits, attachments, and the reasons it cannot be sent."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from avrop.core.errors import DomainError
from avrop.ordering import services
from avrop.ordering.checks import readiness
from avrop.ordering.models import FreeTextForm, Requisition
from avrop.ordering.tests.helpers import cart_with
from avrop.organisations.models import Membership
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import DeliveryAddressFactory, DepartmentFactory

pytestmark = pytest.mark.django_db


def test_adding_the_same_item_twice_adds_to_the_quantity(world):
    item = world.items["peppol"][0]
    services.cart_add_item(actor=world.requisitioner, organisation=world.buyer, item_id=item.pk, quantity=2)
    line = services.cart_add_item(
        actor=world.requisitioner, organisation=world.buyer, item_id=item.pk, quantity="1,5"
    )
    assert line.quantity == Decimal("3.5") and line.line_amount == Decimal("38.50")
    cart = Requisition.objects.get(requisitioner=world.requisitioner, status="draft")
    assert cart.lines.count() == 1 and cart.total_amount == Decimal("38.50")
    split = line.splits.get()
    assert (split.account, split.cost_centre, split.amount) == ("6110", "1200", Decimal("38.50"))
    assert line.delivery_address == world.address


def test_the_same_item_twice_in_one_call_becomes_one_line(world):
    """A template or a spreadsheet may list an item twice: one line with both quantities, new cart or not."""
    item, other = world.items["peppol"][:2]
    lines = services.cart_add_items(
        actor=world.requisitioner,
        organisation=world.buyer,
        items=[(item.pk, 2), (other.pk, 1), (item.pk, "1,5")],
    )
    assert [(line.item_id, line.quantity) for line in lines] == [(item.pk, Decimal("3.5")), (other.pk, 1)]
    cart = Requisition.objects.get(requisitioner=world.requisitioner, status="draft")
    assert cart.lines.count() == 2
    assert cart.total_amount == sum(line.line_amount for line in cart.lines.all())
    services.cart_add_items(
        actor=world.requisitioner, organisation=world.buyer, items=[(item.pk, 1), (item.pk, 1)]
    )
    assert cart.lines.get(item=item).quantity == Decimal("5.5")


def test_lines_from_several_suppliers_in_one_cart_warn_about_the_tabs(world):
    requisition = cart_with(world)
    check = readiness(requisition)
    assert check.can_send
    assert [p.code for p in check.warnings] == ["several_tabs"]


def test_quantity_must_be_positive(world):
    item = world.items["peppol"][0]
    for bad in (0, -1, "abc"):
        with pytest.raises(DomainError) as caught:
            services.cart_add_item(
                actor=world.requisitioner, organisation=world.buyer, item_id=item.pk, quantity=bad
            )
        assert caught.value.code == "quantity_invalid"


def test_items_of_other_tenants_cannot_be_added(world, make_member):
    from avrop.ordering.tests.factories import build_world

    other = build_world(items=1)
    with pytest.raises(DomainError) as caught:
        services.cart_add_item(
            actor=world.requisitioner, organisation=world.buyer, item_id=other.items["peppol"][0].pk
        )
    assert caught.value.code == "item_unavailable"


def test_a_requisitioner_without_department_gets_the_card_code_message(world):
    stray = world.member(Role.REQUISITIONER)
    with pytest.raises(DomainError) as caught:
        services.cart_add_item(actor=stray, organisation=world.buyer, item_id=world.items["peppol"][0].pk)
    assert "card code" in caught.value.message or "kortkod" in caught.value.message


def test_moved_requisitioner_is_told_the_cart_is_for_another_department(world):
    requisition = cart_with(world)
    Membership.objects.filter(user=world.requisitioner).update(
        department=DepartmentFactory(organisation=world.buyer)
    )
    codes = [p.code for p in readiness(requisition).blocking]
    assert "not_linked" in codes


def test_free_text_outside_agreement_needs_a_reason(world):
    with pytest.raises(DomainError) as caught:
        services.cart_add_free_text(
            actor=world.requisitioner,
            organisation=world.buyer,
            supplier_id=world.email.pk,
            name="Föreläsning om hälsa",
            quantity=1,
            unit="EA",
            unit_price="4500",
        )
    assert caught.value.code == "reason_required"
    line = services.cart_add_free_text(
        actor=world.requisitioner,
        organisation=world.buyer,
        supplier_id=world.email.pk,
        name="Föreläsning om hälsa",
        quantity=1,
        unit="EA",
        unit_price="4500",
        outside_agreement_reason="Inget avtal täcker föreläsningar",
        account="6110",
    )
    assert line.outside_agreement and line.line_amount == Decimal("4500.00")


def test_free_text_form_questions_are_required(world):
    form = FreeTextForm.objects.create(
        organisation=world.buyer,
        name="Konsulttjänst",
        category="Tjänster",
        kind="services",
        fields=[
            {"key": "period", "label": "Period", "required": True},
            {"key": "contact", "label": "Kontakt"},
        ],
        account_code="6110",
    )
    base = {
        "actor": world.requisitioner,
        "organisation": world.buyer,
        "supplier_id": world.email.pk,
        "name": "Konsult",
        "quantity": 10,
        "unit": "HUR",
        "unit_price": "900",
        "form_id": form.pk,
        "agreement_id": world.items["email"][0].agreement_id,
    }
    with pytest.raises(DomainError) as caught:
        services.cart_add_free_text(**base, answers={"contact": "Eva"})
    assert caught.value.code == "form_incomplete"
    line = services.cart_add_free_text(**base, answers={"period": "v. 12–14"})
    assert line.category == "Tjänster" and not line.outside_agreement and line.splits.get().account == "6110"


def test_line_update_checks_date_and_address(world):
    line = cart_with(world, peppol=1, email=0).lines.get()
    with pytest.raises(DomainError):
        services.line_update(
            actor=world.requisitioner,
            line_id=line.pk,
            requested_delivery_date=timezone.localdate() - dt.timedelta(days=1),
        )
    foreign = DeliveryAddressFactory()
    with pytest.raises(DomainError):
        services.line_update(actor=world.requisitioner, line_id=line.pk, delivery_address_id=foreign.pk)
    updated = services.line_update(
        actor=world.requisitioner,
        line_id=line.pk,
        is_consumable=True,
        machine_serial="",
        note_to_supplier="Ring innan",
    )
    assert updated.note_to_supplier == "Ring innan"
    assert "machine_missing" in [p.code for p in readiness(line.requisition).blocking]


def test_other_requisitioners_cannot_touch_the_cart(world):
    line = cart_with(world, peppol=1, email=0).lines.get()
    other = world.member(Role.REQUISITIONER, department=world.department)
    with pytest.raises(DomainError):
        services.line_update(actor=other, line_id=line.pk, quantity=3)


def test_split_by_percent_and_by_amount(world):
    line = cart_with(world, peppol=1, email=0, quantity=3).lines.get()  # 3 × 11.00
    splits = services.line_coding_set(
        actor=world.requisitioner,
        line_id=line.pk,
        splits=[
            {"account": "6110", "cost_centre": "1200", "percent": "33.3333"},
            {"account": "6110", "cost_centre": "1300", "percent": "66.6667"},
        ],
    )
    assert [s.amount for s in splits] == [Decimal("11.00"), Decimal("22.00")]
    splits = services.line_coding_set(
        actor=world.requisitioner,
        line_id=line.pk,
        splits=[
            {"account": "6110", "cost_centre": "1200", "amount": "30"},
            {"account": "6110", "cost_centre": "1300", "amount": "3", "dimensions": {"project": ""}},
        ],
    )
    assert [s.percent for s in splits] == [None, None]
    with pytest.raises(DomainError) as caught:
        services.line_coding_set(
            actor=world.requisitioner,
            line_id=line.pk,
            splits=[{"account": "6110", "cost_centre": "1200", "amount": "30"}],
        )
    assert caught.value.code == "split_invalid"
    with pytest.raises(DomainError):
        services.line_coding_set(
            actor=world.requisitioner,
            line_id=line.pk,
            splits=[
                {"account": "6110", "cost_centre": "1200", "percent": "50"},
                {"account": "6110", "cost_centre": "1300", "amount": "3"},
            ],
        )


def test_quantity_change_rescales_percent_splits(world):
    line = cart_with(world, peppol=1, email=0, quantity=2).lines.get()
    services.line_coding_set(
        actor=world.requisitioner,
        line_id=line.pk,
        splits=[
            {"account": "6110", "cost_centre": "1200", "percent": "50"},
            {"account": "6110", "cost_centre": "1300", "percent": "50"},
        ],
    )
    services.line_update(actor=world.requisitioner, line_id=line.pk, quantity=4)
    assert [s.amount for s in line.splits.order_by("position")] == [Decimal("22.00"), Decimal("22.00")]


def test_coding_is_checked_against_the_chart(world):
    line = cart_with(world, peppol=1, email=0).lines.get()
    for coding, field in [
        ({"account": "9999", "cost_centre": "1200"}, "account"),
        ({"account": "6110", "cost_centre": "7777"}, "cost_centre"),
        ({"account": "6110", "cost_centre": ""}, "cost_centre"),
        ({"account": "6110", "cost_centre": "1200", "dimensions": {"project": "P-X"}}, "project"),
    ]:
        with pytest.raises(DomainError) as caught:
            services.line_coding_set(actor=world.requisitioner, line_id=line.pk, splits=[coding])
        assert caught.value.code == "coding_invalid" and caught.value.field == field, coding


def test_wrong_default_coding_blocks_sending_with_the_line(world):
    item = world.items["peppol"][0]
    item.account_code = "9999"
    item.save()
    line = services.cart_add_item(actor=world.requisitioner, organisation=world.buyer, item_id=item.pk)
    problems = readiness(line.requisition).blocking
    assert [(p.code, p.line_id) for p in problems] == [("coding_invalid", line.pk)]
    assert readiness(line.requisition).route == []


def test_attachments_are_checked_and_hashed(world):
    requisition = cart_with(world, peppol=1, email=0)
    attachment = services.attachment_add(
        actor=world.requisitioner,
        requisition_id=requisition.pk,
        upload=SimpleUploadedFile("ritning.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )
    assert attachment.sha256 and attachment.size == 13
    with pytest.raises(DomainError) as caught:
        services.attachment_add(
            actor=world.requisitioner,
            requisition_id=requisition.pk,
            upload=SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream"),
        )
    assert caught.value.code == "upload_type"
    services.attachment_remove(actor=world.requisitioner, attachment_id=attachment.pk)
    assert not requisition.attachments.exists()


def test_template_adds_its_available_items(world):
    from avrop.catalogue.models import Template, TemplateLine

    template = Template.objects.create(organisation=world.buyer, owner=world.requisitioner, name="Veckans")
    TemplateLine.objects.create(template=template, item=world.items["peppol"][0], quantity=5)
    TemplateLine.objects.create(template=template, item=world.items["email"][1], quantity=2, position=1)
    lines = services.cart_add_template(
        actor=world.requisitioner, organisation=world.buyer, template_id=template.pk
    )
    assert sorted(line.quantity for line in lines) == [2, 5]


def test_cancel_a_waiting_requisition(world, django_capture_on_commit_callbacks):
    requisition = cart_with(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.requisition_submit(actor=world.requisitioner, requisition_id=requisition.pk)
    services.requisition_cancel(
        actor=world.requisitioner, requisition_id=requisition.pk, reason="Fel avdelning"
    )
    requisition.refresh_from_db()
    assert requisition.status == "cancelled"
    assert not requisition.steps.filter(status="pending").exists()
