"""Explicit state machines: each app declares ``TRANSITIONS`` as data; services call ``assert_transition``, or
``move_status`` for the whole move (check, set, write, audit)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit
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


def move_status(
    obj: models.Model,
    to: str,
    *,
    transitions: Mapping[str, frozenset[str]],
    actor: Any,
    action: str,
    fields: Sequence[str] = (),
    comment: str = "",
    after: dict[str, Any] | None = None,
) -> None:
    """The house style's one way a status changes, on a row the caller locked: check the move against the
    table, set it (and ``status_changed_at`` where the model keeps it) with the caller's ``fields``, write
    them in one UPDATE, and audit ``action`` in the same transaction."""
    before = obj.status  # type: ignore[attr-defined]
    assert_transition(obj, to=to, transitions=transitions)
    obj.status = to  # type: ignore[attr-defined]
    written = ["status", *fields, "updated_at"]
    if hasattr(obj, "status_changed_at"):
        obj.status_changed_at = timezone.now()
        written.append("status_changed_at")
    obj.save(update_fields=written)
    audit(
        actor=actor,
        action=action,
        obj=obj,
        before={"status": before},
        after={"status": to, **(after or {})},
        comment=comment,
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
