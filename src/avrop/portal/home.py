"""Start-page sections of the supplier portal; each area contributes through ``home_<area>.py``."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from avrop.core.home import Section

AREAS = ("onboarding", "orders", "invoices", "catalogue")


def sections(*, user: Any, organisation: Any, roles: frozenset[str]) -> list[Section]:
    if organisation.kind != "supplier":
        return []
    result: list[Section] = []
    for area in AREAS:
        try:
            module = import_module(f"avrop.portal.home_{area}")
        except ModuleNotFoundError as exc:
            if exc.name != f"avrop.portal.home_{area}":
                raise
            continue
        result.extend(module.sections(user=user, organisation=organisation, roles=roles))
    return result
