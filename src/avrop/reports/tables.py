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


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"d": str(value)}
    if isinstance(value, dt.date):
        return {"t": value.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        if "d" in value:
            return Decimal(value["d"])
        if "t" in value:
            return dt.date.fromisoformat(value["t"])
    return value


def _row_data(row: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if row is None else {k: _encode(v) for k, v in row.items()}


def _row(row: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if row is None else {k: _decode(v) for k, v in row.items()}


def _table_data(table: Table) -> dict[str, Any]:
    return {
        "title": table.title,
        "slug": table.slug,
        "empty_text": table.empty_text,
        "columns": [[c.key, c.label, c.kind] for c in table.columns],
        "rows": [_row_data(r) for r in table.rows],
        "total": _row_data(table.total),
    }


def _table(data: dict[str, Any]) -> Table:
    return Table(
        title=data["title"],
        slug=data["slug"],
        empty_text=data["empty_text"],
        columns=[Column(*c) for c in data["columns"]],
        rows=[_row(r) or {} for r in data["rows"]],
        total=_row(data["total"]),
    )


def report_to_data(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data, to keep the result of a run made in the background."""
    chart = report.chart
    return {
        "slug": report.slug,
        "title": report.title,
        "intro": report.intro,
        "notes": report.notes,
        "tables": [_table_data(t) for t in report.tables],
        "chart_table": _table_data(report.chart_table) if report.chart_table else None,
        "chart": None
        if chart is None
        else {
            "title": chart.title,
            "description": chart.description,
            "labels": chart.labels,
            "series": [[s.label, [str(v) for v in s.values]] for s in chart.series],
        },
    }


def report_from_data(data: dict[str, Any], filters: Filters) -> Report:
    from avrop.reports.charts import Series

    chart = data.get("chart")
    return Report(
        slug=data["slug"],
        title=data["title"],
        intro=data["intro"],
        filters=filters,
        notes=data.get("notes", []),
        tables=[_table(t) for t in data["tables"]],
        chart_table=_table(data["chart_table"]) if data.get("chart_table") else None,
        chart=None
        if chart is None
        else Chart(
            title=chart["title"],
            description=chart["description"],
            labels=chart["labels"],
            series=[Series(label, [Decimal(v) for v in values]) for label, values in chart["series"]],
        ),
    )
