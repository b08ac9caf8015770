"""OCR references by Bankgirot's rules: digits only, 2–25 long, the last digit a Luhn (mod 10) check digit
over the rest; with a length digit the second last digit is the whole reference's length modulo 10.

A bankgiro number set up for a *hard* check refuses a reference whose length digit or check digit is
wrong; a *soft* check looks at the check digit only. Bankgirot reports what it checked in BgMax (reference
code 2: a correct OCR reference), but matching checks again here, so that a mistyped reference goes to the
clerk's queue and never to somebody else's invoice.
"""

from __future__ import annotations

MIN_LENGTH = 2
MAX_LENGTH = 25


def luhn_digit(digits: str) -> str:
    """The Luhn check digit to append to ``digits`` (weights 2, 1, 2 … from the right)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def make(base: str, *, length_digit: bool = True) -> str:
    """The OCR reference of ``base`` (the invoice number's digits): base [+ length digit] + check digit."""
    digits = "".join(c for c in base if c.isdigit())
    if not digits:
        raise ValueError(f"An OCR reference needs digits; {base!r} has none.")
    if length_digit:
        digits += str((len(digits) + 2) % 10)
    reference = digits + luhn_digit(digits)
    if len(reference) > MAX_LENGTH:
        raise ValueError(
            f"An OCR reference has at most {MAX_LENGTH} digits; {reference} has {len(reference)}."
        )
    return reference


NOT_DIGITS = "not_digits"
LENGTH = "length"
CHECK_DIGIT = "check_digit"
LENGTH_DIGIT = "length_digit"


def problem(reference: str, *, hard: bool = True) -> str | None:
    """Which check ``reference`` fails (``NOT_DIGITS``, ``LENGTH``, ``CHECK_DIGIT``, ``LENGTH_DIGIT``), or
    None when it is a valid OCR reference."""
    text = reference.strip().replace(" ", "")
    if not text.isdigit():
        return NOT_DIGITS
    if not MIN_LENGTH <= len(text) <= MAX_LENGTH:
        return LENGTH
    if luhn_digit(text[:-1]) != text[-1]:
        return CHECK_DIGIT
    if hard and int(text[-2]) != len(text) % 10:
        return LENGTH_DIGIT
    return None


def is_valid(reference: str, *, hard: bool = True) -> bool:
    return problem(reference, hard=hard) is None
