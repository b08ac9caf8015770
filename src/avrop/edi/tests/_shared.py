"""Locating the shared standards collection (``../shared/standards`` beside the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[4]
STANDARDS = (REPO_ROOT.parent / "shared" / "standards").resolve()

BILLING_BASE_EXAMPLE = STANDARDS / "peppol-billing" / "examples" / "bis" / "base-example.xml"


def require_standards() -> Path:
    """Skip the calling test module when the collection is absent (it lives outside the repository)."""
    if not (STANDARDS / "README.md").is_file():
        missing = (
            f"the standards collection {STANDARDS} is missing (expected as ../shared/standards beside "
            "the repository clone)"
        )
        pytest.skip(reason=missing, allow_module_level=True)
    return STANDARDS


def example_files() -> list[Path]:
    """Every XML example in the collection (billing, snippets, national, CEN, POACC, plain UBL)."""
    if not STANDARDS.is_dir():
        return []
    return sorted(
        path
        for path in STANDARDS.rglob("*")
        if path.is_file()
        and path.suffix.lower() == ".xml"
        and "examples" in path.relative_to(STANDARDS).parts
    )
