"""Parts later apps add to the order page (fulfilment: despatch advices, receipts, attempts, tasks).

Ordering never imports those apps: each registers a function from its ``AppConfig.ready`` that renders its
part for one order and the viewing request (its own scoping and role checks), or returns "" when it has
nothing to show. Parts keep their query count fixed per order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.safestring import SafeString, mark_safe

Part = Callable[[Any, Any], str]  # part(request, order) -> rendered HTML, "" for nothing

_parts: list[tuple[int, Part]] = []


def register(part: Part, *, position: int = 100) -> None:
    if all(existing is not part for _position, existing in _parts):
        _parts.append((position, part))
        _parts.sort(key=lambda entry: entry[0])


def render(request: Any, order: Any) -> list[SafeString]:
    """Every registered part's HTML for ``order`` (rendered by templates, so already escaped)."""
    rendered = (part(request, order) for _position, part in _parts)
    return [mark_safe(html) for html in rendered if html]  # noqa: S308 - template output, escaped there
