"""Every state-changing action of fulfilment, one module per family (despatch, receipt, attempts, tasks);
import them from here."""

from avrop.fulfilment.services.attempts import delivery_attempt_log
from avrop.fulfilment.services.centres import distribution_centre_save
from avrop.fulfilment.services.despatch import (
    despatch_advice_receive,
    despatch_advice_register,
    despatch_advice_register_manual,
    despatch_advices_intake,
)
from avrop.fulfilment.services.distribution import distribution_hand_over, distribution_receive
from avrop.fulfilment.services.installed import installed_machine_register
from avrop.fulfilment.services.receipt import goods_receipt_register, receipt_authority
from avrop.fulfilment.services.tasks import post_delivery_task_complete, post_delivery_task_reopen

__all__ = [
    "delivery_attempt_log",
    "despatch_advice_receive",
    "despatch_advice_register",
    "despatch_advice_register_manual",
    "despatch_advices_intake",
    "distribution_centre_save",
    "distribution_hand_over",
    "distribution_receive",
    "goods_receipt_register",
    "installed_machine_register",
    "post_delivery_task_complete",
    "post_delivery_task_reopen",
    "receipt_authority",
]
