"""Late-payment interest and charges under Swedish law, as pure functions.

- Räntelagen (1975:635) 6 §: interest from the due date at the reference rate plus eight percentage points;
  9 §: the reference rate of a calendar half-year is the one the Riksbank set for it (in force on 1 January
  or 1 July). Interest is counted day by day (actual days / 365), each half-year at its own rate, and the sum
  is rounded to the öre once.
- Lag (1981:739) om ersättning för inkassokostnader 2 §: a reminder fee of at most 60 SEK, if agreed;
  4 a §: a business debtor owes a flat compensation of 450 SEK for late payment, and a creditor who claims
  it may not also charge the reminder fee.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

MARGIN = Decimal("8")
REMINDER_FEE = Decimal("60.00")
FLAT_COMPENSATION = Decimal("450.00")
DAYS_PER_YEAR = Decimal("365")
CENT = Decimal("0.01")


def half_year_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 1 if day.month <= 6 else 7, 1)


def reference_rate_for(day: dt.date, rates: Sequence[tuple[dt.date, Decimal]]) -> Decimal:
    """The reference rate of ``day``'s half-year: the latest rate in force on the half-year's first day."""
    start = half_year_start(day)
    valid = [(valid_from, rate) for valid_from, rate in rates if valid_from <= start]
    if not valid:
        raise ValueError(f"No reference rate is registered for the half-year starting {start.isoformat()}.")
    return max(valid, key=lambda row: row[0])[1]


def _raw_interest(
    amount: Decimal, *, since: dt.date, until: dt.date, rates: Sequence[tuple[dt.date, Decimal]]
) -> Decimal:
    """Unrounded interest on ``amount`` for the days after ``since`` up to and including ``until``, each
    half-year at its own rate."""
    total = Decimal("0")
    start = since + dt.timedelta(days=1)
    while start <= until:
        next_half = dt.date(start.year, 7, 1) if start.month <= 6 else dt.date(start.year + 1, 1, 1)
        end = min(until, next_half - dt.timedelta(days=1))
        days = (end - start).days + 1
        yearly = reference_rate_for(start, rates) + MARGIN
        total += amount * yearly / 100 * days / DAYS_PER_YEAR
        start = next_half
    return total


def late_interest(
    amount: Decimal, *, due: dt.date, until: dt.date, rates: Sequence[tuple[dt.date, Decimal]]
) -> Decimal:
    """Interest on ``amount`` for the days after ``due`` up to and including ``until``."""
    if until <= due or amount <= 0:
        return Decimal("0.00")
    return _raw_interest(amount, since=due, until=until, rates=rates).quantize(CENT)


def interest_on_balance(
    principal: Decimal,
    *,
    payments: Sequence[tuple[dt.date, Decimal]],
    since: dt.date,
    until: dt.date,
    rates: Sequence[tuple[dt.date, Decimal]],
) -> Decimal:
    """Interest for the days after ``since`` up to and including ``until`` on what is still unpaid of
    ``principal`` each day: a payment made on a day still bears that day's interest and lowers the balance
    from the next day. Summed unrounded and rounded to the öre once."""
    if until <= since:
        return Decimal("0.00")
    total = Decimal("0")
    balance = principal - sum((a for d, a in payments if d <= since), Decimal("0"))
    start = since
    for day in sorted({d for d, _a in payments if since < d < until}):
        if balance > 0:
            total += _raw_interest(balance, since=start, until=day, rates=rates)
        balance -= sum((a for d, a in payments if d == day), Decimal("0"))
        start = day
    if balance > 0:
        total += _raw_interest(balance, since=start, until=until, rates=rates)
    return total.quantize(CENT)


def charges(
    *, is_business: bool, reminder_fee_agreed: bool = True, already_compensated: bool = False
) -> dict[str, Decimal]:
    """What a reminder may add: the flat compensation once for a business debtor, else the reminder fee."""
    if is_business:
        return {
            "flat_compensation": Decimal("0.00") if already_compensated else FLAT_COMPENSATION,
            "reminder_fee": Decimal("0.00"),
        }
    return {
        "flat_compensation": Decimal("0.00"),
        "reminder_fee": REMINDER_FEE if reminder_fee_agreed else Decimal("0.00"),
    }
