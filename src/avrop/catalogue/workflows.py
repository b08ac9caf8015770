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


class PunchOutStatus(models.TextChoices):
    """A punch-out session: opened when the requisitioner leaves for the shop, received when the shop's cart
    comes back (and is checked), joined when the accepted lines are in the cart."""

    OPEN = "open", _("At the supplier's shop")
    FAILED = "failed", _("The shop did not answer")
    RECEIVED = "received", _("Cart returned, checked")
    REFUSED = "refused", _("Returned cart refused")
    JOINED = "joined", _("Added to the cart")


P = PunchOutStatus
PUNCH_OUT_TRANSITIONS: dict[str, frozenset[str]] = {
    P.OPEN: frozenset({P.FAILED, P.RECEIVED, P.REFUSED}),
    P.FAILED: frozenset(),
    P.RECEIVED: frozenset({P.JOINED}),
    P.REFUSED: frozenset(),
    P.JOINED: frozenset(),
}
