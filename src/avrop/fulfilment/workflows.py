"""The states of fulfilment, declared as data.

Post-delivery task: open → done; done → open (a coordinator reopens a task done by mistake).
An order's delivery state is not stored: it is read from its despatch advices, goods receipts and tasks
(``selectors.delivery_state``), so it cannot drift from them:
    awaiting despatch → despatched (part or all) → partly received → received → ready to invoice

An order through a distribution centre (``DistributedOrder``):
    on its way → received at the centre (signed receipt) → handed over to the department
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


class DistributionStatus(models.TextChoices):
    ON_ITS_WAY = "on_its_way", _("On its way to the distribution centre")
    AT_CENTRE = "at_centre", _("At the distribution centre")
    HANDED_OVER = "handed_over", _("Handed over to the department")


DISTRIBUTION_TRANSITIONS: dict[str, frozenset[str]] = {
    DistributionStatus.ON_ITS_WAY: frozenset({DistributionStatus.AT_CENTRE}),
    DistributionStatus.AT_CENTRE: frozenset({DistributionStatus.HANDED_OVER}),
    DistributionStatus.HANDED_OVER: frozenset(),
}
