"""Stable error codes of the catalogue app."""

from __future__ import annotations

from enum import StrEnum


class CatalogueError(StrEnum):
    DUPLICATE_FILE = "catalogue_duplicate_file"
    FILE_TOO_LARGE = "catalogue_file_too_large"
    FILE_EMPTY = "catalogue_file_empty"
    UNKNOWN_FORMAT = "catalogue_unknown_format"
    STALE_REVIEW = "catalogue_stale_review"
    STAGED_ROWS_LOST = "catalogue_staged_rows_lost"
    LIMIT_NOT_ACKNOWLEDGED = "catalogue_price_limit_not_acknowledged"
    NOT_CALLABLE = "catalogue_agreement_not_callable"
    NO_AGREEMENT = "catalogue_no_agreement"
