"""The channels an order goes out through: the Peppol access point, e-mail (PDF and spreadsheet), the
supplier portal. Each send either returns a message id, raises ``TransientError`` (retry later) or
``PermanentError`` (a person must fix something first).

Peppol uses the shared ``AccessPoint`` protocol and ``FileAccessPoint`` adapter (``avrop.core.transport``),
rooted at the ordering folder so that the invoice intake never picks up order responses (docs/decisions/0007).
"""

from __future__ import annotations

import io
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import import_string

from avrop.core import transport
from avrop.core.transport.access_point import AccessPoint, FileAccessPoint
from avrop.ordering import conf


class TransientError(transport.TransientError):
    """The channel did not take the document now; try again later."""


class PermanentError(transport.PermanentError):
    """The document cannot go out as it is (no address, invalid document); retrying does not help."""


_access_points: dict[str, AccessPoint] = {}
_lock = threading.Lock()


def access_point() -> AccessPoint:
    """The ordering access point: ``ORDERING_ACCESS_POINT`` (dotted path to a factory) or the folder."""
    factory = getattr(settings, "ORDERING_ACCESS_POINT", None)
    if factory:
        return import_string(factory)()
    root = str(conf.peppol_dir())
    with _lock:
        found = _access_points.get(root)
        if found is None:
            found = _access_points[root] = FileAccessPoint(Path(root))
    return found


def send_peppol(*, content: bytes, document_id: str, receiver: str, document_type: str) -> str:
    if not receiver:
        raise PermanentError(
            "The supplier has no Peppol participant id; add it to the supplier's organisation."
        )
    try:
        return access_point().send(
            content=content, document_id=document_id, receiver=receiver, document_type=document_type
        )
    except OSError as exc:
        raise TransientError(f"Access point: {type(exc).__name__}: {exc}") from exc


def send_email(
    *, recipient: str, subject: str, body: str, attachments: list[tuple[str, bytes, str]], reply_to: str = ""
) -> str:
    if not recipient:
        raise PermanentError("The supplier has no e-mail address for orders; add it to the supplier.")
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        reply_to=[reply_to] if reply_to else None,
    )
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    mime = message.message()
    try:
        message.send()
    except Exception as exc:  # any transport error: SMTP, DNS, socket, TLS
        raise TransientError(f"E-mail: {type(exc).__name__}: {exc}") from exc
    return str(mime["Message-ID"] or "")


# --- documents for e-mail suppliers -----------------------------------------------------------------------


def order_context(order: Any) -> dict[str, Any]:
    lines = list(order.lines.all())
    return {
        "order": order,
        "lines": lines,
        "buyer": order.organisation,
        "supplier": order.supplier.organisation,
        "department": order.department,
        "requisitioner": order.requisition.requisitioner,
        "address": order.delivery_address,
        "total": sum((line.line_amount for line in lines), Decimal("0")),
    }


def order_pdf(order: Any, *, language: str = "sv") -> bytes:
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string("ordering/documents/order.html", order_context(order))
    return HTML(string=html).write_pdf()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula (=, +, -, @ …) is prefixed with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def order_xlsx(order: Any, *, language: str = "sv") -> bytes:
    from openpyxl import Workbook

    context = order_context(order)
    with translation.override(language):
        from django.utils.translation import gettext as _

        book = Workbook()
        sheet = book.worksheets[0]  # a new workbook's one (active) sheet
        sheet.title = _("Order")[:31]
        rows: list[list[Any]] = [
            [_("Order number"), order.number],
            [_("Order date"), order.ordered_on.isoformat()],
            [_("Buyer"), context["buyer"].name],
            [_("Department"), context["department"].name],
            [_("GLN"), order.buyer_gln],
            [_("Our customer number"), order.customer_number],
            [_("Our reference"), order.buyer_reference],
            [
                _("Requested delivery"),
                order.requested_delivery_date.isoformat() if order.requested_delivery_date else "",
            ],
            [_("Delivery address"), str(context["address"] or "")],
            [],
            [
                _("Line"),
                _("Article number"),
                _("GTIN"),
                _("Name"),
                _("Quantity"),
                _("Unit"),
                _("Unit price"),
                _("Amount"),
                _("Currency"),
                _("Requested delivery"),
            ],
        ]
        for line in context["lines"]:
            rows.append(
                [
                    line.line_number,
                    line.article_number,
                    line.gtin,
                    line.name,
                    line.quantity,
                    line.unit,
                    line.unit_price,
                    line.line_amount,
                    order.currency,
                    line.requested_delivery_date.isoformat() if line.requested_delivery_date else "",
                ]
            )
        rows.append([])
        rows.append([_("Total"), "", "", "", "", "", "", context["total"], order.currency])
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
