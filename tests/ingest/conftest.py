"""Ingest tests parse in this process unless they test the child process itself (test_isolation)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.settings import Settings
from assistant.store import ChunkStore
from tests.fakes import HashEmbedder
from tests.support.llm_stub import LLMStub


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"ingest_isolation": "none"})


@pytest.fixture
def store(settings: Settings) -> ChunkStore:
    return ChunkStore(settings, embedder=HashEmbedder())


@pytest.fixture
def stub_embeddings(monkeypatch: pytest.MonkeyPatch) -> Iterator[LLMStub]:
    """The CLI builds its own store from the environment: embeddings from the stub server."""
    with LLMStub() as stub:
        monkeypatch.setenv("ADVISOR_EMBEDDING_PROVIDER", "openai")
        monkeypatch.setenv("ADVISOR_EMBEDDING_MODEL", "stub-embed")
        monkeypatch.setenv("OPENAI_BASE_URL", stub.base_url)
        monkeypatch.setenv("ADVISOR_LLM_PROVIDER", "none")
        yield stub
