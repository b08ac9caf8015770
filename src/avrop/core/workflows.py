"""Explicit state machines: each app declares ``TRANSITIONS`` as data; services call ``assert_transition``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

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
            _plain(obj, field, current),
            detail=(
                f"{type(obj).__name__} {getattr(obj, 'pk', '')} cannot go from {current!r} to {to!r}; "
                f"allowed from {current!r}: {allowed_text}."
            ),
        )


def _plain(obj: Any, field: str, current: str) -> str:
    """What a person reads: the object and the state it is in, in their language."""
    meta = getattr(obj, "_meta", None)
    name = str(meta.verbose_name) if meta is not None else type(obj).__name__
    label = current
    display = getattr(obj, f"get_{field}_display", None)
    if callable(display):
        label = str(display())
    text = _("This cannot be done now: the %(object)s is “%(state)s”. Reload the page to see what changed.")
    return text % {"object": name, "state": label}
