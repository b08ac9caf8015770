"""The life of a price-list version: received, staged for review, approved, active, replaced.

A version is staged by an import; nothing of it reaches requisitioners before a coordinator approves it.
Approval with a start date in the future leaves it APPROVED until the scheduled activation.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class VersionStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    REVIEW = "review", _("Waiting for review")
    APPROVED = "approved", _("Approved, starts later")
    ACTIVE = "active", pgettext_lazy("price list", "Active")
    REPLACED = "replaced", _("Replaced")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")


S = VersionStatus
VERSION_TRANSITIONS: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.REVIEW, S.FAILED}),
    # REVIEW → REVIEW: compared again with the active version after that one changed.
    S.REVIEW: frozenset({S.REVIEW, S.APPROVED, S.ACTIVE, S.REJECTED}),
    S.APPROVED: frozenset({S.ACTIVE, S.REVIEW}),
    S.ACTIVE: frozenset({S.REPLACED}),
    S.REPLACED: frozenset(),
    S.REJECTED: frozenset(),
    S.FAILED: frozenset(),
}
