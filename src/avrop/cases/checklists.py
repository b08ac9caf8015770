"""The coordinator's troubleshooting guides of seed 001, as checklists attached to case types.

The English texts are the message ids; the Swedish translation is the seed's own wording. A case copies its
checklist when it is opened, so a later change of a guide does not rewrite the history of old cases.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class CaseType(models.TextChoices):
    CANNOT_SEND_ORDER = "cannot_send_order", _("Requisitioner cannot send the order")
    NO_ORDER_RESPONSE = "no_order_response", _("Requisitioner gets no order response")
    GOODS_NOT_RECEIVED = "goods_not_received", _("Goods receiver has not received the goods")
    CANNOT_FIND_ITEMS = "cannot_find_items", _("Requisitioner cannot find items")
    OTHER = "other", _("Other matter")


CHECKLISTS: dict[str, tuple[str, ...]] = {
    CaseType.CANNOT_SEND_ORDER: (
        gettext_noop("Check whether the requisitioner is aware that there may be several tabs to approve."),
        gettext_noop("Ask the requisitioner whether all lines have the right coding."),
        gettext_noop("Check whether the requisitioner has the right approval authority."),
        gettext_noop("Check that the requisitioner's short code is linked correctly."),
        gettext_noop("Troubleshoot any other problems."),
    ),
    CaseType.NO_ORDER_RESPONSE: (
        gettext_noop(
            "Check whether the municipality's other orders have gone out as they should. "
            "Contact IT if there is a problem."
        ),
        gettext_noop("Troubleshoot further if IT cannot solve the problem."),
        gettext_noop(
            "Always get back to the requisitioner as soon as possible, so that they know whether their "
            "order has gone out or not."
        ),
    ),
    CaseType.GOODS_NOT_RECEIVED: (
        gettext_noop(
            "Check that the person has done all the steps of their part of the process (contacted the "
            "supplier or the distribution centre, for example)."
        ),
        gettext_noop("Check whether the order has gone out through the system as it should."),
        gettext_noop("Troubleshoot further if the above does not solve the problem."),
    ),
    CaseType.CANNOT_FIND_ITEMS: (
        gettext_noop("Ask the requisitioner for a list of the items they cannot find in the system."),
        gettext_noop("Check whether you can find the items. If so, give the requisitioner the item numbers."),
        gettext_noop("Contact the agreement's contact person and ask whether there are any suitable items."),
        gettext_noop(
            "Consider putting frequently requested items in a template that is made available to all "
            "requisitioners in the municipality."
        ),
        gettext_noop(
            "If requested items are missing but should be there, ask the supplier's contact person to "
            "propose an item and a price. If the item is acceptable, ask the contact person to make sure "
            "that it is included in the supplier's coming pricats (price lists)."
        ),
    ),
    CaseType.OTHER: (),
}
