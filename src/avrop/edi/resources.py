"""Where the official validation artefacts are: ``rules/`` beside this module (see ``rules/SOURCES.md``).

This module only knows where the files are; :mod:`avrop.edi.validation` decides which to apply.
"""

from __future__ import annotations

from pathlib import Path

RULES_DIR = Path(__file__).resolve().parent / "rules"
"""The folder holding the artefacts. The files are read from the file system (saxonche and libxml2 need
real paths, and the XSDs import each other by relative path), so the package must be installed
unzipped, which pip and setuptools do by default."""

UBL21_MAINDOC = RULES_DIR / "ubl-2.1" / "xsd" / "maindoc"
CEN_XSLT = RULES_DIR / "en16931" / "xslt" / "EN16931-UBL-validation.xslt"
PEPPOL_XSLT_DIR = RULES_DIR / "peppol-2026.5" / "xslt"
BILLING_CODELISTS = RULES_DIR / "peppol-billing" / "codelists"
POACC_CODELISTS = RULES_DIR / "peppol-poacc" / "codelists"
RENDER_XSLT = RULES_DIR / "peppol-billing" / "render" / "stylesheet-ubl.xslt"


def ubl21_schema_path(root_local_name: str) -> Path:
    """Path of the UBL 2.1 main-document schema for a root element (may not exist: check)."""
    return UBL21_MAINDOC / f"UBL-{root_local_name}-2.1.xsd"
