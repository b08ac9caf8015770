"""Payables settings, each with a default; override them in the Django settings or the environment."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

from django.conf import settings


def _int(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name) or default
    return int(value)


def peppol_dir() -> Path:
    """Root of the file-based access point: ``inbound/``, ``processing/<worker>/``, ``outbound/``."""
    configured = getattr(settings, "PAYABLES_PEPPOL_DIR", None) or os.environ.get("PAYABLES_PEPPOL_DIR")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "peppol"


def max_document_bytes() -> int:
    """Larger inbound files are stored as received (copied in chunks) and set aside unread."""
    return _int("PAYABLES_MAX_DOCUMENT_BYTES", 20 * 1024 * 1024)


def reminder_business_days() -> int:
    """An invoice waiting this many business days for its reviewer reminds the reviewer."""
    return _int("PAYABLES_REMINDER_BUSINESS_DAYS", 5)


def escalation_business_days() -> int:
    """After this many business days the reviewer's manager is told as well."""
    return _int("PAYABLES_ESCALATION_BUSINESS_DAYS", 10)


def claim_timeout_seconds() -> int:
    """A worker's processing folder without a heartbeat for this long is taken over by another worker."""
    return _int("PAYABLES_CLAIM_TIMEOUT_SECONDS", 600)


def sweep_after_seconds() -> int:
    """A document left "received" this long (its worker was killed) is processed by the sweep."""
    return _int("PAYABLES_SWEEP_AFTER_SECONDS", 300)


MAX_PROCESSING_ATTEMPTS = 3
"""A document whose processing the sweep had to take over this many times is set aside, not tried again."""


def batch_size() -> int:
    return _int("PAYABLES_BATCH_SIZE", 50)


def default_reference_rate() -> Decimal:
    """Used only while no reference rate is registered (Riksbank reference rate, percent)."""
    return Decimal(str(getattr(settings, "PAYABLES_DEFAULT_REFERENCE_RATE", "2.00")))


LATE_PAYMENT_MARGIN = Decimal("8.00")
"""Räntelagen 6 §: late-payment interest is the reference rate plus eight percentage points."""

DUPLICATE_DATE_WINDOW_DAYS = 5
"""Same supplier and amount with issue dates this close count as a suspected duplicate."""
