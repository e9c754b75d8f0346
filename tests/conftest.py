"""Every test runs isolated: its own data dir, a fresh settings cache, no real secrets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.settings import Settings, get_settings
from assistant.store import ChunkStore
from tests.fakes import GUIDE, STATUTE, HashEmbedder

SECRETS = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ADVISOR_CHROMA_URL", "ADVISOR_DATABASE_URL")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in SECRETS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # No concept map: the rules under test should not move when advisors edit corpus/concepts.yaml;
    # tests that need concepts write their own map.
    return Settings(
        data_dir=tmp_path / "data", llm_provider="none", concepts_path=tmp_path / "no-concepts.yaml"
    )


@pytest.fixture
def store(settings: Settings) -> ChunkStore:
    return ChunkStore(settings, embedder=HashEmbedder())


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "lou.md").write_text(STATUTE, encoding="utf-8")
    (folder / "dialog.md").write_text(GUIDE, encoding="utf-8")
    return folder
