"""Demo data of this app (``avrop demo``)."""

from __future__ import annotations

from typing import TextIO


def load(stdout: TextIO) -> None:
    """Nothing yet."""


def load_late(stdout: TextIO) -> None:
    """Nothing yet."""
