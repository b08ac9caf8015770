"""The spreadsheet check refuses what would make the spreadsheet library abort the process, nothing else."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import textwrap
import zipfile

import pytest
from django.utils import translation

from avrop.core import spreadsheets
from avrop.core.spreadsheets import Limits, SpreadsheetRefused, check_spreadsheet, read_sheet
from avrop.core.tests.spreadsheet_files import (
    MAIN,
    PACKAGE,
    RELATIONS,
    biff_workbook,
    compound_file,
    header_row,
    hostile_xlsx,
    inline,
    ods,
    ods_cell,
    xlsx,
)

SMALL = Limits(rows=100, columns=10, unpacked_bytes=50 * 1024 * 1024, packing_ratio=100)


def refusal(data: bytes, limits: Limits | None = None) -> SpreadsheetRefused:
    with translation.override("en"), pytest.raises(SpreadsheetRefused) as caught:
        check_spreadsheet(data, limits=limits)
    return caught.value


def test_the_hostile_file_really_aborts_the_library_in_a_child_process(tmp_path):
    """What the check prevents: python-calamine asks for 512 GB and Rust aborts the whole process (no
    exception to catch). Run in a child with its address space capped, so nothing here is at stake."""
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(hostile_xlsx())
    assert 4000 < path.stat().st_size < 6000
    script = textwrap.dedent(
        f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024 ** 3, 2 * 1024 ** 3))
        from python_calamine import CalamineWorkbook
        CalamineWorkbook.from_path({str(path)!r}).get_sheet_by_index(0)
        print("read")
        """
    )
    child = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120, check=False)
    assert child.returncode < 0 or child.returncode == 134, (
        child.returncode,
        child.stdout,
        child.stderr[-500:],
    )
    assert b"read" not in child.stdout
    assert b"memory allocation" in child.stderr and b"failed" in child.stderr


@pytest.mark.parametrize("dimension", ["A1:XFD1048576", None, "A1:B2"], ids=["declared", "missing", "lying"])
def test_a_cell_at_xfd1048576_is_refused_naming_sheet_cell_and_limit(dimension, settings):
    settings.AVROP_SPREADSHEET_MAX_ROWS = 200_000
    settings.AVROP_SPREADSHEET_MAX_COLUMNS = 200
    refused = refusal(hostile_xlsx(dimension=dimension))
    assert refused.code == "too_many_cells" and refused.too_large
    assert "“Prislista”" in refused.message and "XFD1048576" in refused.message
    assert "200,000 rows" in refused.message and "200 columns" in refused.message
    assert ("marked as used" in refused.message) == (dimension == "A1:XFD1048576")


def test_read_sheet_refuses_before_the_library_sees_the_file(tmp_path):
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(hostile_xlsx())
    with pytest.raises(SpreadsheetRefused):
        read_sheet(path)  # would abort the test process without the check


def test_the_message_is_in_swedish_for_swedish_users():
    with translation.override("sv"), pytest.raises(SpreadsheetRefused) as caught:
        check_spreadsheet(hostile_xlsx(dimension=None))
    assert "Bladet ”Prislista” har innehåll i cell XFD1048576" in caught.value.message


def test_ordinary_workbooks_pass_and_read(tmp_path):
    import xlsxwriter
    from openpyxl import Workbook

    book = Workbook()
    for n in range(300):
        book.active.append([f"ART-{n}", n * 1.5, "r = 'ZZZ9'", None, "text"])
    openpyxl_file = io.BytesIO()
    book.save(openpyxl_file)
    excel_file = io.BytesIO()
    excel = xlsxwriter.Workbook(excel_file, {"in_memory": True})
    sheet = excel.add_worksheet("Prislista")
    for n in range(300):
        sheet.write_row(n, 0, [f"ART-{n}", n, "Kopieringspapper", "A4"])
    excel.close()
    for data in (openpyxl_file.getvalue(), excel_file.getvalue()):
        check_spreadsheet(data)
        assert read_sheet(data).height == 300


def test_the_limits_are_inclusive():
    last = xlsx(header_row("A") + '<row r="100">' + inline("J100", "x") + "</row>")
    check_spreadsheet(last, limits=SMALL)
    assert (
        "K100"
        in refusal(xlsx(header_row("A") + '<row r="100">' + inline("K100", "x") + "</row>"), SMALL).message
    )
    assert (
        "J101"
        in refusal(xlsx(header_row("A") + '<row r="101">' + inline("J101", "x") + "</row>"), SMALL).message
    )


def test_cells_without_references_are_placed_as_the_library_places_them():
    # Eleven cells in a row without r: the eleventh is in column K, beyond ten columns.
    row = "<row>" + "<c t='inlineStr'><is><t>x</t></is></c>" * 11 + "</row>"
    assert "K1" in refusal(xlsx(row), SMALL).message
    check_spreadsheet(xlsx("<row>" + "<c t='inlineStr'><is><t>x</t></is></c>" * 10 + "</row>"), limits=SMALL)
    # A row without r follows the row before it; its cells take that row.
    rows = '<row r="100"><c r="A100"><v>1</v></c></row><row><c><v>2</v></c></row>'
    assert "A101" in refusal(xlsx(rows), SMALL).message


def test_prefixed_duplicated_and_oddly_spaced_references_are_found():
    prefixed = xlsx(
        header_row("A") + f'<x:row xmlns:x="{"http://schemas.openxmlformats.org/spreadsheetml/2006/main"}" '
        'r="2"><x:c r="XFD2"><x:v>1</x:v></x:c></x:row>'
    )
    assert "XFD2" in refusal(prefixed, SMALL).message
    # The library takes the last of two r attributes; the first one alone looks harmless.
    duplicated = xlsx(header_row("A") + '<row r="2"><c r="A2" t="n" r="XFD2"><v>1</v></c></row>')
    assert "XFD2" in refusal(duplicated, SMALL).message
    spaced = xlsx(header_row("A") + "<row r='2'><c s='1' r = 'A999999'><v>1</v></c></row>")
    assert "A999999" in refusal(spaced, SMALL).message


def test_a_sheet_in_utf_16_is_checked_by_parsing_it():
    sheet = (
        '<?xml version="1.0" encoding="UTF-16"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="XFD1"><v>1</v></c></row></sheetData></worksheet>'
    ).encode("utf-16")
    data = xlsx("", extra_parts={"xl/worksheets/sheet1.xml": sheet})
    assert "XFD1" in refusal(data, SMALL).message


def test_sheets_are_found_where_the_library_finds_them_whatever_their_root():
    """The package may put its workbook in another folder and a sheet anywhere under any root element: the
    library follows the relationships and reads any part with a sheetData."""
    package = (
        f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" Type="{RELATIONS}/officeDocument" '
        'Target="/data/book.xml"/></Relationships>'
    )
    workbook = (
        f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONS}"><sheets>'
        '<sheet name="Gömd" sheetId="1" r:id="rId7"/></sheets></workbook>'
    )
    relations = (
        f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId7" Type="{RELATIONS}/worksheet" '
        'Target="/Other/Blad.BIN"/></Relationships>'
    )
    sheet = (
        '<foo><sheetData><row r="1"><c r="A1"><v>1</v></c><c r="XFD1048576"><v>1</v></c></row>'
        "</sheetData></foo>"
    )
    data = xlsx(
        header_row("A"),
        extra_parts={
            "_rels/.rels": package.encode(),
            "DATA/workbook.xml": workbook.encode(),
            "data/_rels/workbook.xml.rels": relations.encode(),
            "other/blad.bin": sheet.encode(),
        },
    )
    refused = refusal(data, SMALL)
    assert "“Gömd”" in refused.message and "XFD1048576" in refused.message


def test_parts_no_reader_takes_as_a_sheet_may_be_any_xml():
    vml = b'<xml xmlns:v="urn:schemas-microsoft-com:vml"><v:shape><v:textbox><div>a<br>b</div></xml>'
    check_spreadsheet(xlsx(header_row("A"), extra_parts={"xl/drawings/vmlDrawing1.vml": vml}), limits=SMALL)


def test_zip_bombs_and_oversized_files_are_refused():
    bomb = xlsx(header_row("A"), extra_parts={"xl/worksheets/sheet2.xml": b" " * (4 * 1024 * 1024)})
    refused = refusal(bomb)
    assert refused.code == "zip_bomb" and "zip bomb" in refused.message
    big = Limits(rows=100, columns=10, unpacked_bytes=1000, packing_ratio=100)
    assert refusal(xlsx(header_row("A")), big).code == "too_big_unpacked"
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        for n in range(spreadsheets.MAX_PARTS + 1):
            archive.writestr(f"x/{n}", b"")
    assert refusal(many.getvalue()).code == "too_many_parts"


def test_a_declared_shared_string_count_must_fit_its_part():
    strings = b'<?xml version="1.0"?><sst xmlns="%s" uniqueCount="20000000000"><si><t>a</t></si></sst>' % (
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    )
    assert refusal(xlsx(header_row("A"), extra_parts={"xl/sharedStrings.xml": strings})).code == "unreadable"


def test_other_files_are_refused_as_unreadable():
    assert refusal(b"Artikelnummer;Antal\n1;2\n").code == "unreadable"
    assert refusal(b"PK\x03\x04 not a zip").code == "unreadable"
    no_sheet = io.BytesIO()
    with zipfile.ZipFile(no_sheet, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert refusal(no_sheet.getvalue()).code == "unreadable"
    binary = xlsx(header_row("A"), extra_parts={"xl/workbook.bin": b"\x00" * 10})
    assert refusal(binary).code == "xlsb"
    broken = xlsx(header_row("A"), extra_parts={"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row>"})
    with pytest.raises(SpreadsheetRefused) as caught:
        read_sheet(broken)  # passes the check; the library's own error becomes the refusal
    assert caught.value.code == "unreadable"


def test_ods_repeated_cells_and_rows_are_counted():
    table = '<table:table table:name="Blad1"><table:table-row>{}</table:table-row>{}</table:table>'
    ordinary = ods(
        table.format(
            ods_cell("Artikelnummer") + '<table:table-cell table:number-columns-repeated="1020"/>',
            '<table:table-row table:number-rows-repeated="1048575">'
            '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>',
        )
    )
    check_spreadsheet(ordinary, limits=SMALL)
    assert read_sheet(ordinary).to_python()[0][0] == "Artikelnummer"
    wide = ods(table.format(ods_cell("x", repeat=16384), ""))
    refused = refusal(wide, SMALL)
    assert "“Blad1”" in refused.message and "XFD1" in refused.message
    tall = ods(
        table.format(
            ods_cell("x"),
            '<table:table-row table:number-rows-repeated="1000000">' + ods_cell("y") + "</table:table-row>",
        )
    )
    assert "A1000001" in refusal(tall, SMALL).message
    # The library knows ODS names by their usual prefix, whatever namespace it is bound to.
    rebound = ods(table.format(ods_cell("x", repeat=16384), ""), table_namespace="urn:example:other")
    assert "XFD1" in refusal(rebound, SMALL).message


def test_xls_cells_dimensions_and_compound_file_chains_are_checked():
    ordinary = compound_file(biff_workbook([(0, 0, 1.0), (9, 3, 2.0)]))
    check_spreadsheet(ordinary, limits=SMALL)
    assert read_sheet(ordinary).to_python()[9][3] == 2.0
    far = compound_file(biff_workbook([(0, 0, 1.0), (65535, 255, 2.0)]))
    refused = refusal(far, SMALL)
    assert "“Blad1”" in refused.message and "IV65536" in refused.message
    # The library reserves rows × columns from the DIMENSIONS record before reading a cell.
    declared = compound_file(
        biff_workbook(
            [(0, 0, 1.0)], dimensions=b"\x00" * 4 + b"\xff\xff\xff\x7f" + b"\x00\x00\x01\x00\x00\x00"
        )
    )
    assert "marked as used" in refusal(declared, SMALL).message
    inverted = compound_file(
        biff_workbook([(0, 0, 1.0)], dimensions=bytes.fromhex("0a000000 02000000 0000 0100 0000"))
    )
    assert refusal(inverted, SMALL).code == "unreadable"
    assert (
        refusal(compound_file(biff_workbook([(0, 0, 1.0)]), loop_directory=True), SMALL).code == "unreadable"
    )
    assert refusal(compound_file(biff_workbook([(0, 0, 1.0)]), name="Other"), SMALL).code == "unreadable"


def test_failures_of_the_library_become_refusals_but_interrupts_go_on():
    class PanicException(BaseException):  # what pyo3 raises for a Rust panic
        pass

    for failure in (PanicException("index out of bounds"), ValueError("Xml error"), MemoryError()):
        with pytest.raises(SpreadsheetRefused) as caught, spreadsheets.reading():
            raise failure
        assert "index out of bounds" not in caught.value.message and "Xml" not in caught.value.message
    with pytest.raises(KeyboardInterrupt), spreadsheets.reading():
        raise KeyboardInterrupt


@pytest.mark.parametrize("limit", [1, 9, 10, 26, 27, 99, 100, 200, 701, 702, 703, 16384, 200_000])
def test_the_within_limit_patterns_match_exactly_up_to_the_limit(limit):
    numbers = re.compile(spreadsheets._at_most_number(limit) + "$")
    assert all(numbers.match(str(n)) for n in range(1, min(limit, 3000) + 1))
    assert numbers.match(str(limit)) and not numbers.match(str(limit + 1))
    assert not any(numbers.match(str(n)) for n in range(limit + 1, limit + 3000))
    assert not numbers.match("0") and not numbers.match("01")
    columns = re.compile(spreadsheets._at_most_column(limit) + "$")
    names = [spreadsheets.column_name(n) for n in range(1, limit + 3000)]
    assert [bool(columns.match(name)) for name in names] == [n <= limit for n in range(1, limit + 3000)]
    assert columns.match(spreadsheets.column_name(limit).lower())
