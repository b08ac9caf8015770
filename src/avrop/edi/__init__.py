"""Framework-free Peppol BIS 3 / UBL 2.1 toolkit: hardened XML, validation, identifiers, code lists.

Nothing in this package imports Django, so it can be used from workers, the CLI and benchmarks alike.

``parse`` and ``build`` (typed documents) come from :mod:`avrop.edi.documents` and are imported on
first use, so that validation alone does not pay for them.
"""

from __future__ import annotations

import importlib
from typing import Any

from avrop.edi.validation import Finding, Report, validate, validate_file

__all__ = ["Finding", "Report", "build", "parse", "validate", "validate_file"]

_FROM_DOCUMENTS = frozenset({"parse", "build"})


def __getattr__(name: str) -> Any:
    if name in _FROM_DOCUMENTS:
        try:
            documents = importlib.import_module("avrop.edi.documents")
        except ModuleNotFoundError as exc:
            if exc.name != "avrop.edi.documents":
                raise
            raise AttributeError(
                f"avrop.edi.{name} needs the avrop.edi.documents package, which is not installed"
            ) from exc
        value = getattr(documents, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'avrop.edi' has no attribute {name!r}")
