"""Curation: what advisors do to the corpus and its review — documents, uploads and their indexing.

The CLI and the advisors' pages call the same functions here. No adapter is imported (no web
framework, no CLI): the layering contract in pyproject.toml checks it.
"""
