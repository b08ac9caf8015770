"""Domain errors: a stable machine-readable code and a message for people.

Views and the API map them to 4xx responses that carry the code, so clients can react to them.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    INVALID_TRANSITION = "invalid_transition"
    VALIDATION = "validation"
    CONFLICT = "conflict"


class DomainError(Exception):
    """Base class of every business-rule failure."""

    http_status = 400

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = str(code)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class NotFound(DomainError):
    """The object does not exist or the acting user may not see it (both look the same on purpose)."""

    http_status = 404

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(ErrorCode.NOT_FOUND, message)


class NotAllowed(DomainError):
    http_status = 403

    def __init__(self, message: str, code: str = ErrorCode.NOT_ALLOWED) -> None:
        super().__init__(code, message)


class InvalidTransition(DomainError):
    """A move the state machine does not allow. ``message`` is for people; ``detail`` names the states and
    the allowed moves for logs and developers."""

    http_status = 409

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(ErrorCode.INVALID_TRANSITION, message)
        self.detail = detail or message

    def __str__(self) -> str:
        return f"{self.code}: {self.message} ({self.detail})"
