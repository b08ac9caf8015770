"""Post-check (efterkontroll): a second person checks a sample of attested and paid supplier invoices.

Each month (or any period) a sample is drawn: by rule — the supplier's first invoice, a bank account
registered or changed shortly before, an amount above the organisation's level, a round amount — and at
random from the rest. A checker who neither prepared nor attested the invoice records the result; a finding
is followed up and closed by someone else again.
"""
