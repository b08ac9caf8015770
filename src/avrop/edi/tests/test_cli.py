"""``avrop edi`` / ``python -m avrop.edi``: exit codes, JSON shape, text output, rendering."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from avrop.edi import cli
from avrop.edi.tests._standards import BILLING_BASE_EXAMPLE, STANDARDS

CREDIT_NOTE = STANDARDS / "peppol-billing" / "examples" / "bis" / "base-creditnote-correction.xml"
SRC = Path(__file__).resolve().parents[3]


@pytest.fixture
def invalid_invoice(tmp_path: Path) -> Path:
    root = etree.fromstring(BILLING_BASE_EXAMPLE.read_bytes())
    total = root.find("{*}LegalMonetaryTotal/{*}LineExtensionAmount")
    due = root.find("{*}DueDate")
    assert total is not None and due is not None
    total.text = "1"
    root.remove(due)
    root.append(due)  # wrong place: XSD error with a line number
    path = tmp_path / "invalid invoice.xml"
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_valid_file_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", str(BILLING_BASE_EXAMPLE))
    assert code == 0
    assert out == f"{BILLING_BASE_EXAMPLE}: valid (Invoice, billing) - 0 fatal, 0 warnings\n"


def test_invalid_file_exits_1_with_readable_text(
    capsys: pytest.CaptureFixture[str], invalid_invoice: Path
) -> None:
    code, out, _ = run(capsys, "validate", str(invalid_invoice), str(BILLING_BASE_EXAMPLE))
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"{invalid_invoice}: INVALID (Invoice, billing) - ")
    assert any(line.startswith("  fatal   XSD [xsd] ") and "(line " in line for line in lines)
    br = next(line for line in lines if " BR-CO-10 " in line)
    assert "[cen]" in br and "at /Invoice[1]/cac:LegalMonetaryTotal[1]" in br
    assert lines[-1] == "2 files: 1 valid, 1 invalid"


def test_json_is_one_object_per_line(capsys: pytest.CaptureFixture[str], invalid_invoice: Path) -> None:
    code, out, _ = run(
        capsys, "validate", "--format", "json", str(BILLING_BASE_EXAMPLE), str(invalid_invoice)
    )
    assert code == 1
    first, second = (json.loads(line) for line in out.splitlines())
    assert first == {
        "file": str(BILLING_BASE_EXAMPLE),
        "document_type": "Invoice",
        "customization_id": "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
        "transaction": "billing",
        "valid": True,
        "findings": [],
    }
    assert second["valid"] is False
    xsd = next(f for f in second["findings"] if f["rule"] == "XSD")
    assert set(xsd) == {"rule", "severity", "layer", "message", "location", "line", "column"}
    assert isinstance(xsd["line"], int)
    cen = next(f for f in second["findings"] if f["rule"] == "BR-CO-10")
    assert set(cen) == {"rule", "severity", "layer", "message", "location"}
    assert cen["severity"] == "fatal"
    assert cen["location"].startswith("/*:Invoice[namespace-uri()=")


def test_missing_file_is_reported_and_others_still_validated(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nope.xml"
    code, out, _ = run(capsys, "validate", "--format", "json", str(missing), str(BILLING_BASE_EXAMPLE))
    assert code == 1
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["valid"] is False
    assert [f["rule"] for f in first["findings"]] == ["FILE"]
    assert second["valid"] is True


def test_forced_transaction(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "validate", "--format", "json", "--transaction", "T01", str(BILLING_BASE_EXAMPLE)
    )
    assert code == 1
    rules = {f["rule"] for f in json.loads(out)["findings"]}
    assert {"TRANSACTION-ROOT", "TRANSACTION-MISMATCH"} <= rules


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["validate"],
        ["validate", "--transaction", "T99", "x.xml"],
        ["validate", "--format", "xml", "x.xml"],
        ["render", "x.xml"],
        ["render", "x.xml", "--html", "--pdf"],
        ["frobnicate"],
    ],
    ids=[
        "nothing",
        "no-files",
        "bad-transaction",
        "bad-format",
        "render-no-kind",
        "render-two-kinds",
        "unknown",
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert "usage: avrop edi" in err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", "--help")
    assert code == 0
    assert "--transaction" in out and "T116" in out


def test_size_limit_option(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", "--max-bytes", "100", str(BILLING_BASE_EXAMPLE))
    assert code == 1
    assert "XML-TOO-LARGE" in out


@pytest.mark.parametrize("source", [BILLING_BASE_EXAMPLE, CREDIT_NOTE], ids=["invoice", "credit-note"])
def test_render_html(capsys: pytest.CaptureFixture[str], tmp_path: Path, source: Path) -> None:
    out_file = tmp_path / "out.html"
    code, _, err = run(capsys, "render", str(source), "--html", "-o", str(out_file))
    assert code == 0, err
    html = out_file.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE HTML>")
    document_id = etree.fromstring(source.read_bytes()).findtext("{*}ID")
    assert document_id and document_id in html


def test_render_pdf(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file = tmp_path / "out.pdf"
    code, _, err = run(capsys, "render", str(BILLING_BASE_EXAMPLE), "--pdf", "-o", str(out_file))
    assert code == 0, err
    assert out_file.read_bytes().startswith(b"%PDF-")


def test_render_refuses_non_invoice(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    order = STANDARDS / "peppol-poacc" / "examples" / "bis" / "Order use cases" / "UC3_Order.xml"
    code, out, err = run(capsys, "render", str(order), "--html", "-o", str(tmp_path / "x.html"))
    assert code == 1
    assert "cannot render" in err and "Order" in err
    assert not (tmp_path / "x.html").exists()


def _python_m(*args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-m", "avrop.edi", *args], capture_output=True, env=env, timeout=120
    )


def test_python_m_validate() -> None:
    done = _python_m("validate", "--format", "json", str(BILLING_BASE_EXAMPLE))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["valid"] is True


def test_python_m_render_html_to_stdout() -> None:
    done = _python_m("render", str(BILLING_BASE_EXAMPLE), "--html")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"<!DOCTYPE HTML>")
    assert b"Snippet1" in done.stdout


def test_python_m_usage_error() -> None:
    done = _python_m("validate")
    assert done.returncode == 2
    assert b"usage: python -m avrop.edi validate" in done.stderr


def test_closed_pipe_is_not_a_crash() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    files = [str(BILLING_BASE_EXAMPLE)] * 40
    with subprocess.Popen(
        [sys.executable, "-m", "avrop.edi", "validate", *files],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()  # like `| head -1`
        errors = process.stderr.read()
        code = process.wait(timeout=120)
    assert first.startswith(str(BILLING_BASE_EXAMPLE).encode())
    assert b"Traceback" not in errors
    assert code in {0, 1}
