"""While the database cannot be reached: a 503 page instead of a 500, and a fresh connection afterwards.

PostgreSQL stopped, restarting or unreachable (and SQLite locked or its file unreadable) raise
``OperationalError`` or ``InterfaceError`` wherever the request touches the database: in a view, in a
middleware (the session, the active organisation) or in the database cache. Every such request answers
503 Service Unavailable with ``Retry-After`` and a static page in Swedish and English (no stack trace, no
error text, nothing that needs the database to render); the API answers the same in JSON. The broken
connection is closed at once so that the next request connects anew: the web recovers by itself when the
database is back, without a restart.

``DatabaseOutageMiddleware.process_exception`` answers for the views (and logs one warning line instead of a
traceback); ``server_error`` (``handler500``) answers for the same errors raised in a middleware, and is the
ordinary 500 page otherwise."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
TEMPLATE = "503.html"

# SQLite reports a missing table or column as an OperationalError too: that is a schema problem (a 500), not
# an outage that goes away by waiting.
_SCHEMA_WORDS = ("no such table", "no such column", "has no column")


def is_outage(exc: BaseException | None) -> bool:
    """True for a database that cannot be reached or used right now (connection refused or lost, server
    shutting down, SQLite locked), false for a programming or schema error."""
    if isinstance(exc, InterfaceError):
        return True
    if isinstance(exc, OperationalError):
        text = str(exc).lower()
        return not any(words in text for words in _SCHEMA_WORDS)
    return False


def drop_broken_connections() -> None:
    """Close the connections the error left unusable, so the next request (or the health check) connects
    anew. A connection inside a transaction is left to its owner (the transaction rolls back first)."""
    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block:
            continue
        try:
            conn.close_if_unusable_or_obsolete()
        except Exception:  # closing a dead connection may fail as well; it is gone either way
            logger.debug("Closing the database connection %s failed", conn.alias, exc_info=True)


def outage_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON under /api/, else the static bilingual page (rendered without a request,
    so no context processor touches the database)."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "code": "database_unavailable",
                "message": "The service is temporarily unavailable. Try again shortly.",
                "field": None,
            },
            status=503,
        )
    else:
        response = HttpResponse(loader.render_to_string(TEMPLATE), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """A view that fails because the database is unreachable answers 503 (see the module's text)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_outage(exception):
            return None
        logger.warning("Database unavailable, answered 503 for %s: %s", request.path, exception)
        drop_broken_connections()
        return outage_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the outage page for a database error raised outside a view (a middleware, the session
    saved after the view), else the ordinary 500 page."""
    if is_outage(sys.exc_info()[1]):
        drop_broken_connections()
        return outage_response(request)
    return HttpResponse(loader.render_to_string("500.html"), status=500)
