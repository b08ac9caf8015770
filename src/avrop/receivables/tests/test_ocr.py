"""OCR references by Bankgirot's rules, with known figures."""

import pytest
from stdnum import luhn

from avrop.receivables import ocr


def test_luhn_check_digit_of_the_textbook_example():
    # The worked example of the Luhn algorithm (ISO/IEC 7812-1, Annex B): 7992739871 → 3.
    assert ocr.luhn_digit("7992739871") == "3"


@pytest.mark.parametrize("base", ["1", "12", "1234567", "10001", "99999999999999999999999"])
def test_luhn_digit_agrees_with_python_stdnum(base):
    assert ocr.luhn_digit(base) == luhn.calc_check_digit(base)


def test_reference_with_length_digit():
    # Worked by hand: 1234567, length digit 9 (nine digits in all), then Luhn over 12345679:
    # 9·2=18→9, 7, 6·2=12→3, 5, 4·2=8, 3, 2·2=4, 1 → 40, check digit 0.
    assert ocr.make("1234567") == "123456790"
    assert ocr.make("1234567", length_digit=False) == "12345674"
    assert ocr.make("F-10001") == "1000173"


def test_hard_check_refuses_wrong_check_or_length_digit_soft_check_only_the_check_digit():
    assert ocr.problem("123456790") is None
    assert ocr.problem("123456791") == ocr.CHECK_DIGIT
    assert ocr.problem("12345674") == ocr.LENGTH_DIGIT  # valid Luhn, but no length digit
    assert ocr.problem("12345674", hard=False) is None
    assert ocr.problem("12A4") == ocr.NOT_DIGITS
    assert ocr.problem("1" * 26) == ocr.LENGTH


def test_a_reference_longer_than_25_digits_is_refused():
    with pytest.raises(ValueError, match="at most 25"):
        ocr.make("1" * 24)
    with pytest.raises(ValueError, match="needs digits"):
        ocr.make("ABC")
