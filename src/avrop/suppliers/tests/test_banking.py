import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from avrop.suppliers.banking import (
    format_account,
    normalise_bankgiro,
    normalise_bic,
    normalise_iban,
    normalise_plusgiro,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("value", ["5050-1055", "505-1057", "902-0900", "5555 5551"])
def test_valid_bankgiro_numbers(value):
    assert normalise_bankgiro(value).isdigit()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("5050-1056", "the check digit is wrong"),
        ("123456", "the number has the wrong length"),
        ("1234-56789", "the number has the wrong length"),
        ("5050-105X", "the number has the wrong format"),
    ],
)
def test_invalid_bankgiro_names_the_check(value, reason):
    with pytest.raises(ValidationError) as exc:
        normalise_bankgiro(value)
    assert reason in exc.value.messages[0]
    assert "Luhn" in exc.value.messages[0] and "Bankgiro" in exc.value.messages[0]


def test_plusgiro_accepts_2_to_8_digits():
    assert normalise_plusgiro("4 89 18-7") == "489187"
    assert normalise_plusgiro("18") == "18"
    with pytest.raises(ValidationError, match="check digit"):
        normalise_plusgiro("489188")
    with pytest.raises(ValidationError, match="length"):
        normalise_plusgiro("1")


def test_iban_and_bic():
    assert normalise_iban("SE45 5000 0000 0583 9825 7466") == "SE4550000000058398257466"
    with pytest.raises(ValidationError, match="mod-97"):
        normalise_iban("SE45 5000 0000 0583 9825 7467")
    assert normalise_bic("esse se ss") == "ESSESESS"
    with pytest.raises(ValidationError, match="ISO 9362"):
        normalise_bic("ESSE")


def test_formatting():
    assert format_account("bankgiro", "50501055") == "5050-1055"
    assert format_account("plusgiro", "489187") == "48918-7"
    assert format_account("iban", "SE4550000000058398257466") == "SE45 5000 0000 0583 9825 7466"
