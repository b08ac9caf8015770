"""Hardened parsing: every hostile or broken input gives an XmlSafetyError, never a crash or a hang."""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

import pytest
from lxml import etree

from avrop.edi.xmlsafe import (
    DEFAULT_MAX_BYTES,
    XmlErrorCode,
    XmlSafetyError,
    ensure_size_allowed,
    parse_bytes,
    parse_file,
    read_file_limited,
)

INVOICE = b"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
         xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <!-- a comment is harmless -->
  <cbc:ID>R\xc3\xa4kning 1</cbc:ID>
</Invoice>
"""


def _billion_laughs(levels: int = 10, in_attribute: bool = False) -> bytes:
    entities = "".join(f'<!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">' for i in range(1, levels + 1))
    body = f'<z a="&l{levels};"/>' if in_attribute else f"<z>&l{levels};</z>"
    return f'<?xml version="1.0"?>\n<!DOCTYPE z [<!ENTITY l0 "lol">{entities}]>\n{body}'.encode()


def test_parses_ordinary_document() -> None:
    tree = parse_bytes(INVOICE)
    root = tree.getroot()
    assert root.tag == "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice"
    assert root[1].text == "Räkning 1"


@pytest.mark.parametrize("in_attribute", [False, True], ids=["element", "attribute"])
def test_billion_laughs_is_refused_quickly(in_attribute: bool) -> None:
    started = time.perf_counter()
    with pytest.raises(XmlSafetyError) as info:
        parse_bytes(_billion_laughs(in_attribute=in_attribute))
    assert info.value.code == XmlErrorCode.DOCTYPE
    assert info.value.line == 2
    assert "DOCTYPE" in info.value.message
    assert time.perf_counter() - started < 1.0


def test_external_entity_is_refused_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]><foo>&xxe;</foo>'
    ).encode()
    with pytest.raises(XmlSafetyError) as info:
        parse_bytes(xxe)
    assert info.value.code == XmlErrorCode.DOCTYPE
    assert "TOP-SECRET" not in str(info.value)


def test_doctype_in_utf16_is_refused_after_parse() -> None:
    # The byte-level prescan only sees ASCII-compatible encodings; the docinfo check covers the rest.
    doc = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'
    with pytest.raises(XmlSafetyError) as info:
        parse_bytes(doc.encode("utf-16"))
    assert info.value.code == XmlErrorCode.DOCTYPE


def test_network_dtd_is_refused_without_network() -> None:
    doc = b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "http://127.0.0.1:9/x.dtd"><html/>'
    started = time.perf_counter()
    with pytest.raises(XmlSafetyError) as info:
        parse_bytes(doc)
    assert info.value.code == XmlErrorCode.DOCTYPE
    assert time.perf_counter() - started < 1.0


def test_xinclude_is_not_processed(tmp_path: Path) -> None:
    included = tmp_path / "inc.xml"
    included.write_text("<secret>TOP-SECRET</secret>")
    doc = (
        f'<a xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="{included.as_uri()}"/></a>'
    ).encode()
    tree = parse_bytes(doc)
    assert b"TOP-SECRET" not in etree.tostring(tree)
    assert tree.getroot()[0].tag == "{http://www.w3.org/2001/XInclude}include"


def test_oversized_bytes_refused_before_parsing() -> None:
    with pytest.raises(XmlSafetyError) as info:
        parse_bytes(b"<a>" + b"x" * 2000 + b"</a>", max_bytes=1000)
    assert info.value.code == XmlErrorCode.TOO_LARGE
    assert "limit is" in info.value.message


def test_default_limit_is_50_mb() -> None:
    assert DEFAULT_MAX_BYTES == 50 * 1024 * 1024
    with pytest.raises(XmlSafetyError) as info:
        ensure_size_allowed(DEFAULT_MAX_BYTES + 1)
    assert info.value.code == XmlErrorCode.TOO_LARGE
    ensure_size_allowed(DEFAULT_MAX_BYTES)


def test_declared_size_refused() -> None:
    with pytest.raises(XmlSafetyError, match="2.0 GB"):
        ensure_size_allowed(2 * 1024**3, what="upload")


def test_two_gb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "huge.xml"
    with huge.open("wb") as handle:
        handle.write(b"<a>")
        # A sparse file: stat reports 2 GB, the disk holds almost nothing.
        handle.truncate(2 * 1024**3)
    tracemalloc.start()
    try:
        with pytest.raises(XmlSafetyError) as info:
            parse_file(huge)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.code == XmlErrorCode.TOO_LARGE
    assert str(huge) in info.value.message
    assert peak < 5 * 1024 * 1024


def test_unsized_stream_is_capped(tmp_path: Path) -> None:
    # /dev/zero has st_size 0; the capped read must still stop at the limit.
    if not Path("/dev/zero").exists():
        pytest.skip(reason="/dev/zero is not available on this platform")
    with pytest.raises(XmlSafetyError) as info:
        read_file_limited("/dev/zero", max_bytes=4096)
    assert info.value.code == XmlErrorCode.TOO_LARGE


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(XmlSafetyError) as info:
        parse_file(tmp_path / "nope.xml")
    assert info.value.code == XmlErrorCode.UNREADABLE
    assert "nope.xml" in info.value.message


def test_parse_file_reads_small_file(tmp_path: Path) -> None:
    path = tmp_path / "ok.xml"
    path.write_bytes(INVOICE)
    assert etree.QName(parse_file(path).getroot()).localname == "Invoice"


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0" encoding="UTF-8"?>\n<a>\n  <b>\xc3\x28</b>\n</a>',
        b"<a>\xff\xfe</a>",
    ],
    ids=["bad-continuation", "ff-fe"],
)
def test_invalid_utf8(data: bytes) -> None:
    with pytest.raises(XmlSafetyError) as info:
        parse_bytes(data)
    assert info.value.code == XmlErrorCode.ENCODING
    assert info.value.line is not None
    assert info.value.column is not None
    assert "encoded" in info.value.message


def test_invalid_utf8_reports_line() -> None:
    with pytest.raises(XmlSafetyError) as info:
        parse_bytes(b'<?xml version="1.0" encoding="UTF-8"?>\n<a>\n  <b>\xc3\x28</b>\n</a>')
    assert info.value.line == 3


def test_truncated_document() -> None:
    truncated = INVOICE[: INVOICE.index(b"</cbc:ID>") + 4]
    with pytest.raises(XmlSafetyError) as info:
        parse_bytes(truncated)
    assert info.value.code == XmlErrorCode.NOT_WELL_FORMED
    assert info.value.line is not None
    assert "well-formed" in info.value.message


@pytest.mark.parametrize("data", [b"", b"   \n"], ids=["empty", "blank"])
def test_empty_document(data: bytes) -> None:
    with pytest.raises(XmlSafetyError) as info:
        parse_bytes(data)
    assert info.value.code == XmlErrorCode.NOT_WELL_FORMED
    assert "empty" in info.value.message


def test_not_bytes_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="needs bytes"):
        parse_bytes("<a/>")  # type: ignore[arg-type]


def test_depth_limit() -> None:
    deep = b"<a>" * 30 + b"</a>" * 30
    assert parse_bytes(deep, max_depth=30).getroot().tag == "a"
    with pytest.raises(XmlSafetyError) as info:
        parse_bytes(deep, max_depth=29)
    assert info.value.code == XmlErrorCode.TOO_DEEP


def test_libxml_depth_limit_is_reported_as_too_deep() -> None:
    deep = b"<a>" * 300 + b"</a>" * 300
    with pytest.raises(XmlSafetyError) as info:
        parse_bytes(deep, max_depth=1000)
    assert info.value.code == XmlErrorCode.TOO_DEEP


def test_element_limit_stops_early() -> None:
    many = b"<r>" + b"<a/>" * 5000 + b"</r>"
    assert len(parse_bytes(many, max_elements=5001).getroot()) == 5000
    with pytest.raises(XmlSafetyError) as info:
        parse_bytes(many, max_elements=1000)
    assert info.value.code == XmlErrorCode.TOO_MANY_ELEMENTS
    assert "1000" in info.value.message


def test_depth_limit_on_counting_path() -> None:
    # Enough "<" to force the incremental parser, and too deep.
    deep = b"<a>" * 50 + b"<!-- < < < < -->" + b"</a>" * 50
    with pytest.raises(XmlSafetyError) as info:
        parse_bytes(deep, max_depth=40, max_elements=60)
    assert info.value.code == XmlErrorCode.TOO_DEEP


def test_counting_path_reports_syntax_errors() -> None:
    with pytest.raises(XmlSafetyError) as info:
        parse_bytes(b"<r>" + b"<a/>" * 5 + b"<b>", max_elements=10)
    assert info.value.code == XmlErrorCode.NOT_WELL_FORMED


def test_error_str_names_code_and_position() -> None:
    with pytest.raises(XmlSafetyError) as info:
        parse_bytes(b"<a><b></a>")
    text = str(info.value)
    assert text.startswith("XML-WELLFORMED:")
    assert "line 1" in text


@pytest.mark.skipif(os.name != "posix", reason="needs POSIX file permissions")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "locked.xml"
    path.write_bytes(b"<a/>")
    path.chmod(0)
    if os.access(path, os.R_OK):
        pytest.skip(reason="running as a user who can read mode-000 files (root)")
    with pytest.raises(XmlSafetyError) as info:
        parse_file(path)
    assert info.value.code == XmlErrorCode.UNREADABLE
