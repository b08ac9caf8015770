"""avrop's validation agrees with the official artefacts applied directly, on every official example.

The reference below is written plainly from the README of the standards collection the artefacts come
from ("How to apply the files", quoted in ``standards/SOURCE.md``): lxml + the UBL 2.1 XSD, then saxonche +
the compiled Schematron, each official file applied as it is (not through avrop's pipeline). Those files
are the ones bundled in ``avrop/edi/rules``; ``standards/SHA256SUMS`` holds the digests of the official
files they were copied from, and the last test checks every copy against them. The reference's only
interpretation beyond the README is that a document for which the README names no rule set is not valid.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lxml import etree

from avrop.edi import cli, validation
from avrop.edi.resources import RULES_DIR
from avrop.edi.tests._standards import STANDARDS, example_files

SVRL = "{http://purl.oclc.org/dsdl/svrl}"
POACC_BY_NAME = {
    "order": "T01",
    "order_response": "T76",
    "order_agreement": "T110",
    "despatch_advice": "T16",
    "catalogue": "T19",
    "catalogue_response": "T58",
    "mlr": "T71",
    "invoice_response": "T111",
    "punch_out": "T77",
    "order_change": "T114",
    "order_cancellation": "T115",
    "order_response_advanced": "T116",
}
UBL_23_TRANSACTIONS = {"T114", "T115", "T116"}  # README: no UBL 2.3 XSD in the collection
SELF_BILLING = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:selfbilling:3.0"

# Rule ids that avrop's pipeline adds itself (transaction choice, missing schema); everything else
# must be exactly what the official artefacts say.
PIPELINE_RULES = {
    validation.RULE_TRANSACTION_UNKNOWN,
    validation.RULE_TRANSACTION_MISMATCH,
    validation.RULE_TRANSACTION_ROOT,
    validation.RULE_DOCUMENT_TYPE,
    validation.RULE_XSD_UNAVAILABLE,
}

EXAMPLES = example_files()


@dataclass
class Verdict:
    valid: bool
    fatal: set[str] = field(default_factory=set)
    warnings: set[str] = field(default_factory=set)
    has_rules: bool = True


class Reference:
    """The official artefacts applied directly, exactly as the collection's README describes."""

    def __init__(self) -> None:
        from saxonche import PySaxonProcessor

        self.saxon = PySaxonProcessor(license=False)
        self.compiler = self.saxon.new_xslt30_processor()
        self.stylesheets: dict[str, object] = {}
        self.schemas: dict[str, etree.XMLSchema] = {}
        self.verdicts: dict[Path, Verdict] = {}

    def stylesheet(self, relative: str):  # noqa: ANN201 (saxonche has no type stubs)
        if relative not in self.stylesheets:
            self.stylesheets[relative] = self.compiler.compile_stylesheet(
                stylesheet_file=str(RULES_DIR / relative)
            )
        return self.stylesheets[relative]

    def schema(self, root: str) -> etree.XMLSchema | None:
        # The schemas avrop bundles (the roots it validates); for any other root there is no XSD check.
        path = RULES_DIR / "ubl-2.1" / "xsd" / "maindoc" / f"UBL-{root}-2.1.xsd"
        if not path.is_file():
            return None
        if root not in self.schemas:
            self.schemas[root] = etree.XMLSchema(etree.parse(str(path)))
        return self.schemas[root]

    def verdict(self, path: Path) -> Verdict:
        if path not in self.verdicts:
            self.verdicts[path] = self._check(path)
        return self.verdicts[path]

    def _check(self, path: Path) -> Verdict:
        tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
        root = etree.QName(tree.getroot()).localname
        customization = (tree.getroot().findtext("{*}CustomizationID") or "").strip()
        match = re.fullmatch(r"urn:fdc:peppol\.eu:poacc:trns:([a-z_]+):3.*", customization)
        transaction = POACC_BY_NAME.get(match.group(1)) if match else None

        verdict = Verdict(valid=True)
        if transaction not in UBL_23_TRANSACTIONS:
            schema = self.schema(root)
            if schema is not None and not schema.validate(tree):
                verdict.fatal.add("XSD")

        if root in {"Invoice", "CreditNote"}:
            peppol = "PEPPOL-EN16931-UBL-SB.xslt" if customization.startswith(SELF_BILLING) else None
            stylesheets = [
                "en16931/xslt/EN16931-UBL-validation.xslt",
                f"peppol-2026.5/xslt/{peppol or 'PEPPOL-EN16931-UBL.xslt'}",
            ]
        elif transaction is not None:
            stylesheets = [f"peppol-2026.5/xslt/PEPPOLBIS-{transaction}.xslt"]
        else:
            stylesheets = []
            verdict.has_rules = False

        node = self.saxon.parse_xml(xml_file_name=str(path))
        for relative in stylesheets:
            svrl = etree.fromstring(self.stylesheet(relative).transform_to_string(xdm_node=node).encode())
            for failed in svrl.iter(f"{SVRL}failed-assert", f"{SVRL}successful-report"):
                target = verdict.warnings if failed.get("flag") == "warning" else verdict.fatal
                target.add(failed.get("id", ""))
        verdict.valid = verdict.has_rules and not verdict.fatal
        return verdict


@pytest.fixture(scope="module")
def reference() -> Reference:
    return Reference()


def _id(path: Path) -> str:
    return str(path.relative_to(STANDARDS))


def test_collection_has_all_example_families() -> None:
    families = {path.relative_to(STANDARDS).parts[:3] for path in EXAMPLES}
    assert len(EXAMPLES) >= 180
    assert ("peppol-billing", "examples", "snippets") in families
    assert ("peppol-billing", "examples", "national") in families
    assert ("en16931", "examples", "testfiles") in families
    assert ("ubl-2.1", "examples", "UBL-Order-2.1-Example.xml") in families
    assert any(" " in path.parent.name for path in EXAMPLES), "POACC folders with spaces are covered"


@pytest.mark.parametrize("path", EXAMPLES, ids=_id)
def test_same_verdict_and_rules_as_official_artefacts(path: Path, reference: Reference) -> None:
    expected = reference.verdict(path)
    report = validation.validate(path.read_bytes())

    assert report.valid == expected.valid, [f.to_dict() for f in report.fatal]
    assert report.rules("fatal") - PIPELINE_RULES == expected.fatal
    assert report.rules("warning") - PIPELINE_RULES == expected.warnings
    if not expected.has_rules:
        assert report.rules("fatal") & {validation.RULE_TRANSACTION_UNKNOWN, validation.RULE_DOCUMENT_TYPE}


def test_known_results_from_the_readme(reference: Reference) -> None:
    """The README's "Known results": a guard that the reference itself is applied correctly."""
    billing = [p for p in EXAMPLES if p.relative_to(STANDARDS).parts[0] == "peppol-billing"]
    invalid = {
        p.relative_to(STANDARDS).as_posix(): reference.verdict(p).fatal
        for p in billing
        if not reference.verdict(p).valid
    }
    tax_rep = "peppol-billing/examples/national/GR/GR-base-example-TaxRepresentative.xml"
    assert "BR-06" in invalid[tax_rep]
    assert all(name.startswith("peppol-billing/examples/national/GR/") for name in invalid)
    assert all(fatal <= {"BR-06", "XSD"} for fatal in invalid.values())

    # README: "28 of 29 fail Peppol with PEPPOL-COMMON-R049 / SE-R-013". Precisely, 28 fail; 27 of them
    # on the Luhn check, and ubl-tc434-test-1.xml, a plain CEN (not Peppol) invoice, on other rules.
    swedish = [p for p in EXAMPLES if p.parent.name == "testfiles"]
    failing = [p.name for p in swedish if not reference.verdict(p).valid]
    luhn = [p.name for p in swedish if reference.verdict(p).fatal & {"PEPPOL-COMMON-R049", "SE-R-013"}]
    assert len(swedish) == 29
    assert len(failing) == 28
    assert sorted(set(failing) - set(luhn)) == ["ubl-tc434-test-1.xml"]

    poacc = [p for p in EXAMPLES if p.relative_to(STANDARDS).parts[0] == "peppol-poacc"]
    assert len(poacc) == 105
    assert all(not reference.verdict(p).fatal - {"XSD"} for p in poacc)


def test_cli_json_agrees_on_all_examples(reference: Reference) -> None:
    """One CLI call for every example (compiles once) gives the reference verdict for each file."""
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main(["validate", "--format", "json", *map(str, EXAMPLES)])
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [Path(item["file"]) for item in lines] == EXAMPLES
    expected_valid = [reference.verdict(path).valid for path in EXAMPLES]
    assert [item["valid"] for item in lines] == expected_valid
    assert code == (0 if all(expected_valid) else 1)
    for path, item in zip(EXAMPLES, lines, strict=True):
        fatal = {f["rule"] for f in item["findings"] if f["severity"] == "fatal"}
        assert fatal - PIPELINE_RULES == reference.verdict(path).fatal, path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _official_digests() -> dict[str, str]:
    """``standards/SHA256SUMS``: the official files' digests, taken from the collection when copying."""
    lines = (STANDARDS / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    return {name: digest for digest, _, name in (line.partition("  ") for line in lines)}


def test_bundled_rules_and_examples_are_unchanged_official_files() -> None:
    official = _official_digests()
    bundled = {p.relative_to(RULES_DIR).as_posix(): p for p in RULES_DIR.rglob("*") if p.is_file()}
    del bundled["SOURCES.md"]
    copies = {p.relative_to(STANDARDS).as_posix(): p for p in STANDARDS.rglob("*") if p.is_file()}
    del copies["SOURCE.md"], copies["SHA256SUMS"]
    assert len(bundled) == 14 + 9 + 1 + 1 + 14 + 17 + 1 + 39 + 54 + 1  # as listed in SOURCES.md
    assert len(copies) == len(EXAMPLES) + 2  # the examples, one more UBL schema, the EUPL text
    assert set(bundled) | set(copies) == set(official)
    pairs = [*bundled.items(), *copies.items()]
    changed = [name for name, path in pairs if _digest(path) != official[name]]
    assert changed == []
