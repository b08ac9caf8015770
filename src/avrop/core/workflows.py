"""Explicit state machines: each app declares ``TRANSITIONS`` as data; services call ``assert_transition``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from avrop.core.errors import InvalidTransition


def assert_transition(
    obj: Any, *, to: str, transitions: Mapping[str, frozenset[str]], field: str = "status"
) -> None:
    """Raise ``InvalidTransition`` naming the rule unless ``obj.<field>`` may move to ``to``."""
    # Enum members and their text values are the same to the mapping; messages show the plain text.
    current = str(getattr(obj, field))
    to = str(to)
    allowed = frozenset(str(state) for state in transitions.get(current, frozenset()))
    if to not in allowed:
        allowed_text = ", ".join(sorted(allowed)) or "none (final state)"
        raise InvalidTransition(
            f"{type(obj).__name__} {getattr(obj, 'pk', '')} cannot go from {current!r} to {to!r}; "
            f"allowed from {current!r}: {allowed_text}."
        )
