"""Periodisation of supplier invoices: a coding line for a service period over several months is booked to a
prepaid-expense account on the invoice's voucher and released to its cost account month by month."""
