"""SIE 4 (type 4I: vouchers for import into a general ledger), as the SIE group's format description
(version 4C) defines it: labels one per line, strings in quotes, dates YYYYMMDD, amounts with a decimal point,
the file in PC8 (IBM code page 437). ``#KSUMMA`` is optional and left out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

DIM_COST_CENTRE = 1  # reserved dimension numbers of SIE 4: 1 = cost centre, 6 = project
DIM_PROJECT = 6


@dataclass(frozen=True)
class Transaction:
    account: str
    amount: Decimal
    cost_centre: str = ""
    project: str = ""
    text: str = ""


@dataclass
class Voucher:
    series: str
    number: int
    date: dt.date
    text: str
    transactions: list[Transaction] = field(default_factory=list)


def quote(value: str) -> str:
    """A SIE string: in quotes, quotes and backslashes escaped, no line breaks or control characters."""
    clean = "".join(c if c >= " " else " " for c in value)
    return '"' + clean.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _day(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


def _objects(transaction: Transaction) -> str:
    parts = []
    if transaction.cost_centre:
        parts.append(f"{DIM_COST_CENTRE} {quote(transaction.cost_centre)}")
    if transaction.project:
        parts.append(f"{DIM_PROJECT} {quote(transaction.project)}")
    return "{" + " ".join(parts) + "}"


def render(
    *,
    company: str,
    org_number: str,
    program: str,
    generated: dt.date,
    vouchers: Iterable[Voucher],
) -> bytes:
    vouchers = list(vouchers)
    centres = sorted({t.cost_centre for v in vouchers for t in v.transactions if t.cost_centre})
    projects = sorted({t.project for v in vouchers for t in v.transactions if t.project})
    lines = [
        "#FLAGGA 0",
        f'#PROGRAM {quote(program)} "1.0"',
        "#FORMAT PC8",
        f"#GEN {_day(generated)}",
        "#SIETYP 4",
        f"#ORGNR {org_number}",
        f"#FNAMN {quote(company)}",
        f"#DIM {DIM_COST_CENTRE} {quote('Kostnadsställe')}",
        f"#DIM {DIM_PROJECT} {quote('Projekt')}",
    ]
    lines += [f"#OBJEKT {DIM_COST_CENTRE} {quote(c)} {quote(c)}" for c in centres]
    lines += [f"#OBJEKT {DIM_PROJECT} {quote(p)} {quote(p)}" for p in projects]
    for voucher in vouchers:
        number = quote(str(voucher.number))
        lines.append(f"#VER {quote(voucher.series)} {number} {_day(voucher.date)} {quote(voucher.text)}")
        lines.append("{")
        for t in voucher.transactions:
            text = f" {quote(t.text)}" if t.text else ""
            lines.append(f"   #TRANS {t.account} {_objects(t)} {t.amount:.2f} {_day(voucher.date)}{text}")
        lines.append("}")
    return ("\r\n".join(lines) + "\r\n").encode("cp437", errors="replace")
