"""Helpers for the apps' demonstration data: valid identifiers and the documented demo password.

The loaders themselves are in each app's ``demo.py``; ``avrop.web.demo`` runs them (``avrop demo``).
"""

from __future__ import annotations

from stdnum import ean, luhn
from stdnum.ch import uid

DEMO_PASSWORD = "avrop-demo-2026"  # noqa: S105 (documented demo password)


def se_org_number(nine_digits: str) -> str:
    """A Swedish organisation number NNNNNN-NNNN whose last digit passes the Luhn check."""
    full = nine_digits + luhn.calc_check_digit(nine_digits)
    return f"{full[:6]}-{full[6:]}"


def se_vat(org_number: str) -> str:
    return "SE" + org_number.replace("-", "") + "01"


def gln(twelve_digits: str) -> str:
    return twelve_digits + ean.calc_check_digit(twelve_digits)


def ch_uid(eight_digits: str) -> str:
    full = eight_digits + uid.calc_check_digit(eight_digits)
    return f"CHE-{full[:3]}.{full[3:6]}.{full[6:]}"
