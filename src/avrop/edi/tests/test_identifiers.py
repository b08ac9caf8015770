"""Participant identifiers: parsing, scheme lists and check digits, with messages naming the check."""

from __future__ import annotations

import pytest

from avrop.edi import codelists
from avrop.edi.identifiers import (
    SCHEMES,
    IdentifierError,
    ParticipantId,
    check_participant_id,
    gln_check_digit,
    is_valid_gln,
    parse_participant_id,
    validate_identifier,
)


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("0007:5567321707", "Swedish organisation number"),
        ("0007:2021004508", "Swedish organisation number"),
        ("0088:7300010000001", "GLN (GS1 Global Location Number)"),
        ("0088:7350039110021", "GLN (GS1 Global Location Number)"),
        ("0192:987654325", "Norwegian organisation number"),
        ("0184:DK13585628", "Danish CVR number"),
        ("0208:0403019261", "Belgian enterprise number"),
        ("0037:0112038-9", "Finnish business id (Y-tunnus)"),
        ("9930:DE136695976", "DE VAT number"),
        ("9925:BE0403019261", "BE VAT number"),
        ("0106:12345678", "Dutch Chamber of Commerce (KvK) number"),
        ("0151:51824753556", "Australian Business Number"),
        ("0199:5493001KJTIIGC8Y1R12", "Legal Entity Identifier (LEI)"),
        ("0201:ABCDEF", None),  # IPA code: listed, no value check known
    ],
)
def test_valid_identifiers(text: str, check: str | None) -> None:
    parsed = parse_participant_id(text)
    assert str(parsed) == text
    assert parsed.check == check
    assert parsed.scheme_name == codelists.eas().name_of(parsed.scheme)
    assert parsed.in_eas
    assert check_participant_id(text) is None


@pytest.mark.parametrize(
    ("text", "check", "words"),
    [
        ("0007:5567321708", "checksum", "Swedish organisation number: the check digit is wrong"),
        ("0007:556732-1707", "format", "must match"),
        ("0007:55673217", "format", "0007:55673217 is not a valid Swedish organisation number"),
        ("0088:7300010000002", "checksum", "GLN"),
        ("0088:730001000001", "format", "GLN"),
        ("0192:987654321", "checksum", "Norwegian organisation number"),
        ("0184:13585628", "format", "DK"),
        ("0184:DK13585629", "checksum", "Danish CVR number"),
        ("9930:DE136695977", "checksum", "DE VAT number"),
        ("9930:FR136695976", "format", "country prefix 'DE'"),
        ("0208:0403019262", "checksum", "Belgian enterprise number"),
        ("9999:123", "scheme", "not in the Peppol EAS code list"),
        ("0003:123", "scheme", "ISO 6523 ICD"),
        ("9955:SE556732170701", "scheme", "no longer an electronic address scheme"),
        ("5567321707", "syntax", "expected 'scheme:value'"),
        ("0007:", "syntax", "expected 'scheme:value'"),
        ("SE:5567321707", "syntax", "not a 4-digit code"),
        ("0201:" + "A" * 51, "length", "at most 50 characters"),
    ],
)
def test_invalid_identifiers_name_the_failed_check(text: str, check: str, words: str) -> None:
    with pytest.raises(IdentifierError) as info:
        parse_participant_id(text)
    assert info.value.check == check
    assert words in info.value.message
    assert check_participant_id(text) == info.value.message


def test_uri_form_round_trip() -> None:
    parsed = parse_participant_id("  iso6523-actorid-upis::0007:5567321707 ")
    assert parsed == ParticipantId("0007", "5567321707", parsed.scheme_name, "Swedish organisation number")
    assert parsed.uri == "iso6523-actorid-upis::0007:5567321707"


def test_retired_swedish_vat_scheme_when_allowed() -> None:
    parsed = parse_participant_id("9955:SE556732170701", require_eas=False)
    assert parsed.check == "Swedish VAT number"
    assert not parsed.in_eas
    with pytest.raises(IdentifierError) as info:
        parse_participant_id("9955:SE556732170801", require_eas=False)
    assert info.value.check == "checksum"
    with pytest.raises(IdentifierError, match="must match SE"):
        parse_participant_id("9955:556732170701", require_eas=False)


def test_icd_scheme_when_allowed() -> None:
    parsed = parse_participant_id("0003:123", require_eas=False)
    assert parsed.check is None
    assert parsed.scheme_name == codelists.icd().name_of("0003")


def test_validate_identifier_for_party_ids() -> None:
    assert validate_identifier("0007", "5567321707") == "Swedish organisation number"
    assert validate_identifier("0003", "anything") is None
    with pytest.raises(IdentifierError, match="check digit"):
        validate_identifier("0007", "5567321708")


def test_every_checked_scheme_is_a_listed_code() -> None:
    listed = set(codelists.eas()) | set(codelists.icd())
    assert set(SCHEMES) - listed == {"9955"}


def test_gln_check_digit() -> None:
    assert gln_check_digit("730001000000") == "1"
    assert gln_check_digit("735003911002") == "1"
    assert is_valid_gln("7300010000001")
    assert not is_valid_gln("7300010000002")
    assert not is_valid_gln("730001000000")
    assert not is_valid_gln("73000100000O1")
    with pytest.raises(IdentifierError) as info:
        gln_check_digit("12345")
    assert info.value.check == "format"


@pytest.mark.parametrize("stem", ["000000000000", "123456789012", "999999999999", "400638133393"])
def test_gln_check_digit_matches_the_gs1_rule(stem: str) -> None:
    # GS1: weights 3,1,3,… from the right of the stem; check digit tops the sum up to a multiple of 10.
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(stem)))
    assert gln_check_digit(stem) == str((10 - total % 10) % 10)
