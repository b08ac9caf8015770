"""Settings of the ordering app, read from Django settings or the environment, with defaults."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings


def base_url() -> str:
    """Where people reach avrop; used in links in e-mails (AVROP_BASE_URL)."""
    configured = getattr(settings, "AVROP_BASE_URL", None) or os.environ.get("AVROP_BASE_URL")
    return (configured or "http://127.0.0.1:8000").rstrip("/")


def peppol_dir() -> Path:
    """The ordering access-point folder (its own inbound and outbound; see docs/decisions/0007)."""
    configured = getattr(settings, "ORDERING_PEPPOL_DIR", None) or os.environ.get("ORDERING_PEPPOL_DIR")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "peppol" / "ordering"


def max_attachment_bytes() -> int:
    return int(getattr(settings, "AVROP_MAX_UPLOAD_BYTES", 50 * 1024 * 1024))


def retry_base_seconds() -> int:
    """First retry delay of a failing transmission; doubled each attempt, capped at an hour."""
    return int(getattr(settings, "ORDERING_RETRY_BASE_SECONDS", 30))
