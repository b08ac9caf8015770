"""The start page: every app contributes the sections of work it has for the user's roles.

An app opts in with a ``home.py`` module that defines ``sections(*, user, organisation, roles)`` returning
``Section`` objects. Each section's rows are a bounded, pre-joined list, so the page's query count does not
grow with the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.apps import apps

ROWS_PER_SECTION = 8


@dataclass
class Row:
    text: str
    url: str = ""
    detail: str = ""


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)
    total: int | None = None
    more_url: str = ""
    empty_text: str = ""
    order: int = 100


def collect_sections(*, user: Any, organisation: Any, roles: frozenset[str]) -> list[Section]:
    if organisation is None:
        return []
    sections: list[Section] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("avrop."):
            continue
        try:
            module = import_module(f"{config.name}.home")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.home":
                raise
            continue
        contribute = getattr(module, "sections", None)
        if contribute is not None:
            sections.extend(contribute(user=user, organisation=organisation, roles=roles))
    return sorted(sections, key=lambda s: s.order)
