"""``avrop edi …`` (also ``python -m avrop.edi …``): validate and render Peppol documents.

    avrop edi validate FILE... [--format text|json] [--transaction NAME] [--max-bytes N]
    avrop edi render FILE (--html|--pdf) [-o OUT] [--language en|no]

Exit codes
    0  every file is valid (validate) / the output was written (render)
    1  at least one file is invalid, or the document cannot be rendered. A file that does not exist
       or cannot be read is reported like an invalid document, with a fatal finding of rule ``FILE``,
       so that one bad path in a batch does not hide the verdicts on the other files
    2  usage error (unknown option or transaction, missing arguments)

JSON output is one object per file and line::

    {"file": ..., "document_type": ..., "customization_id": ..., "transaction": ..., "valid": ...,
     "findings": [{"rule", "severity", "layer", "message", "location"[, "line", "column"]}]}
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from avrop.edi import xmlsafe
from avrop.edi.validation import RULE_SETS, Finding, Report, normalize_transaction, validate_file

__all__ = ["main"]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


def _transaction(value: str) -> str:
    try:
        return normalize_transaction(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Peppol BIS 3 / UBL 2.1 tools.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser(
        "validate",
        help="validate documents (XSD, CEN EN 16931, Peppol 2026.5)",
        description="Validate documents against the UBL 2.1 XSD and the official Schematron rules. "
        "Exit code 0 when every file is valid, 1 otherwise.",
    )
    check.add_argument("files", nargs="+", type=Path, metavar="FILE")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument(
        "--transaction",
        type=_transaction,
        metavar="|".join(RULE_SETS),
        help="apply this rule set whatever the CustomizationID says",
    )
    check.add_argument(
        "--max-bytes",
        type=int,
        default=xmlsafe.DEFAULT_MAX_BYTES,
        help="refuse larger files (default %(default)s)",
    )

    render = commands.add_parser(
        "render",
        help="render an invoice or credit note as HTML or PDF",
        description="Render with OpenPeppol's presentation stylesheet (HTML) and WeasyPrint (PDF).",
    )
    render.add_argument("file", type=Path, metavar="FILE")
    kind = render.add_mutually_exclusive_group(required=True)
    kind.add_argument("--html", action="store_const", const="html", dest="kind")
    kind.add_argument("--pdf", action="store_const", const="pdf", dest="kind")
    render.add_argument("-o", "--output", type=Path, help="output file (default: standard output)")
    render.add_argument("--language", choices=("en", "no"), default="en", help="label language")
    return parser


# SVRL locations spell every step as *:Name[namespace-uri()='…'][n]; people read cac:Name[n] better.
_SVRL_STEP = re.compile(r"\*:([\w.-]+)\[namespace-uri\(\)='([^']*)'\]")
_PREFIXES = {
    "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2": "cac:",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2": "cbc:",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2": "ext:",
}


def short_location(location: str) -> str:
    """Shorten an SVRL location for people.

    ``/*:Invoice[namespace-uri()='…Invoice-2'][1]/*:ID[namespace-uri()='…CBC…'][1]`` becomes
    ``/Invoice[1]/cbc:ID[1]``.
    """
    return _SVRL_STEP.sub(lambda m: _PREFIXES.get(m.group(2), "") + m.group(1), location)


def _finding_text(finding: Finding) -> str:
    where = []
    if finding.line is not None:
        where.append(f"line {finding.line}" + (f":{finding.column}" if finding.column else ""))
    if finding.location:
        where.append(f"at {short_location(finding.location)}")
    suffix = f" ({', '.join(where)})" if where else ""
    return f"  {finding.severity:<7} {finding.rule} [{finding.layer}] {finding.message}{suffix}"


def _write_text(out: TextIO, path: Path, report: Report) -> None:
    kind = ", ".join(x for x in (report.document_type, report.transaction) if x)
    fatal, warnings = len(report.fatal), len(report.warnings)
    verdict = "valid" if report.valid else "INVALID"
    out.write(
        f"{path}: {verdict}{f' ({kind})' if kind else ''} - {fatal} fatal, "
        f"{warnings} warning{'s' if warnings != 1 else ''}\n"
    )
    # Fatal first: that is what a reader acts on.
    for finding in sorted(report.findings, key=lambda f: f.severity != "fatal"):
        out.write(_finding_text(finding) + "\n")


def _validate(args: argparse.Namespace, out: TextIO) -> int:
    invalid = 0
    for path in args.files:
        report = validate_file(path, transaction=args.transaction, max_bytes=args.max_bytes)
        if not report.valid:
            invalid += 1
        if args.format == "json":
            out.write(json.dumps({"file": str(path), **report.to_dict()}, ensure_ascii=False) + "\n")
        else:
            _write_text(out, path, report)
        out.flush()
    if args.format == "text" and len(args.files) > 1:
        out.write(f"{len(args.files)} files: {len(args.files) - invalid} valid, {invalid} invalid\n")
    return EXIT_INVALID if invalid else EXIT_OK


def _render(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from avrop.edi.render import RenderError, render_html, render_pdf

    try:
        data = xmlsafe.read_file_limited(args.file)
        if args.kind == "html":
            content: bytes = render_html(data, language=args.language).encode("utf-8")
        else:
            content = render_pdf(data, language=args.language)
    except (xmlsafe.XmlSafetyError, RenderError) as exc:
        err.write(f"{args.file}: cannot render: {exc}\n")
        return EXIT_INVALID
    if args.output is None:
        if args.kind == "pdf" and sys.stdout.isatty():
            err.write("Refusing to write a PDF to a terminal; use -o FILE or redirect the output.\n")
            return EXIT_USAGE
        out.flush()
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
    else:
        args.output.write_bytes(content)
    return EXIT_OK


def main(argv: Sequence[str] | None = None, *, prog: str = "avrop edi") -> int:
    """Run the command line; returns the exit code instead of exiting."""
    parser = _parser(prog)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on usage errors (2) and after --help (0)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        if args.command == "validate":
            return _validate(args, sys.stdout)
        return _render(args, sys.stdout, sys.stderr)
    except BrokenPipeError:
        # The reader went away (``… | head``): not an error of ours. Point stdout at devnull so that
        # the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_INVALID
