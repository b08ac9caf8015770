"""Plain-SQL reads and writes give the same rows and instances as the ORM (SQLite and PostgreSQL alike)."""

import asyncio
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import SynchronousOnlyOperation
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from avrop.core.auditchain import append
from avrop.core.models import AuditEvent, OutboxMessage
from avrop.core.plainsql import columns, insert, rows, update, update_many
from avrop.ordering import services
from avrop.ordering.models import CodingSplit, OrderDocument, RequisitionLine
from avrop.ordering.tests.factories import build_world
from avrop.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

FIELDS = ("line_id", "position", "account", "cost_centre", "dimensions", "percent", "amount")


def _line() -> RequisitionLine:
    world = build_world(items=1)
    return services.cart_add_item(
        actor=world.requisitioner, organisation=world.buyer, item_id=world.items["peppol"][0].pk
    )


def _splits(line: RequisitionLine, first: int) -> list[CodingSplit]:
    return [
        CodingSplit(
            line=line,
            position=first + n,
            account="6110",
            cost_centre=f"1{n}00",
            dimensions={"project": f"P{n}", "nested": {"å": [1, 2]}},
            percent=Decimal("33.3333"),
            amount=Decimal("12.34") + n,
        )
        for n in range(3)
    ]


def _values(splits: list[CodingSplit]) -> list[tuple]:
    return [tuple(getattr(s, f) for f in FIELDS[1:]) for s in splits]


def test_insert_writes_what_bulk_create_writes_and_sets_the_ids():
    line = _line()
    CodingSplit.objects.filter(line=line).delete()
    ours = insert(_splits(line, 1))
    theirs = CodingSplit.objects.bulk_create(_splits(line, 1))
    assert all(s.pk is not None and not s._state.adding and s._state.db == "default" for s in ours)
    assert len({s.pk for s in ours + theirs}) == 6
    stored = {s.pk: s for s in CodingSplit.objects.filter(line=line)}
    assert _values([stored[s.pk] for s in ours]) == _values([stored[s.pk] for s in theirs])
    assert stored[ours[0].pk].dimensions == {"project": "P0", "nested": {"å": [1, 2]}}
    assert stored[ours[2].pk].amount == Decimal("14.34")


def test_insert_sets_timestamps_binary_content_and_choices():
    line = _line()
    order_doc = OrderDocument(
        organisation_id=line.requisition.organisation_id,
        direction=OrderDocument.Direction.OUT,
        kind=OrderDocument.Kind.ORDER_XML,
        filename="x.xml",
        content_type="application/xml",
        content=b"<x>\x00\xff</x>",
        size=9,
        sha256="0" * 64,
    )
    before = dt.datetime.now(dt.UTC)
    (written,) = insert([order_doc])
    stored = OrderDocument.objects.get(pk=written.pk)
    assert bytes(stored.content) == b"<x>\x00\xff</x>"
    assert stored.kind == OrderDocument.Kind.ORDER_XML
    assert stored.updated_at >= before  # auto_now is set on insert, as save() sets it
    assert stored.updated_at == written.updated_at


def test_insert_in_batches_above_the_parameter_limit():
    events = [AuditEvent(actor_name="system", action=f"test.{n}", after={"n": n}) for n in range(700)]
    append(events)  # audit events are chained, then written by insert
    assert len({e.pk for e in events}) == 700
    stored = dict(AuditEvent.objects.filter(action__startswith="test.").values_list("pk", "after"))
    assert all(stored[e.pk] == {"n": int(e.action.split(".")[1])} for e in events)


def test_insert_refuses_saved_instances_and_unsaved_related_objects():
    message = insert([OutboxMessage(recipient="a@example.org", subject="s", body="b")])[0]
    with pytest.raises(ValueError, match="new OutboxMessage instances only"):
        insert([message])
    unsaved = OrganisationFactory.build()
    with pytest.raises(ValueError, match="unsaved related object 'organisation'"):
        insert([OutboxMessage(organisation=unsaved, recipient="a@example.org", subject="s", body="b")])
    assert OutboxMessage.objects.count() == 1


def test_insert_takes_a_related_object_saved_after_it_was_assigned():
    organisation = OrganisationFactory.build()
    message = OutboxMessage(organisation=organisation, recipient="a@example.org", subject="s", body="b")
    organisation.save()
    insert([message])
    assert OutboxMessage.objects.get(pk=message.pk).organisation_id == organisation.pk


def test_update_writes_only_the_fields_named_and_their_auto_now():
    message = insert([OutboxMessage(recipient="a@example.org", subject="old", body="old body")])[0]
    stamp = message.updated_at
    message.subject = "new"
    message.body = "changed here only"
    update(message, ["subject", "updated_at"])
    stored = OutboxMessage.objects.get(pk=message.pk)
    assert (stored.subject, stored.body) == ("new", "old body")
    assert stored.updated_at > stamp
    message.pk = message.pk + 1000
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        update(message, ["subject"])


def test_rows_give_the_instances_the_orm_gives():
    line = _line()
    table = CodingSplit._meta.db_table
    found = rows(
        f"SELECT {columns(CodingSplit, 'c')}, {columns(RequisitionLine, 'l')} FROM {table} c "  # noqa: S608
        f"JOIN {RequisitionLine._meta.db_table} l ON l.id = c.line_id WHERE c.line_id = %s",
        [line.pk],
        CodingSplit,
        RequisitionLine,
    )
    (split, joined_line), orm = found[0], CodingSplit.objects.select_related("line").get(line=line)
    for field in CodingSplit._meta.concrete_fields:
        assert getattr(split, field.attname) == getattr(orm, field.attname), field.name
        assert type(getattr(split, field.attname)) is type(getattr(orm, field.attname)), field.name
    for field in RequisitionLine._meta.concrete_fields:
        assert getattr(joined_line, field.attname) == getattr(orm.line, field.attname), field.name
    assert not split._state.adding and split._state.db == "default"
    split.cost_centre = "9999"
    split.save(update_fields=["cost_centre"])  # an instance built from a row saves like any other
    assert CodingSplit.objects.get(pk=split.pk).cost_centre == "9999"


def test_update_many_writes_the_values_given_to_the_ids_given_only():
    world = build_world(items=1)
    messages = insert(
        [OutboxMessage(recipient=f"{n}@example.org", subject="s", body="b") for n in range(1200)]
    )
    stamps = {m.pk: m.updated_at for m in messages}
    chosen = [m.pk for m in messages[:1100]]  # more ids than SQLite takes in one statement
    written = update_many(OutboxMessage, chosen, subject="changed", organisation=world.buyer)
    assert written == 1100
    stored = {m.pk: m for m in OutboxMessage.objects.all()}
    assert {stored[pk].subject for pk in chosen} == {"changed"}
    assert {stored[pk].organisation_id for pk in chosen} == {world.buyer.pk}
    assert {stored[m.pk].subject for m in messages[1100:]} == {"s"}
    assert all(stored[pk].updated_at == stamps[pk] for pk in chosen)  # as QuerySet.update: no auto_now
    assert update_many(OutboxMessage, [], subject="x") == 0


def test_statements_take_djangos_cursor_while_queries_are_recorded_and_raise_djangos_errors():
    message = insert([OutboxMessage(recipient="a@example.org", subject="s", body="b")])[0]
    table = OutboxMessage._meta.db_table
    with CaptureQueriesContext(connection) as recorded:
        found = rows(
            f"SELECT {columns(OutboxMessage, 'm')} FROM {table} m WHERE m.id = %s",
            [message.pk],
            OutboxMessage,
        )  # noqa: S608
        update_many(OutboxMessage, [message.pk], subject="t")
    assert found[0][0].pk == message.pk
    assert len(recorded) == 2 and "UPDATE" in recorded[1]["sql"]
    quiet = rows(
        f"SELECT {columns(OutboxMessage, 'm')} FROM {table} m WHERE m.id = %s", [message.pk], OutboxMessage
    )  # noqa: S608
    assert quiet[0][0].subject == "t"
    with pytest.raises(IntegrityError), transaction.atomic():
        update_many(OutboxMessage, [message.pk], recipient=None)  # NOT NULL: Django's error class
    assert OutboxMessage.objects.get(pk=message.pk).recipient == "a@example.org"


def test_literal_percent_signs_reach_the_database_as_django_sends_them():
    insert([OutboxMessage(recipient="a@example.org", subject="100%s done", body="b")])
    table = OutboxMessage._meta.db_table
    found = rows(
        f"SELECT {columns(OutboxMessage, 'm')} FROM {table} m "  # noqa: S608
        "WHERE m.subject LIKE '100%%s%%' AND m.recipient = %s",
        ["a@example.org"],
        OutboxMessage,
    )
    assert [m.subject for (m,) in found] == ["100%s done"]


def test_inside_an_event_loop_statements_are_refused_as_djangos_cursor_refuses_them(monkeypatch):
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)  # the browser tests allow it process-wide
    message = insert([OutboxMessage(recipient="a@example.org", subject="s", body="b")])[0]

    async def read() -> None:
        update_many(OutboxMessage, [message.pk], subject="from async code")

    with pytest.raises(SynchronousOnlyOperation):
        asyncio.run(read())
    assert OutboxMessage.objects.get(pk=message.pk).subject == "s"
