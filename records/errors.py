"""A refusal that carries a message key and its parameters, never text for a user: the accounts and
documents operations raise it, and each front-end turns the key into words (curation.messages)."""

from __future__ import annotations

from typing import Any


class KeyedError(Exception):
    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
