"""PDF invoices: the text layer read page by page, scans read by OCR as a task, and the registration form
prefilled with the source of each value (see :mod:`avrop.payables.scanning.reading`)."""
