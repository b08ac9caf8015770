"""Core knows tenants only through what it declares (``core.tenancy``, ``TenantModel``), provided by the
organisations app; the services that need memberships still refuse non-members."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from avrop.core import tenancy
from avrop.core.audit import audit
from avrop.core.errors import NotFound
from avrop.core.models import ApiToken, AuditEvent
from avrop.core.selectors import audit_event_list
from avrop.core.tokens import api_token_authenticate, api_token_create
from avrop.organisations.roles import Role
from avrop.organisations.selectors import roles_in
from avrop.organisations.tests.factories import DepartmentFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_organisations_app_provides_the_memberships(make_member):
    user, organisation = make_member(Role.AUDITOR)
    assert tenancy._roles_in is roles_in
    assert tenancy.roles_in(user=user, organisation=organisation) == frozenset({Role.AUDITOR})
    assert tenancy.roles_in(user=user, organisation=OrganisationFactory()) == frozenset()


def test_without_a_provider_core_says_which_app_is_missing(monkeypatch, make_member):
    user, organisation = make_member(Role.AUDITOR)
    monkeypatch.setattr(tenancy, "_roles_in", None)
    with pytest.raises(ImproperlyConfigured, match="avrop.organisations"):
        tenancy.roles_in(user=user, organisation=organisation)


def test_a_token_is_only_made_for_a_member_of_the_organisation(make_member):
    user, organisation = make_member(Role.COORDINATOR)
    foreign = OrganisationFactory()
    with pytest.raises(NotFound):
        api_token_create(actor=user, user=user, organisation=foreign, name="ERP")
    assert not ApiToken.objects.exists()
    token, key = api_token_create(actor=user, user=user, organisation=organisation, name="ERP")
    assert api_token_authenticate(key=key) == (token, frozenset({Role.COORDINATOR}))


def test_a_token_ends_with_the_membership(make_member):
    user, organisation = make_member(Role.COORDINATOR)
    _token, key = api_token_create(actor=user, user=user, organisation=organisation, name="ERP")
    user.memberships.update(is_active=False)
    assert api_token_authenticate(key=key) is None
    assert api_token_authenticate(key="avr_unknown") is None


def test_the_audit_trail_is_read_by_members_only(make_member):
    user, organisation = make_member(Role.AUDITOR)
    audit(actor=user, action="test.happened", obj=organisation)
    assert [e.action for e in audit_event_list(user=user, organisation=organisation)] == ["test.happened"]
    with pytest.raises(NotFound):
        audit_event_list(user=user, organisation=OrganisationFactory())


def test_an_event_is_filed_under_its_objects_organisation_without_core_knowing_the_model():
    organisation = OrganisationFactory()
    department = DepartmentFactory(organisation=organisation)
    by_object = audit(actor=None, action="department.touch", obj=department)
    by_itself = audit(actor=None, action="organisation.touch", obj=organisation)
    unrelated = audit(actor=None, action="user.touch", obj=UserFactory())
    assert AuditEvent.objects.get(pk=by_object.pk).organisation_id == organisation.pk
    assert AuditEvent.objects.get(pk=by_itself.pk).organisation_id == organisation.pk
    assert AuditEvent.objects.get(pk=unrelated.pk).organisation_id is None
