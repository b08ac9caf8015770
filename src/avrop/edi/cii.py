"""Validate EN 16931 invoices in the CII syntax (UN/CEFACT CrossIndustryInvoice D16B).

EU law (directive 2014/55/EU; in Sweden lag 2018:1277) requires public buyers to receive invoices that
conform to EN 16931 in either syntax, UBL or CII. This module is the CII branch of
:func:`avrop.edi.validation.validate`, with the same machinery and the same report::

    well-formedness and safety (avrop.edi.xmlsafe)           layer "xml"
    CrossIndustryInvoice_100pD16B.xsd (lxml)                 layer "xsd"   rule "XSD-CII"
    the official CEN EN16931-CII-validation.xslt (saxonche)  layer "cen"   rule ids BR-…, BR-CO-…, CII-SR-…

The artefacts are unchanged copies from CEN/TC 434 release 1.3.16 under ``rules/en16931/cii/`` (see
``rules/SOURCES.md``). As for UBL, every layer runs even when an earlier one failed, so that a sender sees
all problems at once. There are no Peppol rules for CII: Peppol BIS Billing is UBL only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, cast

from lxml import etree

from avrop.edi import resources, validation

__all__ = [
    "CII_XSD",
    "CII_XSLT",
    "RSM",
    "RULE_XSD_CII",
    "TRANSACTION",
    "is_cii",
    "validate_tree",
    "warm_up",
]

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
ROOT = f"{{{RSM}}}CrossIndustryInvoice"

CII_DIR = resources.RULES_DIR / "en16931" / "cii"
CII_XSD = (
    CII_DIR
    / "schema"
    / "d16b-uncoupled"
    / "CII"
    / "uncefact"
    / "data"
    / "standard"
    / "CrossIndustryInvoice_100pD16B.xsd"
)
CII_XSLT = CII_DIR / "xslt" / "EN16931-CII-validation.xslt"

RULE_XSD_CII = "XSD-CII"
TRANSACTION = "en16931-cii"

_PREFIXES = {f"{{{RSM}}}": "rsm:", f"{{{RAM}}}": "ram:", f"{{{UDT}}}": "udt:", f"{{{QDT}}}": "qdt:"}
_CLARK = re.compile("|".join(re.escape(ns) for ns in _PREFIXES))


def is_cii(root: etree._Element) -> bool:
    return root.tag == ROOT


def _short(message: str) -> str:
    return _CLARK.sub(lambda m: _PREFIXES[m.group(0)], message)


def _customization(root: etree._Element) -> str | None:
    value = root.findtext(
        f"{{{RSM}}}ExchangedDocumentContext/{{{RAM}}}GuidelineSpecifiedDocumentContextParameter/{{{RAM}}}ID"
    )
    return value.strip() if value is not None else None


def _xsd_findings(tree: etree._ElementTree) -> list[validation.Finding]:
    schema, lock = validation._schema(CII_XSD)
    with lock:
        if schema.validate(tree):
            return []
        entries: list[Any] = list(cast(Iterable[Any], schema.error_log))
    return [
        validation.Finding(
            RULE_XSD_CII,
            "fatal",
            _short(entry.message),
            "xsd",
            location=entry.path or None,
            line=entry.line or None,
            column=entry.column or None,
        )
        for entry in entries
    ]


def validate_tree(data: bytes, tree: etree._ElementTree) -> validation.Report:
    """The report for a parsed CrossIndustryInvoice (``data`` is the same document's bytes)."""
    root = tree.getroot()
    findings = _xsd_findings(tree)
    node = validation._saxon_node(data, tree)
    findings.extend(validation._schematron_findings(node, CII_XSLT, "cen"))
    return validation.Report("CrossIndustryInvoice", _customization(root), TRANSACTION, findings)


def warm_up() -> None:
    validation._executable(CII_XSLT)
    validation._schema(CII_XSD)
