"""Against a real OpenAI-compatible endpoint; runs only with `pytest -m live` and ADVISOR_LIVE_BASE_URL set.

ADVISOR_LIVE_BASE_URL=http://127.0.0.1:11434/v1 ADVISOR_LIVE_MODEL=llama3.1 ADVISOR_LIVE_API_KEY=… pytest -m live
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import pytest

from assistant.events import Done, Event, Sources, Token
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest.pipeline import sync
from tests.fakes import HashEmbedder

pytestmark = pytest.mark.live


@pytest.fixture
def live_settings(settings: Settings) -> Settings:
    base_url = os.environ.get("ADVISOR_LIVE_BASE_URL")
    if not base_url:
        pytest.skip("ADVISOR_LIVE_BASE_URL is not set")
    return settings.model_copy(
        update={
            "llm_provider": "openai",
            "openai_base_url": base_url,
            "llm_model": os.environ.get("ADVISOR_LIVE_MODEL", "gpt-4o-mini"),
            "openai_api_key": os.environ.get("ADVISOR_LIVE_API_KEY") or None,
        }
    )


def test_a_real_model_answers_in_swedish_with_citations(live_settings: Settings) -> None:
    store = ChunkStore(live_settings, embedder=HashEmbedder())
    sync([Path(__file__).resolve().parents[2] / "corpus"], store)
    assistant = Assistant(live_settings, store=store)

    async def run() -> list[Event]:
        return [e async for e in assistant.answer("När får man använda ett innovationspartnerskap?")]

    events = asyncio.run(run())
    done = events[-1]
    assert isinstance(done, Done) and not done.refused and done.mode == "llm"
    assert re.search(r"\[\d+\]", "".join(e.text for e in events if isinstance(e, Token)))
    assert next(e for e in events if isinstance(e, Sources)).citations
