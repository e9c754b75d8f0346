"""Document ids are the same on every machine: made from the path below the ingested folder, never
from the absolute path; an index made with absolute-path ids is re-keyed without embedding again."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from assistant.store import ChunkStore
from ingest import pipeline
from ingest.pipeline import doc_id_of, document_key, sync


def _checkout(docs: Path, where: Path) -> Path:
    """The same folder in another place, as a second checkout or another machine has it."""
    copy = where / docs.name
    shutil.copytree(docs, copy)
    return copy


def test_the_key_is_the_folder_name_and_the_path_below_it(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    assert document_key(root / "lag" / "lou.md", root) == "corpus/lag/lou.md"
    assert doc_id_of(root / "lag" / "lou.md", root) == doc_id_of(
        tmp_path / "other" / "corpus" / "lag" / "lou.md", tmp_path / "other" / "corpus"
    )


def test_two_checkouts_of_one_folder_share_their_documents(
    store: ChunkStore, docs: Path, tmp_path: Path
) -> None:
    elsewhere = _checkout(docs, tmp_path / "machine-b")
    first = sync([docs], store)
    assert len(first.added) == 2
    documents, chunks = store.counts()
    calls = store.embedder.calls  # type: ignore[attr-defined]

    second = sync([elsewhere], store)
    assert len(second.unchanged) == 2 and not second.added
    assert store.counts() == (documents, chunks)
    assert store.collection.count() == chunks
    assert store.embedder.calls == calls  # type: ignore[attr-defined]


def test_prune_from_another_checkout_removes_the_same_document(
    store: ChunkStore, docs: Path, tmp_path: Path
) -> None:
    sync([docs], store)
    elsewhere = _checkout(docs, tmp_path / "machine-b")
    (elsewhere / "dialog.md").unlink()
    report = sync([elsewhere], store, prune=True)
    assert len(report.removed) == 1
    assert [d["doc_id"] for d in store.lexical.documents()] == [doc_id_of(docs / "lou.md", docs)]
    assert store.collection.count() == store.counts()[1]


def test_an_index_with_absolute_path_ids_is_rekeyed_without_embedding(
    store: ChunkStore, docs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The scheme before stable ids: the id hashed the file's absolute path.
    with monkeypatch.context() as old:
        old.setattr(pipeline, "document_key", lambda path, root: str(path))
        sync([docs], store)
    lou = (docs / "lou.md").resolve()
    legacy = hashlib.sha1(str(lou).encode()).hexdigest()[:16]
    assert store.lexical.document(legacy) is not None
    store.lexical.set_enabled(legacy, False)  # an advisor's choice survives the move
    documents, chunks = store.counts()
    vectors_before = store.collection.get(ids=store.lexical.chunk_ids(legacy), include=["embeddings"])
    calls = store.embedder.calls  # type: ignore[attr-defined]

    report = sync([docs], store)

    assert sorted(report.rekeyed) == sorted(str(p.resolve()) for p in docs.iterdir())
    assert len(report.unchanged) == 2
    assert store.embedder.calls == calls  # type: ignore[attr-defined]
    assert store.lexical.document(legacy) is None
    stable = doc_id_of(lou, docs)
    document = store.lexical.document(stable)
    assert document is not None and document["enabled"] is False and document["key"] == "docs/lou.md"
    assert store.counts() == (documents, chunks)
    assert store.collection.count() == chunks
    assert not store.collection.get(where={"doc_id": legacy})["ids"]
    moved = store.collection.get(ids=store.lexical.chunk_ids(stable), include=["embeddings"])
    assert len(moved["ids"]) == len(vectors_before["ids"])
    before = dict(zip(vectors_before["ids"], vectors_before["embeddings"], strict=True))
    for new_id, vector in zip(moved["ids"], moved["embeddings"], strict=True):
        old_id = legacy + new_id.removeprefix(stable)
        assert list(vector) == pytest.approx(list(before[old_id]))
    assert all(c.doc_id == stable for c in store.lexical.document_chunks(stable))
