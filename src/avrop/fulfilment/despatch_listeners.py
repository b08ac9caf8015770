"""Who is told, in the transaction that registers it, that goods of an order were despatched.

Fulfilment never imports the apps after it (decision 0011): serviceorders registers a listener from its
``AppConfig.ready`` so that the product of a service order, arriving on a despatched purchase order, brings
that service order to "appointment to set".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

# listener(order, despatch, actor, arrival) — arrival: the expected delivery date (None when not known).
Listener = Callable[[Any, Any, Any, dt.date | None], object]

_listeners: list[Listener] = []


def register(listener: Listener) -> None:
    if all(existing is not listener for existing in _listeners):
        _listeners.append(listener)


def notify(order: Any, despatch: Any, actor: Any, arrival: dt.date | None) -> None:
    for listener in _listeners:
        listener(order, despatch, actor, arrival)
