"""A reader for the chart part of SIE 4 files: #KONTO, #KTYP, #DIM, #UNDERDIM and #OBJEKT.

SIE files are written in IBM PC 8-bit extended ASCII (code page 437, "#FORMAT PC8"). A line is a label and
fields separated by spaces or tabs; a field with spaces is quoted, and a quote inside it is written \\".
Object lists are enclosed in braces. Unknown labels are skipped, as the format asks. A file marked PC8
that is actually Windows-1252 (a common exporter mistake) is recognised by its Swedish letters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from avrop.organisations.importing.tabular import RowError
from avrop.organisations.services.chart import RESERVED_DIMENSIONS, AccountRow, DimensionRow, ObjectRow

KTYP = {"T", "S", "K", "I"}
NAME_MAX = 200
CODE_MAX = 40
# å ä ö Å Ä Ö in code page 437 and in Windows-1252.
_PC8_LETTERS = b"\x86\x84\x94\x8f\x8e\x99"
_CP1252_LETTERS = b"\xe5\xe4\xf6\xc5\xc4\xd6"


@dataclass
class SieChart:
    accounts: dict[str, AccountRow] = field(default_factory=dict)
    dimensions: dict[int, DimensionRow] = field(default_factory=dict)
    objects: dict[tuple[int, str], ObjectRow] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    encoding: str = "cp437"
    lines: int = 0
    company: str = ""

    @property
    def rows(self) -> int:
        return len(self.accounts) + len(self.dimensions) + len(self.objects)


def decode_sie(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    head = data[:4096].upper()
    if b"#FORMAT" in head and b"PC8" not in head:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    pc8 = sum(data.count(bytes([b])) for b in _PC8_LETTERS)
    cp1252 = sum(data.count(bytes([b])) for b in _CP1252_LETTERS)
    if cp1252 > pc8:
        return data.decode("cp1252", errors="replace"), "cp1252"
    return data.decode("cp437"), "cp437"


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FIELD = re.compile(r'"((?:\\.|[^"\\])*)"?|(\{[^}]*\}?)|([^\s"{]+)')
_ESCAPE = re.compile(r"\\(.)")


def split_fields(line: str) -> list[str]:
    """Split one SIE line into its fields; quotes group, ``\\"`` is a literal quote, braces group a list."""
    fields = []
    for quoted, braces, plain in _FIELD.findall(line):
        if braces:
            fields.append(braces)
        elif plain:
            fields.append(plain)
        else:
            fields.append(_ESCAPE.sub(r"\1", quoted))
    return fields


def parse_sie(data: bytes) -> SieChart:
    text, encoding = decode_sie(data)
    # PC8 gives every byte a character, control characters too; PostgreSQL refuses NUL in a name.
    text = _CONTROL.sub("\ufffd", text)
    chart = SieChart(encoding=encoding)
    kinds: dict[str, tuple[str, int]] = {}
    pending_objects: list[tuple[int, list[str]]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        chart.lines = number
        line = raw.strip()
        if not line.startswith("#"):
            continue
        fields = split_fields(line)
        label, args = fields[0].upper(), fields[1:]
        if label == "#FNAMN" and args:
            chart.company = args[0]
        elif label == "#KONTO":
            _account(chart, number, args)
        elif label == "#KTYP":
            if len(args) < 2 or args[1].upper() not in KTYP:
                chart.errors.append(
                    RowError(number, "#KTYP", _("The account type must be T, S, K or I."), " ".join(args))
                )
            else:
                kinds[args[0]] = (args[1].upper(), number)
        elif label in {"#DIM", "#UNDERDIM"}:
            _dimension(chart, number, label, args)
        elif label == "#OBJEKT":
            pending_objects.append((number, args))
    for account, (kind, number) in kinds.items():
        row = chart.accounts.get(account)
        if row is None:
            chart.errors.append(
                RowError(
                    number,
                    "#KTYP",
                    _("Account %(number)s has a type but no #KONTO line.") % {"number": account},
                    account,
                )
            )
        else:
            chart.accounts[account] = AccountRow(number=row.number, name=row.name, kind=kind)
    for number, args in pending_objects:
        _object(chart, number, args)
    for dimension in chart.dimensions.values():
        if (
            dimension.parent is not None
            and dimension.parent not in chart.dimensions
            and (dimension.parent not in RESERVED_DIMENSIONS)
        ):
            chart.errors.append(
                RowError(
                    0,
                    "#UNDERDIM",
                    _("Dimension %(number)s names an unknown parent %(parent)s.")
                    % {"number": dimension.number, "parent": dimension.parent},
                )
            )
    return chart


def _account(chart: SieChart, number: int, args: list[str]) -> None:
    if len(args) < 2 or not args[1].strip():
        chart.errors.append(
            RowError(number, "#KONTO", _("#KONTO needs an account number and a name."), " ".join(args))
        )
        return
    account, name = args[0], args[1].strip()
    if not account.isdigit():
        chart.errors.append(
            RowError(number, "kontonr", _("The account number must be digits only."), account)
        )
    elif len(name) > NAME_MAX:
        chart.errors.append(
            RowError(
                number,
                "kontonamn",
                _("The name is longer than %(max)s characters.") % {"max": NAME_MAX},
                name,
            )
        )
    elif account in chart.accounts:
        chart.errors.append(
            RowError(number, "kontonr", _("Account %(number)s appears twice.") % {"number": account}, account)
        )
    else:
        chart.accounts[account] = AccountRow(number=account, name=name)


def _dimension(chart: SieChart, number: int, label: str, args: list[str]) -> None:
    needed = 3 if label == "#UNDERDIM" else 2
    if len(args) < needed or not args[0].isdigit() or (label == "#UNDERDIM" and not args[2].isdigit()):
        chart.errors.append(
            RowError(
                number,
                label,
                _("%(label)s needs a dimension number and a name%(parent)s.")
                % {
                    "label": label,
                    "parent": _(" and a parent dimension number") if label == "#UNDERDIM" else "",
                },
                " ".join(args),
            )
        )
        return
    dim = int(args[0])
    parent = int(args[2]) if label == "#UNDERDIM" else None
    chart.dimensions[dim] = DimensionRow(number=dim, name=args[1].strip()[:NAME_MAX], parent=parent)


def _object(chart: SieChart, number: int, args: list[str]) -> None:
    if len(args) < 3 or not args[0].isdigit():
        chart.errors.append(
            RowError(
                number, "#OBJEKT", _("#OBJEKT needs a dimension number, a code and a name."), " ".join(args)
            )
        )
        return
    dim, code, name = int(args[0]), args[1].strip(), args[2].strip()
    if dim not in chart.dimensions and dim not in RESERVED_DIMENSIONS:
        chart.errors.append(
            RowError(
                number,
                "dimensionsnr",
                _("Dimension %(number)s is not declared with #DIM.") % {"number": dim},
                args[0],
            )
        )
    elif not code or len(code) > CODE_MAX:
        chart.errors.append(
            RowError(
                number,
                "objektnr",
                _("The object code must have 1 to %(max)s characters.") % {"max": CODE_MAX},
                code,
            )
        )
    elif not name:
        chart.errors.append(RowError(number, "objektnamn", _("The object needs a name."), code))
    elif (dim, code) in chart.objects:
        chart.errors.append(
            RowError(
                number,
                "objektnr",
                _("Object %(code)s of dimension %(number)s appears twice.") % {"code": code, "number": dim},
                code,
            )
        )
    else:
        chart.objects[(dim, code)] = ObjectRow(dimension=dim, code=code, name=name[:NAME_MAX])
