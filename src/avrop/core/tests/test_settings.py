"""Start-up errors name the environment variable that is wrong."""

import os
import subprocess
import sys

import pytest


def _start(env_overrides: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "AVROP_ENV"}}
    env.update({"AVROP_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "avrop.settings"})
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"AVROP_ENV": "production"}, "SECRET_KEY is not set"),
        ({"AVROP_ENV": "production", "SECRET_KEY": "short"}, "SECRET_KEY is too short"),
        ({"AVROP_ENV": "staging"}, "AVROP_ENV='staging'"),
        ({"AVROP_ENV": "development", "DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL"),
        ({"AVROP_ENV": "development", "AVROP_HTTPS": "maybe"}, "AVROP_HTTPS='maybe' is not a boolean"),
        ({"AVROP_ENV": "development", "HUEY_WORKERS": "two"}, "HUEY_WORKERS='two' is not a whole number"),
        ({"AVROP_ENV": "development", "ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS is empty"),
        ({"AVROP_ENV": "development", "AVROP_SQLITE_PAGE_SIZE": "1000"}, "AVROP_SQLITE_PAGE_SIZE=1000"),
    ],
)
def test_bad_environment_stops_start_up_naming_the_variable(overrides, expected, tmp_path):
    result = _start(overrides, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert expected in result.stderr


def test_good_production_environment_starts(tmp_path):
    result = _start(
        {"AVROP_ENV": "production", "SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": "avrop.example"}, tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_production_defaults_are_safe():
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.DEBUG,"
        " s.PASSWORD_HASHERS[0].rsplit('.', 1)[1], 'default-src' in s.CONTENT_SECURITY_POLICY['DIRECTIVES'])"
    )
    env = {
        **os.environ,
        "AVROP_ENV": "production",
        "SECRET_KEY": "k" * 50,
        "DJANGO_SETTINGS_MODULE": "avrop.settings",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "31536000", "False", "Argon2PasswordHasher", "True"]


def test_a_new_sqlite_database_gets_small_pages_and_an_existing_one_keeps_its_own(tmp_path):
    """Every commit writes each page it changed in full: a new database is made with 1 KiB pages."""
    code = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('CREATE TABLE IF NOT EXISTS t (x)')\n"
        "    c.execute('PRAGMA page_size'); print(c.fetchone()[0])\n"
        "    c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "AVROP_ENV"}}
    env.update({"AVROP_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "avrop.settings"})
    env["AVROP_ENV"] = "development"

    def run(page_size: str | None) -> list[str]:
        if page_size:
            env["AVROP_SQLITE_PAGE_SIZE"] = page_size
        command = [sys.executable, "-c", code]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert run(None) == ["1024", "wal"]
    assert run("4096") == ["1024", "wal"]  # the file exists: its page size stays
