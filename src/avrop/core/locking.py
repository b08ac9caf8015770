"""Row locks in one place, so that locks are always taken the same way (and in a fixed order)."""

from __future__ import annotations

from typing import TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def lock(model: type[M], pk: int) -> M:
    """Return the row locked for update; must run inside ``transaction.atomic``.

    On SQLite the IMMEDIATE transaction mode already serialises writers, so ``select_for_update`` is a no-op
    there and a real row lock on PostgreSQL.
    """
    return model._default_manager.select_for_update().get(pk=pk)


def lock_many(model: type[M], pks: list[int]) -> list[M]:
    """Lock several rows in ascending primary-key order, which prevents deadlocks between services."""
    return list(model._default_manager.select_for_update().filter(pk__in=pks).order_by("pk"))
