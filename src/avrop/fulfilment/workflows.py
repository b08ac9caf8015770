"""The states of fulfilment, declared as data.

Post-delivery task: open → done; done → open (a coordinator reopens a task done by mistake).
An order's delivery state is not stored: it is read from its despatch advices, goods receipts and tasks
(``selectors.delivery_state``), so it cannot drift from them:
    awaiting despatch → despatched (part or all) → partly received → received → ready to invoice
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")


TASK_TRANSITIONS: dict[str, frozenset[str]] = {
    TaskStatus.OPEN: frozenset({TaskStatus.DONE}),
    TaskStatus.DONE: frozenset({TaskStatus.OPEN}),
}


class DeliveryState(models.TextChoices):
    AWAITING_DESPATCH = "awaiting_despatch", _("Waiting for despatch")
    DESPATCHED = "despatched", _("Despatched")
    PARTLY_RECEIVED = "partly_received", _("Partly received")
    RECEIVED = "received", _("Received, tasks left")
    READY_TO_INVOICE = "ready_to_invoice", _("Ready to invoice")
