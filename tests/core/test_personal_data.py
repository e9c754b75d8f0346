"""Personal data pasted into a question never reaches retrieval, the model or the log — and does not
stop the question being answered (a name must not become a name the evidence gate looks for)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.events import Done
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.store import ChunkStore
from assistant.types import Turn
from ingest.pipeline import sync
from tests.core.helpers import collect, done_of
from tests.support.llm_stub import LLMStub

THRESHOLDS = """---
title: Direktupphandling och beloppsgränser
---

# Beloppsgränsen för direktupphandling

Tröskelvärdet för direktupphandling är 700 000 kronor för de flesta myndigheter från år 2024.
Direktupphandling får användas när kontraktets värde understiger den beloppsgränsen.
"""

BARE = "Vad är tröskelvärdet för direktupphandling?"
PERSONAL = (
    "Jag heter Karin Lindqvist, personnummer 811218-9876, mejl karin.lindqvist@kommun.example.se, "
    "tel 070-123 45 67. " + BARE
)
PERSONAL_BITS = ["Karin", "Lindqvist", "811218", "karin.lindqvist@", "070-123"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    docs = tmp_path / "belopp"
    docs.mkdir()
    (docs / "belopp.md").write_text(THRESHOLDS, encoding="utf-8")
    return docs


def test_a_question_with_personal_data_is_answered_like_the_bare_question(
    store: ChunkStore, folder: Path, settings: Settings
) -> None:
    sync([folder], store)
    assistant = Assistant(settings, store=store)
    bare = done_of(collect(assistant, BARE))
    personal = done_of(collect(assistant, PERSONAL))
    assert not personal.refused
    assert personal.top_chunk_ids[:1] == bare.top_chunk_ids[:1]
    assert "700 000 kronor" in personal.answer
    assert not any(bit in personal.query for bit in PERSONAL_BITS)


def test_the_model_sees_neither_the_question_nor_the_history_with_the_person_in_it(
    store: ChunkStore, folder: Path, llm_settings: Settings, llm: LLMStub
) -> None:
    sync([folder], store)
    assistant = Assistant(llm_settings, store=store)
    history = [Turn("user", "Hej, jag heter Karin Lindqvist."), Turn("assistant", "Hej!")]
    done = collect(assistant, PERSONAL, history)[-1]
    assert isinstance(done, Done) and not done.refused
    sent = " ".join(str(m["content"]) for r in llm.chat_requests for m in r["messages"])
    assert not any(bit in sent for bit in PERSONAL_BITS)
    assert "«personnummer»" in sent and "«e-post»" in sent
