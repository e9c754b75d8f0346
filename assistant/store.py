"""``ChunkStore``: the vector index (Chroma) and the lexical index (SQLite FTS5) kept in step.

A document is written to both or to neither: it is journalled as ``pending`` first, its vectors are
written, then its lexical rows and the ``ready`` mark go in one SQLite transaction. Opening the store
reconciles any document left ``pending`` by a crash, so a re-run of ingest repairs it.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from assistant.embeddings import Embedder, build_embedder
from assistant.errors import EmbeddingMismatchError, StoreUnavailableError
from assistant.lexical import DOCUMENT_FIELDS, LexicalIndex
from assistant.lexical_pg import PgLexicalIndex
from assistant.settings import Settings
from assistant.types import Chunk

CHROMA_BATCH = 2000
# The writers' PostgreSQL advisory lock (``ingest.lock`` takes it; reconcile asks whether it is held).
# Any constant shared by every writer; distinct from records' migration lock (7_316_001).
WRITER_LOCK_KEY = 7_316_012


def open_lexical(settings: Settings) -> LexicalIndex | PgLexicalIndex:
    """The lexical index the settings ask for: SQLite FTS5 under the data dir (the default), or
    PostgreSQL's full-text search when several machines share PostgreSQL and a Chroma server."""
    if settings.shared_index:
        return PgLexicalIndex(str(settings.database_url))
    return LexicalIndex(settings.index_path)


def chroma_client(settings: Settings) -> Any:
    """An embedded PersistentClient under the data dir, or an HttpClient for ``chroma run``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if settings.chroma_url:
            url = urlparse(settings.chroma_url)
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as exc:  # chromadb raises plain Exceptions for connection problems
        where = settings.chroma_url or str(settings.chroma_dir)
        raise StoreUnavailableError(f"Chroma at {where}: {type(exc).__name__}") from exc


class ChunkStore:
    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        client: Any = None,
        lexical: LexicalIndex | PgLexicalIndex | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder or build_embedder(settings)
        self.lexical: LexicalIndex | PgLexicalIndex = lexical or open_lexical(settings)
        self._client = client
        self._collection: Any = None
        self._lock = threading.Lock()
        self.reconcile()

    # --- Chroma ---------------------------------------------------------------------------------

    @property
    def collection(self) -> Any:
        with self._lock:
            if self._collection is None:
                if self._client is None:
                    self._client = chroma_client(self.settings)
                self._collection = self._open_collection()
            return self._collection

    def _open_collection(self) -> Any:
        name = self.settings.chroma_collection
        try:
            existing = {c if isinstance(c, str) else c.name for c in self._client.list_collections()}
            if name in existing:
                collection = self._client.get_collection(name)
                self._check_model(collection.metadata or {})
                return collection
            return self._client.create_collection(
                name,
                metadata={
                    "embedding_model": self.embedder.name,
                    "dimension": self.embedder.dimension,
                    "hnsw:space": "cosine",
                },
                embedding_function=None,
            )
        except EmbeddingMismatchError:
            raise
        except Exception as exc:
            raise StoreUnavailableError(f"Chroma: {type(exc).__name__}") from exc

    def _check_model(self, metadata: dict[str, Any]) -> None:
        stored = metadata.get("embedding_model")
        if stored and stored != self.embedder.name:
            raise EmbeddingMismatchError(stored=stored, configured=self.embedder.name)
        stored_dim = metadata.get("dimension")
        if stored_dim and int(stored_dim) != self.embedder.dimension:
            raise EmbeddingMismatchError(
                stored=f"{stored} ({stored_dim} dim)",
                configured=f"{self.embedder.name} ({self.embedder.dimension} dim)",
            )

    # --- writing --------------------------------------------------------------------------------

    def reconcile(self) -> list[str]:
        """Remove documents a crash left half-written from both indexes; returns their ids.

        Not while another process holds the writer lock: its pending document is work under way, not a
        crash's leftover, and a reader opening the store (``advisor ask``, a server starting) must
        not delete it under the writer's feet. The next opener after the writer finishes cleans up.
        """
        if _another_process_writes(self.settings.data_dir / "index.lock"):
            return []
        if isinstance(self.lexical, PgLexicalIndex) and _another_machine_writes(
            str(self.settings.database_url)
        ):
            return []
        pending = self.lexical.pending_documents()
        for doc_id in pending:
            self.collection.delete(where={"doc_id": doc_id})
            self.lexical.delete_document(doc_id)
        return pending

    def upsert_document(
        self,
        doc_id: str,
        source: str,
        title: str,
        content_hash: str,
        chunks: Sequence[Chunk],
        meta: dict[str, Any] | None = None,
    ) -> None:
        """Replace everything stored for ``doc_id`` with ``chunks``, in both indexes."""
        meta = meta or {}
        vectors = self.embedder.embed_documents([embedding_text(c) for c in chunks])
        self.lexical.mark_pending(doc_id, source, title, meta)
        old_ids = set(self.lexical.chunk_ids(doc_id))
        new_ids = [c.id for c in chunks]
        stale = sorted(old_ids - set(new_ids))
        if stale:
            self.collection.delete(ids=stale)
        for start in range(0, len(chunks), CHROMA_BATCH):
            part = chunks[start : start + CHROMA_BATCH]
            self.collection.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[start : start + CHROMA_BATCH],
                metadatas=[{"doc_id": doc_id, "source": source} for _ in part],
            )
        self.lexical.replace_chunks(doc_id, content_hash, title, meta, list(chunks))

    def delete_document(self, doc_id: str) -> None:
        self.lexical.mark_pending(doc_id, *self._doc_identity(doc_id))
        self.collection.delete(where={"doc_id": doc_id})
        self.lexical.delete_document(doc_id)

    def rekey_document(self, old_id: str, new_id: str, *, meta: dict[str, Any] | None = None) -> None:
        """Move a document to a new id in both indexes without embedding it again: its vectors are
        copied under the new chunk ids, then the old ones go. ``meta`` is merged into its own.

        The old document is journalled ``pending`` first, so a crash part-way leaves what reconcile
        removes and the next ingest adds again."""
        document = self.lexical.document(old_id)
        if document is None or document["state"] != "ready":
            return
        source, title, own_meta = self._doc_identity(old_id)
        merged = {**own_meta, **(meta or {})}
        content_hash = self.lexical.document_hashes().get(source, ("", "", ""))[1]
        pairs = [
            (c.id, replace(c, id=new_id + c.id.removeprefix(old_id), doc_id=new_id))
            for c in self.lexical.document_chunks(old_id)
        ]
        stored = self.collection.get(ids=[old for old, _ in pairs], include=["embeddings"]) if pairs else None
        vectors = dict(zip(stored["ids"], stored["embeddings"], strict=True)) if stored else {}
        unknown = [c for old, c in pairs if old not in vectors]  # never expected; embedded if so
        fresh = dict(
            zip(
                [c.id for c in unknown],
                self.embedder.embed_documents([embedding_text(c) for c in unknown]) if unknown else [],
                strict=True,
            )
        )
        self.lexical.mark_pending(old_id, source, title, own_meta)
        for start in range(0, len(pairs), CHROMA_BATCH):
            part = pairs[start : start + CHROMA_BATCH]
            self.collection.upsert(
                ids=[c.id for _, c in part],
                embeddings=[
                    [float(x) for x in vectors[old]] if old in vectors else fresh[c.id] for old, c in part
                ],
                metadatas=[{"doc_id": new_id, "source": source} for _ in part],
            )
        self.lexical.delete_document(old_id)
        self.lexical.mark_pending(new_id, source, title, merged)
        self.lexical.replace_chunks(new_id, content_hash, title, merged, [c for _, c in pairs])
        if not document["enabled"]:
            self.lexical.set_enabled(new_id, False)
        self.collection.delete(where={"doc_id": old_id})

    def _doc_identity(self, doc_id: str) -> tuple[str, str, dict[str, Any]]:
        document = self.lexical.document(doc_id)
        if document is None:
            return (f"deleted:{doc_id}", "", {})
        meta = {k: v for k, v in document.items() if k not in DOCUMENT_FIELDS}
        return (str(document["source"]), str(document["title"]), meta)

    def reset(self) -> None:
        """Drop every document and the vector collection (used by ``ingest --reindex``)."""
        for doc in self.lexical.documents():
            self.lexical.delete_document(str(doc["doc_id"]))
        with self._lock:
            if self._client is None:
                self._client = chroma_client(self.settings)
            from chromadb.errors import NotFoundError

            try:
                self._client.delete_collection(self.settings.chroma_collection)
            except NotFoundError:  # an absent collection is the state we want
                pass
            except (
                Exception
            ) as exc:  # a reindex that kept the old collection would keep the old model's vectors
                raise StoreUnavailableError(f"Chroma: {type(exc).__name__}") from exc
            finally:
                self._collection = None

    # --- reading --------------------------------------------------------------------------------

    def search_dense(self, query: str, limit: int) -> list[tuple[str, float]]:
        if self.lexical.counts()[1] == 0:
            return []
        vector = self.embedder.embed_query(query)
        # Disabled documents are filtered inside the vector search, so ``limit`` results still come back.
        disabled = self.lexical.disabled_documents()
        where = {"doc_id": {"$nin": disabled}} if disabled else None
        result = self.collection.query(
            query_embeddings=[vector], n_results=limit, where=where, include=["distances"]
        )
        ids = result["ids"][0]
        distances = result["distances"][0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]

    def counts(self) -> tuple[int, int]:
        return self.lexical.counts()


def _another_process_writes(path: Path) -> bool:
    """Whether a process other than this one holds the index's writer lock (``ingest.lock``: an
    ``flock`` on this file, which names its holder as "pid N: …")."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False  # no lock file: no writer has ever run here
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("utf-8", errors="replace")
            return not holder.startswith(f"pid {os.getpid()}:")
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _another_machine_writes(url: str) -> bool:
    """Whether a writer anywhere holds the shared index's PostgreSQL advisory lock."""
    from sqlalchemy import create_engine, text

    engine = create_engine(_psycopg_url(url))
    try:
        with engine.connect() as connection:
            free = connection.execute(
                text("SELECT pg_try_advisory_lock(:k)"), {"k": WRITER_LOCK_KEY}
            ).scalar()
            if free:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": WRITER_LOCK_KEY})
            return not free
    finally:
        engine.dispose()


def _psycopg_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def embedding_text(chunk: Chunk) -> str:
    """What the dense model sees: the chunk in the context of its document and heading."""
    head = " / ".join(p for p in (chunk.title, *chunk.heading_path) if p)
    return f"{head}\n{chunk.text}" if head else chunk.text
