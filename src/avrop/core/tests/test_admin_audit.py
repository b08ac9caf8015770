"""Every change made in the operators' console (/operator/) leaves an audit event, secrets redacted."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django import forms
from django.contrib import admin
from django.core.management import call_command
from django.db import models

from avrop.core.admin_audit import REDACTED, AuditedAdmin, is_secret
from avrop.core.models import AuditEvent
from avrop.organisations.models import DeliveryAddress, Membership, Organisation, User
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import (
    DeliveryAddressFactory,
    DepartmentFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BASE = "/operator/organisations"


def _text(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    return "" if value is None else str(value)


def _form_data(form: forms.BaseForm) -> dict[str, object]:
    """What the browser would send back for an unchanged form."""
    data: dict[str, object] = {}
    for name, field in form.fields.items():
        bound = form[name]
        value = bound.value()
        if field.disabled:
            continue
        if isinstance(field.widget, forms.MultiWidget):
            parts = value if isinstance(value, list) else field.widget.decompress(value)
            for index, part in enumerate(parts or []):
                data[f"{bound.html_name}_{index}"] = _text(part)
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [_text(v) for v in value]
        else:
            data[bound.html_name] = _text(value)
    return data


def _change_data(client, url: str) -> dict[str, object]:
    response = client.get(url)
    assert response.status_code == 200
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_data(formset.management_form))
        for form in formset.forms:
            data.update(_form_data(form))
    return data


def _events(action: str, model: type[models.Model]) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_type=model._meta.label_lower).order_by("pk"))


def _chain_intact() -> bool:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return "chain intact" in out.getvalue()


@pytest.fixture
def operator(admin_user):
    return admin_user


# --- memberships ---------------------------------------------------------------------------------------


def test_adding_a_membership_is_audited(admin_client, operator):
    user, organisation = UserFactory(), OrganisationFactory()
    response = admin_client.post(
        f"{BASE}/membership/add/",
        {
            "user": user.pk,
            "organisation": organisation.pk,
            "role": Role.APPROVER,
            "is_active": "on",
            "valid_from": "2026-01-05",
            "end_reason": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    membership = Membership.objects.get(user=user)
    (event,) = _events("operator.add", Membership)
    assert event.actor_id == operator.pk
    assert event.object_id == str(membership.pk)
    assert event.organisation_id == organisation.pk
    assert event.before is None
    assert event.after["role"] == Role.APPROVER
    assert event.after["user_id"] == user.pk
    assert event.after["valid_from"] == "2026-01-05"
    assert _chain_intact()


def test_changing_a_membership_records_the_changed_fields_before_and_after(admin_client, operator):
    membership = MembershipFactory(role=Role.REQUISITIONER)
    url = f"{BASE}/membership/{membership.pk}/change/"
    data = _change_data(admin_client, url)
    data["role"] = Role.COORDINATOR
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    (event,) = _events("operator.change", Membership)
    assert event.actor_id == operator.pk
    assert event.object_id == str(membership.pk)
    assert event.organisation_id == membership.organisation_id
    assert event.before["role"] == Role.REQUISITIONER
    assert event.after["role"] == Role.COORDINATOR
    assert "user_id" not in event.after  # only what changed (and the save time)
    assert set(event.after) <= {"role", "updated_at"}


def test_saving_a_membership_unchanged_writes_no_event(admin_client):
    membership = MembershipFactory()
    url = f"{BASE}/membership/{membership.pk}/change/"
    data = _change_data(admin_client, url)
    assert admin_client.post(url, data).status_code == 302
    assert [set(e.after) for e in _events("operator.change", Membership)] in ([], [{"updated_at"}])


def test_deleting_a_membership_is_audited_with_what_it_was(admin_client, operator):
    membership = MembershipFactory(role=Role.APPROVER)
    pk, organisation_id = membership.pk, membership.organisation_id
    response = admin_client.post(f"{BASE}/membership/{pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=pk).exists()
    (event,) = _events("operator.delete", Membership)
    assert event.actor_id == operator.pk
    assert event.object_id == str(pk)
    assert event.organisation_id == organisation_id
    assert event.before["role"] == Role.APPROVER
    assert event.after is None


def test_the_bulk_delete_action_audits_every_membership(admin_client, operator):
    memberships = [MembershipFactory() for _ in range(3)]
    kept = MembershipFactory()
    response = admin_client.post(
        f"{BASE}/membership/",
        {
            "action": "delete_selected",
            "_selected_action": [m.pk for m in memberships],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert list(Membership.objects.values_list("pk", flat=True)) == [kept.pk]
    events = _events("operator.delete", Membership)
    assert sorted(e.object_id for e in events) == sorted(str(m.pk) for m in memberships)
    assert all(e.actor_id == operator.pk and e.before["role"] for e in events)
    assert _chain_intact()


# --- users --------------------------------------------------------------------------------------------


def test_adding_a_user_is_audited_without_the_password(admin_client, operator):
    response = admin_client.post(
        f"{BASE}/user/add/",
        {
            "username": "new.operator",
            "usable_password": "true",
            "password1": "a-long-Secret-4711",
            "password2": "a-long-Secret-4711",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="new.operator")
    (event,) = _events("operator.add", User)
    assert event.actor_id == operator.pk
    assert event.object_id == str(user.pk)
    assert event.after["username"] == "new.operator"
    assert event.after["password"] == REDACTED
    stored = json.dumps([event.before, event.after, event.comment])
    assert user.password not in stored
    assert "a-long-Secret-4711" not in stored


def test_changing_a_user_records_the_changed_fields(admin_client, operator):
    # Whole seconds: the console's date and time fields send no microseconds.
    joined = dt.datetime(2026, 1, 5, 8, 30, tzinfo=dt.UTC)
    user = UserFactory(first_name="Anna", email="anna@example.org", date_joined=joined, last_login=joined)
    url = f"{BASE}/user/{user.pk}/change/"
    data = _change_data(admin_client, url)
    data.update(first_name="Annika", is_staff="on")
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    (event,) = _events("operator.change", User)
    assert event.actor_id == operator.pk
    assert event.before == {"first_name": "Anna", "is_staff": False}
    assert event.after == {"first_name": "Annika", "is_staff": True}


def test_changing_a_users_password_is_audited_redacted(admin_client):
    user = UserFactory()
    old_hash = user.password
    response = admin_client.post(
        f"{BASE}/user/{user.pk}/password/",
        {"password1": "another-Secret-0815", "password2": "another-Secret-0815", "usable_password": "true"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password != old_hash
    (event,) = _events("operator.change", User)
    assert event.before == {"password": REDACTED}
    assert event.after == {"password": REDACTED}
    stored = json.dumps([event.before, event.after, event.comment])
    assert old_hash not in stored and user.password not in stored


def test_deleting_a_user_is_audited(admin_client, operator):
    user = UserFactory(username="leaving")
    pk = user.pk
    response = admin_client.post(f"{BASE}/user/{pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=pk).exists()
    (event,) = _events("operator.delete", User)
    assert event.object_id == str(pk)
    assert event.before["username"] == "leaving"
    assert event.before["password"] == REDACTED


def test_the_bulk_delete_action_audits_every_user(admin_client):
    users = [UserFactory() for _ in range(2)]
    response = admin_client.post(
        f"{BASE}/user/",
        {"action": "delete_selected", "_selected_action": [u.pk for u in users], "post": "yes"},
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk__in=[u.pk for u in users]).exists()
    events = _events("operator.delete", User)
    assert sorted(e.object_id for e in events) == sorted(str(u.pk) for u in users)
    assert all(e.before["password"] == REDACTED for e in events)


# --- other models, inline rows ----------------------------------------------------------------------------


def test_deleting_an_organisation_is_audited_without_pointing_at_it(admin_client):
    organisation = OrganisationFactory(name="Gone AB")
    pk = organisation.pk
    response = admin_client.post(f"{BASE}/organisation/{pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=pk).exists()
    (event,) = _events("operator.delete", Organisation)
    assert event.organisation_id is None
    assert event.before["name"] == "Gone AB"


def test_inline_rows_added_in_the_console_are_audited(admin_client):
    department = DepartmentFactory()
    url = f"/operator/organisations/department/{department.pk}/change/"
    data = _change_data(admin_client, url)
    prefix = "delivery_addresses"
    assert data[f"{prefix}-TOTAL_FORMS"] == "0"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-label": "Loading bay",
            f"{prefix}-0-street": "Hamngatan 2",
            f"{prefix}-0-postal_code": "271 39",
            f"{prefix}-0-city": "Ystad",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    address = DeliveryAddress.objects.get(department=department)
    (event,) = _events("operator.add", DeliveryAddress)
    assert event.object_id == str(address.pk)
    assert event.after["label"] == "Loading bay"


def test_inline_rows_changed_and_deleted_in_the_console_are_audited(admin_client):
    department = DepartmentFactory()
    changed = DeliveryAddressFactory(department=department, label="Front door")
    removed = DeliveryAddressFactory(department=department, label="Old dock")
    url = f"/operator/organisations/department/{department.pk}/change/"
    data = _change_data(admin_client, url)
    rows = {data[f"delivery_addresses-{n}-id"]: n for n in range(2)}
    data[f"delivery_addresses-{rows[str(changed.pk)]}-label"] = "Back door"
    data[f"delivery_addresses-{rows[str(removed.pk)]}-DELETE"] = "on"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(DeliveryAddress.objects.filter(department=department)) == [changed]
    (change,) = _events("operator.change", DeliveryAddress)
    assert change.object_id == str(changed.pk)
    assert change.before["label"] == "Front door" and change.after["label"] == "Back door"
    assert set(change.after) <= {"label", "updated_at"}
    (deletion,) = _events("operator.delete", DeliveryAddress)
    assert deletion.object_id == str(removed.pk)
    assert deletion.before["label"] == "Old dock"
    assert _chain_intact()


def test_every_registered_admin_is_audited_and_secrets_are_recognised():
    assert all(isinstance(model_admin, AuditedAdmin) for model_admin in admin.site._registry.values())
    assert {name for name in ("password", "key_hash", "token_hash", "api_secret") if is_secret(name)} == {
        "password",
        "key_hash",
        "token_hash",
        "api_secret",
    }
    assert not any(is_secret(name) for name in ("keywords", "username", "sha256", "role"))
