"""Fulfilment: what the supplier shipped (despatch advices, also T16 from the access point), what the buyer
received and signed (goods receipts with deviations), delivery attempts, and the work after delivery
(checklist, take-back, storage wipe, training) that stands between a delivery and the invoice."""

from avrop.fulfilment.models.despatch import DespatchAdvice, DespatchAdviceLine, InboundDespatch
from avrop.fulfilment.models.distribution import (
    DistributedOrder,
    DistributionCentre,
    DistributionDay,
    DistributionHandover,
    DistributionRoute,
)
from avrop.fulfilment.models.installed import InstalledMachine
from avrop.fulfilment.models.receipt import DeliveryAttempt, GoodsReceipt, GoodsReceiptLine
from avrop.fulfilment.models.tasks import DeliveryRequirement, PostDeliveryTask, TaskKind

__all__ = [
    "DeliveryAttempt",
    "DeliveryRequirement",
    "DespatchAdvice",
    "DistributedOrder",
    "DistributionCentre",
    "DistributionDay",
    "DistributionHandover",
    "DistributionRoute",
    "DespatchAdviceLine",
    "GoodsReceipt",
    "GoodsReceiptLine",
    "InboundDespatch",
    "InstalledMachine",
    "PostDeliveryTask",
    "TaskKind",
]
