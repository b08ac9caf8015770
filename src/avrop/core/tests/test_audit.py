import pytest
from django.db import IntegrityError, connection, transaction
from django.db.utils import DatabaseError

from avrop.core.audit import audit
from avrop.core.middleware import _request_id
from avrop.core.models import AppendOnlyError, AuditEvent
from avrop.organisations.tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    user = UserFactory(first_name="Anna", last_name="Berg")
    organisation = OrganisationFactory()
    return audit(actor=user, action="test.happened", obj=organisation, before={"a": 1}, after={"a": 2})


def test_audit_records_who_what_where(event):
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor_name == "Anna Berg"
    assert stored.action == "test.happened"
    assert stored.object_type == "organisations.organisation"
    assert stored.organisation_id == int(stored.object_id)
    assert stored.before == {"a": 1} and stored.after == {"a": 2}


def test_audit_carries_the_request_id():
    token = _request_id.set("req-12345678")
    try:
        event = audit(actor=None, action="x.y")
    finally:
        _request_id.reset(token)
    assert event.request_id == "req-12345678"
    assert event.actor_name == "system"


def test_an_event_cannot_be_changed_through_the_model(event):
    event.action = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.happened"


def test_an_event_cannot_be_changed_through_querysets(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk, action="test.happened").exists()


def test_the_database_refuses_a_raw_update(event):
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = %s WHERE id = %s", ["rewritten", event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.happened"


def test_the_database_refuses_a_raw_delete(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_admin_offers_no_change_or_delete(admin_client, event):
    response = admin_client.get(f"/operator/core/auditevent/{event.pk}/delete/")
    assert response.status_code == 403
    response = admin_client.post(f"/operator/core/auditevent/{event.pk}/change/", {"action": "x"})
    assert response.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == "test.happened"
