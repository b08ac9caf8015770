"""The state machines of this app: allowed (from, to) pairs as data; one service per edge."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from avrop.core.workflows import assert_transition as _assert_transition


class DepartmentRequestStatus(models.TextChoices):
    """The paper form "Ny beställningsavdelning e-handel" as steps."""

    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    GLN_ASSIGNED = "gln_assigned", _("GLN assigned")
    SUPPLIERS_NOTIFIED = "suppliers_notified", _("Suppliers notified")
    COMPLETED = "completed", _("Ready")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


_R = DepartmentRequestStatus
DEPARTMENT_REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    _R.REQUESTED: frozenset({_R.APPROVED, _R.REJECTED, _R.CANCELLED}),
    _R.APPROVED: frozenset({_R.GLN_ASSIGNED, _R.CANCELLED}),
    _R.GLN_ASSIGNED: frozenset({_R.SUPPLIERS_NOTIFIED, _R.CANCELLED}),
    _R.SUPPLIERS_NOTIFIED: frozenset({_R.COMPLETED, _R.CANCELLED}),
    _R.COMPLETED: frozenset(),
    _R.REJECTED: frozenset(),
    _R.CANCELLED: frozenset(),
}
# The main path, in order, for showing the steps.
DEPARTMENT_REQUEST_STEPS = [_R.REQUESTED, _R.APPROVED, _R.GLN_ASSIGNED, _R.SUPPLIERS_NOTIFIED, _R.COMPLETED]


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    REJECTED = "rejected", _("Not imported: errors found")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


_J = ImportJobStatus
IMPORT_JOB_TRANSITIONS: dict[str, frozenset[str]] = {
    _J.QUEUED: frozenset({_J.RUNNING}),
    _J.RUNNING: frozenset({_J.DONE, _J.REJECTED, _J.FAILED}),
    # A rejected file can be imported anyway, valid rows only, when the user explicitly chooses so.
    _J.REJECTED: frozenset({_J.QUEUED}),
    _J.DONE: frozenset(),
    _J.FAILED: frozenset({_J.QUEUED}),
}


def assert_request_transition(obj: Any, *, to: str) -> None:
    _assert_transition(obj, to=str(to), transitions=DEPARTMENT_REQUEST_TRANSITIONS)


def assert_import_transition(obj: Any, *, to: str) -> None:
    _assert_transition(obj, to=str(to), transitions=IMPORT_JOB_TRANSITIONS)
