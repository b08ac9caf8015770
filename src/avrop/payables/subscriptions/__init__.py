"""Subscriptions (abonnemang): recurring invoices such as rent, energy and licences, registered with their
supplier, expected amount, period, tolerance and coding. An invoice inside the tolerance is approved by the
subscription's rule; one outside goes to its attestant with the reason; a missing one is flagged."""
