"""Hardened XML parsing for every document that enters ``avrop.edi``.

All inbound XML (Peppol documents from access points, uploads, files on disk) goes through
:func:`parse_bytes` or :func:`parse_file`. They

* refuse input larger than ``max_bytes`` *before* parsing (and, for files, before reading: the size
  is taken from ``stat`` and the read is capped, so a huge or endless file is never loaded);
* never load a DTD, never resolve an entity (internal or external), never touch the network, never
  process XInclude, and reject any ``<!DOCTYPE`` outright: Peppol and UBL documents have none, and a
  DOCTYPE is the carrier of the billion-laughs and XXE attacks;
* cap element count and nesting depth, so a small file cannot expand into a huge tree;
* raise a single exception type, :class:`XmlSafetyError`, with a stable code, a message for people and,
  where the parser knows it, the line and column.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from lxml import etree

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_ELEMENTS",
    "XmlErrorCode",
    "XmlSafetyError",
    "ensure_size_allowed",
    "parse_bytes",
    "parse_file",
    "read_file_limited",
    "tag_name",
]

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
"""50 MB: far above any real Peppol document (the Peppol network limit is 100 MB including
attachments, but BIS documents above a few MB are rare); configurable per call."""

DEFAULT_MAX_DEPTH = 100
"""UBL documents nest at most ~15 levels (XML signatures a few more); 100 leaves ample room."""

DEFAULT_MAX_ELEMENTS = 2_000_000
"""A 10,000-line invoice has about 250,000 elements. libxml2 needs roughly 150 bytes per element,
so this bounds the tree at a few hundred MB even for a hostile ``<a/><a/>…`` file."""

# Read files in chunks of this size when the element budget forces incremental parsing.
_FEED_CHUNK = 1024 * 1024


class XmlErrorCode(StrEnum):
    """Stable codes for :class:`XmlSafetyError`; also used as finding rule ids by validation."""

    TOO_LARGE = "XML-TOO-LARGE"
    DOCTYPE = "XML-DOCTYPE"
    ENCODING = "XML-ENCODING"
    NOT_WELL_FORMED = "XML-WELLFORMED"
    TOO_DEEP = "XML-TOO-DEEP"
    TOO_MANY_ELEMENTS = "XML-TOO-MANY-ELEMENTS"
    UNREADABLE = "XML-UNREADABLE"


@dataclass(frozen=True, slots=True)
class _Position:
    line: int | None = None
    column: int | None = None


class XmlSafetyError(ValueError):
    """The input was refused: too large, not well-formed, wrongly encoded, or carrying a DOCTYPE.

    ``code`` is an :class:`XmlErrorCode`, ``message`` a sentence for people, ``line``/``column``
    are 1-based positions when the parser reported one.
    """

    def __init__(
        self, code: XmlErrorCode, message: str, *, line: int | None = None, column: int | None = None
    ) -> None:
        self.code = code
        self.message = message
        self.line = line
        self.column = column
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(f"{code}: {message}{where}")


# libxml2 error numbers (xmlParserErrors) that mean "the bytes are not valid in the declared encoding".
_ENCODING_ERRORS = frozenset({9, 32, 81})  # INVALID_CHAR, UNSUPPORTED_ENCODING, INVALID_ENCODING


# The first markup that is a DOCTYPE or an element start tag. In ASCII-compatible encodings this finds a
# DOCTYPE before libxml2 reads its internal subset, so the refusal is immediate and always reported as
# XML-DOCTYPE; other encodings (UTF-16) are caught after parsing by the docinfo check.
_FIRST_MARKUP = re.compile(rb"<(!DOCTYPE|[A-Za-z_:\x80-\xff])")


def _doctype_error(line: int | None) -> XmlSafetyError:
    return XmlSafetyError(
        XmlErrorCode.DOCTYPE,
        "The document has a <!DOCTYPE> declaration. DTDs and entities are not allowed in "
        "Peppol/UBL documents and are refused for security (entity expansion, external entities).",
        line=line,
    )


def _parser() -> etree.XMLParser:
    # A new parser per call: lxml parsers are not safe to share between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
        remove_blank_text=False,
        collect_ids=False,
    )


def ensure_size_allowed(size: int, *, max_bytes: int | None = None, what: str = "document") -> None:
    """Raise ``XML-TOO-LARGE`` when ``size`` (actual, stat'ed or declared) exceeds the limit.

    Callers that learn a size before having the bytes (HTTP ``Content-Length``, AS4 payload
    headers, ``stat``) should call this first so that an oversized payload is never read.
    """
    limit = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    if size > limit:
        raise XmlSafetyError(
            XmlErrorCode.TOO_LARGE,
            f"The {what} is {_human(size)} ({size} bytes); the limit is {_human(limit)} ({limit} bytes).",
        )


def _human(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _clean_message(msg: str) -> str:
    # libxml2 appends ", line N, column M" which we report in separate fields.
    head, sep, tail = msg.rpartition(", line ")
    if sep and ", column " in tail:
        msg = head
    return msg.strip().rstrip(".")


def _from_syntax_error(exc: etree.XMLSyntaxError) -> XmlSafetyError:
    line, column = exc.position if exc.position else (exc.lineno, None)
    text = _clean_message(exc.msg or str(exc))
    if getattr(exc, "code", None) in _ENCODING_ERRORS or "encoding" in text.lower():
        return XmlSafetyError(
            XmlErrorCode.ENCODING,
            f"The document is not correctly encoded: {text}.",
            line=line,
            column=column,
        )
    if "Excessive depth" in text:
        return XmlSafetyError(
            XmlErrorCode.TOO_DEEP, f"The document nests too deeply: {text}.", line=line, column=column
        )
    return XmlSafetyError(
        XmlErrorCode.NOT_WELL_FORMED,
        f"The document is not well-formed XML: {text}.",
        line=line,
        column=column,
    )


@lru_cache(maxsize=16)
def _deeper_than(max_depth: int) -> etree.XPath:
    # "/*/*/…/*" with max_depth + 1 steps selects the elements nested deeper than max_depth.
    # libxml2 evaluates it level by level in C, so it costs one pass over the tree.
    return etree.XPath("boolean(" + "/*" * (max_depth + 1) + ")")


def _check_tree(tree: etree._ElementTree, *, max_depth: int) -> None:
    if getattr(tree.docinfo, "doctype", "") or tree.docinfo.internalDTD is not None:
        raise _doctype_error(None)
    if _deeper_than(max_depth)(tree):
        raise XmlSafetyError(
            XmlErrorCode.TOO_DEEP, f"The document nests elements deeper than {max_depth} levels."
        )


def tag_name(element: etree._Element) -> str:
    """The element's tag, ``{namespace}local``.

    lxml's stubs type a tag as whatever may be assigned to it (bytes, a QName); a parsed or built element
    has a str. Comments and processing instructions, whose tag is a factory function, are refused.
    """
    tag = element.tag
    if not isinstance(tag, str):
        raise TypeError(f"Not an element with a name: {element!r}")
    return tag


def source_line(node: object) -> int | None:
    """The 1-based line of an lxml node, if libxml2 recorded one."""
    line = getattr(node, "sourceline", None)
    return line if isinstance(line, int) and line > 0 else None


def _parse_counting(data: bytes, *, max_depth: int, max_elements: int) -> etree._ElementTree:
    """Parse incrementally, stopping as soon as the element or depth budget is exceeded.

    Only used when a cheap upper bound (the number of ``<`` bytes) says the budget could be exceeded,
    so ordinary documents never pay for the Python-level event loop.
    """
    parser = etree.XMLPullParser(
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
        collect_ids=False,
    )
    count = 0
    depth = 0
    try:
        for offset in range(0, len(data), _FEED_CHUNK):
            parser.feed(data[offset : offset + _FEED_CHUNK])
            for event, element in parser.read_events():
                if event == "start":
                    count += 1
                    depth += 1
                    if count > max_elements:
                        raise XmlSafetyError(
                            XmlErrorCode.TOO_MANY_ELEMENTS,
                            f"The document has more than {max_elements} elements (the limit).",
                            line=source_line(element),
                        )
                    if depth > max_depth:
                        raise XmlSafetyError(
                            XmlErrorCode.TOO_DEEP,
                            f"The document nests elements deeper than {max_depth} levels.",
                            line=source_line(element),
                        )
                else:
                    depth -= 1
        root = parser.close()
    except etree.XMLSyntaxError as exc:
        raise _from_syntax_error(exc) from None
    return root.getroottree()


def parse_bytes(
    data: bytes,
    *,
    max_bytes: int | None = None,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
) -> etree._ElementTree:
    """Parse ``data`` safely and return the lxml tree, or raise :class:`XmlSafetyError`.

    ``max_bytes`` defaults to :data:`DEFAULT_MAX_BYTES`. Comments and processing instructions are kept
    (they are harmless and the stored original must stay reproducible).
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"parse_bytes() needs bytes, not {type(data).__name__}")
    data = bytes(data)
    ensure_size_allowed(len(data), max_bytes=max_bytes)
    if not data.strip():
        raise XmlSafetyError(XmlErrorCode.NOT_WELL_FORMED, "The document is empty.", line=1, column=1)
    first = _FIRST_MARKUP.search(data)
    if first is not None and first.group(1) == b"!DOCTYPE":
        raise _doctype_error(data.count(b"\n", 0, first.start()) + 1)
    # Every element needs a "<" (entities are never expanded), so this is an upper bound on the
    # element count that costs one C-speed pass over the bytes.
    if data.count(b"<") > max_elements:
        tree = _parse_counting(data, max_depth=max_depth, max_elements=max_elements)
        _check_tree(tree, max_depth=max_depth)
        return tree
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise _from_syntax_error(exc) from None
    tree = root.getroottree()
    _check_tree(tree, max_depth=max_depth)
    return tree


def read_file_limited(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> bytes:
    """Read a file, refusing it from its ``stat`` size before reading a byte when it is too large.

    The read itself is also capped at ``max_bytes + 1`` so that files whose size ``stat`` does not
    tell (pipes, devices, files growing while read) cannot exhaust memory either.
    """
    limit = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    file_path = Path(path)
    try:
        size = file_path.stat().st_size
        ensure_size_allowed(size, max_bytes=limit, what=f"file {file_path}")
        with file_path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise XmlSafetyError(
            XmlErrorCode.UNREADABLE, f"Cannot read {file_path}: {exc.strerror or exc}."
        ) from None
    ensure_size_allowed(len(data), max_bytes=limit, what=f"file {file_path}")
    return data


def parse_file(
    path: str | os.PathLike[str],
    *,
    max_bytes: int | None = None,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
) -> etree._ElementTree:
    """:func:`parse_bytes` for a file path, with the size checked before reading."""
    data = read_file_limited(path, max_bytes=max_bytes)
    return parse_bytes(data, max_bytes=max_bytes, max_depth=max_depth, max_elements=max_elements)
