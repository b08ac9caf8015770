"""The state machine of a report run in the background, declared as data.

ReportRun: queued → running → done | failed
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being counted")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


TRANSITIONS: dict[str, frozenset[str]] = {
    RunStatus.QUEUED: frozenset({RunStatus.RUNNING, RunStatus.FAILED}),
    RunStatus.RUNNING: frozenset({RunStatus.DONE, RunStatus.FAILED}),
    RunStatus.DONE: frozenset(),
    RunStatus.FAILED: frozenset(),
}
