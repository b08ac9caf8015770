"""One layer for every list page: a filter form above, sortable headers, a pager and CSV/XLSX export.

Built on django-tables2 (columns, sorting by ``?sort=``, paging by ``?page=``) and django-filter (the filter
form by the list's own ``FilterSet``). A view reads its rows through its app's selector (which does the
scoping: an organisation's list shows only its rows), then hands them here::

    result = lists.listing(request, rows, OrderTable, filterset_class=OrderFilter, filename="orders")
    if isinstance(result, HttpResponseBase):
        return result  # ?export=csv or ?export=xlsx: the filtered, sorted rows, all pages
    return render(request, "ordering/pages/orders.html", {"listing": result})

and the template includes ``core/lists/listing.html``. Cells go through ``avrop.core.formatting`` (amounts,
quantities, dates: never exponent notation); exports give the same rows as the page with its filters and
sorting: CSV as text in the page's language (``;`` between fields in Swedish, where the decimal sign is a
comma), XLSX with real numbers and dates in the cells. CSV is streamed; XLSX is written row by row
(openpyxl's write-only mode) to a temporary file on disk, so neither holds the list in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from avrop.core import formatting

PER_PAGE = 50
# Query parameters the layer owns; every other parameter (a view's own tabs such as ``all=1``) and the
# sorting are kept in every link and in the filter form as hidden fields.
SORT, PAGE, EXPORT = "sort", "page", "export"
EXPORT_CHUNK = 2000

# --- columns ------------------------------------------------------------------------------------------------


class TypedColumn(tables.Column):  # type: ignore[misc]
    """A column whose cells are numbers or dates: shown through the formatting layer, exported as the value.

    ``kind`` names the formatting function (``amount``, ``qty``, ``percent``, ``day``, ``moment``)."""

    kind = "text"
    xlsx_format = ""

    def render(self, value: Any) -> str:
        return str(getattr(formatting, self.kind)(value))

    def value(self, value: Any) -> Any:
        return value


class AmountColumn(TypedColumn):
    kind = "amount"
    xlsx_format = "#,##0.00"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("attrs", {"th": {"class": "number"}, "td": {"class": "number"}})
        super().__init__(*args, **kwargs)


class MoneyColumn(AmountColumn):
    """An amount shown with its currency (``currency`` names the row's currency field); exported as a
    number, the currency in a column of its own when the table lists one."""

    def __init__(self, *args: Any, currency: str = "currency", **kwargs: Any) -> None:
        self.currency = currency
        super().__init__(*args, **kwargs)

    def render(self, value: Any, record: Any = None) -> str:
        code = getattr(record, self.currency, None) or "SEK"
        return formatting.money(value, code)


class QuantityColumn(TypedColumn):
    kind = "qty"
    xlsx_format = "#,##0.###"


class DateColumn(TypedColumn):
    kind = "day"
    xlsx_format = "yyyy-mm-dd"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("attrs", {"td": {"class": "date"}})
        super().__init__(*args, **kwargs)


class MomentColumn(TypedColumn):
    kind = "moment"
    xlsx_format = "yyyy-mm-dd hh:mm"


class StatusColumn(tables.Column):  # type: ignore[misc]
    """A choice field shown as the pages' status badge (``status status-<code>``), exported as words."""

    def render(self, value: Any, record: Any, bound_column: Any) -> str:
        code = tables.A(bound_column.accessor).resolve(record, quiet=True) or ""
        return format_html('<span class="status status-{}">{}</span>', code, value)

    def value(self, value: Any) -> Any:
        return str(value)


class ListTable(tables.Table):  # type: ignore[misc]
    """The base of every list table: the shared template, sortable columns, words for an empty list."""

    class Meta:
        template_name = "core/lists/table.html"
        orderable = True
        empty_text = _("No rows match.")


# --- filters ------------------------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class _DayFilter(django_filters.DateFilter):  # type: ignore[misc]
    """A day bound on a date field, or on a timestamp as the day's start or end in the site's time zone (a
    range on the column itself, so that its index is used)."""

    def __init__(self, *args: Any, upper: bool = False, **kwargs: Any) -> None:
        self.upper = upper
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if value in (None, ""):
            return qs
        if self.field_name.endswith("_at"):
            day = value + dt.timedelta(days=1) if self.upper else value
            moment = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
            return qs.filter(**{f"{self.field_name}__{'lt' if self.upper else 'gte'}": moment})
        return qs.filter(**{f"{self.field_name}__{'lte' if self.upper else 'gte'}": value})


def date_from(field_name: str, label: Any = None) -> django_filters.DateFilter:
    """``field >= day`` (a date, or a timestamp from the day's start), with a date picker."""
    return _DayFilter(field_name=field_name, label=label or _("From"), widget=DateInput())


def date_to(field_name: str, label: Any = None) -> django_filters.DateFilter:
    """``field <= day`` (a date, or a timestamp up to the day's end)."""
    return _DayFilter(field_name=field_name, label=label or _("To"), widget=DateInput(), upper=True)


class ListFilter(django_filters.FilterSet):  # type: ignore[misc]
    """Base of the lists' filter sets (no ordering filter: the table's headers sort)."""


# --- the page -----------------------------------------------------------------------------------------------


@dataclass
class Header:
    column: Any
    url: str = ""
    aria_sort: str = ""
    next_direction: str = ""


@dataclass
class Listing:
    table: ListTable
    filterset: django_filters.FilterSet | None
    headers: list[Header]
    hidden: list[tuple[str, str]]
    csv_url: str
    xlsx_url: str
    clear_url: str
    count: int
    pages: list[tuple[int, str]] = field(default_factory=list)
    previous_url: str = ""
    next_url: str = ""
    filtered: bool = False

    @property
    def page(self) -> Any:
        return self.table.page


def _query(params: Iterable[tuple[str, str]], **changes: str | None) -> str:
    kept = [(k, v) for k, v in params if k not in changes]
    kept += [(k, v) for k, v in changes.items() if v is not None]
    return "?" + urlencode(kept) if kept else "?"


def listing(
    request: HttpRequest,
    rows: QuerySet[Any],
    table_class: type[ListTable],
    *,
    filterset_class: type[django_filters.FilterSet] | None = None,
    filename: str,
    per_page: int = PER_PAGE,
    table_kwargs: dict[str, Any] | None = None,
) -> Listing | HttpResponseBase:
    """The list page's parts for ``rows`` (already scoped by a selector), or the export asked for."""
    filterset = None
    if filterset_class is not None:
        filterset = filterset_class(request.GET or None, queryset=rows, request=request)
        # An invalid filter (a date typed wrong) shows its error in the form and filters by the rest.
        if filterset.is_bound and not filterset.is_valid():
            filterset.form.is_valid()
        rows = filterset.qs if filterset.is_bound else rows
    table = table_class(rows, **(table_kwargs or {}))
    sort = request.GET.get(SORT, "")
    if sort:
        valid = [
            a
            for a in sort.split(",")
            if a.lstrip("-") in table.columns and table.columns[a.lstrip("-")].orderable
        ]
        if valid:
            table.order_by = valid
            # A stable order within equal values, so that paging never shows a row twice or not at all.
            data = table.data.data
            if (
                isinstance(data, QuerySet)
                and "pk" not in data.query.order_by
                and "-pk" not in data.query.order_by
            ):
                table.data.data = data.order_by(*data.query.order_by, "-pk")
    export = request.GET.get(EXPORT, "")
    if export in ("csv", "xlsx"):
        return export_response(table, export, filename)
    table.paginate(page=_page_number(request), per_page=per_page)

    params = [(k, v) for k, values in request.GET.lists() for v in values if k not in (PAGE, EXPORT)]
    headers = []
    current = {a.lstrip("-"): a for a in (table.order_by or ())}
    for column in table.columns:
        header = Header(column)
        if column.orderable:
            alias = current.get(column.name)
            if alias:
                header.aria_sort = "descending" if alias.startswith("-") else "ascending"
            target = f"-{column.name}" if alias == column.name else column.name
            header.next_direction = "descending" if target.startswith("-") else "ascending"
            header.url = _query(params, **{SORT: target})
        headers.append(header)
    form_fields = set(filterset.form.fields) if filterset is not None else set()
    # The filter form keeps the view's own parameters and the sorting; a new filter starts on page 1.
    hidden = [(k, v) for k, v in params if k not in form_fields and k not in (PAGE, EXPORT)]
    page = table.page
    result = Listing(
        table=table,
        filterset=filterset,
        headers=headers,
        hidden=hidden,
        csv_url=_query(params, **{EXPORT: "csv"}),
        xlsx_url=_query(params, **{EXPORT: "xlsx"}),
        clear_url=_query([(k, v) for k, v in params if k not in form_fields]),
        count=page.paginator.count,
        filtered=any(request.GET.get(name) for name in form_fields),
    )
    if page.has_previous():
        result.previous_url = _query(params, **{PAGE: str(page.previous_page_number())})
    if page.has_next():
        result.next_url = _query(params, **{PAGE: str(page.next_page_number())})
    if page.paginator.num_pages > 1:
        result.pages = [
            (n, _query(params, **{PAGE: str(n)})) for n in _page_range(page.number, page.paginator.num_pages)
        ]
    return result


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get(PAGE, "1")))
    except ValueError:
        return 1


def _page_range(current: int, last: int) -> list[int]:
    """The first, the last and the pages around the current one (0 stands for a gap)."""
    wanted = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    pages: list[int] = []
    for n in wanted:
        if pages and n - pages[-1] > 1:
            pages.append(0)
        pages.append(n)
    return pages


# --- export -------------------------------------------------------------------------------------------------


def _exported(table: ListTable) -> list[Any]:
    return [c for c in table.columns if c.column.exclude_from_export is not True and c.visible]


def _records(table: ListTable) -> Iterator[Any]:
    data = table.data.data
    if isinstance(data, QuerySet):
        # prefetch_related needs a chunk size with iterator(); select_related rows come in the same query.
        yield from data.iterator(chunk_size=EXPORT_CHUNK)
    else:
        yield from data


def _values(table: ListTable, columns: list[Any]) -> Iterator[list[Any]]:
    for record in _records(table):
        row = tables.rows.BoundRow(record, table=table)
        yield [row.get_cell_value(c.name) for c in columns]


def csv_text(value: Any, column: Any) -> str:
    """A cell as CSV text in the page's language, through the formatting layer (no exponent notation)."""
    if value is None:
        return ""
    kind = getattr(column.column, "kind", "text")
    if kind in ("amount", "qty", "percent") and isinstance(value, (Decimal, int, float)):
        return formatting.plain_number(value, places=2 if kind == "amount" else None)
    if isinstance(value, (dt.date, dt.datetime)):
        return str(getattr(formatting, kind if kind in ("day", "moment") else "day")(value))
    if isinstance(value, Decimal):
        return formatting.plain_number(value)
    return str(value)


def csv_delimiter() -> str:
    # Swedish spreadsheets read ``;`` between fields because the comma is the decimal sign.
    return ";" if (translation.get_language() or "sv").startswith(("sv", "de")) else ","


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_response(table: ListTable, kind: str, filename: str) -> HttpResponseBase:
    columns = _exported(table)
    headings = [str(c.header) for c in columns]
    stamp = timezone.localdate().isoformat()
    if kind == "csv":
        writer = csv.writer(_Echo(), delimiter=csv_delimiter())
        language = translation.get_language()

        def stream() -> Iterator[str]:
            # A streamed body is produced after the view returns: keep the page's language for the rows.
            with translation.override(language):
                yield "\ufeff" + writer.writerow(headings)  # the byte-order mark makes Excel read UTF-8
                for values in _values(table, columns):
                    yield writer.writerow([csv_text(v, c) for v, c in zip(values, columns, strict=True)])

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, f"{filename}-{stamp}.csv") or ""
        return response
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=filename[:31])
    bold = Font(bold=True)
    header_cells = []
    for heading in headings:
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for values in _values(table, columns):
        cells = []
        for value, column in zip(values, columns, strict=True):
            cell = WriteOnlyCell(sheet, value=xlsx_value(value))
            number_format = getattr(column.column, "xlsx_format", "")
            if number_format and cell.value is not None:
                cell.number_format = number_format
            cells.append(cell)
        sheet.append(cells)
    target = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response
    workbook.save(target)
    target.seek(0)
    return FileResponse(
        target,
        as_attachment=True,
        filename=f"{filename}-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def xlsx_value(value: Any) -> Any:
    """A cell value Excel stores as a number or a date: Decimal as a number, times in the site's zone."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.replace(tzinfo=None)
    if isinstance(value, (int, float, dt.date)) or value is None:
        return value
    return str(value)
