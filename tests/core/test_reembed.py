"""Re-embedding without an outage: the new collection is built beside the one in use, servers keep
answering from the old one until the new one is complete, then follow the switch."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import store as store_module
from assistant.errors import EmbeddingMismatchError
from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest.pipeline import sync
from tests.fakes import HashEmbedder

QUERY = "tidig dialog med leverantörer före annonsering"


class Failing(HashEmbedder):
    """An embedder that stops after a number of batches, as a killed re-embedding does."""

    def __init__(self, batches: int, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.batches = batches

    def embed_documents(self, texts: list[str]) -> list[list[float]]:  # type: ignore[override]
        if self.calls >= self.batches:
            raise RuntimeError("stopped")
        return super().embed_documents(texts)


@pytest.fixture
def served(settings: Settings, docs: Path, monkeypatch: pytest.MonkeyPatch) -> ChunkStore:
    monkeypatch.setattr(store_module, "REEMBED_BATCH", 2)  # several batches from the small corpus
    server = ChunkStore(settings, embedder=HashEmbedder())
    assert sync([docs], server).ok
    return server


def names(store: ChunkStore) -> list[str]:
    return [c.name for _, c in store.generations()]


def test_a_new_model_is_built_beside_the_old_while_the_old_keeps_answering(
    served: ChunkStore, settings: Settings
) -> None:
    before = served.search_dense(QUERY, 3)
    assert before
    answered_meanwhile: list[bool] = []

    def progress(done: int, total: int) -> None:
        answered_meanwhile.append(served.search_dense(QUERY, 3) == before)

    new_model = ChunkStore(settings, embedder=HashEmbedder(dimension=32, name="test:hash-32"))
    new_model.switch_grace_s = 0
    name = new_model.reembed(progress=progress)

    assert name == "chunks--g2" and answered_meanwhile and all(answered_meanwhile)
    # Both models have their collection: servers not yet reconfigured keep answering with theirs.
    assert names(served) == ["chunks", "chunks--g2"]
    assert served.search_dense(QUERY, 3) == before
    every_chunk = {i for d in served.lexical.documents() for i in served.lexical.chunk_ids(str(d["doc_id"]))}
    moved = new_model.search_dense(QUERY, 3)
    assert moved and {i for i, _ in moved} <= every_chunk
    assert new_model.collection.count() == served.counts()[1]
    # Once every server runs the new model the old collection goes.
    new_model.reembed(drop_other_models=True)
    assert names(served) == ["chunks--g3"]
    with pytest.raises(EmbeddingMismatchError):
        ChunkStore(settings, embedder=HashEmbedder()).search_dense(QUERY, 3)


def test_the_same_model_again_replaces_its_collection_and_servers_follow(
    served: ChunkStore, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = served.search_dense(QUERY, 3)
    worker = ChunkStore(settings, embedder=HashEmbedder())
    worker.switch_grace_s = 0
    monkeypatch.setattr(store_module, "RESOLVE_EVERY_S", 0.0)  # the server looks again at once
    worker.reembed()
    assert names(served) == ["chunks--g2"]
    assert served.search_dense(QUERY, 3) == before  # the server followed the switch


def test_a_re_embedding_stopped_part_way_changes_nothing_and_is_cleared_by_the_next(
    served: ChunkStore, settings: Settings
) -> None:
    before = served.search_dense(QUERY, 3)
    stopped = ChunkStore(settings, embedder=Failing(1, dimension=32, name="test:hash-32"))
    with pytest.raises(RuntimeError):
        stopped.reembed()
    assert names(served) == ["chunks", "chunks--g2"]  # the unfinished one is there, not in use
    served._resolved_at = float("-inf")
    assert served.search_dense(QUERY, 3) == before
    again = ChunkStore(settings, embedder=HashEmbedder(dimension=32, name="test:hash-32"))
    again.switch_grace_s = 0
    assert again.reembed() == "chunks--g3"
    assert names(served) == ["chunks", "chunks--g3"]


def test_reindex_drops_every_generation(served: ChunkStore, settings: Settings) -> None:
    worker = ChunkStore(settings, embedder=HashEmbedder())
    worker.switch_grace_s = 0
    worker.reembed()
    worker.reset()
    assert names(worker) == []


def test_advisor_reembed_switches_and_the_index_still_answers(
    stub_embeddings: object, docs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from cli.main import app

    monkeypatch.setattr(store_module, "RESOLVE_EVERY_S", 0.0)
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(docs)]).exit_code == 0
    done = runner.invoke(app, ["reembed"])
    assert done.exit_code == 0, done.output
    assert "chunks--g2" in done.stdout
    asked = runner.invoke(app, ["ask", "--json", "Hur går en förfrågan om information till?"])
    assert asked.exit_code == 0 and '"refused": false' in asked.stdout


def test_ingest_says_when_the_lexical_index_moves_to_postgresql(
    settings: Settings, docs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.main import _say_if_the_lexical_index_moved

    sync([docs], ChunkStore(settings, embedder=HashEmbedder()))
    shared = settings.model_copy(
        update={"chroma_url": "http://127.0.0.1:9", "database_url": "postgresql://u@127.0.0.1:9/x"}
    )

    class EmptySharedIndex:
        def counts(self) -> tuple[int, int]:
            return (0, 0)

    _say_if_the_lexical_index_moved(shared, EmptySharedIndex())
    said = capsys.readouterr().err
    assert "PostgreSQL" in said and "2" in said
    _say_if_the_lexical_index_moved(settings, EmptySharedIndex())  # one machine: nothing to say
    assert capsys.readouterr().err == ""
