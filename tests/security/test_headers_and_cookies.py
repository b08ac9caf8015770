"""Security headers and cookie flags as the settings intend, on pages, JSON API answers and error pages; and
the production settings (AVROP_HTTPS on by default) really switch on HSTS and Secure cookies.

Login throttling (django-axes, ``web/tests/test_views.py``, ``portal/tests/test_security.py``) and password
reset throttling (``web/tests/test_password_reset.py``) have their own tests; the last test here only checks
that they stay switched on."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from avrop.organisations.roles import Role

pytestmark = pytest.mark.django_db

SECURITY_SETTINGS = (
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "LANGUAGE_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE",
    "X_FRAME_OPTIONS",
    "DEBUG",
)


def _production_settings(**env: str) -> dict:
    """The security settings as a production process (AVROP_ENV=production) reads them."""
    code = (
        "import json, django.conf as c; from avrop import settings as s; "
        "print(json.dumps({k: getattr(s, k, getattr(c.global_settings, k, None)) "
        f"for k in {SECURITY_SETTINGS!r}}}))"
    )
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AVROP_", "DATABASE_URL"))},
        "AVROP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=60, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _assert_headers(response) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_production_defaults_are_secure():
    values = _production_settings()
    assert values["DEBUG"] is False
    assert (
        values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["LANGUAGE_COOKIE_SECURE"]
    )
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert values["CSRF_COOKIE_SAMESITE"] in ("Lax", "Strict")
    # Plain http only when asked for explicitly (local `make run`).
    plain = _production_settings(AVROP_HTTPS="false")
    assert not plain["SESSION_COOKIE_SECURE"] and plain["SECURE_HSTS_SECONDS"] == 0


def test_headers_on_pages_api_answers_and_error_pages(client, make_member):
    user, _organisation = make_member(Role.REQUISITIONER)
    _assert_headers(client.get(reverse("login")))
    _assert_headers(client.get("/api/ordering/orders/1"))  # 401 from the JSON API
    client.force_login(user)
    _assert_headers(client.get(reverse("core:home")))
    _assert_headers(client.get("/no-such-page/"))


def test_cookies_over_https_are_secure_httponly_and_samesite(client, make_member, settings):
    for key, value in _production_settings().items():
        if key != "DEBUG":
            setattr(settings, key, value)
    settings.SECURE_SSL_REDIRECT = False  # the test client speaks https itself below
    user, _organisation = make_member(Role.REQUISITIONER, password="secret-password-1")
    page = client.get(reverse("login"), secure=True)
    assert page["Strict-Transport-Security"].startswith("max-age=31536000")
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    response = client.post(
        reverse("login"), {"username": user.username, "password": "secret-password-1"}, secure=True
    )
    assert response.status_code == 302
    session = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_login_and_reset_throttling_stay_switched_on(settings):
    assert "axes" in settings.INSTALLED_APPS
    assert "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert 1 <= settings.AXES_FAILURE_LIMIT <= 10
    assert settings.AVROP_PASSWORD_RESET_PER_EMAIL >= 1 and settings.AVROP_PASSWORD_RESET_PER_CLIENT >= 1
