"""The ordering reads as querysets: the requisition lock names the requisition's own table (quoted as the
database quotes it), the rows read are those of the plain ORM queries, the rule "agreement callable today" is
one queryset, and the membership of the user who adds items is checked first, whatever is asked for."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from avrop.catalogue.selectors import callable_agreement_ids, callable_agreements, items_for_ids
from avrop.core.errors import NotFound
from avrop.ordering.checks import lines_with_splits, readiness, splits_in_order
from avrop.ordering.models import CodingSplit, OrderNumberSeries, Requisition
from avrop.ordering.services._common import lock_cart, lock_requisition, lock_requisition_of_line
from avrop.ordering.services.cart import _default_address
from avrop.ordering.services.orders import next_order_numbers
from avrop.ordering.tests.helpers import cart_with
from avrop.ordering.workflows import LineDecision
from avrop.organisations.models import DeliveryAddress, Membership
from avrop.organisations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _lock_sql(read) -> str:
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        read()
    assert len(queries) == 1, [q["sql"] for q in queries]
    return queries[0]["sql"]


def test_the_lock_names_the_requisition_table_quoted(world):
    requisition = cart_with(world)
    line = requisition.lines.first()
    table = connection.ops.quote_name(Requisition._meta.db_table)
    for read in (
        lambda: lock_requisition(requisition.pk),
        lambda: lock_requisition_of_line(line.pk, related=("organisation",)),
        lambda: lock_cart(
            organisation_id=world.buyer.pk, requisitioner_id=world.requisitioner.pk, related=("department",)
        ),
    ):
        sql = _lock_sql(read)
        if connection.features.has_select_for_update_of:
            assert sql.endswith(f"FOR UPDATE OF {table}")
        elif connection.features.has_select_for_update:
            assert sql.endswith("FOR UPDATE")
        else:
            assert "FOR UPDATE" not in sql


def test_locked_requisition_has_what_the_services_read_next(world, django_assert_num_queries):
    requisition = cart_with(world)
    line = requisition.lines.first()
    with transaction.atomic(), django_assert_num_queries(1):
        locked = lock_requisition(requisition.pk)
        assert locked.organisation == world.buyer
        assert locked.department.default_cost_centre == world.kitchen
        assert locked.requisitioner == world.requisitioner
    with transaction.atomic(), django_assert_num_queries(1):
        by_line = lock_requisition_of_line(line.pk, related=("organisation__ordering_policy",))
        assert by_line.pk == requisition.pk
        assert getattr(by_line.organisation, "ordering_policy", None) is None  # none: known, not read
    with transaction.atomic(), django_assert_num_queries(1):
        cart = lock_cart(
            organisation_id=world.buyer.pk, requisitioner_id=world.requisitioner.pk, related=("department",)
        )
        assert cart.pk == requisition.pk and cart.department == world.department


def test_a_missing_line_or_cart_locks_nothing(world):
    with transaction.atomic():
        with pytest.raises(Requisition.DoesNotExist):
            lock_requisition_of_line(999999, related=("organisation",))
        with pytest.raises(Requisition.DoesNotExist):
            lock_requisition(999999)
        nobody = world.approver.pk
        assert lock_cart(organisation_id=world.buyer.pk, requisitioner_id=nobody, related=()) is None


@pytest.mark.parametrize("for_orders", [False, True])
def test_lines_with_splits_are_the_querysets_rows(world, django_assert_num_queries, for_orders):
    requisition = cart_with(world, peppol=3, email=2)
    first, second, *_ = requisition.lines.order_by("position")
    CodingSplit.objects.filter(line=first).update(position=2)
    CodingSplit.objects.create(
        line=first, account="6110", cost_centre="1300", percent=Decimal("0"), amount=Decimal("0"), position=1
    )
    type(second).objects.filter(pk=second.pk).update(decision=LineDecision.REJECTED)
    expected = list(
        requisition.lines.select_related("supplier__organisation", "agreement", "delivery_address")
        .prefetch_related(splits_in_order())
        .order_by("position")
    )
    for rejected in (True, False):
        with django_assert_num_queries(2):
            lines = lines_with_splits(requisition, rejected=rejected, for_orders=for_orders)
        wanted = [line for line in expected if rejected or line.decision != LineDecision.REJECTED]
        assert [line.pk for line in lines] == [line.pk for line in wanted]
        with django_assert_num_queries(0):
            for line, same in zip(lines, wanted, strict=True):
                assert line.requisition is requisition
                assert line.supplier.organisation == same.supplier.organisation
                assert [s.pk for s in line.splits.all()] == [s.pk for s in same.splits.all()]
                if for_orders:
                    assert (line.agreement, line.delivery_address) == (same.agreement, same.delivery_address)
    assert [s.position for s in lines[0].splits.all()] == [1, 2]


def test_readiness_links_the_requisitioner_by_their_department_only(world):
    requisition = cart_with(world)
    requisition = Requisition.objects.select_related("organisation", "department").get(pk=requisition.pk)
    assert "not_linked" not in [p.code for p in readiness(requisition).problems]
    other = type(world.department).objects.create(organisation=world.buyer, name="Annan", code="ANN")
    Membership.objects.filter(user=world.requisitioner).update(department=other)
    assert "not_linked" in [p.code for p in readiness(requisition).problems]


def test_default_address_is_the_default_else_the_first_by_label(world):
    requisition = cart_with(world)
    assert _default_address(requisition) == world.address.pk
    DeliveryAddress.objects.filter(pk=world.address.pk).update(is_default=False, label="Ö-entrén")
    first = DeliveryAddress.objects.create(
        department=world.department, label="A-entrén", street="Storgatan 1", postal_code="27280", city="X"
    )
    assert _default_address(requisition) == first.pk


# --- the agreement callable today ------------------------------------------------------------------------


def test_callable_ids_and_orderable_items_follow_the_one_queryset(world):
    today = timezone.localdate()
    peppol_item, email_item = world.items["peppol"][0], world.items["email"][0]
    type(email_item.agreement).objects.filter(pk=email_item.agreement_id).update(
        valid_to=today - dt.timedelta(days=1)
    )
    ids = set(callable_agreements(organisation=world.buyer).values_list("pk", flat=True))
    assert ids == callable_agreement_ids(organisation=world.buyer)
    assert peppol_item.agreement_id in ids and email_item.agreement_id not in ids
    found = items_for_ids(
        user=world.requisitioner, organisation=world.buyer, item_ids=[email_item.pk, peppol_item.pk]
    )
    assert found == [peppol_item]
    assert found[0].supplier == peppol_item.supplier
    # A renewed agreement that starts the day after tomorrow: callable from that day, on the day given.
    type(email_item.agreement).objects.filter(pk=email_item.agreement_id).update(
        valid_from=today + dt.timedelta(days=2), valid_to=today + dt.timedelta(days=30)
    )
    for days, callable_then in ((1, False), (2, True)):
        day = today + dt.timedelta(days=days)
        ids = callable_agreement_ids(organisation=world.buyer, today=day)
        assert (email_item.agreement_id in ids) is callable_then
        same = callable_agreements(organisation=world.buyer, today=day).values_list("pk", flat=True)
        assert ids == set(same)


@pytest.mark.parametrize("asked", [[], "items"])
def test_a_stranger_is_refused_before_anything_is_read(world, asked):
    stranger = UserFactory.create()
    item_ids = [] if asked == [] else [i.pk for i in world.items["peppol"]]
    with pytest.raises(NotFound):
        items_for_ids(user=stranger, organisation=world.buyer, item_ids=item_ids)


def test_a_former_member_is_refused_even_when_asking_for_nothing(world):
    Membership.objects.filter(user=world.requisitioner).update(is_active=False)
    with pytest.raises(NotFound):
        items_for_ids(user=world.requisitioner, organisation=world.buyer, item_ids=[])


# --- order numbers ----------------------------------------------------------------------------------------


def test_numbers_taken_together_are_consecutive_and_follow_the_series(world):
    year = timezone.localdate().year
    assert next_order_numbers(world.buyer.pk, year, 3) == [f"{year}-00000{n}" for n in (1, 2, 3)]
    assert next_order_numbers(world.buyer.pk, year, 2) == [f"{year}-00000{n}" for n in (4, 5)]
    assert next_order_numbers(world.buyer.pk, year + 1, 1) == [f"{year + 1}-000001"]
    assert OrderNumberSeries.objects.get(organisation=world.buyer, year=year).last_number == 5
