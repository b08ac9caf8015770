"""Code lists come from the official files, complete and unchanged."""

from __future__ import annotations

import re

import pytest

from avrop.edi import codelists
from avrop.edi.codelists import CodeListNotFound, eas, icd, load


def _ids_in_file(path) -> list[str]:  # noqa: ANN001 (a Path)
    # An independent, regex-based read of the same file.
    return [
        m.strip() for m in re.findall(r"<(?:\w+:)?Id>([^<]*)</(?:\w+:)?Id>", path.read_text(encoding="utf-8"))
    ]


def test_eas_has_the_swedish_and_nordic_schemes() -> None:
    schemes = eas()
    assert schemes["0007"].name == "Organisationsnummer (Swedish legal entities)"
    assert schemes["0088"].name == "EAN Location Code"
    assert "0192" in schemes
    assert "9955" not in schemes  # the Swedish VAT scheme was retired from the EAS list
    assert schemes.title == "Electronic Address Scheme (EAS)"


def test_icd_is_the_iso_6523_list() -> None:
    codes = icd()
    assert codes.identifier == "ICD"
    assert codes.name_of("0007") == "Organisationsnummer"
    assert codes["0002"].description and "Sirene" in codes["0002"].description
    assert codes.name_of("9999") is None


@pytest.mark.parametrize(
    ("family", "name"),
    [(family, name) for family, names in codelists.available().items() for name in names],
)
def test_every_bundled_list_loads_completely(family: codelists.Family, name: str) -> None:
    code_list = load(name, family=family)
    assert list(code_list) == list(dict.fromkeys(_ids_in_file(code_list.source)))
    assert code_list.family == family
    assert code_list.title


def test_families_differ_where_the_files_differ() -> None:
    billing = load("UNCL7161", family="billing")
    poacc = load("UNCL7161", family="poacc")
    assert set(billing) != set(poacc)
    assert load("UNCL7161") is billing  # billing first when no family is given


def test_poacc_only_list_found_without_family() -> None:
    response_codes = load("uncl4343-t76")
    assert response_codes.family == "poacc"
    assert set(response_codes) == {"AB", "AP", "RE", "CA"}
    assert response_codes["AP"].name == "Accepted"


def test_metadata() -> None:
    vat = load("UNCL5305")
    assert vat.version == "D.16B"
    assert vat.agency == "UN/CEFACT"
    assert vat.subset == "OpenPEPPOL"
    assert vat["S"].name == "Standard rate"


def test_unknown_code_and_list() -> None:
    with pytest.raises(KeyError, match="'ZZ' is not in the code list UNCL5305"):
        load("UNCL5305")["ZZ"]
    with pytest.raises(CodeListNotFound, match="No code list named 'nope'.*eas"):
        load("nope")
    with pytest.raises(CodeListNotFound, match="in poacc"):
        load("VATEX", family="poacc")


def test_loaded_once() -> None:
    assert load("eas") is load("EAS") is eas()
