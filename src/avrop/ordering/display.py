"""What people read about orders: the supplier's answer per line and the changes an order response made,
in words rather than the codes the services store (``changed``, ``unit_price``)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from avrop.core import formatting

RESPONSE_STATUS_LABELS = {
    "accepted": pgettext_lazy("order line", "accepted"),
    "changed": pgettext_lazy("order line", "changed by the supplier"),
    "rejected": pgettext_lazy("order line", "rejected"),
}

CHANGE_FIELD_LABELS = {
    "quantity": _("quantity"),
    "unit_price": _("unit price"),
    "delivery_date": _("delivery date"),
    "substitute": _("article"),
    "status": _("status"),
}


@dataclass(frozen=True)
class Change:
    code: str
    label: str
    old: str
    new: str


def response_status_label(code: str | None) -> str:
    """``changed`` → "changed by the supplier" (sv "ändrad av leverantören"); other codes as they are."""
    if not code:
        return ""
    label = RESPONSE_STATUS_LABELS.get(code)
    return str(label) if label is not None else code


def _value(field: str, raw: Any) -> str:
    if raw in (None, ""):
        return "–"
    try:
        if field == "quantity":
            return formatting.qty(Decimal(str(raw)))
        if field == "unit_price":
            return formatting.amount(Decimal(str(raw)))
        if field == "delivery_date":
            return formatting.day(dt.date.fromisoformat(str(raw)))
        if field == "status":
            return response_status_label(str(raw))
    except (ArithmeticError, ValueError):
        pass
    return str(raw)


def describe_changes(changes: Iterable[Mapping[str, Any]] | None) -> list[Change]:
    """The changes an order response made to one line, each with a label and formatted old and new values."""
    described = []
    for change in changes or ():
        field = str(change.get("field", ""))
        label = CHANGE_FIELD_LABELS.get(field)
        described.append(
            Change(
                code=field,
                label=str(label) if label is not None else field,
                old=_value(field, change.get("old")),
                new=_value(field, change.get("new")),
            )
        )
    return described


def confirmed_total(lines: Iterable[Any]) -> Decimal:
    """The order's total as the supplier confirmed it: confirmed quantity × confirmed price, rejected and
    cancelled lines left out (the stored ``total_amount`` is the total as ordered)."""
    total = Decimal("0")
    for line in lines:
        if getattr(line, "is_cancelled", False) or line.response_status == "rejected":
            continue
        total += (line.effective_quantity * line.effective_unit_price).quantize(Decimal("0.01"))
    return total


_HTTP_STATUS = re.compile(r"\bHTTP (\d{3})\b")
_UNREACHABLE = (
    "ConnectionRefused",
    "ConnectionError",
    "ConnectionReset",
    "timed out",
    "Timeout",
    "TimeoutError",
    "Name or service not known",
    "getaddrinfo",
    "refused the connection",
    "Temporary failure in name resolution",
)


def transport_error_text(error: str | None) -> str:
    """A channel's raw error ("Access point: HTTP 503 Service Unavailable from …") as a sentence for the
    coordinator; the raw text is shown beside it for support."""
    if not error:
        return ""
    status = _HTTP_STATUS.search(error)
    if status is not None:
        code = int(status.group(1))
        if code >= 500:
            return gettext(
                "The receiving access point has a fault right now (HTTP %(status)s). "
                "The order is sent again automatically."
            ) % {"status": code}
        if code in (401, 403):
            return gettext("The access point did not accept our credentials (HTTP %(status)s).") % {
                "status": code
            }
        return gettext("The access point refused the document (HTTP %(status)s).") % {"status": code}
    if any(marker in error for marker in _UNREACHABLE):
        return gettext("The access point could not be reached. The order is sent again automatically.")
    if "SMTP" in error or "e-mail" in error.lower() or "mail" in error.split(":", 1)[0].lower():
        return gettext("The e-mail could not be sent.")
    return gettext("The sending failed.")
