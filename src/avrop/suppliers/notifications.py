"""E-mail to a supplier's contacts about what happens to their customer relation: new orders, changes and
cancellations, disputes, payments. Ordering and payables call it; each contact chooses its topics in the
supplier portal.

Call ``notify`` inside the transaction of the action it reports: the mail goes through the outbox, so it is
sent only if that transaction commits, and retried if the mail server is down. Who receives which topic is
decided here (see ``recipients``), so callers only say what happened.
"""

from __future__ import annotations

from avrop.core.outbox import outbox_email
from avrop.suppliers.models import NotificationTopic, Supplier
from avrop.suppliers.selectors import NOTIFICATION_DEFAULTS, notification_recipients

# The topics are stored with each contact's choices, so they are defined beside them in the suppliers app.
Topic = NotificationTopic

# Until a contact says otherwise (portal page "Notifications"), a topic goes to the contacts of this kind.
DEFAULT_CONTACT_TOPIC = NOTIFICATION_DEFAULTS


def recipients(relation: Supplier, topic: str) -> list[str]:
    """The e-mail addresses that receive ``topic`` for this customer relation (deduplicated, sorted): the
    contacts that chose the topic, or by default the contacts of its kind; order topics fall back to the
    relation's order e-mail while no contact has an address or a choice for them."""
    return notification_recipients(relation=relation, topic=Topic(topic))


def notify(*, relation: Supplier, topic: str, subject: str, body: str, obj: object = None) -> int:
    """Queue one e-mail per recipient of ``topic``; returns how many were queued."""
    sent = 0
    for address in recipients(relation, topic):
        outbox_email(
            recipient=address, subject=subject, body=body, organisation=relation.organisation, obj=obj
        )
        sent += 1
    return sent
