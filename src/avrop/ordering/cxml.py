"""Purchase orders to cXML suppliers: the order, its changes and its cancellation as a cXML 1.2
``OrderRequest`` (``new``/``update``/``delete``) posted to the order address of the supplier's punch-out
settings, with the same credentials as the punch-out (shared secret in the Sender). The supplier's
``Response/Status`` decides: 2xx delivered, 4xx refused for good (with the supplier's text), anything else or
no answer is tried again later."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

from django.utils import timezone

from avrop.catalogue.punch_out import protocols
from avrop.catalogue.punch_out import secrets as credential_store
from avrop.ordering import channels

TIMEOUT_SECONDS = 20
OPERATIONS = {"order": "new", "change": "update", "cancellation": "delete"}


def config_for(supplier: Any) -> Any:
    from avrop.catalogue.models import PunchOutConfig

    return PunchOutConfig.objects.filter(supplier=supplier, is_active=True).first()


def order_url(supplier: Any) -> str:
    config = config_for(supplier)
    return config.order_url if config is not None else ""


def order_request(order: Any, *, kind: str, payload: dict[str, Any] | None = None) -> bytes:
    """The ``OrderRequest`` of ``order`` for a transmission of ``kind`` (order, change or cancellation); a
    change carries the new quantities of ``payload['lines']`` ({order line id: {"quantity": …}})."""
    config = config_for(order.supplier)
    if config is None or not config.order_url:
        raise channels.PermanentError(
            "The supplier has no cXML order address; set it in its punch-out settings."
        )
    credentials = credential_store.decrypt(config.credentials)
    changes = (payload or {}).get("lines", {}) if kind == "change" else {}
    lines = []
    for line in order.lines.select_related("requisition_line").order_by("line_number"):
        if line.is_cancelled:
            continue
        quantity = line.effective_quantity
        change = changes.get(str(line.pk)) or changes.get(line.pk)
        if change and change.get("quantity") not in (None, ""):
            quantity = type(quantity)(str(change["quantity"]))
        lines.append(
            protocols.OrderLineOut(
                line_number=line.line_number,
                supplier_part_id=line.article_number or line.gtin or str(line.line_number),
                name=line.name,
                quantity=quantity,
                unit=line.unit,
                unit_price=line.effective_unit_price,
                unspsc=(line.requisition_line.category or "")[:20]
                if line.requisition_line.category.isdigit()
                else "",
            )
        )
    address = order.delivery_address
    requisitioner = order.requisition.requisitioner
    out = protocols.OrderOut(
        order_id=order.number,
        order_date=order.ordered_on or timezone.localdate(),
        currency=order.currency,
        total=sum((line.quantity * line.unit_price for line in lines), type(order.total_amount)(0)),
        ship_to_name=f"{order.organisation.name}, {order.department.name}",
        ship_to_street=getattr(address, "street", "") or order.organisation.street,
        ship_to_postal_code=getattr(address, "postal_code", "") or order.organisation.postal_code,
        ship_to_city=getattr(address, "city", "") or order.organisation.city,
        ship_to_country=getattr(order.organisation, "country", "") or "SE",
        bill_to_name=order.organisation.name,
        contact_name=requisitioner.get_full_name() or requisitioner.get_username(),
        contact_email=requisitioner.email,
        lines=tuple(lines),
    )
    return protocols.cxml_order_request(
        out, credentials=credentials, language=config.language, operation=OPERATIONS[kind]
    )


def send(*, url: str, content: bytes) -> str:
    """Post the request; the message id is the supplier's status and our payload id."""
    request = urllib.request.Request(  # noqa: S310 (the coordinator's configured https/http order address)
        url, data=content, method="POST", headers={"Content-Type": "text/xml; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            answer = bytes(response.read(protocols.MAX_RETURN_BYTES + 1))
    except urllib.error.HTTPError as exc:
        answer = exc.read(protocols.MAX_RETURN_BYTES + 1) if exc.fp is not None else b""
        if not answer:
            raise (
                channels.PermanentError
                if 400 <= exc.code < 500 and exc.code not in {408, 429}
                else channels.TransientError
            )(f"The supplier's order address answered HTTP {exc.code}.") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise channels.TransientError(
            f"The supplier's order address could not be reached: {getattr(exc, 'reason', exc)}"
        ) from None
    try:
        code, text = protocols.cxml_response_status(answer)
    except protocols.ReturnError as exc:
        raise channels.TransientError(f"The supplier's answer was not cXML ({exc.code}).") from None
    if code.startswith("2"):
        return f"cxml:{code}"
    if code.startswith("4"):
        raise channels.PermanentError(f"The supplier refused the order: {code} {text}".strip())
    raise channels.TransientError(f"The supplier answered {code} {text}; trying again later.".strip())
