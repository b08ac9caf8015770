"""Matching supplier invoices to their purchase orders (2-way) and goods receipts (3-way), line by line.

``engine`` holds the rules as plain functions over plain values; ``services.invoices_match`` applies them to a
batch of stored invoices with a fixed number of statements; ``reasons`` turns each result into words.
"""
