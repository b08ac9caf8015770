"""Peppol code lists, read from the official code-list files bundled in ``rules/`` (never retyped).

Two families exist: ``billing`` (Peppol BIS Billing 3.0, ``peppol-billing/codelists``) and ``poacc``
(ordering and the other POACC transactions, ``peppol-poacc/codelists``). Some lists exist in both with
slightly different content (the POACC UNCL7161 subset, for example); ask for the family you need. Without
one, ``billing`` is searched first, then ``poacc``.

    >>> load("eas")["0007"].name
    'Organisationsnummer (Swedish legal entities)'
    >>> "AP" in load("UNCL4343-T76")
    True
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from lxml import etree

from avrop.edi import resources, xmlsafe

__all__ = [
    "Code",
    "CodeList",
    "CodeListNotFound",
    "Family",
    "available",
    "eas",
    "icd",
    "load",
]

Family = Literal["billing", "poacc"]
FAMILIES: dict[Family, Path] = {
    "billing": resources.BILLING_CODELISTS,
    "poacc": resources.POACC_CODELISTS,
}
_NS = "{urn:fdc:difi.no:2017:vefa:structure:CodeList-1}"


class CodeListNotFound(LookupError):
    """No bundled code list has that name."""


@dataclass(frozen=True, slots=True)
class Code:
    id: str
    name: str
    description: str | None = None


@dataclass(frozen=True)
class CodeList(Mapping[str, Code]):
    """One code list: a read-only mapping from code to :class:`Code`, plus the list's metadata."""

    identifier: str
    title: str
    family: Family
    source: Path
    version: str | None = None
    agency: str | None = None
    subset: str | None = None
    codes: Mapping[str, Code] = field(default_factory=dict, repr=False)

    def __getitem__(self, code: str) -> Code:
        try:
            return self.codes[code]
        except KeyError:
            raise KeyError(f"{code!r} is not in the code list {self.identifier} ({self.title})") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def name_of(self, code: str) -> str | None:
        found = self.codes.get(code)
        return found.name if found else None


def _read(path: Path, family: Family) -> CodeList:
    root = xmlsafe.parse_file(path).getroot()
    if root.tag != f"{_NS}CodeList":
        raise ValueError(f"{path} is not a Peppol code-list file (root element {xmlsafe.tag_name(root)})")

    def text(element: etree._Element, name: str) -> str | None:
        value = element.findtext(f"{_NS}{name}")
        return " ".join(value.split()) if value else None

    codes: dict[str, Code] = {}
    for element in root.iterfind(f"{_NS}Code"):
        code_id = text(element, "Id")
        if code_id is None:
            continue
        codes[code_id] = Code(code_id, text(element, "Name") or "", text(element, "Description"))
    return CodeList(
        identifier=text(root, "Identifier") or path.stem,
        title=text(root, "Title") or path.stem,
        family=family,
        source=path,
        version=text(root, "Version"),
        agency=text(root, "Agency"),
        subset=text(root, "Subset"),
        codes=codes,
    )


def available() -> dict[Family, list[str]]:
    """The bundled code-list names (file stems) per family."""
    return {family: sorted(p.stem for p in folder.glob("*.xml")) for family, folder in FAMILIES.items()}


_cache: dict[tuple[Family, str], CodeList] = {}
_lock = threading.Lock()


def load(name: str, *, family: Family | None = None) -> CodeList:
    """The code list whose file is ``<name>.xml`` (case-insensitive), e.g. ``eas``, ``UNCL5305``."""
    families: list[Family] = [family] if family else ["billing", "poacc"]
    for candidate in families:
        folder = FAMILIES[candidate]
        matches = [p for p in folder.glob("*.xml") if p.stem.lower() == name.lower()]
        if matches:
            key = (candidate, matches[0].stem)
            with _lock:
                if key not in _cache:
                    _cache[key] = _read(matches[0], candidate)
                return _cache[key]
    where = family or "billing or poacc"
    raise CodeListNotFound(
        f"No code list named {name!r} in {where}; available: "
        + "; ".join(f"{fam}: {', '.join(names)}" for fam, names in available().items())
    )


def eas() -> CodeList:
    """Electronic Address Scheme (EAS) codes: the allowed ``schemeID`` of ``cbc:EndpointID``."""
    return load("eas", family="billing")


def icd() -> CodeList:
    """ISO 6523 ICD codes: the allowed ``schemeID`` of party identifiers and legal registration ids."""
    return load("icd", family="billing")
