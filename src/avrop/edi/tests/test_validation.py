"""The validation pipeline itself: layers, choice of rule set, reports, encodings, threads."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import pytest
from lxml import etree

from avrop.edi import validation
from avrop.edi.tests._standards import BILLING_BASE_EXAMPLE, STANDARDS
from avrop.edi.validation import RULE_SETS, Report, normalize_transaction, validate, validate_file

POACC = STANDARDS / "peppol-poacc" / "examples" / "bis"
ORDER = POACC / "Order use cases" / "UC3_Order.xml"
ORDER_CHANGE = POACC / "OrderChange_Example.xml"
CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
SELF_BILLING_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:selfbilling:3.0"


def _invoice() -> bytes:
    return BILLING_BASE_EXAMPLE.read_bytes()


def _with(data: bytes, **texts: str | None) -> bytes:
    """Change (or with None remove) top-level cbc elements, e.g. CustomizationID="…"."""
    root = etree.fromstring(data)
    for name, value in texts.items():
        element = root.find(f"{CBC}{name}")
        assert element is not None, name
        if value is None:
            root.remove(element)
        else:
            element.text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_valid_invoice_report() -> None:
    report = validate(_invoice())
    assert report.valid
    assert report.document_type == "Invoice"
    assert report.transaction == "billing"
    assert report.customization_id == RULE_SETS["billing"].customization_prefix
    assert report.findings == []
    data = report.to_dict()
    assert data == {
        "document_type": "Invoice",
        "customization_id": report.customization_id,
        "transaction": "billing",
        "valid": True,
        "findings": [],
    }


def test_every_layer_runs_after_an_xsd_failure() -> None:
    root = etree.fromstring(_invoice())
    # Element order broken (XSD) and line totals wrong (CEN BR-CO-10) and no buyer reference (Peppol).
    buyer_reference = root.find(f"{CBC}BuyerReference")
    due = root.find(f"{CBC}DueDate")
    line_total = root.find(f"{{*}}LegalMonetaryTotal/{CBC}LineExtensionAmount")
    assert buyer_reference is not None and due is not None and line_total is not None
    root.remove(buyer_reference)
    root.remove(due)
    root.append(due)
    line_total.text = "1"
    report = validate(etree.tostring(root))

    assert not report.valid
    layers = {f.layer for f in report.fatal}
    assert {"xsd", "cen", "peppol"} <= layers
    assert {"XSD", "BR-CO-10", "PEPPOL-EN16931-R003"} <= report.rules("fatal")
    xsd = next(f for f in report.findings if f.rule == "XSD")
    assert xsd.line is not None and xsd.line > 1
    assert xsd.location == "/*/cbc:DueDate"
    assert "cbc:DueDate" in xsd.message and "{urn:" not in xsd.message
    cen = next(f for f in report.findings if f.rule == "BR-CO-10")
    assert cen.location is not None and "LegalMonetaryTotal" in cen.location
    assert cen.message.startswith("Sum of Invoice line net amount")


def test_not_well_formed_stops_at_xml_layer() -> None:
    report = validate(_invoice()[:-40])
    assert not report.valid
    assert report.document_type is None
    [finding] = report.findings
    assert (finding.rule, finding.layer, finding.severity) == ("XML-WELLFORMED", "xml", "fatal")
    assert finding.line is not None and finding.column is not None
    assert finding.to_dict()["line"] == finding.line


def test_doctype_is_refused() -> None:
    data = _invoice().replace(b"<Invoice ", b'<!DOCTYPE Invoice [<!ENTITY x "y">]>\n<Invoice ', 1)
    report = validate(data)
    assert report.rules() == {"XML-DOCTYPE"}


def test_size_limit() -> None:
    report = validate(_invoice(), max_bytes=1000)
    assert report.rules() == {"XML-TOO-LARGE"}


def test_missing_file_is_a_file_finding(tmp_path: Path) -> None:
    report = validate_file(tmp_path / "missing.xml")
    assert not report.valid
    assert report.rules() == {"FILE"}
    assert "missing.xml" in report.findings[0].message


def test_validate_file_matches_validate() -> None:
    assert validate_file(BILLING_BASE_EXAMPLE).to_dict() == validate(_invoice()).to_dict()


def test_unsupported_root() -> None:
    report = validate(b'<Quotation xmlns="urn:oasis:names:specification:ubl:schema:xsd:Quotation-2"/>')
    assert report.rules() == {"DOCUMENT-TYPE"}
    assert report.document_type == "Quotation"
    assert "Invoice" in report.findings[0].message


def test_root_in_wrong_namespace() -> None:
    report = validate(b'<Invoice xmlns="urn:example"/>')
    assert report.rules() == {"DOCUMENT-TYPE"}


def test_invoice_without_customization_gets_billing_rules_and_a_fatal_finding() -> None:
    report = validate(_with(_invoice(), CustomizationID=None))
    assert report.transaction == "billing"
    unknown = [f for f in report.findings if f.rule == "TRANSACTION-UNKNOWN"]
    assert [f.severity for f in unknown] == ["fatal"]
    assert "missing" in unknown[0].message
    assert {"BR-01", "PEPPOL-EN16931-R004"} <= report.rules("fatal")


def test_order_with_unknown_customization_runs_xsd_only() -> None:
    report = validate(_with(ORDER.read_bytes(), CustomizationID="urn:example:order"))
    assert report.transaction is None
    assert report.rules() == {"TRANSACTION-UNKNOWN"}
    message = report.findings[0].message
    assert "'urn:example:order'" in message and "T01" in message and "--transaction" in message


def test_order_xsd_still_checked_without_rule_set() -> None:
    data = _with(ORDER.read_bytes(), CustomizationID="urn:example:order", IssueDate=None)
    assert validate(data).rules() == {"TRANSACTION-UNKNOWN", "XSD"}


def test_customization_naming_another_document_type() -> None:
    data = _with(ORDER.read_bytes(), CustomizationID="urn:fdc:peppol.eu:poacc:trns:order_response:3")
    report = validate(data)
    assert report.rules() == {"TRANSACTION-UNKNOWN"}
    assert "T76" in report.findings[0].message and "Order" in report.findings[0].message


@pytest.mark.parametrize(
    ("customization", "expected"),
    [
        ("urn:fdc:peppol.eu:poacc:trns:order:3", "T01"),
        ("  urn:fdc:peppol.eu:poacc:trns:order:3  ", "T01"),
        ("urn:fdc:peppol.eu:poacc:trns:order:3:extended:urn:example:ext", "T01"),
        ("urn:fdc:peppol.eu:poacc:trns:order:30", None),
        ("urn:fdc:peppol.eu:poacc:trns:order", None),
        ("x", None),
    ],
)
def test_customization_prefix_boundaries(customization: str, expected: str | None) -> None:
    report = validate(_with(ORDER.read_bytes(), CustomizationID=customization))
    assert report.transaction == expected
    assert report.customization_id == customization.strip()


def test_self_billing_customization_uses_self_billing_rules() -> None:
    data = _with(_invoice(), CustomizationID=SELF_BILLING_ID, InvoiceTypeCode="389")
    report = validate(data)
    assert report.transaction == "selfbilling"
    assert "PEPPOL-EN16931-R004" not in report.rules()
    forced = validate(data, transaction="billing")
    assert forced.transaction == "billing"
    assert "PEPPOL-EN16931-R004" in forced.rules("fatal")
    assert "TRANSACTION-MISMATCH" in forced.rules("warning")


def test_forcing_the_matching_transaction_changes_nothing() -> None:
    assert validate(ORDER.read_bytes(), transaction="t01").to_dict() == validate(ORDER.read_bytes()).to_dict()


def test_forced_transaction_with_wrong_customization_warns_and_official_rule_decides() -> None:
    data = _with(ORDER.read_bytes(), CustomizationID="urn:example:order")
    report = validate(data, transaction="T01")
    assert report.transaction == "T01"
    mismatch = [f for f in report.findings if f.rule == "TRANSACTION-MISMATCH"]
    assert [f.severity for f in mismatch] == ["warning"]
    assert "urn:fdc:peppol.eu:poacc:trns:order:3" in mismatch[0].message
    assert report.rules("fatal") == {"PEPPOL-T01-R034"}


def test_forced_transaction_for_another_root_is_fatal() -> None:
    report = validate(_invoice(), transaction="T76")
    assert "TRANSACTION-ROOT" in report.rules("fatal")
    assert "OrderResponse" in next(f.message for f in report.findings if f.rule == "TRANSACTION-ROOT")


def test_unknown_transaction_name() -> None:
    with pytest.raises(ValueError, match="Unknown transaction 'T99'.*billing"):
        validate(_invoice(), transaction="T99")
    assert normalize_transaction("Self-Billing") == "selfbilling"
    assert normalize_transaction("t110") == "T110"


def test_ubl23_transaction_skips_xsd_with_warning() -> None:
    report = validate(ORDER_CHANGE.read_bytes())
    assert report.valid
    assert report.transaction == "T114"
    [warning] = report.warnings
    assert warning.rule == "XSD-UNAVAILABLE" and warning.layer == "xsd"
    assert "UBL 2.3" in warning.message


def _same_findings(a: Report, b: Report) -> bool:
    return sorted((f.rule, f.location or "") for f in a.findings) == sorted(
        (f.rule, f.location or "") for f in b.findings
    )


@pytest.mark.parametrize("encoding", ["UTF-16", "ISO-8859-1"])
def test_other_encodings_give_the_same_result(encoding: str) -> None:
    data = _with(_invoice(), BuyerReference="Åsa Öberg", ProfileID="urn:wrong")
    expected = validate(data)
    assert "PEPPOL-EN16931-R007" in expected.rules()
    recoded = etree.tostring(etree.fromstring(data), xml_declaration=True, encoding=encoding)
    assert recoded != data
    assert _same_findings(validate(recoded), expected)


def test_utf8_bom_is_accepted() -> None:
    report = validate(b"\xef\xbb\xbf" + _invoice())
    assert report.valid, report.to_dict()


def test_saxon_failure_becomes_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    from saxonche import PySaxonApiError

    class Broken:
        def transform_to_string(self, **_: object) -> str:
            raise PySaxonApiError("boom")

    monkeypatch.setattr(validation, "_executable", lambda path: Broken())
    report = validate(_invoice())
    errors = [f for f in report.findings if f.rule == "SCHEMATRON-ERROR"]
    assert [f.layer for f in errors] == ["cen", "peppol"]
    assert all("boom" in f.message for f in errors)
    assert not report.valid


def test_threads_share_compiled_rules_safely() -> None:
    documents = [_invoice(), _with(_invoice(), ProfileID="urn:wrong"), ORDER.read_bytes()] * 4
    expected = [validate(d).to_dict() for d in documents]
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        results = [r.to_dict() for r in pool.map(validate, documents)]
    assert results == expected


def test_warm_up_compiles_the_named_rule_sets() -> None:
    validation.warm_up(["T58"])
    assert RULE_SETS["T58"].stylesheets[0][1] in validation._executables
    with pytest.raises(ValueError, match="Unknown transaction"):
        validation.warm_up(["nope"])


@pytest.mark.parametrize("rule_set", sorted(RULE_SETS), ids=str)
def test_wrapped_stylesheets_give_byte_identical_svrl(rule_set: str) -> None:
    """The wrapper that skips the ISO skeleton's empty default-mode walk changes no output."""
    saxon = validation._saxon()  # nodes cannot cross Saxon configurations
    compiler = saxon.new_xslt30_processor()
    examples = {
        "billing": [
            BILLING_BASE_EXAMPLE,
            STANDARDS / "en16931" / "examples" / "testfiles" / "Invoice-Max_content.xml",
        ],
        "selfbilling": [BILLING_BASE_EXAMPLE],
    }
    broken = _with(ORDER.read_bytes(), ID=None, CustomizationID="urn:wrong")  # many failed asserts
    documents = [p.read_bytes() for p in examples.get(rule_set, [ORDER])] + [broken, _invoice()]
    for _, path in RULE_SETS[rule_set].stylesheets:
        plain = compiler.compile_stylesheet(stylesheet_file=str(path))
        plain.set_property("!indent", "no")
        for data in documents:
            node = saxon.parse_xml(xml_text=data.decode("utf-8"))
            expected = plain.transform_to_string(xdm_node=node)
            assert validation._executable(path).transform_to_string(xdm_node=node) == expected


def test_package_exports() -> None:
    import avrop.edi as edi

    assert edi.validate is validate
    assert edi.validate_file is validate_file
    assert edi.Report is Report
    assert edi.Finding is validation.Finding
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        edi.nonexistent  # noqa: B018


def test_parse_and_build_come_from_documents() -> None:
    import avrop.edi as edi

    documents = pytest.importorskip(
        "avrop.edi.documents", reason="avrop.edi.documents (the typed documents package) is not importable"
    )
    assert edi.parse is documents.parse
    assert edi.build is documents.build
