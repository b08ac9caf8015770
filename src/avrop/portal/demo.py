"""Demo data of the supplier portal; each area contributes through ``demo_<area>.py`` (``load_late``)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

AREAS = ("onboarding", "orders", "invoices", "catalogue")


def _each(name: str, stdout: Any) -> None:
    for area in AREAS:
        try:
            module = import_module(f"avrop.portal.demo_{area}")
        except ModuleNotFoundError as exc:
            if exc.name != f"avrop.portal.demo_{area}":
                raise
            continue
        function = getattr(module, name, None)
        if function is not None:
            function(stdout)


def load_late(stdout: Any) -> None:
    _each("load_late", stdout)
