"""Approval authority: rules, deputies, segregation of duties and the "who can approve this?" answer."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.core.models import AuditEvent
from avrop.organisations import services
from avrop.organisations.models import DocumentKind
from avrop.organisations.roles import Role
from avrop.organisations.selectors.approval import Exclusion, who_can_approve
from avrop.organisations.tests.factories import DimensionObjectFactory, MembershipFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def ladder(tenant):
    """Department head up to 50,000 for the kitchen, director up to 500,000 for all cost centres."""
    head = tenant.person(Role.APPROVER, first_name="Bengt")
    director = tenant.person(Role.APPROVER, first_name="Dora")
    head_rule = services.approval_limit_create(
        actor=tenant.coordinator,
        organisation=tenant.organisation,
        approver=head,
        document_kind=DocumentKind.ORDER,
        amount_limit="50000",
        cost_centres=["1200"],
        title="Avdelningschef",
    )
    director_rule = services.approval_limit_create(
        actor=tenant.coordinator,
        organisation=tenant.organisation,
        approver=director,
        document_kind=DocumentKind.ORDER,
        amount_limit=Decimal("500000"),
        all_cost_centres=True,
        level=2,
        title="Förvaltningschef",
    )
    return head, director, head_rule, director_rule


def _ask(tenant, amount, cost_centre="1200", **kwargs):
    return who_can_approve(
        user=tenant.coordinator,
        organisation=tenant.organisation,
        cost_centre=cost_centre,
        amount=amount,
        document_kind=kwargs.pop("document_kind", DocumentKind.ORDER),
        **kwargs,
    )


def test_lowest_sufficient_limit_comes_first(tenant, ladder):
    head, director, head_rule, _director_rule = ladder
    answer = _ask(tenant, "12500.00")
    assert answer.approvers == [head, director]
    assert answer.eligible[0].rule == head_rule and "50\u00a0000,00 SEK" in answer.eligible[0].explanation
    assert answer.can_approve(director)


def test_limit_is_inclusive_and_too_low_is_explained(tenant, ladder):
    head, director, *_ = ladder
    assert _ask(tenant, 50000).approvers == [head, director]
    answer = _ask(tenant, "50000.01")
    assert answer.approvers == [director]
    assert [(e.user, e.reason) for e in answer.excluded] == [(head, Exclusion.LIMIT_TOO_LOW)]
    assert "50\u00a0000,00" in answer.excluded[0].explanation
    assert _ask(tenant, 600000).approvers == []


def test_cost_centre_and_document_kind_narrow_the_rules(tenant, ladder):
    _head, director, *_ = ladder
    assert _ask(tenant, 100, cost_centre="1300").approvers == [director]
    assert _ask(tenant, 100, document_kind=DocumentKind.INVOICE).approvers == []


def test_unknown_cost_centre_is_a_clear_error(tenant, ladder):
    with pytest.raises(DomainError) as unknown:
        _ask(tenant, 100, cost_centre="9999")
    assert (unknown.value.code, unknown.value.field) == ("unknown_cost_centre", "cost_centre")
    assert "9999" in unknown.value.message


def test_account_and_category_rules(tenant):
    buyer = tenant.person(Role.APPROVER)
    services.approval_limit_create(
        actor=tenant.coordinator,
        organisation=tenant.organisation,
        approver=buyer,
        document_kind=DocumentKind.INVOICE,
        amount_limit=20000,
        cost_centres=["1200"],
        account="5410",
        category="food",
    )
    assert _ask(
        tenant, 100, document_kind=DocumentKind.INVOICE, account="5410", category="food"
    ).approvers == [buyer]
    other = _ask(tenant, 100, document_kind=DocumentKind.INVOICE, account="6110", category="food")
    assert other.approvers == [] and other.excluded[0].reason == Exclusion.OTHER_ACCOUNT
    other = _ask(tenant, 100, document_kind=DocumentKind.INVOICE, account="5410", category="it")
    assert other.excluded[0].reason == Exclusion.OTHER_CATEGORY


def test_nobody_approves_their_own_requisition(tenant, ladder):
    head, director, *_ = ladder
    answer = _ask(tenant, 1000, requester=head)
    assert answer.approvers == [director]
    assert [(e.user, e.reason) for e in answer.excluded] == [(head, Exclusion.OWN_REQUISITION)]
    assert (
        "Segregation of duties" in answer.excluded[0].explanation
        or "Åtskillnad" in answer.excluded[0].explanation
    )


def test_deputy_approves_with_the_principals_limit(tenant, ladder):
    head, director, head_rule, _ = ladder
    deputy = tenant.person(Role.REQUISITIONER, first_name="Vera")
    services.delegation_create(
        actor=tenant.coordinator,
        organisation=tenant.organisation,
        principal=head,
        deputy=deputy,
        valid_from=TODAY(),
        valid_to=TODAY() + dt.timedelta(days=14),
        reason="Semester",
    )
    answer = _ask(tenant, 30000)
    assert answer.approvers == [head, deputy, director]
    on_behalf = next(c for c in answer.eligible if c.user == deputy)
    assert on_behalf.deputy_for == head and on_behalf.rule == head_rule
    assert str(head) in on_behalf.explanation
    # Outside the date range the deputy has no authority.
    assert deputy not in _ask(tenant, 30000, on=TODAY() + dt.timedelta(days=15)).approvers
    assert deputy not in _ask(tenant, 30000, on=TODAY() - dt.timedelta(days=1)).approvers


def test_deputy_who_would_approve_their_own_requisition_is_refused(tenant, ladder):
    head, director, *_ = ladder
    deputy = tenant.person(Role.REQUISITIONER)
    services.delegation_create(
        actor=tenant.coordinator,
        organisation=tenant.organisation,
        principal=head,
        deputy=deputy,
        valid_from=TODAY(),
        valid_to=TODAY(),
    )
    answer = _ask(tenant, 500, requester=deputy)
    assert deputy not in answer.approvers and head in answer.approvers
    refused = [e for e in answer.excluded if e.user == deputy]
    assert [(e.reason, e.deputy_for) for e in refused] == [(Exclusion.DEPUTY_OWN_REQUISITION, head)]


def test_ended_role_or_deactivated_user_excludes(tenant, ladder):
    head, director, *_ = ladder
    head.memberships.update(is_active=False)
    MembershipFactory(user=head, organisation=tenant.organisation, role=Role.REQUISITIONER)
    answer = _ask(tenant, 10)
    assert answer.approvers == [director]
    assert answer.excluded[0].reason == Exclusion.NOT_AN_APPROVER


def test_query_count_does_not_grow_with_rules(tenant, ladder):
    head, *_ = ladder

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            _ask(tenant, 10)
        return len(ctx.captured_queries)

    few = count()
    for _ in range(10):
        person = tenant.person(Role.APPROVER)
        services.approval_limit_create(
            actor=tenant.coordinator,
            organisation=tenant.organisation,
            approver=person,
            document_kind=DocumentKind.ORDER,
            amount_limit=100,
            cost_centres=["1200", "1300"],
        )
        services.delegation_create(
            actor=tenant.coordinator,
            organisation=tenant.organisation,
            principal=person,
            deputy=head,
            valid_from=TODAY(),
            valid_to=TODAY(),
        )
    assert count() == few


# --- Keeping the rules --------------------------------------------------------------------------------


def test_approver_cannot_widen_their_own_limit(tenant, ladder):
    head, _director, head_rule, _ = ladder
    with pytest.raises(NotAllowed) as refused:
        services.approval_limit_update(actor=head, limit_id=head_rule.pk, amount_limit="999999")
    assert refused.value.code == "role_needed"
    with pytest.raises(NotAllowed):
        services.approval_limit_create(
            actor=head,
            organisation=tenant.organisation,
            approver=head,
            document_kind=DocumentKind.ORDER,
            amount_limit=1,
            all_cost_centres=True,
        )
    head_rule.refresh_from_db()
    assert head_rule.amount_limit == Decimal("50000.00")


def test_coordinator_who_is_also_approver_cannot_set_their_own_limit(tenant, ladder):
    _head, _director, head_rule, _ = ladder
    MembershipFactory(user=tenant.coordinator, organisation=tenant.organisation, role=Role.APPROVER)
    with pytest.raises(NotAllowed) as own:
        services.approval_limit_create(
            actor=tenant.coordinator,
            organisation=tenant.organisation,
            approver=tenant.coordinator,
            document_kind=DocumentKind.ORDER,
            amount_limit=1000,
            all_cost_centres=True,
        )
    assert own.value.code == "own_authority"
    other_coordinator = tenant.person(Role.COORDINATOR)
    rule = services.approval_limit_create(
        actor=other_coordinator,
        organisation=tenant.organisation,
        approver=tenant.coordinator,
        document_kind=DocumentKind.ORDER,
        amount_limit=1000,
        all_cost_centres=True,
    )
    with pytest.raises(NotAllowed):
        services.approval_limit_update(actor=tenant.coordinator, limit_id=rule.pk, amount_limit=10**6)
    with pytest.raises(NotAllowed) as deputy:
        services.delegation_create(
            actor=tenant.coordinator,
            organisation=tenant.organisation,
            principal=ladder[1],
            deputy=tenant.coordinator,
            valid_from=TODAY(),
            valid_to=TODAY(),
        )
    assert deputy.value.code == "own_authority"


def test_limit_for_unknown_cost_centre_is_refused(tenant):
    approver = tenant.person(Role.APPROVER)
    with pytest.raises(DomainError) as unknown:
        services.approval_limit_create(
            actor=tenant.coordinator,
            organisation=tenant.organisation,
            approver=approver,
            document_kind=DocumentKind.ORDER,
            amount_limit=100,
            cost_centres=["1200", "4711", "0815"],
        )
    assert (unknown.value.code, unknown.value.field) == ("unknown_cost_centre", "cost_centres")
    assert "0815, 4711" in unknown.value.message


def test_limit_input_checks(tenant, other_tenant):
    approver = tenant.person(Role.APPROVER)
    base = {
        "actor": tenant.coordinator,
        "organisation": tenant.organisation,
        "approver": approver,
        "document_kind": DocumentKind.ORDER,
        "cost_centres": ["1200"],
    }
    for amount in ("0", "-5", "lots"):
        with pytest.raises(DomainError) as bad:
            services.approval_limit_create(**base, amount_limit=amount)
        assert bad.value.field == "amount_limit"
    with pytest.raises(DomainError) as dates:
        services.approval_limit_create(
            **base, amount_limit=10, valid_from=TODAY(), valid_to=TODAY() - dt.timedelta(days=1)
        )
    assert dates.value.code == "dates_out_of_order"
    with pytest.raises(DomainError) as account:
        services.approval_limit_create(**base, amount_limit=10, account="9999")
    assert account.value.code == "unknown_account"
    stranger = other_tenant.person(Role.APPROVER)
    with pytest.raises(DomainError) as member:
        services.approval_limit_create(**{**base, "approver": stranger}, amount_limit=10)
    assert member.value.code == "not_a_member"
    # Another organisation's cost centre is as unknown as a made-up one.
    DimensionObjectFactory(dimension=tenant.cost_centre, code="1400")
    with pytest.raises(DomainError, match="1400"):
        services.approval_limit_create(
            **{
                **base,
                "actor": other_tenant.coordinator,
                "approver": stranger,
                "organisation": other_tenant.organisation,
                "cost_centres": ["1400"],
            },
            amount_limit=10,
        )


def test_rule_grants_the_approver_role_and_is_audited(tenant):
    person = tenant.person(Role.REQUISITIONER)
    rule = services.approval_limit_create(
        actor=tenant.coordinator,
        organisation=tenant.organisation,
        approver=person,
        document_kind=DocumentKind.INVOICE,
        amount_limit=10,
        cost_centres=["1300"],
    )
    assert person.memberships.filter(role=Role.APPROVER, is_active=True).exists()
    event = AuditEvent.objects.get(action="approval_limit.create", object_id=str(rule.pk))
    assert event.after["cost_centres"] == ["1300"] and event.actor == tenant.coordinator
    services.approval_limit_update(
        actor=tenant.coordinator, limit_id=rule.pk, amount_limit=20, cost_centres=["1200"]
    )
    event = AuditEvent.objects.get(action="approval_limit.update")
    assert event.before["cost_centres"] == ["1300"] and event.after["cost_centres"] == ["1200"]
    services.approval_limit_end(actor=tenant.coordinator, limit_id=rule.pk)
    assert _ask(tenant, 1, document_kind=DocumentKind.INVOICE).approvers == []
    with pytest.raises(DomainError):
        services.approval_limit_update(actor=tenant.coordinator, limit_id=rule.pk, amount_limit=30)


def test_delegation_guards(tenant, ladder):
    head, director, *_ = ladder
    base = {"organisation": tenant.organisation, "valid_from": TODAY()}
    with pytest.raises(DomainError) as order:
        services.delegation_create(
            actor=tenant.coordinator,
            principal=head,
            deputy=director,
            valid_to=TODAY() - dt.timedelta(days=3),
            **base,
        )
    assert order.value.code == "dates_out_of_order"
    with pytest.raises(DomainError) as same:
        services.delegation_create(
            actor=tenant.coordinator, principal=head, deputy=head, valid_to=TODAY(), **base
        )
    assert same.value.code == "deputy_is_principal"
    # An approver may hand over their own authority, but not someone else's.
    services.delegation_create(actor=head, principal=head, deputy=director, valid_to=TODAY(), **base)
    with pytest.raises(NotAllowed):
        services.delegation_create(
            actor=head, principal=director, deputy=tenant.person(), valid_to=TODAY(), **base
        )


def test_rules_of_another_organisation_are_unreachable(tenant, other_tenant, ladder):
    _head, _director, head_rule, _ = ladder
    with pytest.raises(NotFound):
        services.approval_limit_update(actor=other_tenant.coordinator, limit_id=head_rule.pk, amount_limit=1)
    with pytest.raises(NotFound):
        who_can_approve(
            user=other_tenant.coordinator,
            organisation=tenant.organisation,
            cost_centre="1200",
            amount=1,
            document_kind=DocumentKind.ORDER,
        )
