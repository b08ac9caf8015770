"""The parts of the start page: every app contributes the sections of work it has for the user's roles.

An app opts in with a ``home.py`` module that defines ``sections(*, user, organisation, roles)`` returning
``Section`` objects, and is listed in ``avrop.web.home``, which puts the page together. Each section's rows
are a bounded, pre-joined list, so the page's query count does not grow with the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    # Work waiting for the user (to approve, review, receive, answer): with something in it, the start page
    # shows the section first, coloured, and its count in the summary at the top.
    attention: bool = False

    @property
    def count(self) -> int:
        return self.total if self.total is not None else len(self.rows)

    @property
    def needs_action(self) -> bool:
        return self.attention and self.count > 0
