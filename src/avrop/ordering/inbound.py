"""Which service takes in a document the ordering access point delivered, by its root element.

Ordering takes in order responses (T76) itself. Later apps of the chain take in their own documents (the
despatch advice, T16, is fulfilment's) and register their handler here from their ``AppConfig.ready``:
ordering never imports them, and a document nobody registered for goes to the order-response intake,
which refuses it with the reason ("not a T76") and keeps it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from avrop.edi.xmlsafe import XmlSafetyError, parse_bytes, tag_name

Handler = Callable[..., Any]  # handler(content=bytes, filename=str); raises to leave the file claimed

_handlers: dict[str, Handler] = {}


def register(root: str, handler: Handler) -> None:
    """``root``: the document's root element name without namespace (``DespatchAdvice``)."""
    _handlers[root] = handler


def handler_for(content: bytes) -> Handler | None:
    """The registered handler for this document, or None (also for a file that is not XML at all)."""
    try:
        root = tag_name(parse_bytes(content).getroot())
    except (XmlSafetyError, TypeError, ValueError):
        return None
    return _handlers.get(root.rpartition("}")[2])
