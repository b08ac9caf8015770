"""Query budget of the ordering chain: sending a 7-line requisition for approval and approving it (two
cost centres, two suppliers, two purchase orders built, validated and written to the outbox) runs a fixed
number of SQL queries. The budget is what the chain needs now; a change that reads the approval rules
per cost centre again, or a row per line, fails here instead of slowing ``bench/ordering.py`` unnoticed."""

import pytest

from avrop.ordering import services
from avrop.ordering.models import PurchaseOrder, Transmission
from avrop.ordering.tests.factories import build_world, make_items
from avrop.ordering.workflows import RequisitionStatus, TransmissionStatus
from avrop.organisations.models import Membership
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# 48 before the approvers' e-mails went to the outbox in one insert; 47 + 3 since each of the three audit
# events reads the head of the audit hash chain (core.auditchain) before it is written; + 2 since the last
# approval's move of the requisition to ordered writes its own audit event (and reads the chain's head), as
# every status change does through the transition helpers (services/_transitions.py); + 2 since the approval
# rules are read through the ORM and the acting user's membership is checked first on its own, in submit and
# in approve, instead of being folded into the read of the approvers' roles; + 1 since the purchase orders'
# transmissions are queued on core's outbox engine (one insert of their outbox rows); − 4 since the audit
# chain's head is read once per transaction, and an audit event names its organisation by id; + 2 since the
# new orders are asked once whether a later app routes them elsewhere (fulfilment's distribution centres:
# the routes and the centres' days, read for the whole batch).
SUBMIT_AND_APPROVE_QUERIES = 53


def _requisition(world):
    """The benchmark's requisition: 4 + 3 lines from two Peppol suppliers, the first split 60/40."""
    world.email.connection = "peppol"
    world.email.save()
    extra = make_items(world.buyer, world.email.organisation, 3, price="50.00")
    items = [i.pk for i in world.items["peppol"]] + [i.pk for i in extra]
    lines = services.cart_add_items(
        actor=world.requisitioner,
        organisation=world.buyer,
        items=[(pk, 1 + k % 5) for k, pk in enumerate(items)],
    )
    services.line_coding_set(
        actor=world.requisitioner,
        line_id=lines[0].pk,
        splits=[
            {"account": "6110", "cost_centre": "1200", "percent": "60"},
            {"account": "6110", "cost_centre": "1300", "percent": "40"},
        ],
    )
    return lines[0].requisition_id


def test_submit_and_approve_of_seven_lines_within_a_fixed_query_budget(django_assert_max_num_queries):
    world = build_world(items=4)
    requisition_id = _requisition(world)
    with django_assert_max_num_queries(SUBMIT_AND_APPROVE_QUERIES):
        requisition = services.requisition_submit(actor=world.requisitioner, requisition_id=requisition_id)
        services.requisition_decide(requisition_id=requisition.pk, approver=world.approver, approve=True)
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.ORDERED
    assert requisition.steps.count() == 2
    assert PurchaseOrder.objects.filter(requisition=requisition).count() == 2
    assert (
        Transmission.objects.filter(
            purchase_order__requisition=requisition, status=TransmissionStatus.QUEUED, document__isnull=False
        ).count()
        == 2
    )


def test_more_rules_and_deputies_add_only_their_emails(django_assert_max_num_queries):
    """Rules, deputies and roles are read once for all cost centres, whoever holds them: six more approvers
    add their six e-mails to the outbox (one row each, in the same insert), and rules narrowed to some cost
    centres one read of which centres they cover, on sending and on deciding."""
    from django.utils import timezone

    from avrop.organisations.models import ApprovalDelegation

    world = build_world(items=4)
    for n in range(3):
        extra = UserFactory(first_name="Extra", last_name=str(n))
        Membership.objects.create(user=extra, organisation=world.buyer, role=Role.APPROVER)
        world.limit(extra, "50000", title=f"Extra {n}", centres=[world.kitchen, world.school] if n else None)
        deputy = UserFactory(first_name="Deputy", last_name=str(n))
        Membership.objects.create(user=deputy, organisation=world.buyer, role=Role.APPROVER)
        ApprovalDelegation.objects.create(
            organisation=world.buyer,
            principal=extra,
            deputy=deputy,
            valid_from=timezone.localdate(),
            valid_to=timezone.localdate(),
        )
    requisition_id = _requisition(world)
    with django_assert_max_num_queries(SUBMIT_AND_APPROVE_QUERIES + 2):
        requisition = services.requisition_submit(actor=world.requisitioner, requisition_id=requisition_id)
        services.requisition_decide(requisition_id=requisition.pk, approver=world.approver, approve=True)
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.ORDERED
    assert all(len(step.approver_ids) == 8 for step in requisition.steps.all())
