"""Validate Peppol BIS 3 / UBL 2.1 documents with the official artefacts.

Pipeline, for one document::

    well-formedness and safety (avrop.edi.xmlsafe)      layer "xml"
    choice of rule set (root element + CustomizationID) layer "transaction"
    UBL 2.1 XSD for the root element (lxml)             layer "xsd"
    (a CII CrossIndustryInvoice goes to avrop.edi.cii: D16B XSD, then the CEN CII XSLT)
    Invoice/CreditNote: CEN EN 16931 XSLT               layer "cen"
                        then Peppol BIS Billing XSLT    layer "peppol"
    POACC documents:    the Peppol transaction XSLT     layer "transaction"

Once the document is well-formed every later layer runs and reports, even when an earlier one failed,
so that a sender sees all problems at once. A document is valid when no finding is ``fatal``.

Choice of rule set
    Invoice and CreditNote always get the CEN rules and the Peppol billing rules (the self-billing
    variant when the CustomizationID says so), as the Peppol validation README prescribes. POACC
    documents get the transaction rules named by their CustomizationID. A CustomizationID that names no
    rule set gives a fatal ``TRANSACTION-UNKNOWN`` finding (for invoices the billing rules still run,
    because the root element is unambiguous). ``transaction=`` forces a rule set; when the document's
    CustomizationID does not belong to it, a ``TRANSACTION-MISMATCH`` *warning* is added — warning,
    because every official rule set has its own fatal rule on the specification identifier, which
    then fires and carries the verdict; our finding only explains why. Forcing a rule set for another
    root element is fatal (``TRANSACTION-ROOT``): its rules would not match anything and would pass
    the document silently.

UBL 2.3
    T114 (order change), T115 (order cancellation) and T116 (advanced order response) are based on
    UBL 2.3, whose schemas are not part of the official artefacts we ship. Their XSD layer is skipped
    with an ``XSD-UNAVAILABLE`` warning; the Schematron rules run as usual.

Caching, threads and processes
    Stylesheets and schemas are compiled once per process, lazily, under a lock (``warm_up()`` does it
    ahead of time). Saxon executables are not thread-safe, so each thread works on its own clone; lxml
    schemas are used under a per-schema lock. saxonche holds the GIL while it transforms, so threads
    give no parallelism: for throughput use processes (``spawn`` start method; each process compiles
    once, about a second).

Speed
    The document is parsed once by lxml (safety, XSD) and once by Saxon, and that one Saxon node feeds
    both stylesheets. The Schematron XSLTs run through a wrapper that imports them unchanged and skips
    a no-op walk of the ISO skeleton (see ``_SKIP_EMPTY_WALK``); SVRL is produced unindented and is
    only parsed when it contains a failed assertion or successful report.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from lxml import etree

from avrop.edi import resources, xmlsafe

if TYPE_CHECKING:
    from saxonche import PySaxonProcessor, PyXdmNode, PyXsltExecutable

__all__ = [
    "RULE_SETS",
    "Finding",
    "Layer",
    "Report",
    "RuleSet",
    "Severity",
    "normalize_transaction",
    "validate",
    "validate_file",
    "warm_up",
]

Severity = Literal["fatal", "warning"]
Layer = Literal["xml", "xsd", "cen", "peppol", "transaction"]

UBL_NS_PREFIX = "urn:oasis:names:specification:ubl:schema:xsd:"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
SVRL = "http://purl.oclc.org/dsdl/svrl"

# Pipeline rule ids (the official artefacts use BR-…, PEPPOL-…, SE-R-… and so on).
RULE_XSD = "XSD"
RULE_XSD_UNAVAILABLE = "XSD-UNAVAILABLE"
RULE_DOCUMENT_TYPE = "DOCUMENT-TYPE"
RULE_TRANSACTION_UNKNOWN = "TRANSACTION-UNKNOWN"
RULE_TRANSACTION_MISMATCH = "TRANSACTION-MISMATCH"
RULE_TRANSACTION_ROOT = "TRANSACTION-ROOT"
RULE_SCHEMATRON_ERROR = "SCHEMATRON-ERROR"
RULE_FILE = "FILE"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in a document.

    ``location`` is the XPath of the offending node (from SVRL ``@location`` or libxml2's path for
    XSD errors); ``line``/``column`` are set for XML and XSD errors.
    """

    rule: str
    severity: Severity
    message: str
    layer: Layer
    location: str | None = None
    line: int | None = None
    column: int | None = None

    @property
    def fatal(self) -> bool:
        return self.severity == "fatal"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity,
            "layer": self.layer,
            "message": self.message,
            "location": self.location,
        }
        if self.line is not None:
            data["line"] = self.line
            data["column"] = self.column
        return data


@dataclass(slots=True)
class Report:
    """The outcome of :func:`validate`. ``valid`` is true when there is no fatal finding."""

    document_type: str | None
    customization_id: str | None
    transaction: str | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not any(f.severity == "fatal" for f in self.findings)

    @property
    def fatal(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "fatal"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def rules(self, severity: Severity | None = None) -> set[str]:
        """The distinct rule ids, optionally only those of one severity."""
        return {f.rule for f in self.findings if severity is None or f.severity == severity}

    def to_dict(self) -> dict[str, Any]:
        return {
            "document_type": self.document_type,
            "customization_id": self.customization_id,
            "transaction": self.transaction,
            "valid": self.valid,
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A Peppol rule set: which documents it is for and which compiled Schematron files it applies."""

    name: str
    title: str
    roots: frozenset[str]
    customization_prefix: str
    stylesheets: tuple[tuple[Layer, Path], ...]
    ubl_version: str = "2.1"


def _poacc(name: str, title: str, root: str, trns: str, ubl_version: str = "2.1") -> RuleSet:
    return RuleSet(
        name=name,
        title=title,
        roots=frozenset({root}),
        customization_prefix=f"urn:fdc:peppol.eu:poacc:trns:{trns}:3",
        stylesheets=(("transaction", resources.PEPPOL_XSLT_DIR / f"PEPPOLBIS-{name}.xslt"),),
        ubl_version=ubl_version,
    )


_INVOICE_ROOTS = frozenset({"Invoice", "CreditNote"})

RULE_SETS: dict[str, RuleSet] = {
    rs.name: rs
    for rs in (
        RuleSet(
            name="billing",
            title="Peppol BIS Billing 3.0",
            roots=_INVOICE_ROOTS,
            customization_prefix="urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
            stylesheets=(
                ("cen", resources.CEN_XSLT),
                ("peppol", resources.PEPPOL_XSLT_DIR / "PEPPOL-EN16931-UBL.xslt"),
            ),
        ),
        RuleSet(
            name="selfbilling",
            title="Peppol BIS Self-Billing 3.0",
            roots=_INVOICE_ROOTS,
            customization_prefix=(
                "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:selfbilling:3.0"
            ),
            stylesheets=(
                ("cen", resources.CEN_XSLT),
                ("peppol", resources.PEPPOL_XSLT_DIR / "PEPPOL-EN16931-UBL-SB.xslt"),
            ),
        ),
        _poacc("T01", "Peppol Order", "Order", "order"),
        _poacc("T76", "Peppol Order Response", "OrderResponse", "order_response"),
        _poacc("T110", "Peppol Order Agreement", "OrderResponse", "order_agreement"),
        _poacc("T16", "Peppol Despatch Advice", "DespatchAdvice", "despatch_advice"),
        _poacc("T19", "Peppol Catalogue", "Catalogue", "catalogue"),
        _poacc("T58", "Peppol Catalogue Response", "ApplicationResponse", "catalogue_response"),
        _poacc("T71", "Peppol Message Level Response", "ApplicationResponse", "mlr"),
        _poacc("T111", "Peppol Invoice Response", "ApplicationResponse", "invoice_response"),
        _poacc("T77", "Peppol Punch Out", "Catalogue", "punch_out"),
        _poacc("T114", "Peppol Order Change", "OrderChange", "order_change", "2.3"),
        _poacc("T115", "Peppol Order Cancellation", "OrderCancellation", "order_cancellation", "2.3"),
        _poacc("T116", "Peppol Order Response Advanced", "OrderResponse", "order_response_advanced", "2.3"),
    )
}

SUPPORTED_ROOTS = frozenset(root for rs in RULE_SETS.values() for root in rs.roots)


def normalize_transaction(name: str) -> str:
    """Map a user-given rule set name (``t01``, ``Billing``, ``self-billing``) to its key in RULE_SETS."""
    key = name.strip().replace("-", "").replace("_", "")
    for candidate in RULE_SETS:
        if candidate.lower() == key.lower():
            return candidate
    raise ValueError(f"Unknown transaction {name!r}; choose one of: {', '.join(RULE_SETS)}.")


def _rule_set_for(customization_id: str | None) -> RuleSet | None:
    if not customization_id:
        return None
    best: RuleSet | None = None
    for rule_set in RULE_SETS.values():
        prefix = rule_set.customization_prefix
        # Extensions append "#conformant#…" or ":extended:…" to the identifier; the prefix must end
        # at a boundary so that "order:3" does not match "order:30".
        if not customization_id.startswith(prefix):
            continue
        at_boundary = customization_id[len(prefix) : len(prefix) + 1] in {"", "#", ":"}
        if at_boundary and (best is None or len(prefix) > len(best.customization_prefix)):
            best = rule_set
    return best


def _choose_rule_set(
    root_name: str, customization_id: str | None, forced: str | None
) -> tuple[RuleSet | None, list[Finding]]:
    shown = repr(customization_id) if customization_id else "missing"
    by_id = _rule_set_for(customization_id)
    if forced is not None:
        rule_set = RULE_SETS[normalize_transaction(forced)]
        findings: list[Finding] = []
        if root_name not in rule_set.roots:
            findings.append(
                Finding(
                    RULE_TRANSACTION_ROOT,
                    "fatal",
                    f"The rule set {rule_set.name} ({rule_set.title}) is for "
                    f"{' or '.join(sorted(rule_set.roots))} documents, but this document's root "
                    f"element is {root_name}; its rules cannot check this document.",
                    "transaction",
                    location=f"/*[local-name()='{root_name}']",
                )
            )
        if by_id is not rule_set:
            findings.append(
                Finding(
                    RULE_TRANSACTION_MISMATCH,
                    "warning",
                    f"The CustomizationID ({shown}) does not belong to the requested rule set "
                    f"{rule_set.name}, which expects one starting with "
                    f"'{rule_set.customization_prefix}'. The {rule_set.name} rules were applied as "
                    "requested.",
                    "transaction",
                    location=_CUSTOMIZATION_LOCATION,
                )
            )
        return rule_set, findings
    if by_id is not None and root_name in by_id.roots:
        return by_id, []
    if root_name in _INVOICE_ROOTS:
        what = "is missing" if not customization_id else f"({shown}) is not a Peppol BIS Billing 3.0 one"
        return RULE_SETS["billing"], [
            Finding(
                RULE_TRANSACTION_UNKNOWN,
                "fatal",
                f"The CustomizationID {what}: expected one starting with "
                f"'{RULE_SETS['billing'].customization_prefix}' (or the self-billing one). "
                "The CEN and Peppol billing rules were applied because the root element is "
                f"{root_name}.",
                "transaction",
                location=_CUSTOMIZATION_LOCATION,
            )
        ]
    candidates = [rs.name for rs in RULE_SETS.values() if root_name in rs.roots]
    if by_id is not None:
        problem = (
            f"The CustomizationID {shown} names {by_id.name} ({by_id.title}), which is for "
            f"{' or '.join(sorted(by_id.roots))} documents, but this document's root element is "
            f"{root_name}."
        )
    elif customization_id:
        problem = f"The CustomizationID {shown} does not name a Peppol rule set."
    else:
        problem = "The document has no CustomizationID, so no Peppol rule set can be chosen."
    return None, [
        Finding(
            RULE_TRANSACTION_UNKNOWN,
            "fatal",
            f"{problem} No Schematron rules were applied. Rule sets for {root_name}: "
            f"{', '.join(candidates)} (force one with transaction=/--transaction).",
            "transaction",
            location=_CUSTOMIZATION_LOCATION,
        )
    ]


_CUSTOMIZATION_LOCATION = "/*/*[local-name()='CustomizationID']"


# --------------------------------------------------------------------------------------------------
# Compiled artefacts, cached per process.

_lock = threading.Lock()
_thread = threading.local()
_processor: PySaxonProcessor | None = None
_executables: dict[Path, PyXsltExecutable] = {}
_schemas: dict[Path, tuple[etree.XMLSchema, threading.Lock]] = {}


def _saxon() -> PySaxonProcessor:
    global _processor
    if _processor is None:
        with _lock:
            if _processor is None:
                from saxonche import PySaxonProcessor

                _processor = PySaxonProcessor(license=False)
    return _processor


# The compiled Schematron files (ISO skeleton) contain, once per pattern,
#     <svrl:active-pattern …><xsl:apply-templates/></svrl:active-pattern>
# which walks the whole document in the default mode, where the only templates are the built-in ones and
# an empty text() template: a walk that outputs nothing, repeated 13 times by the Peppol billing rules.
# This wrapper imports the official file unchanged and ends that walk at the root element. Template
# rules in other modes, and the "/" template, are untouched, so the SVRL output is byte-identical (the
# tests compare it with the plain file).
_SKIP_EMPTY_WALK = """<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="{href}"/>
  <xsl:template match="*"/>
</xsl:stylesheet>"""


def _compile(path: Path) -> PyXsltExecutable:
    compiler = _saxon().new_xslt30_processor()
    if path == resources.RENDER_XSLT:
        return compiler.compile_stylesheet(stylesheet_file=str(path))
    return compiler.compile_stylesheet(stylesheet_text=_SKIP_EMPTY_WALK.format(href=path.as_uri()))


def _executable(path: Path) -> PyXsltExecutable:
    """The compiled stylesheet for this thread (compiled once per process, cloned per thread)."""
    clones: dict[Path, PyXsltExecutable] | None = getattr(_thread, "executables", None)
    if clones is None:
        clones = _thread.executables = {}
    executable = clones.get(path)
    if executable is None:
        compiled = _executables.get(path)
        if compiled is None:
            _saxon()  # outside the lock: it takes the same lock
            with _lock:
                compiled = _executables.get(path)
                if compiled is None:
                    compiled = _executables[path] = _compile(path)
        executable = clones[path] = compiled.clone()
        # Only the SVRL content matters; indenting megabytes of svrl:fired-rule lines costs time.
        executable.set_property("!indent", "no")
    return executable


def _document_builder() -> Any:
    builder = getattr(_thread, "builder", None)
    if builder is None:
        builder = _thread.builder = _saxon().new_document_builder()
    return builder


def _schema(path: Path) -> tuple[etree.XMLSchema, threading.Lock]:
    entry = _schemas.get(path)
    if entry is None:
        with _lock:
            entry = _schemas.get(path)
            if entry is None:
                # The schemas are our own bundled files; no network so nothing outside is fetched.
                parser = etree.XMLParser(no_network=True, resolve_entities=False)
                entry = (etree.XMLSchema(etree.parse(str(path), parser)), threading.Lock())
                _schemas[path] = entry
    return entry


def warm_up(rule_sets: Iterable[str] | None = None) -> None:
    """Compile the stylesheets and schemas of the given rule sets (all by default) ahead of time."""
    names = list(RULE_SETS) if rule_sets is None else [normalize_transaction(n) for n in rule_sets]
    for name in names:
        rule_set = RULE_SETS[name]
        for _, path in rule_set.stylesheets:
            _executable(path)
        if rule_set.ubl_version == "2.1":
            for root in rule_set.roots:
                _schema(resources.ubl21_schema_path(root))


# --------------------------------------------------------------------------------------------------
# Layers


def _xsd_findings(tree: etree._ElementTree, root_name: str, rule_set: RuleSet | None) -> list[Finding]:
    if rule_set is not None and rule_set.ubl_version != "2.1":
        return [
            Finding(
                RULE_XSD_UNAVAILABLE,
                "warning",
                f"{rule_set.name} ({rule_set.title}) is based on UBL {rule_set.ubl_version}, and no "
                f"UBL {rule_set.ubl_version} schema is available, so the XSD check was skipped; the "
                "Schematron rules were applied.",
                "xsd",
            )
        ]
    path = resources.ubl21_schema_path(root_name)
    if not path.is_file():
        return [
            Finding(
                RULE_XSD_UNAVAILABLE,
                "warning",
                f"No UBL 2.1 schema for {root_name} is bundled, so the XSD check was skipped.",
                "xsd",
            )
        ]
    schema, lock = _schema(path)
    with lock:
        if schema.validate(tree):
            return []
        entries: list[Any] = list(cast(Iterable[Any], schema.error_log))
    return [
        Finding(
            RULE_XSD,
            "fatal",
            _short_names(entry.message),
            "xsd",
            location=entry.path or None,
            line=entry.line or None,
            # libxml2 reports column 0 when it does not know the column.
            column=entry.column or None,
        )
        for entry in entries
    ]


_UBL_PREFIXES = {
    f"{{{UBL_NS_PREFIX}CommonAggregateComponents-2}}": "cac:",
    f"{{{UBL_NS_PREFIX}CommonBasicComponents-2}}": "cbc:",
    f"{{{UBL_NS_PREFIX}CommonExtensionComponents-2}}": "ext:",
}
_CLARK_UBL = re.compile("|".join(re.escape(ns) for ns in _UBL_PREFIXES))


def _short_names(message: str) -> str:
    """Write UBL element names as cac:/cbc:/ext: instead of libxml2's {namespace} form."""
    return _CLARK_UBL.sub(lambda m: _UBL_PREFIXES[m.group(0)], message)


_RULE_PREFIX = re.compile(r"^\s*\[([^\]]+)\]\s*-\s*")
_WHITESPACE = re.compile(r"\s+")
_FLAG_SEVERITY: dict[str, Severity] = {
    "fatal": "fatal",
    "error": "fatal",
    "warning": "warning",
    "warn": "warning",
    "information": "warning",
    "info": "warning",
}
_SVRL_RESULTS = (f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report")


def _svrl_findings(svrl: str, layer: Layer) -> Iterator[Finding]:
    # A valid document's SVRL is mostly svrl:fired-rule lines (about 2 KB per invoice line). When
    # neither result element name occurs anywhere in the text there is nothing to report, and the
    # parse, tens of megabytes for a 10,000-line invoice, can be skipped.
    if "failed-assert" not in svrl and "successful-report" not in svrl:
        return
    # SVRL is produced by our own stylesheet run; its size is bounded by the (already size-checked)
    # document, but it can exceed libxml2's default text limits for very large documents.
    parser = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(svrl.encode("utf-8"), parser)
    for element in root.iterchildren(*_SVRL_RESULTS):  # the fired-rule lines are skipped in C
        rule = element.get("id") or element.get("role") or "SCHEMATRON"
        # The official files only use "fatal" and "warning". Schematron without a flag means a plain
        # assertion failure, which Peppol treats as an error, so anything unknown is fatal.
        severity = _FLAG_SEVERITY.get((element.get("flag") or "fatal").strip().lower(), "fatal")
        text = _WHITESPACE.sub(" ", element.findtext(f"{{{SVRL}}}text") or "").strip()
        prefix = _RULE_PREFIX.match(text)
        if prefix and prefix.group(1) == rule:
            text = text[prefix.end() :]
        yield Finding(rule, severity, text or rule, layer, location=element.get("location"))


def _saxon_node(data: bytes, tree: etree._ElementTree) -> PyXdmNode:
    # saxonche parses a Python str; the encoding lxml detected decodes it (utf-8-sig drops a BOM).
    # Parsing the original text once and sharing the node between both stylesheets is cheaper than
    # any conversion from the lxml tree.
    encoding = (tree.docinfo.encoding or "utf-8").lower()
    try:
        text = data.decode("utf-8-sig" if encoding in {"utf-8", "utf8"} else encoding)
    except (LookupError, UnicodeDecodeError):
        text = etree.tostring(tree, encoding="unicode")
    return _document_builder().parse_xml(xml_text=text)


def _schematron_findings(node: PyXdmNode, path: Path, layer: Layer) -> list[Finding]:
    from saxonche import PySaxonApiError

    try:
        svrl = _executable(path).transform_to_string(xdm_node=node)
    except PySaxonApiError as exc:
        return [
            Finding(
                RULE_SCHEMATRON_ERROR,
                "fatal",
                f"The rules in {path.name} could not be applied: {exc}",
                layer,
            )
        ]
    if svrl is None:
        return [Finding(RULE_SCHEMATRON_ERROR, "fatal", f"{path.name} produced no SVRL report.", layer)]
    return list(_svrl_findings(svrl, layer))


# --------------------------------------------------------------------------------------------------
# Entry points


def validate(data: bytes, *, transaction: str | None = None, max_bytes: int | None = None) -> Report:
    """Validate one document. ``transaction`` forces a rule set (see the module docstring).

    Raises ``ValueError`` only for an unknown ``transaction`` name; every problem with the document
    itself is reported as a finding.
    """
    if transaction is not None:
        normalize_transaction(transaction)
    try:
        tree = xmlsafe.parse_bytes(data, max_bytes=max_bytes)
    except xmlsafe.XmlSafetyError as exc:
        return Report(None, None, None, [_xml_finding(exc)])
    root = tree.getroot()
    qname = etree.QName(root)
    root_name = qname.localname
    from avrop.edi import cii

    if cii.is_cii(root):  # EN 16931 in the CII syntax: the CEN CII rules (see avrop.edi.cii)
        return cii.validate_tree(data, tree)
    raw_id = root.findtext(f"{{{CBC}}}CustomizationID")
    customization_id = raw_id.strip() if raw_id is not None else None

    if qname.namespace != f"{UBL_NS_PREFIX}{root_name}-2" or root_name not in SUPPORTED_ROOTS:
        return Report(
            root_name,
            customization_id,
            None,
            [
                Finding(
                    RULE_DOCUMENT_TYPE,
                    "fatal",
                    f"The root element {{{qname.namespace or ''}}}{root_name} is not a supported UBL "
                    f"document; supported are {', '.join(sorted(SUPPORTED_ROOTS))} in their UBL "
                    "namespaces.",
                    "xml",
                    location=f"/*[local-name()='{root_name}']",
                    line=xmlsafe.source_line(root),
                )
            ],
        )

    rule_set, findings = _choose_rule_set(root_name, customization_id, transaction)
    findings.extend(_xsd_findings(tree, root_name, rule_set))
    if rule_set is not None:
        node = _saxon_node(data, tree)
        for layer, path in rule_set.stylesheets:
            findings.extend(_schematron_findings(node, path, layer))
    return Report(root_name, customization_id, rule_set.name if rule_set else None, findings)


def validate_file(
    path: str | Path, *, transaction: str | None = None, max_bytes: int | None = None
) -> Report:
    """:func:`validate` for a file; the size is checked with ``stat`` before anything is read."""
    try:
        data = xmlsafe.read_file_limited(path, max_bytes=max_bytes)
    except xmlsafe.XmlSafetyError as exc:
        return Report(None, None, None, [_xml_finding(exc)])
    return validate(data, transaction=transaction, max_bytes=max_bytes)


def _xml_finding(exc: xmlsafe.XmlSafetyError) -> Finding:
    rule = RULE_FILE if exc.code == xmlsafe.XmlErrorCode.UNREADABLE else str(exc.code)
    return Finding(rule, "fatal", exc.message, "xml", line=exc.line, column=exc.column)
