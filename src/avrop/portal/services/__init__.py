"""State-changing actions of the portal, one module per area (``invoicing`` for invoices and credit notes)."""
