"""The master-data demo: what the README and the walkthrough promise, loaded idempotently."""

import io

import pytest

from avrop.organisations.demo import DEMO_USERS
from avrop.organisations.models import (
    ApprovalDelegation,
    DepartmentRequest,
    DocumentKind,
    Membership,
    Organisation,
    User,
)
from avrop.organisations.selectors.approval import who_can_approve
from avrop.organisations.selectors.chart import coding_check
from avrop.web.demo import load_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        load_all(io.StringIO())
    return Organisation.objects.get(name="Österlens kommun")


def test_demo_master_data(demo, django_capture_on_commit_callbacks):
    """One load for every check: the demo takes seconds to load."""
    _requests_in_every_stage(demo, django_capture_on_commit_callbacks)
    _people_history_and_logins(demo)
    _authority_and_chart(demo)


def _requests_in_every_stage(demo, django_capture_on_commit_callbacks):
    requests = {r.name: r for r in DepartmentRequest.objects.filter(organisation=demo)}
    assert requests["Hemtjänsten Östra"].status == DepartmentRequest.Status.COMPLETED
    assert requests["Fritidsgården Kivik"].status == DepartmentRequest.Status.REQUESTED
    waiting = requests["Kulturskolan Ystad"]
    assert waiting.status == DepartmentRequest.Status.SUPPLIERS_NOTIFIED
    assert waiting.supplier_steps.filter(customer_number="").count() == 3
    # One step per supplier of the municipality (the punch-out demo shop's included).
    assert waiting.supplier_steps.count() == demo.supplier_relations.count() == 10
    counts = DepartmentRequest.objects.count(), Membership.objects.count(), User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        load_all(io.StringIO())
    assert (DepartmentRequest.objects.count(), Membership.objects.count(), User.objects.count()) == counts


def _people_history_and_logins(demo):
    moved = Membership.objects.filter(user__username="johan.ek", role="requisitioner").order_by("valid_from")
    assert [m.is_active for m in moved] == [False, True]
    assert not User.objects.get(username="olle.sand").is_active
    for username in DEMO_USERS:
        assert User.objects.get(username=username).is_active


def _authority_and_chart(demo):
    coordinator = User.objects.get(username="coordinator")
    answer = who_can_approve(
        user=coordinator,
        organisation=demo,
        cost_centre="1200",
        amount="12000",
        document_kind=DocumentKind.ORDER,
    )
    usernames = [u.username for u in answer.approvers]
    assert usernames[0] == "approver" and "karin.holm" in usernames and "margareta.lund" in usernames
    assert ApprovalDelegation.objects.filter(deputy__username="karin.holm", is_active=True).exists()
    assert coding_check(
        user=coordinator,
        organisation=demo,
        coding={"account": "5410", "cost_centre": "1210", "activity": "510"},
    ).ok
    agency = Organisation.objects.get(name="Myndigheten för kustmiljö")
    assert agency.chart.owner.kind == Organisation.Kind.SERVICE_CENTRE
