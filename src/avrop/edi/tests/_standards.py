"""The official example documents the tests use, kept in the repository (``standards/`` beside this module;
``standards/SOURCE.md`` says where each comes from and under which licence).

The folder mirrors the layout of the standards collection the files were copied from, so an example's name
(``peppol-billing/examples/bis/base-example.xml``) is the same there and here. The official rule files
themselves are bundled with avrop in ``avrop/edi/rules`` (same layout).
"""

from __future__ import annotations

from pathlib import Path

from avrop.edi.resources import RULES_DIR

STANDARDS = Path(__file__).resolve().parent / "standards"

BILLING_BASE_EXAMPLE = STANDARDS / "peppol-billing" / "examples" / "bis" / "base-example.xml"

# The UBL 2.1 schemas: those avrop validates with, then the one more the typed model covers.
UBL_XSD_DIRS = (RULES_DIR / "ubl-2.1" / "xsd", STANDARDS / "ubl-2.1" / "xsd")


def example_files() -> list[Path]:
    """Every XML example (billing, snippets, national, CEN, CII, POACC, plain UBL)."""
    return sorted(
        path
        for path in STANDARDS.rglob("*")
        if path.is_file()
        and path.suffix.lower() == ".xml"
        and "examples" in path.relative_to(STANDARDS).parts
    )


def ubl_xsd(relative: str) -> Path:
    """A UBL 2.1 schema by its path under ``ubl-2.1/xsd`` (``common/…`` or ``maindoc/…``)."""
    for folder in UBL_XSD_DIRS:
        if (folder / relative).is_file():
            return folder / relative
    raise FileNotFoundError(f"ubl-2.1/xsd/{relative} is neither bundled nor among the test copies")
