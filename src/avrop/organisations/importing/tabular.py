"""Read CSV and spreadsheet files into rows keyed by canonical column names.

CSV: the encoding is detected (UTF-8 with or without BOM, else Windows-1252, which is what Excel in Sweden
writes), and the delimiter is ``;`` (Swedish Excel) or ``,`` or a tab, whichever the header line uses.
Spreadsheets (XLSX, XLS, ODS) are read with python-calamine, the first sheet, once ``core.spreadsheets`` has
checked that they fit the limits.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from avrop.core import spreadsheets
from avrop.core.errors import DomainError
from avrop.organisations.errors import Code

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str
    value: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "message": self.message, "value": self.value[:100]}


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]
    encoding: str = ""
    delimiter: str = ""
    unknown_columns: list[str] = field(default_factory=list)


def decode_text(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _raw_rows(filename: str, data: bytes) -> tuple[list[list[str]], str, str]:
    if filename.lower().endswith(SPREADSHEET_SUFFIXES):
        try:
            with spreadsheets.reading():
                sheet = spreadsheets.read_sheet(data)
                rows = [[_cell(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
        except spreadsheets.SpreadsheetRefused as exc:
            code = Code.IMPORT_TOO_LARGE if exc.too_large else Code.IMPORT_FILE_UNREADABLE
            raise DomainError(code, exc.message, field="file") from None
        return rows, "", ""
    text, encoding = decode_text(data)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max([";", ",", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [[cell.strip() for cell in row] for row in reader]
    except csv.Error as exc:
        raise DomainError(
            Code.IMPORT_FILE_UNREADABLE,
            _("The CSV file cannot be read: %(error)s") % {"error": exc},
            field="file",
        ) from None
    return rows, encoding, delimiter


def _normal(name: str) -> str:
    return " ".join(name.strip().lower().replace("_", " ").replace("-", " ").split())


def read_table(filename: str, data: bytes, aliases: Mapping[str, list[str]], required: list[str]) -> Table:
    """Rows numbered as in the file (header = row 1), keyed by the canonical names in ``aliases``."""
    rows, encoding, delimiter = _raw_rows(filename, data)
    header_index = next((i for i, row in enumerate(rows) if any(row)), None)
    if header_index is None:
        raise DomainError(Code.IMPORT_FILE_UNREADABLE, _("The file is empty."), field="file")
    lookup = {_normal(alias): key for key, names in aliases.items() for alias in [key, *names]}
    header = rows[header_index]
    columns = [lookup.get(_normal(name), "") for name in header]
    missing = [key for key in required if key not in columns]
    if missing:
        raise DomainError(
            Code.IMPORT_FILE_UNREADABLE,
            _("Columns missing in the first row: %(columns)s. Found: %(found)s.")
            % {"columns": ", ".join(missing), "found": ", ".join(h for h in header if h) or "–"},
            field="file",
        )
    table = Table(
        columns=[c for c in columns if c],
        rows=[],
        encoding=encoding,
        delimiter=delimiter,
        unknown_columns=[h for h, c in zip(header, columns, strict=True) if h and not c],
    )
    for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if not any(row):
            continue
        values = {key: (row[i] if i < len(row) else "") for i, key in enumerate(columns) if key}
        table.rows.append((number, values))
    return table


def parse_date(value: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)
