"""Core fixtures: the small test documents indexed, answered offline or through the LLM stub."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.service import Assistant
from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest.pipeline import sync
from tests.support.llm_stub import LLMStub


@pytest.fixture
def offline(store: ChunkStore, docs: Path, settings: Settings) -> Assistant:
    sync([docs], store)
    return Assistant(settings, store=store)


@pytest.fixture
def llm() -> Iterator[LLMStub]:
    with LLMStub() as stub:
        yield stub


@pytest.fixture
def llm_settings(settings: Settings, llm: LLMStub) -> Settings:
    return settings.model_copy(
        update={"llm_provider": "openai", "openai_base_url": llm.base_url, "llm_model": "stub-chat"}
    )


@pytest.fixture
def online(store: ChunkStore, docs: Path, llm_settings: Settings) -> Assistant:
    sync([docs], store)
    return Assistant(llm_settings, store=store)


@pytest.fixture
def stub_embeddings(monkeypatch: pytest.MonkeyPatch) -> Iterator[LLMStub]:
    """The CLI as a user runs it (settings from the environment), with the stub's embeddings and no LLM."""
    with LLMStub() as stub:
        monkeypatch.setenv("ADVISOR_EMBEDDING_PROVIDER", "openai")
        monkeypatch.setenv("ADVISOR_EMBEDDING_MODEL", "stub-embed")
        monkeypatch.setenv("OPENAI_BASE_URL", stub.base_url)
        monkeypatch.setenv("ADVISOR_LLM_PROVIDER", "none")
        yield stub
