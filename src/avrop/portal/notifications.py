"""E-mail to a supplier's contacts about what happens in the portal: new orders, changes and cancellations,
disputes, payments.

Call ``notify`` inside the transaction of the action it reports: the mail goes through the outbox, so it is
sent only if that transaction commits, and retried if the mail server is down. Who receives which topic is
decided here (see ``recipients``), so callers only say what happened.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from avrop.core.outbox import outbox_email
from avrop.suppliers.models import Supplier, SupplierContact


class Topic(models.TextChoices):
    NEW_ORDERS = "new_orders", _("New orders")
    ORDER_CHANGES = "order_changes", _("Order changes and cancellations")
    DISPUTES = "disputes", _("Disputed invoices")
    PAYMENTS = "payments", _("Payments")


# Until a contact says otherwise, a topic goes to the contacts of this kind.
DEFAULT_CONTACT_TOPIC = {
    Topic.NEW_ORDERS: SupplierContact.Topic.ORDERS,
    Topic.ORDER_CHANGES: SupplierContact.Topic.ORDERS,
    Topic.DISPUTES: SupplierContact.Topic.AGREEMENT,
    Topic.PAYMENTS: SupplierContact.Topic.AGREEMENT,
}


def recipients(relation: Supplier, topic: str) -> list[str]:
    """The e-mail addresses that receive ``topic`` for this customer relation (deduplicated, sorted)."""
    contacts = SupplierContact.objects.filter(supplier=relation, topic=DEFAULT_CONTACT_TOPIC[Topic(topic)])
    addresses = {c.email.strip().lower() for c in contacts if c.email.strip()}
    if not addresses and relation.order_email and topic in (Topic.NEW_ORDERS, Topic.ORDER_CHANGES):
        addresses.add(relation.order_email.strip().lower())
    return sorted(addresses)


def notify(*, relation: Supplier, topic: str, subject: str, body: str, obj: object = None) -> int:
    """Queue one e-mail per recipient of ``topic``; returns how many were queued."""
    sent = 0
    for address in recipients(relation, topic):
        outbox_email(
            recipient=address, subject=subject, body=body, organisation=relation.organisation, obj=obj
        )
        sent += 1
    return sent
