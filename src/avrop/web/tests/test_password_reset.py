"""The password reset form sends a limited number of mails per address and per client."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from avrop.organisations.tests.factories import UserFactory


@pytest.fixture
def shared_cache(db, settings):
    """The database cache the web processes share, as in production."""
    call_command("createcachetable", verbosity=0)
    cache.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    yield
    cache.clear()


def test_reset_mails_stop_after_the_limit_per_address(client, shared_cache, settings):
    settings.AVROP_PASSWORD_RESET_PER_EMAIL = 3
    UserFactory(email="anna@example.se")
    answers = [
        client.post(reverse("password_reset"), {"email": "anna@example.se"}, REMOTE_ADDR=f"10.0.0.{i}")
        for i in range(10)
    ]
    assert [a.status_code for a in answers] == [302] * 3 + [429] * 7
    assert len(mail.outbox) == 3
    assert "Vänta 60 minuter" in answers[-1].content.decode() or "Wait 60 minutes" in (
        answers[-1].content.decode()
    )


def test_reset_requests_stop_after_the_limit_per_client_whatever_the_address(client, shared_cache, settings):
    settings.AVROP_PASSWORD_RESET_PER_CLIENT = 5
    answers = [
        client.post(reverse("password_reset"), {"email": f"x{i}@example.se"}, REMOTE_ADDR="10.1.1.1")
        for i in range(8)
    ]
    assert [a.status_code for a in answers] == [302] * 5 + [429] * 3
    other = client.post(reverse("password_reset"), {"email": "y@example.se"}, REMOTE_ADDR="10.1.1.2")
    assert other.status_code == 302


def test_the_limited_answer_is_the_same_for_unknown_and_known_addresses(client, shared_cache, settings):
    settings.AVROP_PASSWORD_RESET_PER_EMAIL = 1
    UserFactory(email="known@example.se")
    for address in ("known@example.se", "unknown@example.se"):
        client.post(reverse("password_reset"), {"email": address}, REMOTE_ADDR="10.2.0.1")
    known = client.post(reverse("password_reset"), {"email": "known@example.se"}, REMOTE_ADDR="10.2.0.2")
    unknown = client.post(reverse("password_reset"), {"email": "unknown@example.se"}, REMOTE_ADDR="10.2.0.3")
    assert known.status_code == unknown.status_code == 429
    assert _alert(known) == _alert(unknown) != ""


def _alert(response):
    import re

    found = re.search(r'<p role="alert">(.*?)</p>', response.content.decode(), flags=re.S)
    return found.group(1) if found else ""
