"""Start-page sections of this app (``avrop.core.home``)."""

from __future__ import annotations

from typing import Any

from avrop.core.home import Section


def sections(*, user: Any, organisation: Any, roles: frozenset[str]) -> list[Section]:
    return []
