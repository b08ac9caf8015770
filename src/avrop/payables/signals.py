"""What the invoice workflow tells other parts of the system, without knowing who listens.

Sent inside the transaction that changes the invoice, so a receiver that writes (an e-mail to the outbox)
commits or rolls back with the change. The supplier portal listens to tell the supplier's contacts.
"""

from django.dispatch import Signal

# The buyer put an invoice under query (UQ). Arguments: invoice.
invoice_disputed = Signal()
# The buyer recorded the payment of an invoice (PD). Arguments: invoice, paid_on (a date or None).
invoice_paid = Signal()
