"""Hostile and ordinary spreadsheets built byte by byte, for the tests of every spreadsheet reader."""

from __future__ import annotations

import io
import struct
import zipfile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_row(*headers: str) -> str:
    """Row 1 with the headers in A1, B1, …"""
    return '<row r="1">' + "".join(inline(f"{chr(65 + i)}1", h) for i, h in enumerate(headers)) + "</row>"


def xlsx(
    sheet_data: str,
    *,
    dimension: str | None = None,
    sheet_name: str = "Prislista",
    extra_parts: dict[str, bytes] | None = None,
    pad_to: int = 0,
) -> bytes:
    """A minimal XLSX whose one sheet holds ``sheet_data`` (the XML inside ``<sheetData>``)."""
    dimension_xml = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN}">'
        f"{dimension_xml}<sheetData>{sheet_data}</sheetData></worksheet>"
    )
    parts = {
        "[Content_Types].xml": _CONTENT_TYPES.encode(),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}">'
            f'<Relationship Id="rId1" Type="{RELATIONS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ).encode(),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELATIONS}">'
            f'<sheets><sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}">'
            f'<Relationship Id="rId1" Type="{RELATIONS}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ).encode(),
        "xl/worksheets/sheet1.xml": sheet.encode(),
        **(extra_parts or {}),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        if pad_to:
            # A stored text part that no reader looks at brings the file to the size asked for.
            filler = max(pad_to - out.tell() - 200, 0)
            archive.writestr("docProps/notes.txt", b"-" * filler, zipfile.ZIP_STORED)
    return out.getvalue()


def hostile_xlsx(
    *, dimension: str | None = "A1:XFD1048576", headers: tuple[str, ...] = ("Artikelnummer",)
) -> bytes:
    """About 5 KB: a header row and one cell at XFD1048576, the last cell a sheet can have.

    python-calamine allocates the rectangle A1:XFD1048576 for it, 16384 × 1048576 cells of 32 bytes
    (512 GB), and the process aborts."""
    return xlsx(
        header_row(*headers) + '<row r="1048576">' + inline("XFD1048576", "x") + "</row>",
        dimension=dimension,
        pad_to=5000,
    )


def ods(
    content_body: str, *, table_namespace: str = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
) -> bytes:
    """A minimal ODS whose ``content.xml`` body (inside ``<office:spreadsheet>``) is given."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        f'xmlns:table="{table_namespace}" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{content_body}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def ods_cell(text: str, *, repeat: int = 1) -> str:
    repeated = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return (
        f'<table:table-cell office:value-type="string"{repeated}><text:p>{text}</text:p></table:table-cell>'
    )


# --- XLS ------------------------------------------------------------------------------------------------


def _record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def biff_workbook(cells: list[tuple[int, int, float]], *, dimensions: bytes | None = None) -> bytes:
    """A BIFF8 workbook stream: one sheet "Blad1" with NUMBER records at the given 0-based positions."""
    bof_globals = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0, 0, 0, 0x0600))
    codepage = _record(0x0042, struct.pack("<H", 1200))
    name = "Blad1".encode("utf-16-le")

    def boundsheet(position: int) -> bytes:
        return _record(0x0085, struct.pack("<IBBBB", position, 0, 0, 5, 1) + name)

    globals_length = len(bof_globals) + len(codepage) + len(boundsheet(0)) + 4
    if dimensions is None:
        last_row = max((r for r, _c, _v in cells), default=-1) + 1
        last_column = max((c for _r, c, _v in cells), default=-1) + 1
        dimensions = struct.pack("<IIHHH", 0, last_row, 0, last_column, 0)
    sheet = (
        _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0, 0, 0, 0x0600))
        + _record(0x0200, dimensions)
        + b"".join(_record(0x0203, struct.pack("<HHHd", r, c, 15, v)) for r, c, v in cells)
        + _record(0x000A, b"")
    )
    return bof_globals + codepage + boundsheet(globals_length) + _record(0x000A, b"") + sheet


def compound_file(stream: bytes, *, name: str = "Workbook", loop_directory: bool = False) -> bytes:
    """A version 3 compound file (512-byte sectors) holding one stream, padded to at least 4096 bytes so
    that it lives in regular sectors. ``loop_directory`` makes the directory chain point at itself."""
    stream = stream + b"\x00" * max(4096 - len(stream), 0)
    stream_sectors = -(-len(stream) // 512)
    # Sector layout: 0 = FAT, 1 = directory, 2.. = the stream.
    fat = [0xFFFFFFFD, 1 if loop_directory else 0xFFFFFFFE]
    fat += [3 + i for i in range(stream_sectors - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (128 - len(fat))
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 44, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<I", header, 76, 0)
    for i in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * i, 0xFFFFFFFF)

    def entry(entry_name: str, kind: int, start: int, size: int, child: int = 0xFFFFFFFF) -> bytes:
        encoded = (entry_name + "\x00").encode("utf-16-le")
        data = bytearray(128)
        data[0 : len(encoded)] = encoded
        struct.pack_into("<HBB", data, 64, len(encoded), kind, 1)
        struct.pack_into("<III", data, 68, 0xFFFFFFFF, 0xFFFFFFFF, child)
        struct.pack_into("<II", data, 116, start, size)
        return bytes(data)

    directory = (
        entry("Root Entry", 5, 0xFFFFFFFE, 0, child=1) + entry(name, 2, 2, len(stream)) + b"\x00" * 128 * 2
    )
    body = struct.pack("<128I", *fat) + directory + stream + b"\x00" * (stream_sectors * 512 - len(stream))
    return bytes(header) + body


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A valid 1-bit greyscale PNG of width × height white pixels: a few tens of kilobytes on disk, 400
    million pixels (Pillow's limit is about 179 million) once decoded."""
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * -(-width // 8)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
