"""Fixtures shared by every test package."""

from __future__ import annotations

import pytest

from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture
def make_member(db):
    """Create a user with one role in an organisation (a new organisation unless one is given)."""

    def make(role: str = Role.REQUISITIONER, organisation=None, **user_fields):
        organisation = organisation or OrganisationFactory()
        user = UserFactory(**user_fields)
        MembershipFactory(user=user, organisation=organisation, role=role)
        return user, organisation

    return make


@pytest.fixture
def two_tenants(make_member):
    """Two buyer organisations A and B, each with a coordinator; the usual setting for scoping tests."""
    user_a, org_a = make_member(Role.COORDINATOR)
    user_b, org_b = make_member(Role.COORDINATOR)
    return (user_a, org_a), (user_b, org_b)


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on a free local port; Django's SMTP backend is pointed at it."""
    import socket
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _no_webhooks_unless_made():
    """Webhook endpoints are read once per process and kept for a while; every test starts knowing there are
    none, so appending audit events costs no query (a test that makes one through ``webhook_create`` reads
    them again)."""
    from avrop.core import webhooks

    webhooks._cache = (float("inf"), {})
    yield
    webhooks._cache = (float("inf"), {})
