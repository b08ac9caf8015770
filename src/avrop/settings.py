"""Settings read from the environment (12-factor).

Every variable is optional except ``SECRET_KEY`` in production. A malformed value stops the
start-up with an ``ImproperlyConfigured`` error that names the variable.

AVROP_ENV           production (default) | development | test
SECRET_KEY          required in production
ALLOWED_HOSTS       comma-separated host names (default: 127.0.0.1,localhost)
DATABASE_URL        e.g. postgres://user@127.0.0.1:5432/avrop (default: SQLite, WAL mode, in AVROP_DATA_DIR)
HUEY_REDIS_URL      Redis for the task queue when several workers run (default: Huey on SQLite)
AVROP_DATA_DIR      where the SQLite files, media and logs live (default: ./var)
MEDIA_ROOT          uploaded and received documents (default: AVROP_DATA_DIR/media)
AVROP_HTTPS         true (default) sets secure cookies, HSTS and the HTTPS redirect; false only for local http
E-mail:             EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS,
                    DEFAULT_FROM_EMAIL, EMAIL_BACKEND (without EMAIL_HOST: files in AVROP_DATA_DIR/mail)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import overload

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent


@overload
def _env(name: str, default: str) -> str: ...
@overload
def _env(name: str, default: None = None) -> str | None: ...
def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"Environment variable {name}={value!r} is not a boolean (use true or false).")


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"Environment variable {name}={value!r} is not a whole number.") from None


AVROP_ENV = _env("AVROP_ENV", "production")
if AVROP_ENV not in {"production", "development", "test"}:
    raise ImproperlyConfigured(
        f"Environment variable AVROP_ENV={AVROP_ENV!r} must be production, development or test."
    )
TESTING = AVROP_ENV == "test"
DEBUG = AVROP_ENV == "development"

DATA_DIR = Path(_env("AVROP_DATA_DIR", str(Path.cwd() / "var"))).resolve()
try:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
except OSError as _exc:
    raise ImproperlyConfigured(f"AVROP_DATA_DIR={DATA_DIR} cannot be created: {_exc.strerror}.") from None

SECRET_KEY = _env("SECRET_KEY")
if SECRET_KEY is None:
    if AVROP_ENV == "production":
        raise ImproperlyConfigured(
            "Environment variable SECRET_KEY is not set. Set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = "insecure-" + AVROP_ENV + "-key-only-for-local-use-0123456789abcdefghijklmnop"
elif len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("Environment variable SECRET_KEY is too short: use at least 32 characters.")

ALLOWED_HOSTS = [
    h.strip() for h in (_env("ALLOWED_HOSTS", "127.0.0.1,localhost") or "").split(",") if h.strip()
]
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Environment variable ALLOWED_HOSTS is empty: list at least one host name.")
CSRF_TRUSTED_ORIGINS = [o for o in (_env("CSRF_TRUSTED_ORIGINS", "") or "").split(",") if o]

INSTALLED_APPS = [
    "avrop.core.admin_apps.OperatorAdminConfig",  # django.contrib.admin, changes audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "huey.contrib.djhuey",
    # Bounded contexts, in dependency order (decision 0011 names the direction of each dependency).
    "avrop.core",
    "avrop.organisations",
    "avrop.suppliers",
    "avrop.agreements",
    "avrop.cases",
    "avrop.catalogue",
    "avrop.payables",
    "avrop.receivables",
    "avrop.ordering",
    "avrop.fulfilment",
    "avrop.serviceorders",
    "avrop.reports",
    "avrop.portal",
    "avrop.web",  # the web shell: start page, API wiring, demo loader; composes the apps above
    # Last, so that core's widget templates (an empty choice in words, not "---------") win over Django's.
    "django.forms",
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "avrop.core.middleware.RequestIdMiddleware",
    # A database that cannot be reached answers 503 with a static page, and the next request reconnects.
    "avrop.web.outage.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "avrop.organisations.middleware.ActiveOrganisationMiddleware",
    "avrop.serviceorders.middleware.PartnerLanguageMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTH_USER_MODEL = "organisations.User"
# The tenant every object belongs to; core refers to it through this setting, not by importing its app.
AVROP_ORGANISATION_MODEL = "organisations.Organisation"
ROOT_URLCONF = "avrop.urls"
WSGI_APPLICATION = "avrop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "avrop.organisations.context_processors.active_organisation",
            ],
            # Every page, e-mail and PDF formats numbers, amounts and dates the same way.
            "builtins": ["avrop.core.templatetags.avrop_format"],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------
_database_url = _env("DATABASE_URL")
if _database_url:
    try:
        _db = dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj_database_url raises several types for a malformed URL
        raise ImproperlyConfigured(f"Environment variable DATABASE_URL is malformed: {exc}") from None
    if not _db.get("ENGINE"):
        raise ImproperlyConfigured(
            f"Environment variable DATABASE_URL has an unknown scheme: {_database_url!r}"
        )
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "avrop.sqlite3")}
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer commits; IMMEDIATE avoids "database is locked" on upgrade
    # from a read to a write lock inside a transaction. The page size applies when the database file is
    # created (an existing file keeps its own): every commit writes each page it changed in full, and most
    # commits change a row or an index entry in many tables, so 1 KiB pages write about 60 % fewer bytes per
    # order than SQLite's 4 KiB default, for a few per cent more CPU (bench/ordering.py prints both).
    _page_size = _env_int("AVROP_SQLITE_PAGE_SIZE", 1024)
    if _page_size not in {512, 1024, 2048, 4096, 8192, 16384, 32768, 65536}:
        raise ImproperlyConfigured(
            f"Environment variable AVROP_SQLITE_PAGE_SIZE={_page_size} is not a power of two "
            "from 512 to 65536."
        )
    _db.setdefault("OPTIONS", {}).update(
        {
            "init_command": f"PRAGMA page_size={_page_size}; PRAGMA journal_mode=WAL; "
            "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
            "transaction_mode": "IMMEDIATE",
        }
    )
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "avrop_cache",
    }
}

# --- Task queue -----------------------------------------------------------------------------------
_huey_redis = _env("HUEY_REDIS_URL")
if TESTING and not _env_bool("AVROP_TEST_REAL_QUEUE", False):
    # Tests run tasks in-process; the queue tests build real SQLite and Redis queues themselves.
    HUEY = {"huey_class": "huey.MemoryHuey", "name": "avrop", "immediate": True}
elif _huey_redis:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "avrop",
        "url": _huey_redis,
        "immediate": False,
        "consumer": {"workers": _env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "avrop",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": False,
        "consumer": {"workers": _env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }

# --- Authentication and security ------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests create hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"

# Password reset requests: at most this many per e-mail address and per client address in the window.
AVROP_PASSWORD_RESET_PER_EMAIL = _env_int("AVROP_PASSWORD_RESET_PER_EMAIL", 3)
AVROP_PASSWORD_RESET_PER_CLIENT = _env_int("AVROP_PASSWORD_RESET_PER_CLIENT", 10)
AVROP_PASSWORD_RESET_WINDOW = 3600  # seconds
AXES_FAILURE_LIMIT = _env_int("AVROP_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

HTTPS = _env_bool("AVROP_HTTPS", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and _env_bool("AVROP_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if _env_bool("AVROP_BEHIND_PROXY", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 10
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
AVROP_MAX_UPLOAD_BYTES = _env_int("AVROP_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
# Spreadsheets from outside (price lists, templates, imports) are checked before they are read and refused
# beyond these sizes: the spreadsheet library holds a sheet as one rectangle, so one far-away cell costs as
# much memory as a full sheet up to it, and a failed allocation ends the process.
AVROP_SPREADSHEET_MAX_ROWS = _env_int("AVROP_SPREADSHEET_MAX_ROWS", 200_000)
AVROP_SPREADSHEET_MAX_COLUMNS = _env_int("AVROP_SPREADSHEET_MAX_COLUMNS", 200)
AVROP_SPREADSHEET_MAX_UNPACKED_BYTES = _env_int("AVROP_SPREADSHEET_MAX_UNPACKED_BYTES", 1024 * 1024 * 1024)
AVROP_SPREADSHEET_MAX_PACKING_RATIO = _env_int("AVROP_SPREADSHEET_MAX_PACKING_RATIO", 100)

# --- Internationalisation ---------------------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
_node_modules = Path(_env("AVROP_NODE_MODULES", str(PACKAGE_DIR.parents[1] / "node_modules")))
STATICFILES_DIRS = [("vendor/htmx", _node_modules / "htmx.org" / "dist")] if _node_modules.exists() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_ROOT = Path(_env("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"

# --- E-mail -----------------------------------------------------------------------------------------
EMAIL_HOST = _env("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = _env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    EMAIL_PORT = _env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = _env("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = _env("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = _env("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")
DEFAULT_FROM_EMAIL = _env("DEFAULT_FROM_EMAIL", "avrop <noreply@avrop.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Logging ------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "avrop.core.middleware.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": _env("LOG_LEVEL", "WARNING" if TESTING else "INFO")},
    # The Huey consumer attaches its own handler; not propagating avoids every line twice.
    "loggers": {"axes": {"level": "WARNING"}, "huey": {"level": "INFO", "propagate": False}},
}
