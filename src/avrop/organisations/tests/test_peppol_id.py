import pytest
from django.core.exceptions import ValidationError

from avrop.organisations.validators import validate_peppol_id


def test_valid_swedish_org_number_and_gln_ids():
    assert validate_peppol_id(" 0007:5560123456 ") == "0007:5560123456"
    assert validate_peppol_id("0088:7350000000016") == "0088:7350000000016"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("0007:5560123457", "0007:5560123457"),  # Luhn digit wrong
        ("0088:7350000000017", "0088:7350000000017"),  # GS1 check digit wrong
        ("5560123456", "scheme:value"),
        ("12:5560123456", "4-digit"),
        ("0000:123", "EAS"),
    ],
)
def test_invalid_ids_name_the_problem(value, fragment):
    with pytest.raises(ValidationError) as info:
        validate_peppol_id(value)
    assert fragment in info.value.messages[0]
