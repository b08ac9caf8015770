"""Read price-list files row by row without loading them whole: CSV, XLSX and Peppol Catalogue (T19).

Each reader yields ``(line, cells, action)`` and knows the headers it found. Problems that make the
whole file unusable (wrong encoding, no header, a required column missing, an invalid T19) raise
``SourceError`` naming the file, the line and the column.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from django.utils import translation
from django.utils.translation import gettext as _

from avrop.catalogue.imports.fields import FIELD_BY_KEY, REQUIRED, match_headers
from avrop.core import spreadsheets

csv.field_size_limit(1024 * 1024)
_CHUNK = 1024 * 1024


class SourceError(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        *,
        line: int | None = None,
        column: str = "",
        findings: list[Any] | None = None,
        document_id: str = "",
    ) -> None:
        super().__init__(message)
        self.document_id = document_id
        self.code = code
        self.message = message
        self.line = line
        self.column = column
        self.findings = findings or []


@dataclass
class Source:
    """An opened price-list file: its headers and a row iterator."""

    format: str
    headers: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # field → the header the file uses
    unused: list[str] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""
    partial: bool = False  # a T19 update: items not mentioned stay as they are
    meta: dict[str, Any] = field(default_factory=dict)
    # Spreadsheet rows are yielded as cell lists with the field positions here (a dict per row would cost
    # more than recognising an unchanged row); Peppol lines are yielded as {field: value} with no positions.
    positions: dict[str, int] | None = None
    width: int = 0
    rows: Iterator[tuple[int, Any, str, int | None]] = iter(())
    # Hashes of records known to be unchanged; set by the caller before iterating (CSV and XLSX).
    known: Any = frozenset()


def sniff_format(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(512)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):
        return "peppol"
    return "csv"


def _line_of(path: Path, offset: int) -> int:
    with path.open("rb") as handle:
        return handle.read(offset).count(b"\n") + 1


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when every byte decodes, else Windows-1252; anything else is refused."""
    with path.open("rb") as handle:
        first = handle.read(3)
    candidates = ["utf-8-sig"] if first.startswith(codecs.BOM_UTF8) else ["utf-8", "cp1252"]
    failure: tuple[str, int] | None = None
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        offset = 0
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    decoder.decode(chunk)
                    offset += len(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            failure = (encoding, offset + exc.start)
            continue
        return encoding
    assert failure is not None
    encoding, position = failure
    raise SourceError(
        "encoding",
        _("The file is neither UTF-8 nor Windows-1252: byte %(byte)s cannot be read. Save it as UTF-8 CSV.")
        % {"byte": position},
        line=_line_of(path, position),
    )


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _require(columns: dict[str, int], headers: list[str]) -> None:
    missing = [FIELD_BY_KEY[k].header for k in REQUIRED if k not in columns]
    if missing:
        raise SourceError(
            "missing_columns",
            _("Required columns are missing: %(missing)s. The file has: %(found)s.")
            % {
                "missing": ", ".join(missing),
                "found": ", ".join(str(h) for h in headers if str(h).strip())[:500],
            },
            line=1,
        )


class _Feeder:
    """Hands csv.reader the lines of one record at a time, so records are parsed only when needed."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __iter__(self) -> _Feeder:
        return self

    def __next__(self) -> str:
        if not self.lines:
            raise StopIteration
        return self.lines.pop(0)


def record_digest(record: bytes) -> int:
    """The hash of one CSV record's bytes as written (without the line end)."""
    return int.from_bytes(hashlib.blake2b(record, digest_size=8).digest(), "big")


def open_csv(path: Path, *, saved: dict[str, str] | None = None) -> Source:
    """Read records as bytes; a record whose hash is in ``source.known`` is yielded unparsed (cells None).

    Records spanning lines (a quoted field with a line break) are joined until their quotes balance.
    """
    encoding = detect_encoding(path)
    with path.open("r", encoding=encoding, newline="") as text:
        first = text.readline()
    if not first.strip():
        raise SourceError("empty", _("The file is empty."), line=1)
    delimiter = _delimiter(first)
    try:
        headers = next(csv.reader([first], delimiter=delimiter))
    except csv.Error as exc:
        raise SourceError("broken_header", str(exc), line=1) from None
    positions, unused = match_headers(headers, saved)
    _require(positions, headers)
    width = len(headers)
    source = Source(
        format="csv",
        headers=headers,
        columns={k: headers[p] for k, p in positions.items()},
        unused=unused,
        encoding=encoding,
        delimiter=delimiter,
        positions=positions,
        width=width,
    )
    decode_as = "utf-8" if encoding == "utf-8-sig" else encoding

    def rows() -> Iterator[tuple[int, list[str] | None, str, int]]:
        known = source.known
        blake2b = hashlib.blake2b
        from_bytes = int.from_bytes
        feeder = _Feeder()
        reader = csv.reader(feeder, delimiter=delimiter)
        line = 1
        start = 1
        pending: list[bytes] = []
        quotes = 0
        with path.open("rb") as handle:
            handle.readline()
            for physical in handle:
                line += 1
                if not pending and b'"' not in physical:
                    # The common record: one line without quotes.
                    start = line
                    record = physical.rstrip(b"\r\n")
                else:
                    if not pending:
                        start = line
                        quotes = 0
                    pending.append(physical)
                    quotes += physical.count(b'"')
                    if quotes % 2:
                        continue  # inside a quoted field that goes on on the next line
                    record = pending[0] if len(pending) == 1 else b"".join(pending)
                    pending = []
                    record = record.rstrip(b"\r\n")
                if not record or record.isspace():
                    continue
                digest = from_bytes(blake2b(record, digest_size=8).digest(), "big")
                if digest in known:
                    yield start, None, "", digest
                    continue
                feeder.lines = record.decode(decode_as).splitlines(keepends=True) or [""]
                try:
                    cells = next(reader)
                except (csv.Error, StopIteration) as exc:
                    raise SourceError(
                        "broken_row", _("The row cannot be read: %(error)s.") % {"error": exc}, line=start
                    ) from None
                except UnicodeDecodeError:
                    raise SourceError(
                        "encoding", _("The row is not correctly encoded."), line=start
                    ) from None
                yield start, cells, "", digest
            if pending:
                raise SourceError(
                    "broken_row", _("A quoted field is not closed before the end of the file."), line=start
                )

    source.rows = rows()
    return source


def open_xlsx(path: Path, *, saved: dict[str, str] | None = None) -> Source:
    """The sheet Prislista, else the first; checked against the spreadsheet limits before it is read."""
    try:
        with spreadsheets.reading():
            iterator = iter(spreadsheets.read_sheet(path, prefer="Prislista").iter_rows())
    except spreadsheets.SpreadsheetRefused as exc:
        raise SourceError(exc.code, exc.message) from None
    line = 0
    headers: list[str] = []
    for row in iterator:
        line += 1
        if any(str(c).strip() for c in row):
            headers = [str(c).strip() for c in row]
            break
    if not headers:
        raise SourceError("empty", _("The file is empty."), line=1)
    positions, unused = match_headers(headers, saved)
    _require(positions, headers)
    header_line = line

    from avrop.catalogue.imports.rows import _text

    source = Source(
        format="xlsx",
        headers=headers,
        columns={k: headers[p] for k, p in positions.items()},
        unused=unused,
        positions=positions,
        width=len(headers),
    )

    def rows() -> Iterator[tuple[int, list[str] | None, str, int]]:
        # A row's hash is taken over the cells as the spreadsheet library gives them (``repr`` of the list,
        # done in C), so that a row known from the last import is recognised without converting a cell.
        # Other rows' cells become text here, once, as a CSV reader would give them (numbers without a
        # trailing .0), so that staging takes the same path for both formats.
        known = source.known
        blake2b = hashlib.blake2b
        from_bytes = int.from_bytes
        number = header_line
        for row in iterator:
            number += 1
            digest = from_bytes(blake2b(repr(row).encode(), digest_size=8).digest(), "big")
            if digest in known:
                yield number, None, "", digest
                continue
            cells = [c if c.__class__ is str else _text(c) for c in row]
            if not any(cells):
                continue
            yield number, cells, "", digest

    source.rows = rows()
    return source


UNSPSC_LISTS = {"TST", "MP"}
ECLASS_LISTS = {"STQ"}


def _catalogue_line_values(line: Any) -> dict[str, Any]:
    item = line.item
    raw: dict[str, Any] = {
        "article_number": item.sellers_item_id or "",
        "name": item.name or "",
        "description": " ".join(item.descriptions),
        "brand": item.brand_names[0] if item.brand_names else "",
        "keywords": ", ".join(item.keywords),
    }
    standard = item.standard_item_id
    if standard is not None and (standard.scheme_id in (None, "0160")):
        raw["gtin"] = standard.value
    for classification in item.commodity_classifications:
        code = classification.item_classification_code
        if code is None:
            continue
        if code.list_id in UNSPSC_LISTS and "unspsc" not in raw:
            raw["unspsc"] = code.value
        elif code.list_id in ECLASS_LISTS and "eclass" not in raw:
            raw["eclass"] = code.value
    tiers = []
    for location in line.required_item_location_quantities:
        price = location.price
        if price is None:
            continue
        minimum = location.minimum_quantity.value if location.minimum_quantity else None
        if "price" not in raw and (minimum is None or minimum <= 1):
            raw["price"] = price.price_amount.value
            raw["currency"] = price.price_amount.currency_id
            if price.base_quantity is not None:
                raw["price_quantity"] = price.base_quantity.value
                raw.setdefault("unit", price.base_quantity.unit_code or "")
        elif minimum is not None:
            tiers.append(f"{minimum}:{price.price_amount.value}")
        if location.lead_time_measure is not None and "lead_time_days" not in raw:
            raw["lead_time_days"] = location.lead_time_measure.value
    if tiers:
        raw["price_tiers"] = ";".join(tiers)
    if line.orderable_unit:
        raw["unit"] = line.orderable_unit
    if item.pack_size_numeric is not None:
        raw["pack_size"] = item.pack_size_numeric
    elif line.content_unit_quantity is not None:
        raw["pack_size"] = line.content_unit_quantity.value
    tax = item.classified_tax_category
    if tax is not None and tax.percent is not None:
        raw["vat_rate"] = tax.percent
    images = []
    for reference in item.item_specification_document_references:
        attachment = reference.attachment
        external = attachment.external_reference if attachment else None
        if external and external.uri:
            images.append(external.uri)
    raw["image_urls"] = " ".join(images)
    raw["eco_labels"] = ",".join(
        c.certificate_type_code
        for c in item.certificates
        if c.certificate_type.lower().startswith("environment")
    )
    return raw


def _iterparse(path: Path, events: tuple[Literal["start", "end"], ...], tag: str | None = None) -> Any:
    from lxml import etree

    # The hardened settings of avrop.edi.xmlsafe: no DTD, no entities, no network, no huge trees.
    return etree.iterparse(
        str(path),
        events=events,
        tag=tag,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
    )


def _document_id(data: bytes) -> str:
    from avrop.edi import xmlsafe

    try:
        root = xmlsafe.parse_bytes(data).getroot()
    except xmlsafe.XmlSafetyError:
        return ""
    return (root.findtext("{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}ID") or "")[
        :100
    ]


def open_peppol(path: Path, *, max_bytes: int | None = None) -> Source:
    """Validate the T19 with the official rules first, then stream its lines."""

    from avrop.edi import validation, xmlsafe
    from avrop.edi.documents import Catalogue, CatalogueLine
    from avrop.edi.documents._model import parse_node

    try:
        data = xmlsafe.read_file_limited(path, max_bytes=max_bytes)
    except xmlsafe.XmlSafetyError as exc:
        raise SourceError(str(exc.code), exc.message, line=exc.line) from None
    report = validation.validate(data)
    if report.document_type not in (None, "catalogue", "Catalogue") and report.transaction != "T19":
        raise SourceError(
            "not_a_catalogue",
            _("The document is not a Peppol Catalogue (T19)."),
            line=1,
            findings=report.findings,
        )
    if not report.valid:
        first = report.fatal[0]
        raise SourceError(
            "invalid_t19",
            _("The catalogue fails validation: %(rule)s %(message)s")
            % {"rule": first.rule, "message": first.message},
            line=first.line,
            column=(first.location or "")[:120],
            findings=report.findings,
            document_id=_document_id(data),
        )
    del data
    line_tag = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}CatalogueLine"
    root = None
    for event, element in _iterparse(path, ("start",)):
        if root is None:
            root = element
        if event == "start" and element.tag == line_tag:
            break
    assert root is not None
    for child in root.findall(line_tag):
        root.remove(child)
    header = parse_node(Catalogue, root)
    period = header.validity_period
    partial = (header.action_code or "").lower() == "update"
    meta = {
        "document_id": header.id,
        "contract": header.contract_reference or "",
        "valid_from": period.start_date if period else None,
        "valid_to": period.end_date if period else None,
        "version_id": header.version_id or "",
        "provider_endpoint": header.provider_party.endpoint_id,
        "receiver_endpoint": header.receiver_party.endpoint_id,
        "issue_date": header.issue_date,
    }

    def rows() -> Iterator[tuple[int, dict[str, Any], str, None]]:
        for _event, element in _iterparse(path, ("end",), tag=line_tag):
            number = element.sourceline or 0
            try:
                line = parse_node(CatalogueLine, element)
            except Exception as exc:  # a value the typed model cannot read (malformed date, amount)
                yield number, {"__broken__": str(exc)}, "", None
            else:
                yield number, _catalogue_line_values(line), (line.action_code or "").lower(), None
            element.clear(keep_tail=False)
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]

    return Source(
        format="peppol",
        partial=partial,
        meta=meta,
        rows=rows(),
        columns={k: f.header for k, f in FIELD_BY_KEY.items()},
    )


def open_source(path: Path, fmt: str, *, saved: dict[str, str] | None = None) -> Source:
    if fmt == "xlsx":
        return open_xlsx(path, saved=saved)
    if fmt == "peppol":
        return open_peppol(path)
    return open_csv(path, saved=saved)


class Opening:
    """A source being opened: a spreadsheet is read in a thread, the others when ``source()`` is called.

    The spreadsheet library reads the whole sheet before the first row is available and lets other
    threads run meanwhile, so the caller can load what it compares the rows with in the same time.
    CSV and Peppol files stream and open at once (Peppol validation stays on the calling thread).
    """

    def __init__(self, path: Path, fmt: str, *, saved: dict[str, str] | None = None) -> None:
        self._args = (path, fmt, saved)
        self._thread: threading.Thread | None = None
        self._result: Source | BaseException | None = None
        if fmt == "xlsx":
            language = translation.get_language()

            def read() -> None:
                try:
                    with translation.override(language):
                        self._result = open_source(path, fmt, saved=saved)
                except BaseException as exc:  # handed to the caller in source()
                    self._result = exc

            self._thread = threading.Thread(target=read, name="price-list-reader", daemon=True)
            self._thread.start()

    def source(self) -> Source:
        if self._thread is None:
            path, fmt, saved = self._args
            return open_source(path, fmt, saved=saved)
        self._thread.join()
        result, self._result = self._result, None
        if isinstance(result, BaseException):
            raise result
        assert result is not None
        return result
