"""Login and password-reset throttling, proven end to end in one place (the finer cases are in
``web/tests/test_views.py``, ``web/tests/test_password_reset.py`` and ``portal/tests/test_security.py``).

- Login: the first ``AXES_FAILURE_LIMIT - 1`` wrong passwords show the form again; the next one locks the user
  name out from that address, and then even the right password is refused with a Swedish page that says why
  and for how long. Another user from the same address still logs in, and the lock lifts after the cool-off.
- Reset: at most ``AVROP_PASSWORD_RESET_PER_EMAIL`` mails per address (however the address is capitalised)
  and ``AVROP_PASSWORD_RESET_PER_CLIENT`` requests per client address; beyond that a 429 with a Swedish
  message and no mail.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "secret-password-1"


def _alert(response) -> str:
    found = re.search(r'<p role="alert">(.*?)</p>', response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", found.group(1)).strip() if found else ""


@pytest.fixture
def swedish(client):
    client.cookies["django_language"] = "sv"
    return client


@pytest.fixture
def shared_cache(db, settings):
    """The database cache the web processes share, as in production."""
    call_command("createcachetable", verbosity=0)
    cache.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    yield
    cache.clear()


def test_login_locks_out_after_the_limit_and_lifts_after_the_cool_off(swedish, make_member, settings):
    client = swedish
    user, organisation = make_member(Role.REQUISITIONER)
    colleague, _ = make_member(Role.REQUISITIONER, organisation=organisation)
    limit = settings.AXES_FAILURE_LIMIT
    assert 3 <= limit <= 10
    statuses = [
        client.post(reverse("login"), {"username": user.username, "password": f"wrong-{i}"}).status_code
        for i in range(limit)
    ]
    assert statuses[: limit - 1] == [200] * (limit - 1)
    assert statuses[-1] == 429  # the limit-th failure already answers "locked"
    locked = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    message = _alert(locked)
    assert "För många misslyckade inloggningsförsök" in message, message
    assert "15 minuter" in message, message
    assert "Too many" not in locked.content.decode()
    # Only that user name is locked from that address.
    assert (
        client.post(reverse("login"), {"username": colleague.username, "password": PASSWORD}).status_code
        == 302
    )
    client.logout()
    # After the cool-off (the attempts made 16 minutes ago) the right password works again.
    from axes.models import AccessAttempt  # type: ignore[import-untyped]

    assert AccessAttempt.objects.filter(username=user.username).exists()
    AccessAttempt.objects.filter(username=user.username).update(
        attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16)
    )
    client.cookies["django_language"] = "sv"
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302


def test_reset_requests_are_throttled_per_address_with_a_swedish_message(swedish, shared_cache, settings):
    client = swedish
    settings.AVROP_PASSWORD_RESET_PER_EMAIL = 2
    UserFactory(email="anna@example.se")
    spellings = ["anna@example.se", "Anna@Example.se", " ANNA@example.se", "anna@example.se"]
    answers = [
        client.post(reverse("password_reset"), {"email": e}, REMOTE_ADDR=f"10.9.0.{i}")
        for i, e in enumerate(spellings)
    ]
    assert [a.status_code for a in answers] == [302, 302, 429, 429]
    assert len(mail.outbox) == 2
    message = _alert(answers[-1])
    assert message.startswith("För många"), message
    assert "Vänta 60 minuter" in message, message


def test_reset_requests_are_throttled_per_client(swedish, shared_cache, settings):
    client = swedish
    settings.AVROP_PASSWORD_RESET_PER_CLIENT = 3
    for i in range(3):
        UserFactory(email=f"p{i}@example.se")
    statuses = [
        client.post(
            reverse("password_reset"), {"email": f"p{i}@example.se"}, REMOTE_ADDR="10.9.9.9"
        ).status_code
        for i in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]
    assert len(mail.outbox) == 3
