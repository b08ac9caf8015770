"""While the database cannot be reached the web answers 503 with a static page in Swedish and English,
Retry-After and no error text; it answers normally again as soon as the database is back.

The shared test database is not stopped: the outage is simulated by making every statement fail as a lost
PostgreSQL connection does (``OperationalError``), in a view and in a middleware, and, for a real refused
connection, by a second connection alias pointed at a closed port."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError, connection
from django.test import Client
from django.urls import reverse

from avrop.organisations.tests.factories import MembershipFactory, UserFactory
from avrop.web.outage import is_outage

pytestmark = pytest.mark.django_db

LOST = "terminating connection due to administrator command\nserver closed the connection unexpectedly"


@contextmanager
def database_down(error: Exception | None = None) -> Iterator[None]:
    """Every SQL statement fails as on a PostgreSQL server that was stopped."""

    def fail(*_args: object, **_kwargs: object) -> None:
        raise error or OperationalError(LOST)

    with connection.execute_wrapper(lambda *_a, **_k: fail()):
        yield


def _assert_outage_page(response) -> str:  # noqa: ANN001
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    assert "Tjänsten är tillfälligt otillgänglig" in text
    assert "The service is temporarily unavailable" in text
    for leak in ("OperationalError", "Traceback", "administrator command", "server closed"):
        assert leak not in text
    return text


def test_a_page_answers_503_while_the_database_is_down_and_normally_once_it_is_back():
    user = UserFactory()
    MembershipFactory(user=user)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    # The session and the active organisation are read in middleware, before any view runs.
    with database_down():
        down = client.get(reverse("core:home"))
    _assert_outage_page(down)
    assert client.get(reverse("core:home")).status_code == 200


def test_a_view_that_fails_on_the_database_answers_503_and_the_api_answers_in_json():
    client = Client(raise_request_exception=False)
    with mock.patch(
        "avrop.web.views.auth_views.LoginView.get", side_effect=InterfaceError("connection already closed")
    ):
        _assert_outage_page(client.get(reverse("login")))
    with mock.patch("avrop.web.api.api_token_authenticate", side_effect=OperationalError(LOST)):
        api = client.get("/api/ordering/orders", HTTP_AUTHORIZATION="Bearer x")
    assert api.status_code == 503 and api["Retry-After"] == "30"
    assert api.json()["code"] == "database_unavailable"
    assert client.get(reverse("login")).status_code == 200


def test_healthz_says_database_unavailable_with_503_and_ok_again_afterwards():
    client = Client(raise_request_exception=False)
    with database_down():
        down = client.get("/healthz")
    assert down.status_code == 503
    assert down["Retry-After"] == "30"
    assert down.json() == {"status": "database unavailable"}
    assert client.get("/healthz").json() == {"status": "ok"}


def test_other_errors_stay_500_without_error_text():
    client = Client(raise_request_exception=False)
    with mock.patch(
        "avrop.web.views.auth_views.LoginView.get", side_effect=ProgrammingError("secret detail")
    ):
        response = client.get(reverse("login"))
    assert response.status_code == 500
    assert "secret detail" not in response.content.decode()
    assert "Retry-After" not in response


def test_outage_errors_are_told_from_schema_and_programming_errors():
    assert is_outage(OperationalError(LOST))
    assert is_outage(OperationalError("database is locked"))
    assert is_outage(InterfaceError("connection already closed"))
    assert not is_outage(OperationalError("no such table: django_migrations"))
    assert not is_outage(ProgrammingError('relation "x" does not exist'))
    assert not is_outage(ValueError("no"))


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: nothing listens there


def test_a_refused_connection_is_an_outage_and_leaves_no_connection_behind():
    """A real refused connection (a PostgreSQL address where nothing listens) raises an error the web answers
    503 for, and the wrapper holds no broken connection afterwards (the next use connects anew)."""
    pytest.importorskip(
        "psycopg", reason="the refused connection is tried with the PostgreSQL driver psycopg"
    )
    from django.db.backends.postgresql.base import DatabaseWrapper

    settings_dict = {
        **connection.settings_dict,  # every key Django fills in, then a PostgreSQL address nobody listens at
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "avrop",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": str(_closed_port()),
        "OPTIONS": {"connect_timeout": 2},
        "CONN_HEALTH_CHECKS": False,
    }
    probe = DatabaseWrapper(settings_dict, alias="outage_probe")
    try:
        with pytest.raises(OperationalError) as raised:
            probe.ensure_connection()
        assert is_outage(raised.value)
        assert probe.connection is None
    finally:
        probe.close()
