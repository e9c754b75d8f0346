"""The store's guards (assistant/store.py) and statute lookup in the lexical index (assistant/lexical.py)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import EmbeddingMismatchError, StoreUnavailableError
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.store import ChunkStore
from assistant.types import Chunk
from ingest.pipeline import sync
from tests.fakes import HashEmbedder

# Another made-up statute (our own words) with paragraphs numbered like the LOU ones in tests/fakes.py.
LUF_STATUTE = """---
beteckning: 2016:1146
rubrik: Lag om upphandling inom försörjningssektorerna
---

# Lag om upphandling inom försörjningssektorerna

## 6 kap. Förfaranden

### Innovationspartnerskap

#### 31 §

En enhet inom försörjningssektorerna får inrätta ett innovationspartnerskap med en eller flera leverantörer.
"""


def test_an_index_with_vectors_of_another_dimension_is_refused_even_under_the_same_model_name(
    settings: Settings, docs: Path
) -> None:
    sync([docs], ChunkStore(settings, embedder=HashEmbedder(dimension=64, name="test:hash")))
    resized = ChunkStore(settings, embedder=HashEmbedder(dimension=32, name="test:hash"))
    with pytest.raises(EmbeddingMismatchError) as caught:
        resized.search_dense("dialog", 3)
    assert caught.value.params == {"stored": "test:hash (64 dim)", "configured": "test:hash (32 dim)"}


@pytest.fixture
def two_laws(store: ChunkStore, docs: Path) -> ChunkStore:
    (docs / "luf.md").write_text(LUF_STATUTE, encoding="utf-8")
    sync([docs], store)
    return store


@pytest.mark.parametrize("law", ["LOU", "LUF"])
def test_a_paragraph_looked_up_in_one_law_is_never_another_laws(two_laws: ChunkStore, law: str) -> None:
    found = two_laws.lexical.find_sections("6", "31", law)
    assert found and {c.section_ref for c in found} == {f"{law} 6 kap. 31 §"}


def test_without_a_law_the_same_paragraph_number_is_found_in_every_law(two_laws: ChunkStore) -> None:
    found = two_laws.lexical.find_sections("6", "31", None)
    assert [c.law for c in found] == ["LOU", "LUF"]  # LOU first: what a procurer most often means


def test_a_question_naming_luf_gets_the_luf_paragraph(two_laws: ChunkStore, settings: Settings) -> None:
    passages = Assistant(settings, store=two_laws).search("Vad säger 6 kap. 31 § LUF?", 6)
    assert [p.chunk.section_ref for p in passages if p.exact_reference] == ["LUF 6 kap. 31 §"]


def test_an_index_file_from_before_the_meta_table_was_dropped_still_opens(
    settings: Settings, docs: Path
) -> None:
    sync([docs], ChunkStore(settings, embedder=HashEmbedder()))
    with sqlite3.connect(settings.index_path) as db:  # what older versions created and wrote
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema', '1')")
    reopened = ChunkStore(settings, embedder=HashEmbedder())
    assert reopened.counts()[0] == 2
    assert reopened.lexical.find_sections("6", "31 a", "LOU")
    assert len(sync([docs], reopened).unchanged) == 2


# --- reset -----------------------------------------------------------------------------------------


def test_reset_of_a_store_without_a_collection_is_fine(store: ChunkStore, docs: Path) -> None:
    store.reset()  # nothing indexed yet, no collection
    sync([docs], store)
    store.reset()
    assert store.counts() == (0, 0)
    assert store.collection.count() == 0


class FailingDeletes:
    """The real Chroma client, except that dropping a collection fails as a locked database does."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def delete_collection(self, name: str) -> None:
        raise sqlite3.OperationalError("database is locked")


def test_reset_does_not_hide_a_chroma_failure(settings: Settings, docs: Path) -> None:
    store = ChunkStore(settings, embedder=HashEmbedder())
    sync([docs], store)
    broken = ChunkStore(settings, embedder=HashEmbedder(), client=FailingDeletes(store._client))
    with pytest.raises(StoreUnavailableError) as caught:
        broken.reset()
    assert "OperationalError" in caught.value.detail


def test_the_same_source_stored_under_a_new_id_leaves_nothing_of_the_old_one(store: ChunkStore) -> None:
    def chunk(doc_id: str) -> Chunk:
        return Chunk(
            id=f"{doc_id}-0", doc_id=doc_id, text="Ramavtal löper i fyra år.", title="G", source="g.md"
        )

    store.upsert_document("old", "g.md", "G", "h1", [chunk("old")])
    store.upsert_document("new", "g.md", "G", "h2", [chunk("new")])
    assert [d["doc_id"] for d in store.lexical.documents()] == ["new"]
    assert store.collection.get(where={"doc_id": "old"})["ids"] == []  # no orphaned vector
    assert store.collection.count() == 1 and store.counts() == (1, 1)


def test_the_searches_fuse_the_same_one_after_another_as_side_by_side(
    store: ChunkStore, docs: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An embedder in this process has the searches run in the asking thread, one by one; one behind a
    # server has them run beside it. Either way the lists are fused in the same order.
    sync([docs], store)
    retriever = Assistant(settings, store=store).retriever
    question = "Hur lång är avtalsspärren efter tilldelningsbeslutet?"
    threads: list[str] = []
    original = store.search_dense
    monkeypatch.setattr(
        store, "search_dense", lambda *a: threads.append(threading.current_thread().name) or original(*a)
    )
    side_by_side = retriever.search(retriever.analyze(question), 5)
    monkeypatch.setattr(store.embedder, "computes_here", True)
    one_by_one = retriever.search(retriever.analyze(question), 5)
    assert threads[0] != threading.current_thread().name
    assert threads[1] == threading.current_thread().name
    assert [(p.chunk.id, p.score, p.scores) for p in one_by_one] == [
        (p.chunk.id, p.score, p.scores) for p in side_by_side
    ]
    assert side_by_side and all(p.scores for p in side_by_side)
