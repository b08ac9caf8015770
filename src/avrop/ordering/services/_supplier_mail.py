"""E-mail to the supplier's contacts about its orders, through the suppliers' notifications (which decide
who receives which topic). Called inside the transaction of the action: the mail leaves only if it commits."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from avrop.core import formatting
from avrop.ordering import conf
from avrop.ordering.models import Channel, PurchaseOrder
from avrop.suppliers import notifications
from avrop.suppliers.notifications import Topic

# Suppliers connected through Peppol get new orders from their own system; the others are told by e-mail.
MAILED_NEW_ORDER_CHANNELS = frozenset({Channel.PORTAL, Channel.EMAIL})


def _portal_url(order: PurchaseOrder) -> str:
    return conf.base_url() + reverse("portal:order", args=[order.pk])


def new_order(order: PurchaseOrder) -> int:
    """A new order reached the supplier through the portal or by e-mail."""
    if order.channel not in MAILED_NEW_ORDER_CHANNELS:
        return 0
    with translation.override("sv"):
        subject = _("New order %(number)s from %(buyer)s") % {
            "number": order.number,
            "buyer": order.organisation.name,
        }
        body = _(
            "%(buyer)s has sent you order %(number)s (%(total)s %(currency)s).\n\n"
            "Answer it in the supplier portal: %(url)s\n"
        ) % {
            "buyer": order.organisation.name,
            "number": order.number,
            "total": formatting.amount(order.total_amount),
            "currency": order.currency,
            "url": _portal_url(order),
        }
    return notifications.notify(
        relation=order.supplier, topic=Topic.NEW_ORDERS, subject=subject, body=body, obj=order
    )


def order_changed(order: PurchaseOrder, *, what: str) -> int:
    """The buyer changed the order or asked to cancel it; ``what`` says how, in a sentence."""
    with translation.override("sv"):
        subject = _("Order %(number)s from %(buyer)s was changed") % {
            "number": order.number,
            "buyer": order.organisation.name,
        }
        body = _("%(what)s\n\nSee the order in the supplier portal: %(url)s\n") % {
            "what": what,
            "url": _portal_url(order),
        }
    return notifications.notify(
        relation=order.supplier, topic=Topic.ORDER_CHANGES, subject=subject, body=body, obj=order
    )
