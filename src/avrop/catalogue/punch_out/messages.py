"""The checks of a returned shop cart in words. The check stores codes with their values (it runs without a
user, when the shop posts); the page says them in the reader's language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from avrop.core import formatting


def _percent(value: str) -> str:
    return formatting.percent(Decimal(value)) if value else ""


def reason_text(reason: dict[str, Any]) -> str:
    code = reason.get("code")
    if code == "outside_assortment":
        return _(
            "Not in the agreement's assortment: article %(article)s is not on the agreement's price list."
        ) % {"article": reason.get("article") or "–"}
    if code == "no_category":
        return _("The shop gave no UNSPSC code, and the agreement only allows certain categories.")
    if code == "category_not_allowed":
        return _("UNSPSC %(unspsc)s is outside the categories the agreement allows (%(allowed)s).") % {
            "unspsc": reason.get("unspsc", ""),
            "allowed": reason.get("allowed", ""),
        }
    if code == "no_price":
        return _("The shop sent no price for the line.")
    if code == "currency":
        return _("The price is in %(currency)s; the agreement's prices are in %(expected)s.") % {
            "currency": reason.get("currency", ""),
            "expected": reason.get("expected", ""),
        }
    if code == "price_above":
        return _(
            "The price is %(percent)s above the agreement's price list; at most %(tolerance)s is accepted."
        ) % {
            "percent": _percent(reason.get("percent", "")),
            "tolerance": _percent(reason.get("tolerance", "")),
        }
    return _("Refused (%(code)s).") % {"code": code}


def problem_text(problem: dict[str, Any]) -> str:
    code = problem.get("code")
    if code == "expired":
        return _("The shop cart came back after the session had expired (4 hours). Go to the shop again.")
    if code == "cookie":
        return _(
            "The shop cart belongs to another punch-out session (its buyer cookie does not match). "
            "Nothing was added."
        )
    if code == "total":
        return _(
            "The cart's total (%(total)s) does not match its lines (%(sum)s): it was changed after the "
            "shop sent it. Nothing was added."
        ) % {
            "total": formatting.amount(Decimal(problem.get("total", "0"))),
            "sum": formatting.amount(Decimal(problem.get("sum", "0"))),
        }
    if code == "empty":
        return _("The shop cart came back empty.")
    if code == "t77_invalid":
        return _("The Peppol punch-out document breaks the Peppol rules (%(rules)s). Nothing was added.") % {
            "rules": problem.get("rules", "")
        }
    if code == "unreadable":
        detail = str(problem.get("detail", ""))
        if detail.startswith("XML-DOCTYPE"):
            return _(
                "The shop's answer declares a DTD or entities, which avrop refuses for security. Nothing was "
                "added; tell the supplier."
            )
        return _(
            "The shop's answer could not be read (%(detail)s). Nothing was added; tell the supplier."
        ) % {"detail": detail}
    return _("Refused (%(code)s).") % {"code": code}
