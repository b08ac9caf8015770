"""Counting requests per key in a time window, in the shared cache (the database cache by default, so every
web process counts together)."""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def _key(scope: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}"


def allow(scope: str, value: str, *, limit: int, window: int) -> bool:
    """Count one request for ``value`` (an e-mail address, an IP address …) in ``scope``; False once more than
    ``limit`` requests came within ``window`` seconds of the first. The value is stored hashed."""
    key = _key(scope, value)
    if cache.add(key, 1, timeout=window):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        count = 1
    return count <= limit
