"""What every JSON API input shares: text a database can store, and times it can compare.

Found by fuzzing the API: PostgreSQL refuses a NUL character in text and a time-zone offset beyond ±15:59,
and either ended in a server error. Input schemas derive from :class:`TextIn` (a NUL is a 422 naming the
field); ``…_since`` filters go through :func:`since` (any valid offset, compared in UTC).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.db import models
from django.utils import timezone
from ninja import Schema
from pydantic import ValidationInfo, field_validator


class TextIn(Schema):
    """An input schema whose text fields refuse the NUL character (no database stores it as text) and, when
    ``lengths_from`` names the model they are stored in, text longer than its column (PostgreSQL refuses it
    with an error, SQLite would store it)."""

    lengths_from: ClassVar[type[models.Model] | None] = None

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str):
            return value
        if "\x00" in value:
            raise ValueError("must not contain the NUL character (\\u0000)")
        if cls.lengths_from is not None and info.field_name:
            try:
                column = cls.lengths_from._meta.get_field(info.field_name)
            except Exception:  # noqa: BLE001 - a schema field that is not a model field has no column limit
                return value
            limit = getattr(column, "max_length", None)
            if limit is not None and len(value) > limit:
                raise ValueError(f"is at most {limit} characters long")
        return value


def since(value: dt.datetime | None) -> dt.datetime | None:
    """A ``…_since`` filter as an aware UTC time: any offset a client sends; a naive time is local."""
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.astimezone(dt.UTC)
