"""Matching results in words, in the reader's language, from the codes and values stored with them."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.utils.translation import gettext as _

from avrop.core.formatting import amount, percent, qty, unit_name


def _d(value: str) -> Decimal:
    return Decimal(value)


_TEXTS: dict[str, Callable[[dict[str, str]], str]] = {
    "no_order_line": lambda r: (
        _("Line %(line)s: no order line for article %(article)s.") % r
        if r.get("article")
        else _("Line %(line)s: no order line matches it.") % r
    ),
    "cancelled_line": lambda r: _("Order line %(order_line)s was cancelled.") % r,
    "unit_differs": lambda r: (
        _("Invoiced in %(invoiced)s, ordered in %(ordered)s.")
        % {"invoiced": unit_name(r["invoiced"]), "ordered": unit_name(r["ordered"])}
    ),
    "price_rounding": lambda r: (
        _("Price differs by %(difference)s on the line: within rounding.")
        % {"difference": amount(_d(r["difference"]))}
    ),
    "price_on_free_line": lambda r: (
        _("Price %(invoiced)s on a line ordered free of charge.") % {"invoiced": amount(_d(r["invoiced"]))}
    ),
    "price_over": lambda r: (
        _("Price %(percent)s over the order (%(invoiced)s instead of %(ordered)s), tolerance %(tolerance)s.")
        % {
            "percent": percent(_d(r["percent"])),
            "invoiced": amount(_d(r["invoiced"])),
            "ordered": amount(_d(r["ordered"])),
            "tolerance": percent(_d(r["tolerance"])),
        }
    ),
    "price_under": lambda r: (
        _("Price %(percent)s under the order (%(invoiced)s instead of %(ordered)s).")
        % {
            "percent": percent(_d(r["percent"])),
            "invoiced": amount(_d(r["invoiced"])),
            "ordered": amount(_d(r["ordered"])),
        }
    ),
    "invoiced_before": lambda r: (
        _("%(quantity)s already invoiced earlier.") % {"quantity": qty(_d(r["quantity"]))}
    ),
    "over_ordered": lambda r: (
        _("%(invoiced)s invoiced, %(ordered)s ordered (tolerance %(tolerance)s).")
        % {
            "invoiced": qty(_d(r["invoiced"])),
            "ordered": qty(_d(r["ordered"])),
            "tolerance": percent(_d(r["tolerance"])),
        }
    ),
    "over_received": lambda r: (
        _("%(invoiced)s invoiced, %(received)s received.")
        % {"invoiced": qty(_d(r["invoiced"])), "received": qty(_d(r["received"]))}
    ),
    "nothing_received": lambda r: (
        _("%(invoiced)s invoiced, nothing received yet.") % {"invoiced": qty(_d(r["invoiced"]))}
    ),
    "no_order": lambda r: _("The invoice names no order of ours, so it cannot be matched."),
    "no_lines": lambda r: _("The invoice has no lines to match."),
    "lines_deviate": lambda r: _("%(count)s of %(of)s lines deviate from the order.") % r,
    "credit_names_no_invoice": lambda r: _("The credit note does not name the invoice it credits."),
    "credited_missing": lambda r: (
        _("The credited invoice %(number)s is not among this supplier's invoices.") % r
    ),
    "credit_larger": lambda r: (
        _("The credit note (%(credit)s) is larger than what is left of its invoice (%(available)s).")
        % {"credit": amount(_d(r["credit"])), "available": amount(_d(r["available"]))}
    ),
    "not_ready": lambda r: _("Held until the order is received in full and its tasks are done."),
}


def text(reason: dict[str, str]) -> str:
    """One reason in words; an unknown code (from a newer version) in general words, never the code."""
    render = _TEXTS.get(str(reason.get("code", "")))
    if render is None:
        return _("See the order for details.")
    try:
        return render(reason)
    except (KeyError, ArithmeticError, ValueError, TypeError):
        return _("See the order for details.")


def texts(reasons: list[dict[str, str]]) -> list[str]:
    return [text(r) for r in reasons or []]
