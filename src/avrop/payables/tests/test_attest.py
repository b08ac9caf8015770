"""Attest with authority: who can attest and why (the approval engine), segregation of duties, two attesting
at once, hold, dispute with the supplier (UQ, answer, credit note), split and re-coding with its audit; every
action as every role, from another organisation (404), never by an auditor."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.core.models import AuditEvent
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, UserFactory
from avrop.payables import services
from avrop.payables.attest import services as attest
from avrop.payables.attest.errors import AttestCode
from avrop.payables.attest.models import AttestSettings, CodingRevision, InvoiceDispute, InvoiceHold
from avrop.payables.attest.selectors import attest_route
from avrop.payables.errors import Code
from avrop.payables.models import InvoiceMessage, SupplierInvoice

Status = SupplierInvoice.Status


@pytest.fixture
def auditor(world):
    person = UserFactory(username="revisor", first_name="Ingrid", last_name="Revisor")
    MembershipFactory(user=person, organisation=world.buyer, role=Role.AUDITOR)
    return person


@pytest.fixture
def waiting(world, receive):
    """An invoice coded to SOL and sent by the clerk to Anna (reviewer, approver up to 100,000 SEK)."""

    def make(number: str = "AT-1", **kwargs):
        invoice = receive(world.xml(number, **kwargs))
        return services.invoice_send_to_review(
            actor=world.clerk,
            invoice_id=invoice.pk,
            reviewer_id=world.reviewer.pk,
            lines=[{"account": "4010", "cost_centre": "SOL", "amount": invoice.net_amount}],
        )

    return make


# --- who can attest, and why ------------------------------------------------------------------------------


def test_route_names_who_may_attest_and_who_not_with_the_reason(world, waiting):
    invoice = waiting()
    assert invoice.payable_amount > Decimal(1000)
    with translation.override("en"):
        rows = attest_route(user=world.clerk, invoice=invoice)
    assert [(r.cost_centre, r.account) for r in rows] == [("SOL", "4010")]
    assert [p.name for p in rows[0].eligible] == ["Anna Berg"]
    assert "up to 100,000.00 SEK" in rows[0].eligible[0].why
    excluded = {p.name: p.why for p in rows[0].excluded}
    assert "is below" in excluded["Bengt Åkesson"]  # his 1,000 SEK limit


def test_route_shows_the_deputy_and_the_deputy_attests(client, world, waiting):
    from avrop.organisations.services.approval import delegation_create

    invoice = waiting("AT-DEP")
    today = timezone.localdate()
    delegation_create(
        actor=None,
        organisation=world.buyer,
        principal=world.reviewer,
        deputy=world.approver,
        valid_from=today,
        valid_to=today + dt.timedelta(days=3),
    )
    with translation.override("en"):
        rows = attest_route(user=world.clerk, invoice=invoice)
    assert {p.name for p in rows[0].eligible} == {"Anna Berg", "Bengt Åkesson"}
    assert any("deputy for" in p.why for p in rows[0].eligible)
    client.force_login(world.approver)
    page = client.get(reverse("payables:invoice", args=[invoice.pk])).content.decode()
    assert "Attestera som ersättare" in page or "Attest as deputy" in page
    client.post(reverse("payables:approve", args=[invoice.pk]))
    invoice.refresh_from_db()
    assert invoice.status == Status.APPROVED and invoice.approved_by == world.approver


def test_invoice_page_shows_who_can_attest_and_why(client, world, waiting):
    invoice = waiting("AT-PAGE")
    client.force_login(world.clerk)
    with translation.override("sv"):
        page = client.get(reverse("payables:invoice", args=[invoice.pk]), HTTP_ACCEPT_LANGUAGE="sv")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="attest-title"' in html and "Anna Berg" in html and "Bengt Åkesson" in html
    assert "Attest: vem som kan attestera, och varför" in html and "Prövad, men inte" in html
    assert "Stoppa fakturan" in html and "Bestrid hos leverantören" in html
    for english in ("Who can attest", "Put on hold", "Considered, but not", "Dispute with the supplier"):
        assert english not in html


def test_category_rule_applies_only_to_its_category(world, waiting):
    from avrop.organisations.models import DocumentKind
    from avrop.organisations.services.approval import approval_limit_create

    special = UserFactory(username="kat", first_name="Karin", last_name="Kategori")
    MembershipFactory(user=special, organisation=world.buyer, role=Role.APPROVER)
    approval_limit_create(
        actor=None,
        organisation=world.buyer,
        approver=special,
        document_kind=DocumentKind.INVOICE,
        amount_limit="500000",
        all_cost_centres=True,
        category="44120000",
    )
    invoice = waiting("AT-CAT")
    rows = attest_route(user=world.clerk, invoice=invoice)
    assert "Karin Kategori" not in [p.name for p in rows[0].eligible]
    assert "Karin Kategori" in [p.name for p in rows[0].excluded]
    invoice.lines.update(classification="44120000")
    rows = attest_route(user=world.clerk, invoice=invoice)
    if invoice.lines.exists():
        assert "Karin Kategori" in [p.name for p in rows[0].eligible]


# --- segregation of duties --------------------------------------------------------------------------------


def test_the_one_who_sent_it_on_cannot_attest_it_alone(world, receive):
    invoice = receive(world.xml("AT-SOD"))
    MembershipFactory(user=world.clerk, organisation=world.buyer, role=Role.APPROVER)
    services.invoice_send_to_review(
        actor=world.clerk,
        invoice_id=invoice.pk,
        reviewer_id=world.reviewer.pk,
        lines=[{"account": "4010", "cost_centre": "SOL", "amount": invoice.net_amount}],
    )
    SupplierInvoice.objects.filter(pk=invoice.pk).update(reviewer=world.clerk)
    with pytest.raises(NotAllowed) as refused:
        services.invoice_approve(actor=world.clerk, invoice_id=invoice.pk)
    assert refused.value.code == Code.SAME_PERSON
    rows = attest_route(user=world.clerk, invoice=SupplierInvoice.objects.get(pk=invoice.pk))
    assert "Disa Ekonom" not in [p.name for p in rows[0].eligible]


def test_nobody_attests_their_own_purchase_above_the_limit(world):
    order = SimpleNamespace(number="PO-9", requisition=SimpleNamespace(requisitioner_id=world.reviewer.pk))
    invoice = SimpleNamespace(
        purchase_order=order, organisation=world.buyer, payable_amount=Decimal("1250.00"), net_amount=None
    )
    with translation.override("en"):
        gap = attest.own_purchase_gap(world.reviewer, invoice)
    assert "own purchase" in gap and "PO-9" in gap
    assert attest.own_purchase_gap(world.approver, invoice) == ""  # not their purchase
    AttestSettings.objects.create(organisation=world.buyer, own_purchase_limit=Decimal("2000"))
    assert attest.own_purchase_gap(world.reviewer, invoice) == ""  # below the organisation's limit


def test_own_purchase_is_refused_at_attest(world, waiting, monkeypatch):
    invoice = waiting("AT-OWN")
    monkeypatch.setattr(attest, "own_purchase_gap", lambda actor, inv: "own purchase")
    with pytest.raises(NotAllowed) as refused:
        services.invoice_approve(actor=world.reviewer, invoice_id=invoice.pk)
    assert refused.value.code == AttestCode.OWN_PURCHASE
    assert SupplierInvoice.objects.get(pk=invoice.pk).status == Status.WAITING_REVIEW


# --- two attesting at once --------------------------------------------------------------------------------


def test_the_second_attest_gets_a_clear_message(client, world, waiting):
    from avrop.organisations.services.approval import delegation_create

    invoice = waiting("AT-TWICE")
    today = timezone.localdate()
    delegation_create(
        actor=None,
        organisation=world.buyer,
        principal=world.reviewer,
        deputy=world.approver,
        valid_from=today,
        valid_to=today,
    )
    services.invoice_approve(actor=world.reviewer, invoice_id=invoice.pk)
    with translation.override("en"), pytest.raises(DomainError) as second:
        services.invoice_approve(actor=world.approver, invoice_id=invoice.pk)
    assert second.value.code == AttestCode.ALREADY_DONE
    assert "Anna Berg already attested" in second.value.message
    assert InvoiceMessage.objects.filter(invoice=invoice, code="AP").count() == 1
    client.force_login(world.reviewer)
    response = client.post(reverse("payables:approve", args=[invoice.pk]), follow=True)
    assert "redan" in response.content.decode() or "already attested" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_attesting_at_the_same_moment_one_wins(world, waiting):
    """Two threads attest at once; on PostgreSQL the row lock serialises them, on SQLite the IMMEDIATE
    transaction does: exactly one approval, one AP message, the other a clear refusal."""
    import threading

    from django.db import connection

    from avrop.organisations.services.approval import delegation_create

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip(reason="SQLite in-memory test databases are not shared between threads")
    invoice = waiting("AT-RACE")
    today = timezone.localdate()
    delegation_create(
        actor=None,
        organisation=world.buyer,
        principal=world.reviewer,
        deputy=world.approver,
        valid_from=today,
        valid_to=today,
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attest_as(user):
        from django.db import connection as own

        barrier.wait()
        try:
            services.invoice_approve(actor=user, invoice_id=invoice.pk)
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(str(exc.code))
        finally:
            own.close()

    threads = [threading.Thread(target=attest_as, args=(u,)) for u in (world.reviewer, world.approver)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == sorted(["ok", str(AttestCode.ALREADY_DONE)])
    assert InvoiceMessage.objects.filter(invoice=invoice, code="AP").count() == 1


# --- hold -------------------------------------------------------------------------------------------------


def test_hold_stops_attest_and_payment_until_released(world, waiting):
    from avrop.payables.payments.building import _payable

    invoice = waiting("AT-HOLD")
    until = timezone.localdate() + dt.timedelta(days=5)
    attest.invoice_hold(actor=world.clerk, invoice_id=invoice.pk, reason="Avtalet omförhandlas", until=until)
    with pytest.raises(DomainError) as held:
        services.invoice_approve(actor=world.reviewer, invoice_id=invoice.pk)
    assert held.value.code == AttestCode.HELD and "Avtalet omförhandlas" in held.value.message
    with pytest.raises(DomainError) as twice:
        attest.invoice_hold(actor=world.clerk, invoice_id=invoice.pk, reason="igen", until=until)
    assert twice.value.code == AttestCode.HELD
    attest.invoice_release(actor=world.reviewer, invoice_id=invoice.pk, note="Klart")
    services.invoice_approve(actor=world.reviewer, invoice_id=invoice.pk)
    # Held after attest: left out of payment proposals until released.
    attest.invoice_hold(actor=world.clerk, invoice_id=invoice.pk, reason="Tvist om leverans", until=until)
    assert invoice.pk not in list(_payable(world.buyer, "SEK").values_list("pk", flat=True))
    attest.invoice_release(actor=world.clerk, invoice_id=invoice.pk)
    assert invoice.pk in list(_payable(world.buyer, "SEK").values_list("pk", flat=True))
    assert InvoiceHold.objects.filter(invoice=invoice).count() == 2
    assert AuditEvent.objects.filter(action="supplier_invoice.hold").count() == 2


@pytest.mark.parametrize(
    ("reason", "until", "field"),
    [("", 3, "reason"), ("   ", 3, "reason"), ("Varför", None, "until"), ("Varför", -1, "until")],
)
def test_hold_needs_a_reason_and_a_date_not_past(world, waiting, reason, until, field):
    invoice = waiting(f"AT-HB-{field}-{until}-{len(reason)}")
    day = None if until is None else timezone.localdate() + dt.timedelta(days=until)
    with pytest.raises(DomainError) as bad:
        attest.invoice_hold(actor=world.clerk, invoice_id=invoice.pk, reason=reason, until=day)
    assert bad.value.field == field
    assert not InvoiceHold.objects.filter(invoice=invoice).exists()


def test_release_without_a_hold_and_hold_of_a_paid_invoice_are_refused(world, waiting):
    invoice = waiting("AT-REL")
    with pytest.raises(DomainError) as none:
        attest.invoice_release(actor=world.clerk, invoice_id=invoice.pk)
    assert none.value.code == AttestCode.NOT_HELD
    services.invoice_approve(actor=world.reviewer, invoice_id=invoice.pk)
    services.invoice_mark_paid(actor=world.clerk, invoice_id=invoice.pk)
    with pytest.raises(DomainError) as paid:
        attest.invoice_hold(actor=world.clerk, invoice_id=invoice.pk, reason="x", until=timezone.localdate())
    assert paid.value.code == AttestCode.HOLD_INVALID


def test_hold_page_form_bad_date_says_where(client, world, waiting):
    invoice = waiting("AT-HF")
    client.force_login(world.clerk)
    response = client.post(
        reverse("payables:hold", args=[invoice.pk]), {"reason": "x", "until": "31/31/2026"}, follow=True
    )
    assert response.status_code == 200
    assert not InvoiceHold.objects.filter(invoice=invoice).exists()
    text = response.content.decode()
    assert "Titta på den igen" in text or "Look at it again on" in text


# --- dispute ----------------------------------------------------------------------------------------------


def test_dispute_sends_uq_and_the_supplier_answers_in_the_portal(client, world, waiting):
    from avrop.portal.services import invoice_reads

    invoice = waiting("AT-DISP")
    dispute = attest.invoice_dispute(
        actor=world.reviewer, invoice_id=invoice.pk, reason="Rad 2 levererades ej"
    )
    invoice.refresh_from_db()
    assert invoice.status == Status.UNDER_QUERY
    assert dispute.message is not None and dispute.message.code == "UQ"
    assert "Rad 2 levererades ej" in bytes(dispute.message.content).decode()
    from avrop.core.models import OutboxMessage

    assert OutboxMessage.objects.filter(object_id=str(dispute.message.pk)).exists()
    status = invoice_reads.supplier_status(invoice)
    assert status.code == "disputed" and "Rad 2 levererades ej" in status.message
    client.force_login(world.supplier_user)
    page = client.get(reverse("portal:invoice", args=[invoice.pk])).content.decode()
    assert "Rad 2 levererades ej" in page and 'name="answer"' in page
    empty = client.post(reverse("portal:invoice_answer", args=[invoice.pk]), {"answer": " "}, follow=True)
    assert SupplierInvoice.objects.get(pk=invoice.pk).status == Status.UNDER_QUERY
    assert "svar" in empty.content.decode().lower() or "answer" in empty.content.decode().lower()
    answer = {"answer": "Levererad 3/12, följesedel 44"}
    client.post(reverse("portal:invoice_answer", args=[invoice.pk]), answer)
    invoice.refresh_from_db()
    dispute.refresh_from_db()
    assert invoice.status == Status.WAITING_REVIEW  # back to its attestant
    assert dispute.resolution == InvoiceDispute.Resolution.ANSWER
    assert dispute.answered_by == world.supplier_user
    again = client.post(reverse("portal:invoice_answer", args=[invoice.pk]), {"answer": "igen"}, follow=True)
    assert again.status_code == 200 and InvoiceDispute.objects.filter(invoice=invoice).count() == 1


def test_another_supplier_cannot_answer(client, world, waiting, make_member):
    invoice = waiting("AT-DISP2")
    attest.invoice_dispute(actor=world.clerk, invoice_id=invoice.pk, reason="Fel pris")
    stranger, _org = make_member(Role.SUPPLIER_USER)
    with pytest.raises(NotFound):
        attest.invoice_dispute_answer(actor=stranger, invoice_id=invoice.pk, answer="x")
    with pytest.raises(NotFound):
        attest.invoice_dispute_answer(actor=world.clerk, invoice_id=invoice.pk, answer="x")


def test_a_credit_note_resolves_the_dispute(world, waiting, receive):
    invoice = waiting("AT-CRED")
    attest.invoice_dispute(actor=world.clerk, invoice_id=invoice.pk, reason="Fel pris på rad 1")
    note = receive(world.xml("AT-CRED-K", credit_note=True, credited_invoice="AT-CRED"))
    assert note is not None and note.kind == SupplierInvoice.Kind.CREDIT_NOTE
    invoice.refresh_from_db()
    dispute = InvoiceDispute.objects.get(invoice=invoice)
    assert dispute.resolution == InvoiceDispute.Resolution.CREDIT_NOTE and dispute.credit_note == note
    assert invoice.status == Status.WAITING_REVIEW


def test_a_query_put_before_is_resolved_as_a_dispute_too(world, waiting):
    invoice = waiting("AT-OLDQ")
    services.invoice_query(actor=world.clerk, invoice_id=invoice.pk, question="Vilken order?")
    attest.invoice_dispute_answer(actor=world.supplier_user, invoice_id=invoice.pk, answer="Order 17")
    dispute = InvoiceDispute.objects.get(invoice=invoice)
    assert dispute.reason == "Vilken order?" and dispute.answer == "Order 17"


# --- split and re-coding ----------------------------------------------------------------------------------


def _split(invoice):
    half = (invoice.net_amount / 2).quantize(Decimal("0.01"))
    return [
        {"account": "4010", "cost_centre": "SOL", "amount": half},
        {"account": "5460", "cost_centre": "100", "amount": invoice.net_amount - half},
    ]


def test_split_is_audited_with_old_and_new_lines(world, waiting):
    invoice = waiting("AT-SPLIT")
    revision = attest.invoice_recode(
        actor=world.reviewer, invoice_id=invoice.pk, lines=_split(invoice), reason="Halva till hemtjänsten"
    )
    assert revision.kind == CodingRevision.Kind.SPLIT and revision.changed_by == world.reviewer
    assert [ln["account"] for ln in revision.before] == ["4010"]
    assert [(ln["account"], ln["cost_centre"]) for ln in revision.after] == [("4010", "SOL"), ("5460", "100")]
    assert sorted(invoice.coding_lines.values_list("account", flat=True)) == ["4010", "5460"]
    event = AuditEvent.objects.get(action="supplier_invoice.split")
    assert event.before["lines"] == revision.before and event.after["lines"] == revision.after
    recode = attest.invoice_recode(
        actor=world.clerk,
        invoice_id=invoice.pk,
        lines=[{"account": "5460", "cost_centre": "SOL", "amount": invoice.net_amount}],
        reason="Allt är förbrukning",
    )
    assert recode.kind == CodingRevision.Kind.RECODE and len(recode.before) == 2
    services.invoice_approve(actor=world.reviewer, invoice_id=invoice.pk)  # the new coding is attested


@pytest.mark.parametrize(
    ("lines", "reason", "code"),
    [
        ([{"account": "4010", "cost_centre": "SOL", "amount": "1.00"}], "x", Code.CODING_TOTAL),
        ([{"account": "", "cost_centre": "SOL", "amount": "1.00"}], "x", Code.CODING_INVALID),
        ([{"account": "4010", "cost_centre": "SOL", "amount": "abc"}], "x", Code.CODING_INVALID),
        ([], "x", Code.CODING_INVALID),
        ("split", "", Code.REASON_REQUIRED),
    ],
)
def test_bad_recoding_is_refused_and_nothing_changes(world, waiting, lines, reason, code):
    invoice = waiting(f"AT-BAD-{code}-{len(lines)}")
    if lines == "split":
        lines = _split(invoice)
    with pytest.raises(DomainError) as bad:
        attest.invoice_recode(actor=world.clerk, invoice_id=invoice.pk, lines=lines, reason=reason)
    assert bad.value.code == code
    assert invoice.coding_lines.count() == 1 and not CodingRevision.objects.exists()


def test_recode_unknown_account_or_booked_invoice_is_refused(world, waiting):
    from avrop.payables.payments.accounting import journal_book

    invoice = waiting("AT-BOOK")
    with pytest.raises(DomainError):
        attest.invoice_recode(
            actor=world.clerk,
            invoice_id=invoice.pk,
            lines=[{"account": "9999", "cost_centre": "SOL", "amount": invoice.net_amount}],
            reason="fel",
        )
    services.invoice_approve(actor=world.reviewer, invoice_id=invoice.pk)
    journal_book(organisation=world.buyer)
    with pytest.raises(DomainError) as booked:
        attest.invoice_recode(actor=world.clerk, invoice_id=invoice.pk, lines=_split(invoice), reason="x")
    assert booked.value.code == AttestCode.RECODE_NOT_ALLOWED


def test_recode_page_splits_and_shows_the_history(client, world, waiting):
    invoice = waiting("AT-RPAGE")
    client.force_login(world.clerk)
    assert client.get(reverse("payables:recode", args=[invoice.pk])).status_code == 200
    lines = _split(invoice)
    data = {
        "coding-TOTAL_FORMS": "3",
        "coding-INITIAL_FORMS": "0",
        "reason": "Delas mellan två enheter",
    }
    for i, line in enumerate(lines):
        for key, value in line.items():
            data[f"coding-{i}-{key}"] = str(value)
    bad = client.post(reverse("payables:recode", args=[invoice.pk]), {**data, "coding-1-amount": "1"})
    assert bad.status_code == 400 and not CodingRevision.objects.exists()
    response = client.post(reverse("payables:recode", args=[invoice.pk]), data)
    assert response.status_code == 302
    page = client.get(reverse("payables:invoice", args=[invoice.pk])).content.decode()
    assert "Delas mellan två enheter" in page and "5460" in page


# --- every action as every role ---------------------------------------------------------------------------

ACTIONS = [
    ("payables:hold", {"reason": "r", "until": "2999-01-01"}),
    ("payables:release", {"note": ""}),
    ("payables:dispute", {"reason": "r"}),
    ("payables:periodise", {"line": "1", "first_month": "2999-01", "last_month": "2999-03"}),
    ("payables:recode", {"coding-TOTAL_FORMS": "0", "coding-INITIAL_FORMS": "0", "reason": "r"}),
]


@pytest.mark.parametrize(("name", "data"), ACTIONS)
def test_auditor_is_refused_every_action(client, world, waiting, auditor, name, data):
    invoice = waiting(f"AT-AUD-{name[9:]}")
    client.force_login(auditor)
    assert client.post(reverse(name, args=[invoice.pk]), data).status_code == 403
    assert client.get(reverse("payables:invoice", args=[invoice.pk])).status_code == 200  # reads
    assert not InvoiceHold.objects.exists() and not InvoiceDispute.objects.exists()
    with pytest.raises(NotAllowed):
        attest.invoice_hold(actor=auditor, invoice_id=invoice.pk, reason="r", until=timezone.localdate())


@pytest.mark.parametrize(("name", "data"), ACTIONS)
def test_another_organisation_gets_404_for_every_action(client, world, waiting, make_member, name, data):
    invoice = waiting(f"AT-404-{name[9:]}")
    for role in (Role.AP_CLERK, Role.APPROVER, Role.ADMIN):
        stranger, _org = make_member(role)
        client.force_login(stranger)
        assert client.post(reverse(name, args=[invoice.pk]), data).status_code == 404
    client.force_login(world.supplier_user)
    assert client.post(reverse(name, args=[invoice.pk]), data).status_code == 404


def test_a_requisitioner_who_is_not_the_attestant_may_not_act(world, waiting):
    invoice = waiting("AT-REQ")
    other = UserFactory(username="rolf")
    MembershipFactory(user=other, organisation=world.buyer, role=Role.REQUISITIONER)
    for call in (
        lambda: attest.invoice_hold(
            actor=other, invoice_id=invoice.pk, reason="r", until=timezone.localdate()
        ),
        lambda: attest.invoice_recode(actor=other, invoice_id=invoice.pk, lines=_split(invoice), reason="r"),
    ):
        with pytest.raises(NotAllowed):
            call()
    # The attestant the invoice waits for may hold it, and an AP clerk may as well.
    attest.invoice_hold(actor=world.reviewer, invoice_id=invoice.pk, reason="r", until=timezone.localdate())
    attest.invoice_release(actor=world.clerk, invoice_id=invoice.pk)


def test_invoice_page_query_count_does_not_grow_with_history(client, world, waiting):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    invoice = waiting("AT-Q")
    client.force_login(world.clerk)
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("payables:invoice", args=[invoice.pk]))
    for n in range(3):
        today = timezone.localdate()
        attest.invoice_hold(actor=world.clerk, invoice_id=invoice.pk, reason=f"r{n}", until=today)
        attest.invoice_release(actor=world.clerk, invoice_id=invoice.pk)
    attest.invoice_recode(actor=world.clerk, invoice_id=invoice.pk, lines=_split(invoice), reason="x")
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("payables:invoice", args=[invoice.pk]))
    assert len(after.captured_queries) <= len(before.captured_queries) + 3  # one more coding line's check
