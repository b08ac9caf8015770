"""Spreadsheets from outside are checked before the spreadsheet library reads them.

python-calamine (Rust) holds a sheet as one rectangle from its first to its last filled cell, and reserves
memory from counts the file declares (the shared-strings count, an XLS DIMENSIONS record, compound-file
headers). A 5 KB workbook with one cell at XFD1048576 makes it ask for 512 GB, and Rust aborts the process
when an allocation fails: no exception, the worker is simply gone. So every workbook is checked here first,
reading only what the check needs and never building the sheet:

- ZIP (XLSX, ODS): the number of parts, their unpacked size and how tightly they are packed (zip bombs).
- XLSX: each sheet's ``<dimension ref>``, then every row and cell reference of the sheet. A sheet written as
  Excel and the common libraries write it (every row and cell carrying its own ``r`` first) is checked by
  byte patterns (about a quarter of the library's own reading time); any other sheet by an XML parse that
  places cells without ``r`` as the library does. The shared-strings count must fit the size of its part.
- ODS: every filled cell, repeated rows and columns counted.
- XLS: the compound-file header and chains, each sheet's DIMENSIONS record and every cell record.

Anything beyond the limits is refused naming the sheet, the cell and the limit. Failures of the library
itself, including Rust panics (which Python sees as a ``BaseException``), become the same kind of refusal
through ``reading``, so that a broken file fails its import instead of the process.
"""

from __future__ import annotations

import functools
import io
import logging
import posixpath
import re
import struct
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

Source = Path | bytes

MAX_PARTS = 10_000
# Parts smaller than this may be packed as tightly as they like; a bomb needs size to do harm.
_RATIO_FLOOR = 1024 * 1024
_CHUNK = 4 * 1024 * 1024
_MAX_CARRY = 8 * 1024 * 1024
_MAX_SMALL_PART = 16 * 1024 * 1024
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SHEET_ROOTS = frozenset({"worksheet", "dialogsheet", "macrosheet", "chartsheet"})
_XLS_STREAMS = ("Workbook", "Book", "WORKBOOK", "BOOK")


class SpreadsheetRefused(Exception):
    """A workbook that will not be read; ``message`` is for people and names the sheet and the cell."""

    def __init__(self, code: str, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.too_large = too_large


@dataclass(frozen=True)
class Limits:
    rows: int
    columns: int
    unpacked_bytes: int
    packing_ratio: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            rows=settings.AVROP_SPREADSHEET_MAX_ROWS,
            columns=settings.AVROP_SPREADSHEET_MAX_COLUMNS,
            unpacked_bytes=settings.AVROP_SPREADSHEET_MAX_UNPACKED_BYTES,
            packing_ratio=settings.AVROP_SPREADSHEET_MAX_PACKING_RATIO,
        )


# --- messages ---------------------------------------------------------------------------------------------


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


def _size(value: int) -> str:
    return f"{_number(value // (1024 * 1024))} MB"


def unreadable() -> SpreadsheetRefused:
    return SpreadsheetRefused(
        "unreadable",
        _("The spreadsheet cannot be read. Save it again as an Excel workbook (XLSX) and upload it again."),
    )


def _beyond(
    limits: Limits, sheet: str, row: int, column: int, *, declared: bool = False
) -> SpreadsheetRefused:
    values = {
        "sheet": sheet,
        "cell": cell_name(row, column),
        "row": _number(row),
        "column": _number(column),
        "rows": _number(limits.rows),
        "columns": _number(limits.columns),
    }
    if declared:
        message = _(
            "The sheet “%(sheet)s” is marked as used up to cell %(cell)s (row %(row)s, column %(column)s); "
            "a spreadsheet may have at most %(rows)s rows and %(columns)s columns. Delete the empty rows and "
            "columns outside the data, or split the file."
        )
    else:
        message = _(
            "The sheet “%(sheet)s” has content in cell %(cell)s (row %(row)s, column %(column)s); a "
            "spreadsheet may have at most %(rows)s rows and %(columns)s columns. Delete what lies outside "
            "the data, or split the file."
        )
    return SpreadsheetRefused("too_many_cells", message % values, too_large=True)


# --- cell references --------------------------------------------------------------------------------------


def column_name(number: int) -> str:
    """1 → A, 27 → AA, 16384 → XFD."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(row: int, column: int) -> str:
    return f"{column_name(column)}{row}" if column else str(row)


_REFERENCE = re.compile(rb"([A-Za-z]*)([0-9]+)")


def _parse_reference(value: bytes) -> tuple[int, int] | None:
    """(row, column), 1-based, of a reference such as ``B12`` (column 0 for a bare row number), read as the
    library reads one: letters, then digits, nothing else. Anything else makes the library fail cleanly."""
    found = _REFERENCE.fullmatch(value)
    if found is None:
        return None
    column = 0
    for letter in found.group(1).upper():
        column = column * 26 + letter - 64
    return int(found.group(2)), column


def _check(limits: Limits, sheet: str, row: int, column: int) -> None:
    if row > limits.rows or column > limits.columns:
        raise _beyond(limits, sheet, row, column)


# --- entry points -----------------------------------------------------------------------------------------


def check_spreadsheet(source: Source, *, limits: Limits | None = None) -> None:
    """Raise ``SpreadsheetRefused`` unless every sheet of the workbook fits the limits."""
    limits = limits or Limits.from_settings()
    stream: IO[bytes] = source.open("rb") if isinstance(source, Path) else io.BytesIO(source)
    with stream:
        head = stream.read(8)
        stream.seek(0)
        is_zip = zipfile.is_zipfile(stream)
        stream.seek(0)
        if not is_zip and head != _OLE:
            raise unreadable()
        if is_zip:
            _check_zip(stream, limits)
            stream.seek(0)
        if head == _OLE:
            stream.seek(0, io.SEEK_END)
            if stream.tell() > limits.unpacked_bytes:
                raise _too_big(limits)
            stream.seek(0)
            _check_xls(stream.read(), limits)


@contextmanager
def reading() -> Iterator[None]:
    """Turn any failure of the spreadsheet library into ``SpreadsheetRefused``.

    pyo3 raises a Rust panic as ``PanicException``, a ``BaseException``; it is caught here too, while
    interrupts and exits go on."""
    try:
        yield
    except SpreadsheetRefused:
        raise
    except BaseException as exc:
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise
        logger.warning("Spreadsheet library failed: %s: %s", type(exc).__name__, exc)
        raise unreadable() from None


def read_sheet(source: Source, *, prefer: str = "", limits: Limits | None = None) -> Any:
    """The checked workbook's sheet named ``prefer`` when there is one, else its first sheet (a calamine
    sheet, read whole)."""
    check_spreadsheet(source, limits=limits)
    from python_calamine import CalamineWorkbook

    with reading():
        workbook = (
            CalamineWorkbook.from_path(str(source))
            if isinstance(source, Path)
            else CalamineWorkbook.from_filelike(io.BytesIO(source))
        )
        if prefer and prefer in workbook.sheet_names:
            return workbook.get_sheet_by_name(prefer)
        return workbook.get_sheet_by_index(0)


# --- ZIP: XLSX and ODS ------------------------------------------------------------------------------------


def _too_big(limits: Limits) -> SpreadsheetRefused:
    return SpreadsheetRefused(
        "too_big_unpacked",
        _("The file unpacks to more than %(limit)s, more than a spreadsheet may. Split the file.")
        % {"limit": _size(limits.unpacked_bytes)},
        too_large=True,
    )


def _check_zip(stream: IO[bytes], limits: Limits) -> None:
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise unreadable() from None
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise SpreadsheetRefused(
                "too_many_parts",
                _("The file holds more than %(limit)s parts; it is no spreadsheet that can be read.")
                % {"limit": _number(MAX_PARTS)},
                too_large=True,
            )
        total = 0
        for part in parts:
            total += part.file_size
            if part.file_size > _RATIO_FLOOR and part.file_size > limits.packing_ratio * max(
                part.compress_size, 1
            ):
                raise SpreadsheetRefused(
                    "zip_bomb",
                    _(
                        "The file is packed far more tightly than a spreadsheet ever is (%(ratio)s to 1, at "
                        "most %(limit)s to 1) and is refused as a possible zip bomb."
                    )
                    % {
                        "ratio": _number(part.file_size // max(part.compress_size, 1)),
                        "limit": _number(limits.packing_ratio),
                    },
                    too_large=True,
                )
        if total > limits.unpacked_bytes:
            raise _too_big(limits)
        names = {part.filename for part in parts}
        if any(name.lower() == "xl/workbook.bin" for name in names):
            raise SpreadsheetRefused(
                "xlsb",
                _(
                    "The file is an Excel binary workbook (XLSB), which is not read. Save it as an Excel "
                    "workbook (XLSX) and upload it again."
                ),
            )
        try:
            _check_zip_parts(archive, parts, limits)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, _XmlError):
            raise unreadable() from None


def _xml_parse_error() -> type[Exception]:
    from lxml import etree

    return etree.XMLSyntaxError


class _XmlError(Exception):
    """An XML part that cannot be parsed; the file is refused as unreadable."""


def _iterparse(stream: IO[bytes], events: tuple[Literal["start", "end"], ...], tag: Any = None) -> Any:
    from lxml import etree

    return etree.iterparse(
        stream,
        events=events,
        tag=tag,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _looks_like_xml(head: bytes) -> bool:
    stripped = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    return stripped.startswith(b"<") or head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00<" in head[:4]


def _root(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> Any:
    """The root element (with its attributes, without children) of an XML part, or None for other parts."""
    with archive.open(part) as stream:
        head = stream.read(16)
    if not _looks_like_xml(head):
        return None
    with archive.open(part) as stream:
        try:
            for _event, element in _iterparse(stream, ("start",)):
                return element
        except _xml_parse_error():
            raise _XmlError() from None
    return None


def _small_xml(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> Any:
    from lxml import etree

    if part.file_size > _MAX_SMALL_PART:
        raise _XmlError()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(archive.read(part), parser)
    except etree.XMLSyntaxError:
        raise _XmlError() from None


def _workbook_parts(archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo]) -> tuple[dict[str, str], str]:
    """The parts the library reads as sheets (part name → sheet name) and its shared-strings part, found as
    the library finds them: the folder of the package's office document, sheet targets relative to it
    unless absolute, part names matched without regard to case."""
    by_name = {part.filename.replace("\\", "/").lower(): part for part in parts}

    def find(path: str) -> zipfile.ZipInfo | None:
        return by_name.get(path.replace("\\", "/").lower())

    package = find("_rels/.rels")
    if package is None:
        return {}, ""
    document = next(
        (
            element.get("Target") or ""
            for element in _small_xml(archive, package).iter()
            if _local(element.tag) == "Relationship"
            and (element.get("Type") or "").endswith("/officeDocument")
        ),
        "",
    )
    folder = document[: document.rfind("/") + 1].removeprefix("/")
    workbook, relations = find(f"{folder}workbook.xml"), find(f"{folder}_rels/workbook.xml.rels")
    strings = find(f"{folder}sharedStrings.xml")
    if workbook is None or relations is None:
        return {}, strings.filename if strings else ""
    targets = {
        element.get("Id"): element.get("Target") or ""
        for element in _small_xml(archive, relations).iter()
        if _local(element.tag) == "Relationship"
    }
    names: dict[str, str] = {}
    for element in _small_xml(archive, workbook).iter():
        if _local(element.tag) != "sheet":
            continue
        for key, value in element.attrib.items():
            if _local(key) == "id" and (target := targets.get(value)):
                part = find(target[1:] if target.startswith("/") else f"{folder}{target}")
                if part is not None:
                    names[part.filename] = element.get("name") or target
    return names, strings.filename if strings else ""


def _check_zip_parts(archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo], limits: Limits) -> None:
    names, strings = _workbook_parts(archive, parts)
    sheets = 0
    for part in parts:
        if part.is_dir() or part.file_size == 0:
            continue
        if part.filename == "content.xml":
            sheets += 1
            with archive.open(part) as stream:
                _check_ods(stream, limits)
            continue
        if part.filename == strings:
            _check_shared_strings(archive, part)
            continue
        listed = part.filename in names
        try:
            root = _root(archive, part)
        except _XmlError:
            # A part no reader takes as a sheet may be any kind of XML (legacy VML is often not well formed).
            if listed:
                raise
            continue
        if root is None and listed:
            raise _XmlError()
        if listed or (root is not None and _local(root.tag) in _SHEET_ROOTS):
            sheets += 1
            sheet = names.get(part.filename) or posixpath.basename(part.filename)
            _check_xlsx_sheet(functools.partial(archive.open, part), sheet, limits)
    if not sheets:
        raise unreadable()


def _check_shared_strings(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    """The library reserves room for the declared number of strings (on the first ``sst`` element, wherever
    it is) before reading one of them; a part can hold at most one string per four bytes."""
    with archive.open(part) as stream:
        try:
            for _event, element in _iterparse(stream, ("start",), tag="{*}sst"):
                declared = (element.get("uniqueCount") or "").strip()
                if declared.isdigit() and int(declared) > part.file_size // 4 + 1000:
                    raise unreadable()
                return
        except _xml_parse_error():
            raise _XmlError() from None


# --- XLSX sheets ------------------------------------------------------------------------------------------


def _at_most_number(limit: int) -> str:
    """A pattern for the whole numbers 1..limit written without leading zeros."""
    text = str(limit)
    width = len(text)
    choices = [f"[1-9][0-9]{{0,{width - 2}}}"] if width > 1 else []
    for index, digit in enumerate(text):
        low = 1 if index == 0 else 0
        if int(digit) > low:
            choices.append(f"{text[:index]}[{low}-{int(digit) - 1}][0-9]{{{width - index - 1}}}")
    choices.append(text)
    return "(?:" + "|".join(choices) + ")"


def _letter_class(first: str, last: str) -> str:
    return f"[{first}-{last}{first.lower()}-{last.lower()}]"


def _at_most_column(limit: int) -> str:
    """A pattern for the column letters A..column_name(limit), either case."""
    text = column_name(limit)
    width = len(text)
    choices = [f"[A-Za-z]{{1,{width - 1}}}"] if width > 1 else []
    for index, letter in enumerate(text):
        if letter > "A":
            prefix = "".join(_letter_class(c, c) for c in text[:index])
            choices.append(
                f"{prefix}{_letter_class('A', chr(ord(letter) - 1))}[A-Za-z]{{{width - index - 1}}}"
            )
    choices.append("".join(_letter_class(c, c) for c in text))
    return "(?:" + "|".join(choices) + ")"


@dataclass(frozen=True)
class _Patterns:
    # Any attribute ``r`` (any spacing, either quote, duplicates too) whose value is not a reference
    # within the limits; each match is then read exactly.
    outside: re.Pattern[bytes]
    # Cell tags that do not start with their own ``r``, and prefixed ones: their position follows from the
    # tags before them, so the sheet is checked by a parse instead. (Rows place only such cells.)
    irregular: tuple[re.Pattern[bytes], ...]


@functools.lru_cache(maxsize=8)
def _patterns(rows: int, columns: int) -> _Patterns:
    inside = f"(?:{_at_most_column(columns)})?{_at_most_number(rows)}[\"']".encode()
    return _Patterns(
        outside=re.compile(rb"r\s*=\s*([\"'])(?!" + inside + rb")"),
        irregular=(
            re.compile(rb"<c(?:[>/\t\n\r]| (?!r\s*=))"),
            re.compile(rb":c[\s/>]"),
        ),
    )


_DIMENSION = re.compile(rb"dimension\b[^>]*?\sref\s*=\s*[\"']([^\"']{1,200})[\"']")
_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']+)[\"']")
_PLAIN_ENCODINGS = {b"utf-8", b"utf8", b"us-ascii", b"ascii"}


class _Irregular(Exception):
    """The sheet is not in the canonical form the byte patterns rely on."""


def _check_dimension(value: bytes, sheet: str, limits: Limits) -> None:
    last = _parse_reference(value.split(b":")[-1].replace(b"$", b""))
    if last is not None and (last[0] > limits.rows or last[1] > limits.columns):
        raise _beyond(limits, sheet, last[0], last[1], declared=True)


def _check_xlsx_sheet(open_part: Callable[[], IO[bytes]], sheet: str, limits: Limits) -> None:
    try:
        with open_part() as stream:
            _scan_sheet_bytes(stream, sheet, limits)
    except _Irregular:
        with open_part() as stream:
            _scan_sheet_xml(stream, sheet, limits)


def _scan_sheet_bytes(stream: IO[bytes], sheet: str, limits: Limits) -> None:
    patterns = _patterns(limits.rows, limits.columns)
    first = True
    before_data = True
    carry = b""
    while chunk := stream.read(_CHUNK):
        data = carry + chunk
        if first:
            first = False
            head = data[:4].removeprefix(b"\xef\xbb\xbf")
            if b"\x00" in head or data.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise _Irregular()
            declared = _DECLARED_ENCODING.match(data.removeprefix(b"\xef\xbb\xbf")[:500])
            if declared and declared.group(1).strip().lower() not in _PLAIN_ENCODINGS:
                raise _Irregular()
        cut = data.rfind(b">") + 1
        if not cut:
            if len(data) > _MAX_CARRY:
                raise _Irregular()
            carry = data
            continue
        if before_data:
            start = data.find(b"sheetData", 0, cut)
            end = start if start >= 0 else cut
            dimension = _DIMENSION.search(data, 0, end)
            if dimension:
                _check_dimension(dimension.group(1), sheet, limits)
                before_data = False
            elif start >= 0:
                before_data = False
        for pattern in patterns.irregular:
            if pattern.search(data, 0, cut):
                raise _Irregular()
        for found in patterns.outside.finditer(data, 0, cut):
            if data.rfind(b">", 0, found.start()) > data.rfind(b"<", 0, found.start()):
                continue  # text of a cell, not an attribute (text cannot hold a "<")
            close = data.find(found.group(1), found.end(), cut)
            if close < 0:
                raise _Irregular()
            position = _parse_reference(data[found.end() : close])
            # A bare number is a row's; every cell here has its own reference (a cell's without letters
            # makes the library fail).
            if position is not None and position[1]:
                _check(limits, sheet, *position)
        carry = data[cut:]


def _scan_sheet_xml(stream: IO[bytes], sheet: str, limits: Limits) -> None:
    """Every row and cell, placed as the library places them: a cell without ``r`` follows the cell before
    it, a row without ``r`` the row before it."""
    row, column = 1, 1
    try:
        for event, element in _iterparse(stream, ("start", "end")):
            name = _local(element.tag)
            if event == "start":
                if name == "c":
                    reference = element.get("r")
                    position = _parse_reference(reference.encode()) if reference is not None else None
                    if position is not None and position[1]:
                        column = position[1]
                        _check(limits, sheet, *position)
                    else:
                        _check(limits, sheet, row, column)
                elif name == "row":
                    reference = element.get("r")
                    position = _parse_reference(reference.encode()) if reference is not None else None
                    if position is not None:
                        row = position[0]
                elif name == "dimension":
                    _check_dimension((element.get("ref") or "").encode(), sheet, limits)
            elif name == "c":
                column += 1
            elif name == "row":
                row, column = row + 1, 1
                element.clear()
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
    except _xml_parse_error():
        raise _XmlError() from None


# --- ODS --------------------------------------------------------------------------------------------------


def _attribute(element: Any, local: str) -> str | None:
    # The library matches ODS names with their usual prefixes, whatever namespace those are bound to, so
    # names are matched here by their local part, in any namespace.
    return next((value for key, value in element.attrib.items() if _local(key) == local), None)


def _repeat(element: Any, attribute: str) -> int:
    value = (_attribute(element, attribute) or "1").strip()
    return int(value) if value.isdigit() and int(value) > 0 else 1


def _check_ods(stream: IO[bytes], limits: Limits) -> None:
    """Every filled cell of every table, with repeated rows and columns counted."""
    sheet, row = "", 1
    try:
        for event, element in _iterparse(stream, ("start", "end"), tag=["{*}table", "{*}table-row"]):
            if _local(element.tag) == "table":
                if event == "start":
                    sheet, row = _attribute(element, "name") or "", 1
                continue
            if event == "start":
                continue
            rows = _repeat(element, "number-rows-repeated")
            column = 1
            for cell in element:
                if _local(cell.tag) not in ("table-cell", "covered-table-cell"):
                    continue
                columns = _repeat(cell, "number-columns-repeated")
                if _attribute(cell, "value-type") is not None or len(cell):
                    _check(limits, sheet, row + rows - 1, column + columns - 1)
                column += columns
            row += rows
            element.clear()
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
    except _xml_parse_error():
        raise _XmlError() from None


# --- XLS (BIFF in a compound file) ------------------------------------------------------------------------

_END_OF_CHAIN = 0xFFFFFFFE
_RESERVED = 0xFFFFFFFA


def _u16(data: bytes, offset: int) -> int:
    return int(struct.unpack_from("<H", data, offset)[0])


def _u32(data: bytes, offset: int) -> int:
    return int(struct.unpack_from("<I", data, offset)[0])


class _CompoundFile:
    """Just enough of the compound file format to find the workbook stream as the library finds it, refusing
    headers the library would allocate from and chains that loop."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 512:
            raise unreadable()
        shift = _u16(data, 30)
        if shift not in (9, 12) or _u16(data, 32) != 6:
            raise unreadable()
        self.data = data
        self.size = 1 << shift
        self.sectors = len(data) // self.size
        fat_count = _u32(data, 44)
        # The library reserves room from these header fields before checking them against the file.
        if fat_count > self.sectors + 1 or _u32(data, 62) > 1 << 24:
            raise unreadable()
        difat = [_u32(data, 76 + 4 * i) for i in range(109)]
        sector, seen = _u32(data, 68), set()
        while sector < _RESERVED:
            if sector in seen or sector >= self.sectors:
                raise unreadable()
            seen.add(sector)
            entries = [_u32(self.sector(sector), 4 * i) for i in range(self.size // 4)]
            difat.extend(entries[:-1])
            sector = entries[-1]
        fat = b"".join(self.sector(s) for s in difat if s < 0xFFFFFFFC)
        self.fat = [_u32(fat, 4 * i) for i in range(len(fat) // 4)]
        directory = self.chain(_u32(data, 48), self.fat, self.sector)
        self.entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
        if not self.entries:
            raise unreadable()
        self.mini_fat: list[int] = []
        self.mini_stream = b""
        if _u32(data, 64) > 0:
            root = self.entries[0]
            self.mini_stream = self.chain(_u32(root, 116), self.fat, self.sector)[: self._length(root)]
            mini_fat = self.chain(_u32(data, 60), self.fat, self.sector)
            self.mini_fat = [_u32(mini_fat, 4 * i) for i in range(len(mini_fat) // 4)]

    def sector(self, number: int) -> bytes:
        if number >= self.sectors:
            raise unreadable()
        start = (number + 1) * self.size
        return self.data[start : start + self.size]

    def mini_sector(self, number: int) -> bytes:
        return self.mini_stream[number * 64 : number * 64 + 64]

    def chain(self, start: int, table: list[int], read: Callable[[int], bytes]) -> bytes:
        parts, seen, sector = [], set(), start
        while sector != _END_OF_CHAIN:
            if sector in seen or sector >= len(table):
                raise unreadable()
            seen.add(sector)
            parts.append(read(sector))
            sector = table[sector]
        return b"".join(parts)

    def _length(self, entry: bytes) -> int:
        return _u32(entry, 120) if self.size == 512 else int(struct.unpack_from("<Q", entry, 120)[0])

    def streams(self, names: tuple[str, ...]) -> list[bytes]:
        """Every stream with one of these names (the library takes the first it can read)."""
        found = []
        for entry in self.entries:
            # Named as the library names entries: 64 bytes of UTF-16, cut at the first NUL.
            if entry[:64].decode("utf-16-le", errors="replace").split("\x00", 1)[0] not in names:
                continue
            size = self._length(entry)
            if size < 4096:
                found.append(self.chain(_u32(entry, 116), self.mini_fat, self.mini_sector)[:size])
            else:
                found.append(self.chain(_u32(entry, 116), self.fat, self.sector)[:size])
        return found


def _records(stream: bytes, start: int) -> Iterator[tuple[int, bytes]]:
    position = start
    while position + 4 <= len(stream):
        kind, length = _u16(stream, position), _u16(stream, position + 2)
        yield kind, stream[position + 4 : position + 4 + length]
        position += 4 + length


def _sheet_name(record: bytes) -> str:
    if len(record) < 8:
        return ""
    count, flags = record[6], record[7]
    if flags & 1:
        return record[8 : 8 + 2 * count].decode("utf-16-le", errors="replace")
    return record[8 : 8 + count].decode("latin-1")


_XLS_CELLS = frozenset({0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006})


def _check_xls(data: bytes, limits: Limits) -> None:
    streams = _CompoundFile(data).streams(_XLS_STREAMS)
    if not streams:
        raise unreadable()
    for stream in streams:
        _check_xls_stream(stream, limits)


def _check_xls_stream(stream: bytes, limits: Limits) -> None:
    sheets: list[tuple[int, str]] = []
    for kind, record in _records(stream, 0):
        if kind == 0x0085 and len(record) >= 6:
            sheets.append((_u32(record, 0), _sheet_name(record)))
        elif kind == 0x000A:
            break
    for start, name in sheets:
        if start >= len(stream):
            raise unreadable()
        depth = 0
        for kind, record in _records(stream, start):
            if kind == 0x0809:
                depth += 1
            elif kind == 0x000A:
                depth -= 1
                if depth <= 0:
                    break
            elif kind == 0x0200:
                _check_xls_dimensions(record, name, limits)
            elif kind in _XLS_CELLS and len(record) >= 4:
                _check(limits, name, _u16(record, 0) + 1, _u16(record, 2) + 1)
            elif kind == 0x00BD and len(record) >= 6:
                row = _u16(record, 0) + 1
                _check(limits, name, row, _u16(record, 2) + 1)
                _check(limits, name, row, _u16(record, len(record) - 2) + 1)


def _check_xls_dimensions(record: bytes, sheet: str, limits: Limits) -> None:
    if len(record) == 10:
        first_row, last_row, first_column, last_column = struct.unpack_from("<HHHH", record)
    elif len(record) == 14:
        first_row, last_row, first_column, last_column = struct.unpack_from("<IIHH", record)
    else:
        return
    if last_row < 1 or last_column < 1:
        return
    if first_column > 0xFF or last_column < first_column:
        first_column = 0
    # The library reserves (last - first + 1) rows, which wraps around when first is past last.
    if first_row > last_row - 1:
        raise unreadable()
    if last_row > limits.rows or last_column > limits.columns:
        raise _beyond(limits, sheet, last_row, last_column, declared=True)
