"""Portal pages, one module per area: onboarding, orders, invoices, catalogue."""
