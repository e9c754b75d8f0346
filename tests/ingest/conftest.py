"""Ingest tests parse in this process unless they test the child process itself (test_isolation)."""

from __future__ import annotations

import pytest

from assistant.settings import Settings
from assistant.store import ChunkStore
from tests.fakes import HashEmbedder


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"ingest_isolation": "none"})


@pytest.fixture
def store(settings: Settings) -> ChunkStore:
    return ChunkStore(settings, embedder=HashEmbedder())
