"""People: adding, moving with history, ending roles, deactivating; never deleting."""

import datetime as dt

import pytest
from django.utils import timezone

from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.core.models import AuditEvent
from avrop.organisations import selectors, services
from avrop.organisations.models import Membership, User
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import DepartmentFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_member_add_creates_a_person_without_password(tenant):
    kitchen = DepartmentFactory(organisation=tenant.organisation)
    membership = services.member_add(
        actor=tenant.coordinator,
        organisation=tenant.organisation,
        username="sara.lind",
        first_name="Sara",
        last_name="Lind",
        email="sara@kommun.example",
        role=Role.REQUISITIONER,
        department_id=kitchen.pk,
        phone="0414-1",
    )
    user = membership.user
    assert (membership.role, membership.department, membership.valid_from) == (
        Role.REQUISITIONER,
        kitchen,
        timezone.localdate(),
    )
    assert user.phone == "0414-1" and not user.has_usable_password()
    with pytest.raises(DomainError) as taken:
        services.member_add(
            actor=tenant.coordinator,
            organisation=tenant.organisation,
            username="Sara.Lind",
            first_name="S",
            last_name="L",
            email="s@x.example",
            role=Role.APPROVER,
        )
    assert taken.value.field == "username"


def test_member_add_checks_email_role_and_department(tenant, other_tenant):
    base = {
        "actor": tenant.coordinator,
        "organisation": tenant.organisation,
        "username": "x1",
        "first_name": "X",
        "last_name": "Y",
    }
    with pytest.raises(DomainError) as email:
        services.member_add(**base, email="not-an-address", role=Role.REQUISITIONER)
    assert email.value.field == "email"
    with pytest.raises(DomainError) as role:
        services.member_add(**base, email="x@y.example", role=Role.SUPPLIER_USER)
    assert role.value.field == "role"
    foreign = DepartmentFactory(organisation=other_tenant.organisation)
    with pytest.raises(DomainError) as department:
        services.member_add(**base, email="x@y.example", role=Role.REQUISITIONER, department_id=foreign.pk)
    assert department.value.field == "department"
    assert not User.objects.filter(username="x1").exists()


def test_only_coordinator_or_admin_manage_people(tenant):
    requisitioner = tenant.person(Role.REQUISITIONER)
    with pytest.raises(NotAllowed):
        services.member_add(
            actor=requisitioner,
            organisation=tenant.organisation,
            username="y",
            first_name="Y",
            last_name="Y",
            email="y@y.example",
            role=Role.APPROVER,
        )
    admin = tenant.person(Role.ADMIN)
    services.member_add(
        actor=admin,
        organisation=tenant.organisation,
        username="y",
        first_name="Y",
        last_name="Y",
        email="y@y.example",
        role=Role.APPROVER,
    )


def test_move_keeps_the_history(tenant):
    old = DepartmentFactory(organisation=tenant.organisation, name="Solgården")
    new = DepartmentFactory(organisation=tenant.organisation, name="Österport")
    person = tenant.person(Role.APPROVER)
    start = timezone.localdate() - dt.timedelta(days=200)
    membership = MembershipFactory(
        user=person,
        organisation=tenant.organisation,
        role=Role.REQUISITIONER,
        department=old,
        valid_from=start,
    )
    moved = services.member_move(actor=tenant.coordinator, membership_id=membership.pk, department_id=new.pk)
    membership.refresh_from_db()
    assert (membership.is_active, membership.valid_to, membership.ended_by) == (
        False,
        timezone.localdate(),
        tenant.coordinator,
    )
    assert "Österport" in membership.end_reason
    assert (moved.department, moved.role, moved.is_active, moved.valid_from) == (
        new,
        Role.REQUISITIONER,
        True,
        timezone.localdate(),
    )
    history = [
        (m.department, m.is_active)
        for m in selectors.member_history(user=tenant.coordinator, organisation=tenant.organisation).filter(
            user=person, role=Role.REQUISITIONER
        )
    ]
    assert history == [(new, True), (old, False)]
    assert AuditEvent.objects.filter(action="membership.move", object_id=str(moved.pk)).exists()
    # The approver role in no department is untouched.
    assert person.memberships.filter(role=Role.APPROVER, is_active=True).exists()


def test_move_guards(tenant, other_tenant):
    department = DepartmentFactory(organisation=tenant.organisation)
    closed = DepartmentFactory(organisation=tenant.organisation, is_active=False)
    membership = MembershipFactory(
        user=tenant.person(Role.APPROVER),
        organisation=tenant.organisation,
        role=Role.REQUISITIONER,
        department=department,
    )
    with pytest.raises(DomainError, match="hör redan till"):
        services.member_move(
            actor=tenant.coordinator, membership_id=membership.pk, department_id=department.pk
        )
    with pytest.raises(DomainError):
        services.member_move(actor=tenant.coordinator, membership_id=membership.pk, department_id=closed.pk)
    foreign = DepartmentFactory(organisation=other_tenant.organisation)
    with pytest.raises(DomainError):
        services.member_move(actor=tenant.coordinator, membership_id=membership.pk, department_id=foreign.pk)
    with pytest.raises(NotFound):
        services.member_move(
            actor=other_tenant.coordinator, membership_id=membership.pk, department_id=foreign.pk
        )
    with pytest.raises(DomainError) as dates:
        services.member_move(
            actor=tenant.coordinator,
            membership_id=membership.pk,
            department_id=DepartmentFactory(organisation=tenant.organisation).pk,
            on=membership.valid_from - dt.timedelta(days=1),
        )
    assert dates.value.code == "dates_out_of_order"


def test_deactivate_ends_roles_and_closes_the_login(tenant):
    person = tenant.person(Role.REQUISITIONER)
    MembershipFactory(user=person, organisation=tenant.organisation, role=Role.GOODS_RECEIVER)
    services.user_deactivate(
        actor=tenant.coordinator, organisation=tenant.organisation, user_id=person.pk, reason="Slutat"
    )
    person.refresh_from_db()
    assert person.is_active is False
    assert not person.memberships.filter(is_active=True).exists()
    assert person.memberships.count() == 2, "nothing is deleted"
    assert User.objects.filter(pk=person.pk).exists()
    # Still listed among former members, with the history.
    assert person in selectors.person_list(
        user=tenant.coordinator, organisation=tenant.organisation, include_former=True
    )
    assert person not in selectors.person_list(user=tenant.coordinator, organisation=tenant.organisation)


def test_deactivation_keeps_the_login_for_other_organisations(tenant, other_tenant):
    person = tenant.person(Role.AP_CLERK)
    MembershipFactory(user=person, organisation=other_tenant.organisation, role=Role.AP_CLERK)
    services.user_deactivate(actor=tenant.coordinator, organisation=tenant.organisation, user_id=person.pk)
    person.refresh_from_db()
    assert person.is_active is True
    assert person.memberships.filter(organisation=other_tenant.organisation, is_active=True).exists()


def test_nobody_deactivates_themselves_or_strangers(tenant, other_tenant):
    with pytest.raises(DomainError) as own:
        services.user_deactivate(
            actor=tenant.coordinator, organisation=tenant.organisation, user_id=tenant.coordinator.pk
        )
    assert own.value.code == "self_deactivation"
    stranger = other_tenant.person(Role.REQUISITIONER)
    with pytest.raises(NotFound):
        services.user_deactivate(
            actor=tenant.coordinator, organisation=tenant.organisation, user_id=stranger.pk
        )


def test_end_and_grant_roles(tenant):
    person = tenant.person(Role.REQUISITIONER)
    granted = services.member_role_grant(
        actor=tenant.coordinator,
        organisation=tenant.organisation,
        user_id=person.pk,
        role=Role.GOODS_RECEIVER,
    )
    with pytest.raises(DomainError, match="har redan den här rollen"):
        services.member_role_grant(
            actor=tenant.coordinator,
            organisation=tenant.organisation,
            user_id=person.pk,
            role=Role.GOODS_RECEIVER,
        )
    services.membership_end(actor=tenant.coordinator, membership_id=granted.pk, reason="Byter tjänst")
    with pytest.raises(DomainError) as ended:
        services.membership_end(actor=tenant.coordinator, membership_id=granted.pk)
    assert ended.value.code == "invalid_transition"
    # A new grant after the end is a new row; the ended one stays.
    services.member_role_grant(
        actor=tenant.coordinator,
        organisation=tenant.organisation,
        user_id=person.pk,
        role=Role.GOODS_RECEIVER,
    )
    assert Membership.objects.filter(user=person, role=Role.GOODS_RECEIVER).count() == 2
    own = tenant.coordinator.memberships.get()
    with pytest.raises(DomainError) as self_end:
        services.membership_end(actor=tenant.coordinator, membership_id=own.pk)
    assert self_end.value.code == "self_deactivation"


def test_a_role_for_a_deactivated_person_gives_the_login_back(tenant):
    person = tenant.person(Role.REQUISITIONER)
    services.user_deactivate(actor=tenant.coordinator, organisation=tenant.organisation, user_id=person.pk)
    services.member_role_grant(
        actor=tenant.coordinator,
        organisation=tenant.organisation,
        user_id=person.pk,
        role=Role.GOODS_RECEIVER,
    )
    person.refresh_from_db()
    assert person.is_active and person.memberships.filter(is_active=True).count() == 1
