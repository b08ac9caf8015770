"""Framework-free Peppol BIS 3 / UBL 2.1 toolkit: hardened XML, validation, identifiers, code lists.

Nothing in this package imports Django, so it can be used from workers, the CLI and benchmarks alike.
"""
