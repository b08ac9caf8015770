"""Readers and row validators for imports (users, chart of accounts). No database writes here."""
