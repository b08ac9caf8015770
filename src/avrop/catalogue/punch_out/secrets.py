"""Shop credentials encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256).

The key comes from ``AVROP_PUNCH_OUT_KEY`` (a Fernet key: 32 url-safe base64 bytes, made with
``python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"``). Without it
the key is derived from ``SECRET_KEY`` (SHA-256 over a fixed label), which is good enough for development
and tests; production sets its own key so that a leaked SECRET_KEY alone does not open the credentials, and
rotating SECRET_KEY does not lock them. Old keys can be listed after the current one, separated by commas
(MultiFernet): new values are written with the first.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

ENV_KEY = "AVROP_PUNCH_OUT_KEY"


class CredentialsUnreadable(ValueError):
    """The stored credentials cannot be decrypted with the configured key(s)."""


def _derived_key() -> bytes:
    digest = hashlib.sha256(b"avrop punch-out credentials\x00" + str(settings.SECRET_KEY).encode()).digest()
    return base64.urlsafe_b64encode(digest)


def _fernet() -> MultiFernet:
    configured = [k.strip() for k in os.environ.get(ENV_KEY, "").split(",") if k.strip()]
    keys = [k.encode() for k in configured] or [_derived_key()]
    return MultiFernet([Fernet(k) for k in keys])


def encrypt(values: dict[str, Any]) -> bytes:
    """The values as one encrypted token (empty values are dropped)."""
    clean = {k: v for k, v in values.items() if v not in ("", None)}
    return _fernet().encrypt(json.dumps(clean, sort_keys=True).encode())


def decrypt(token: bytes | memoryview | None) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return dict(json.loads(_fernet().decrypt(bytes(token))))
    except InvalidToken:
        raise CredentialsUnreadable(ENV_KEY) from None
