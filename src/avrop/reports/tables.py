"""A report as data: titled tables of typed columns, one chart, and the filters it was made with. The page,
the CSV, the spreadsheet and the PDF are all drawn from the same object, so they cannot disagree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format

from avrop.core import formatting
from avrop.reports.charts import Chart
from avrop.reports.scope import Filters

TEXT, MONEY, QUANTITY, COUNT, PERCENT, MONTH = "text", "money", "quantity", "count", "percent", "month"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = TEXT

    @property
    def is_number(self) -> bool:
        return self.kind in {MONEY, QUANTITY, COUNT, PERCENT}


@dataclass
class Cell:
    text: str
    url: str = ""
    is_number: bool = False


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]  # values by column key; "<key>_url" links a cell to the rows behind it
    slug: str = ""
    total: dict[str, Any] | None = None
    empty_text: str = ""

    def cells(self, row: dict[str, Any]) -> list[Cell]:
        return [
            Cell(text=display(row.get(c.key), c.kind), url=row.get(f"{c.key}_url", ""), is_number=c.is_number)
            for c in self.columns
        ]

    @property
    def body(self) -> list[list[Cell]]:
        return [self.cells(row) for row in self.rows]

    @property
    def footer(self) -> list[Cell] | None:
        return self.cells(self.total) if self.total else None


@dataclass
class Report:
    slug: str
    title: str
    intro: str
    filters: Filters
    tables: list[Table] = field(default_factory=list)
    chart: Chart | None = None
    chart_table: Table | None = None
    notes: list[str] = field(default_factory=list)

    def table(self, slug: str) -> Table | None:
        return next((t for t in self.all_tables if t.slug == slug), None)

    @property
    def all_tables(self) -> list[Table]:
        return ([self.chart_table] if self.chart_table else []) + self.tables


def display(value: Any, kind: str) -> str:
    if value is None or value == "":
        return "–" if kind != TEXT else ""
    if kind == MONEY:
        return formatting.amount(value)
    if kind == QUANTITY:
        return formatting.qty(value)
    if kind == COUNT:
        return formatting.qty(Decimal(value))
    if kind == PERCENT:
        return formatting.percent(value)
    if kind == MONTH and isinstance(value, dt.date):
        return date_format(value, "YEAR_MONTH_FORMAT")
    return str(value)


def plain(value: Any, kind: str) -> Any:
    """The value for a spreadsheet cell: numbers stay numbers, months are written out."""
    if value is None:
        return ""
    if kind == MONTH and isinstance(value, dt.date):
        return value.strftime("%Y-%m")
    if kind in {MONEY, QUANTITY, PERCENT} and not isinstance(value, Decimal):
        return Decimal(str(value))
    return value
