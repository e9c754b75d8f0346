"""``ChunkStore``: the vector index (Chroma) and the lexical index (SQLite FTS5) kept in step.

A document is written to both or to neither: it is journalled as ``pending`` first, its vectors are
written, then its lexical rows and the ``ready`` mark go in one SQLite transaction. Opening the store
reconciles any document left ``pending`` by a crash, so a re-run of ingest repairs it.
"""

from __future__ import annotations

import fcntl
import math
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from assistant.embeddings import Embedder, build_embedder
from assistant.errors import EmbeddingMismatchError, StoreUnavailableError
from assistant.lexical import DOCUMENT_FIELDS, LexicalIndex
from assistant.lexical_pg import PgLexicalIndex
from assistant.settings import Settings, psql_url
from assistant.types import Chunk

CHROMA_BATCH = 2000
REEMBED_BATCH = 256
# How often a store looks for a newer complete generation of its collection (see ``reembed``).
RESOLVE_EVERY_S = 5.0
GENERATION = "--g"
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
        self._resolved_at = -math.inf
        self._lock = threading.Lock()
        self.switch_grace_s = 2 * RESOLVE_EVERY_S
        self.reconcile()

    # --- Chroma ---------------------------------------------------------------------------------

    @property
    def collection(self) -> Any:
        """The vector collection in use: the newest complete generation made with this store's
        embedding model (``reembed`` builds the next one beside it). Looked up again every
        ``RESOLVE_EVERY_S`` seconds, so a server follows a switch made by another process."""
        with self._lock:
            now = time.monotonic()
            if self._collection is None or now - self._resolved_at > RESOLVE_EVERY_S:
                self._collection = self._open_collection()
                self._resolved_at = now
            return self._collection

    def _for_writing(self) -> Any:
        """The collection to write to, looked up now: a writer holds the writer lock, so no switch
        can come between this and its write."""
        with self._lock:
            self._resolved_at = -math.inf
        return self.collection

    def _chroma(self) -> Any:
        if self._client is None:
            self._client = chroma_client(self.settings)
        return self._client

    def generations(self) -> list[tuple[int, Any]]:
        """Every generation of this store's collection, oldest first: ``chunks`` is the first,
        ``chunks--g2`` the next one ``reembed`` built, and so on."""
        base = self.settings.chroma_collection
        found = []
        for item in self._chroma().list_collections():
            name = item if isinstance(item, str) else item.name
            number = generation_number(name, base)
            if number is not None:
                found.append(
                    (number, item if not isinstance(item, str) else self._chroma().get_collection(name))
                )
        return sorted(found, key=lambda pair: pair[0])

    def _open_collection(self) -> Any:
        try:
            complete = [(n, c) for n, c in self.generations() if (c.metadata or {}).get("complete", True)]
            mine = [c for _, c in complete if self._made_here(c.metadata or {})]
            if mine:
                return mine[-1]
            if complete:  # only other models' vectors: say so rather than search them with ours
                self._check_model(complete[-1][1].metadata or {})
            # get_or_create: two servers starting at once on an empty Chroma server both get here.
            return self._chroma().get_or_create_collection(
                self.settings.chroma_collection,
                metadata={**self._model_metadata(), "hnsw:space": "cosine"},
                embedding_function=None,
            )
        except EmbeddingMismatchError:
            raise
        except Exception as exc:
            raise StoreUnavailableError(f"Chroma: {type(exc).__name__}") from exc

    def _model_metadata(self) -> dict[str, Any]:
        return {"embedding_model": self.embedder.name, "dimension": self.embedder.dimension}

    def _made_here(self, metadata: dict[str, Any]) -> bool:
        stored, dimension = metadata.get("embedding_model"), metadata.get("dimension")
        return (not stored or stored == self.embedder.name) and (
            not dimension or int(dimension) == self.embedder.dimension
        )

    def reembed(
        self, *, progress: Callable[[int, int], None] | None = None, drop_other_models: bool = False
    ) -> str:
        """Embed every chunk again, with this store's embedding model, into a new collection beside
        the one in use, and switch to it when it is complete: servers keep answering from the old one
        until then (and follow within ``RESOLVE_EVERY_S``). Then the older generations of this model
        go — and, with ``drop_other_models``, those of other models that servers not yet
        reconfigured still use. The caller holds the writer lock. Returns the new collection's name."""
        client = self._chroma()
        existing = self.generations()
        number = max((n for n, _ in existing), default=0) + 1
        for _, unfinished in [(n, c) for n, c in existing if not (c.metadata or {}).get("complete", True)]:
            client.delete_collection(unfinished.name)  # a re-embedding that stopped part-way
        existing = [(n, c) for n, c in existing if (c.metadata or {}).get("complete", True)]
        name = f"{self.settings.chroma_collection}{GENERATION}{number}"
        target = client.create_collection(
            name,
            metadata={**self._model_metadata(), "hnsw:space": "cosine", "complete": False},
            embedding_function=None,
        )
        documents = [d for d in self.lexical.documents() if d["state"] == "ready"]
        total = sum(int(str(d["chunks"])) for d in documents)
        done = 0
        for document in documents:
            chunks = self.lexical.document_chunks(str(document["doc_id"]))
            for start in range(0, len(chunks), REEMBED_BATCH):
                part = chunks[start : start + REEMBED_BATCH]
                target.add(
                    ids=[c.id for c in part],
                    embeddings=self.embedder.embed_documents([embedding_text(c) for c in part]),
                    metadatas=[{"doc_id": c.doc_id, "source": c.source} for c in part],
                )
                done += len(part)
                if progress:
                    progress(done, total)
        target.modify(metadata={**self._model_metadata(), "complete": True})
        with self._lock:
            self._collection, self._resolved_at = target, time.monotonic()
        # Servers still reading an older generation look again within RESOLVE_EVERY_S.
        time.sleep(self.switch_grace_s)
        for _, old in existing:
            if old.name != name and (drop_other_models or self._made_here(old.metadata or {})):
                client.delete_collection(old.name)
        return name

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
        if pending:
            collection = self._for_writing()
            for doc_id in pending:
                collection.delete(where={"doc_id": doc_id})
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
        collection = self._for_writing()
        for displaced in self.lexical.mark_pending(doc_id, source, title, meta):
            collection.delete(where={"doc_id": displaced})  # the same source under another id
        old_ids = set(self.lexical.chunk_ids(doc_id))
        new_ids = [c.id for c in chunks]
        stale = sorted(old_ids - set(new_ids))
        if stale:
            collection.delete(ids=stale)
        for start in range(0, len(chunks), CHROMA_BATCH):
            part = chunks[start : start + CHROMA_BATCH]
            collection.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[start : start + CHROMA_BATCH],
                metadatas=[{"doc_id": doc_id, "source": source} for _ in part],
            )
        self.lexical.replace_chunks(doc_id, content_hash, title, meta, list(chunks))

    def delete_document(self, doc_id: str) -> None:
        collection = self._for_writing()
        self.lexical.mark_pending(doc_id, *self._doc_identity(doc_id))
        collection.delete(where={"doc_id": doc_id})
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
        collection = self._for_writing()
        content_hash = self.lexical.document_hashes().get(source, ("", "", ""))[1]
        pairs = [
            (c.id, replace(c, id=new_id + c.id.removeprefix(old_id), doc_id=new_id))
            for c in self.lexical.document_chunks(old_id)
        ]
        stored = collection.get(ids=[old for old, _ in pairs], include=["embeddings"]) if pairs else None
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
            collection.upsert(
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
        collection.delete(where={"doc_id": old_id})

    def _doc_identity(self, doc_id: str) -> tuple[str, str, dict[str, Any]]:
        document = self.lexical.document(doc_id)
        if document is None:
            return (f"deleted:{doc_id}", "", {})
        meta = {k: v for k, v in document.items() if k not in DOCUMENT_FIELDS}
        return (str(document["source"]), str(document["title"]), meta)

    def reset(self) -> None:
        """Drop every document and every generation of the vector collection (``ingest --reindex``;
        ``reembed`` is the way to change the model without an outage)."""
        for doc in self.lexical.documents():
            self.lexical.delete_document(str(doc["doc_id"]))
        from chromadb.errors import NotFoundError

        try:
            for _, collection in self.generations():
                try:
                    self._chroma().delete_collection(collection.name)
                except NotFoundError:  # an absent collection is the state we want
                    pass
        except Exception as exc:  # a reindex that kept the old collection would keep the old model's vectors
            raise StoreUnavailableError(f"Chroma: {type(exc).__name__}") from exc
        finally:
            with self._lock:
                self._collection = None

    # --- reading --------------------------------------------------------------------------------

    def search_dense(self, query: str, limit: int) -> list[tuple[str, float]]:
        if self.lexical.is_empty():
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


def generation_number(name: str, base: str) -> int | None:
    if name == base:
        return 1
    number = name.removeprefix(base + GENERATION)
    return int(number) if name.startswith(base + GENERATION) and number.isdigit() else None


def _another_machine_writes(url: str) -> bool:
    """Whether a writer anywhere holds the shared index's PostgreSQL advisory lock."""
    from sqlalchemy import create_engine, text

    engine = create_engine(psql_url(url))
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


def embedding_text(chunk: Chunk) -> str:
    """What the dense model sees: the chunk in the context of its document and heading."""
    head = " / ".join(p for p in (chunk.title, *chunk.heading_path) if p)
    return f"{head}\n{chunk.text}" if head else chunk.text
