"""The approval rules are read for the requisitioner's organisation only while the requisitioner still holds
an active role there (and both are active): sending then shows the route as unknown, and deciding finds
nothing, exactly as for a stranger."""

import pytest

from avrop.core.errors import DomainError, NotFound
from avrop.ordering import services
from avrop.ordering.checks import readiness
from avrop.ordering.errors import Code
from avrop.ordering.models import Requisition
from avrop.ordering.tests.helpers import cart_with
from avrop.ordering.workflows import RequisitionStatus
from avrop.organisations.models import Membership

pytestmark = pytest.mark.django_db


def _sent(world, django_capture_on_commit_callbacks):
    requisition = cart_with(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.requisition_submit(actor=world.requisitioner, requisition_id=requisition.pk)
    return requisition


def test_route_is_unknown_once_the_requisitioner_has_no_role():
    from avrop.ordering.tests.factories import build_world

    world = build_world()
    requisition = cart_with(world)
    Membership.objects.filter(user=world.requisitioner).update(is_active=False)
    requisition = Requisition.objects.select_related("organisation", "requisitioner").get(pk=requisition.pk)
    check = readiness(requisition)
    assert check.route
    assert all(step.error == NotFound().message for step in check.route)
    assert "missing_authority" in [p.code for p in check.blocking]
    with pytest.raises(DomainError) as raised:
        services.requisition_submit(actor=world.requisitioner, requisition_id=requisition.pk)
    assert raised.value.code == Code.CANNOT_SEND
    assert Requisition.objects.get(pk=requisition.pk).status == RequisitionStatus.DRAFT


@pytest.mark.parametrize("ended", ["membership", "organisation", "user"])
def test_nothing_to_decide_once_the_requisitioner_or_organisation_is_gone(
    world, django_capture_on_commit_callbacks, ended
):
    requisition = _sent(world, django_capture_on_commit_callbacks)
    if ended == "membership":
        Membership.objects.filter(user=world.requisitioner).update(is_active=False)
    elif ended == "organisation":
        type(world.buyer).objects.filter(pk=world.buyer.pk).update(is_active=False)
    else:
        type(world.requisitioner).objects.filter(pk=world.requisitioner.pk).update(is_active=False)
    with pytest.raises(NotFound):
        services.requisition_decide(requisition_id=requisition.pk, approver=world.approver, approve=True)
    assert Requisition.objects.get(pk=requisition.pk).status == RequisitionStatus.PENDING_APPROVAL


def test_a_member_in_another_role_still_has_the_route(world, django_capture_on_commit_callbacks):
    """Any active role keeps the organisation readable; the requisitioner role is checked by the readiness."""
    requisition = _sent(world, django_capture_on_commit_callbacks)
    Membership.objects.filter(user=world.requisitioner).update(role="auditor")
    services.requisition_decide(requisition_id=requisition.pk, approver=world.approver, approve=True)
    assert Requisition.objects.get(pk=requisition.pk).status == RequisitionStatus.ORDERED


def test_route_takes_the_cost_centres_the_coding_check_read_as_the_rules_query_would(world):
    """A code on the chart and on the organisation, in a second cost-centre dimension and in a project
    dimension: the route's cost centre is the one ``approval_authority`` reads itself."""
    from avrop.organisations.models import Dimension, DimensionObject, DocumentKind
    from avrop.organisations.selectors.approval import approval_authority

    chart = world.buyer.chart
    second = Dimension.objects.create(
        chart=chart, number=9, code="unit", name="Enhet", kind=Dimension.Kind.COST_CENTRE
    )
    project = Dimension.objects.get(chart=chart, code="project")
    DimensionObject.objects.create(dimension=project, code="1300", name="Projekt 1300")
    DimensionObject.objects.create(dimension=second, code="1300", name="Enhet 1300")
    DimensionObject.objects.create(
        dimension=world.kitchen.dimension, organisation=world.buyer, code="1300", name="Skola (egen)"
    )
    requisition = cart_with(world, peppol=1, email=0, quantity=10)
    line = requisition.lines.get()
    services.line_coding_set(
        actor=world.requisitioner,
        line_id=line.pk,
        splits=[
            {"account": "6110", "cost_centre": "1200", "percent": "60"},
            {"account": "6110", "cost_centre": "1300", "percent": "40"},
        ],
    )
    requisition = Requisition.objects.select_related("organisation", "requisitioner").get(pk=requisition.pk)
    route = readiness(requisition).route
    queried = approval_authority(
        user=world.requisitioner,
        organisation=world.buyer,
        document_kind=DocumentKind.ORDER,
        cost_centres=["1200", "1300"],
        requester=world.requisitioner,
    )
    assert [(s.cost_centre, s.answer.cost_centre.pk) for s in route] == [
        (code, queried.centres[code].pk) for code in ["1200", "1300"]
    ]
    assert route[1].answer.cost_centre.pk == world.school.pk


@pytest.mark.parametrize("line_id", [None, "", "x", 0, 10**9])
def test_an_unknown_line_is_not_found(world, line_id):
    """Also with an empty cart of one's own around (a requisition without lines)."""
    cart_with(world)
    services.requisition_cancel(actor=world.requisitioner, requisition_id=Requisition.objects.get().pk)
    services.cart_for(user=world.requisitioner, organisation=world.buyer)
    with pytest.raises(NotFound):
        services.line_update(actor=world.requisitioner, line_id=line_id, quantity=2)
    with pytest.raises(NotFound):
        services.line_coding_set(
            actor=world.requisitioner, line_id=line_id, splits=[{"account": "6110", "cost_centre": "1200"}]
        )
    with pytest.raises(NotFound):
        services.line_remove(actor=world.requisitioner, line_id=line_id)
