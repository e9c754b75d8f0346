"""A document an advisor disabled is never retrieved: not by words, trigrams or vectors, not as an
exact statute reference, and not through the concept or citation hops. It stays in place."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant.concepts import ConceptMap
from assistant.lexical import LexicalIndex
from assistant.retrieval import Retriever
from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest.pipeline import doc_id_of, sync
from tests.core.test_hops import CONCEPTS, GUIDE
from tests.fakes import STATUTE

OFF = {
    "weight_words": 0.0,
    "weight_trigram": 0.0,
    "weight_dense": 0.0,
    "weight_concept": 0.0,
    "weight_cited": 0.0,
}


@dataclass(frozen=True)
class Case:
    name: str
    question: str
    weights: dict[str, float]

    def __str__(self) -> str:
        return self.name


CASES = [
    Case("words", "Får myndigheten avsluta partnerskapet efter en etapp?", {**OFF, "weight_words": 1.0}),
    Case("trigram", "avsluta partnerskapet etapp delmålen", {**OFF, "weight_trigram": 1.0}),
    Case("dense", "Myndigheten får avsluta partnerskapet efter varje etapp", {**OFF, "weight_dense": 1.0}),
    Case("exact reference", "Vad står i LOU 6 kap. 31 a §?", OFF),
    Case("concept hop", "Kan vi bryta samarbetet?", {**OFF, "weight_concept": 1.0, "weight_words": 1.0}),
    Case(
        "citation hop",
        "Kan vi kliva ur projektet om leverantören inte levererar?",
        {**OFF, "weight_cited": 1.0, "weight_words": 1.0},
    ),
]


@pytest.fixture
def indexed(settings: Settings, tmp_path: Path, store: ChunkStore) -> tuple[ChunkStore, Path]:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "lou.md").write_text(STATUTE, encoding="utf-8")
    (folder / "guide.md").write_text(GUIDE, encoding="utf-8")
    assert sync([folder], store).ok
    return store, folder


def statute_found(store: ChunkStore, settings: Settings, case: Case, concepts: ConceptMap) -> bool:
    retriever = Retriever(store, settings.model_copy(update=case.weights), concepts=concepts)
    passages = retriever.search(retriever.analyze(case.question), k=20)
    return any(p.chunk.section_ref == "LOU 6 kap. 31 a §" for p in passages)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_disabled_document_is_not_retrieved_by_any_path(
    indexed: tuple[ChunkStore, Path], settings: Settings, tmp_path: Path, case: Case
) -> None:
    store, folder = indexed
    path = tmp_path / "concepts.yaml"
    path.write_text(CONCEPTS, encoding="utf-8")
    concepts = ConceptMap.load(path)
    statute = doc_id_of(folder / "lou.md", folder)
    assert statute_found(store, settings, case, concepts), "this path finds the paragraph while enabled"

    assert store.lexical.set_enabled(statute, False)
    assert not statute_found(store, settings, case, concepts)
    # Still in place, with all its chunks, and back when enabled again.
    assert store.lexical.document(statute)["enabled"] is False
    assert len(store.lexical.document_chunks(statute)) == 4
    store.lexical.set_enabled(statute, True)
    assert statute_found(store, settings, case, concepts)


def test_the_dense_search_still_fills_its_quota_around_disabled_documents(
    indexed: tuple[ChunkStore, Path],
) -> None:
    store, folder = indexed
    guide = doc_id_of(folder / "guide.md", folder)
    store.lexical.set_enabled(guide, False)
    found = store.search_dense("etapp", 4)
    assert len(found) == 4
    assert not set(store.lexical.chunk_ids(guide)) & {i for i, _ in found}


def test_an_index_file_from_before_gains_the_enabled_column(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(
            """CREATE TABLE documents (doc_id TEXT PRIMARY KEY, source TEXT NOT NULL UNIQUE,
               title TEXT NOT NULL, content_hash TEXT NOT NULL, n_chunks INTEGER NOT NULL DEFAULT 0,
               state TEXT NOT NULL, meta TEXT NOT NULL DEFAULT '{}',
               updated_at TEXT NOT NULL DEFAULT (datetime('now')))"""
        )
        db.execute("INSERT INTO documents VALUES ('d1', 'a.md', 'A', 'h', 0, 'ready', '{}', '2026-01-01')")
    db.close()
    index = LexicalIndex(path)
    assert index.document("d1")["enabled"] is True
    assert index.set_enabled("d1", False) and index.disabled_documents() == ["d1"]


def test_a_new_title_and_tags_reach_the_chunks_without_touching_the_content(
    indexed: tuple[ChunkStore, Path],
) -> None:
    store, folder = indexed
    guide = doc_id_of(folder / "guide.md", folder)
    before = store.lexical.document_chunks(guide)
    assert store.lexical.retitle(guide, "Kliva ur ett projekt", ["avslut", "etapper"])
    after = store.lexical.document_chunks(guide)
    document: dict[str, Any] = store.lexical.document(guide) or {}
    assert document["title"] == "Kliva ur ett projekt" and document["tags"] == ["avslut", "etapper"]
    assert {c.title for c in after} == {"Kliva ur ett projekt"}
    assert [c.text for c in after] == [c.text for c in before]
    assert store.lexical.search_words(["kliva"], 5)  # the title column is searched under the new title
    assert not store.lexical.retitle("missing", "x", None)
