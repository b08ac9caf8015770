"""Catalogue actions, one module per family: imports, accounts, templates, searches, indexing."""
