"""``advisor backup DIR`` and ``advisor restore DIR``: a consistent copy of the embedded data dir.

A backup holds the writer lock, so no ingest or upload writes while it copies; readers go on
answering. SQLite files (the lexical index, the records database, Chroma's own catalogue) are
copied with SQLite's online backup API, which gives a consistent snapshot even while a server
reads them; the rest of the data dir (Chroma's vector segments, uploaded originals) is copied as
files. The copy is then opened and counted, and both indexes must agree, before ``backup.json``
marks the folder complete. What lives outside the data dir — a PostgreSQL database, a Chroma server —
is named in the manifest and left to those systems' own backups (``pg_dump``, the server's volume).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.errors import InvalidInputError
from assistant.settings import Settings
from assistant.store import generation_number

MANIFEST = "backup.json"
INDEX = "index.sqlite3"
RECORDS = "app.sqlite3"
CHROMA = "chroma"
CHROMA_CATALOGUE = "chroma.sqlite3"
# Not state: a lock, SQLite's side files (the backup API folds them in), the manifest itself.
SKIPPED_SUFFIXES = ("-wal", "-shm", "-journal")
SKIPPED_NAMES = {"index.lock", MANIFEST}


@dataclass(frozen=True)
class Counts:
    documents: int
    chunks: int
    vectors: int | None  # None when the vectors live on a Chroma server


def backup(
    settings: Settings, target: Path, *, on_wait: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Copy the data dir to ``target`` (new or empty); the manifest it wrote. ``on_wait`` hears who
    holds the writer lock if the copy must wait for it (a running server, an ingest)."""
    from ingest.lock import writer_lock

    source = settings.data_dir
    if settings.shared_index:
        raise InvalidInputError(
            "indexet och allt delat ligger i PostgreSQL och på Chroma-servern: säkerhetskopiera dem med "
            "pg_dump och serverns katalog (README, Deployment) / the index and everything shared live in "
            "PostgreSQL and on the Chroma server: back them up with pg_dump and the server's volume"
        )
    if not (source / INDEX).exists():
        raise InvalidInputError(f"inget index i {source} / no index in {source}")
    if target.exists() and any(target.iterdir()):
        raise InvalidInputError(f"{target} är inte tom / is not empty")
    if target.resolve().is_relative_to(source.resolve()):
        raise InvalidInputError(f"{target} ligger i datakatalogen / is inside the data dir")
    target.mkdir(parents=True, exist_ok=True)
    with writer_lock(settings, on_wait=on_wait):
        _copy_tree(source, target, embedded_chroma=settings.chroma_url is None)
    counts = _counts(
        target, embedded_chroma=settings.chroma_url is None, collection=settings.chroma_collection
    )
    if counts.vectors is not None and counts.vectors != counts.chunks:
        raise InvalidInputError(
            f"kopian är inkonsekvent: {counts.chunks} avsnitt men {counts.vectors} vektorer / "
            f"the copy is inconsistent: {counts.chunks} chunks but {counts.vectors} vectors"
        )
    manifest = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": str(source.resolve()),
        "documents": counts.documents,
        "chunks": counts.chunks,
        "vectors": counts.vectors,
        "embedding": f"{settings.embedding_provider}:{settings.embedding_model}",
        # What this folder does not hold, and so must be backed up on its own.
        "chroma_server": settings.chroma_url,
        "records": "sqlite"
        if (target / RECORDS).exists()
        else ("external" if settings.database_url else None),
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def restore(settings: Settings, source: Path, *, replace: bool = False) -> tuple[dict[str, Any], Path | None]:
    """Put the backup in ``source`` back as the data dir; the manifest, and where the old data dir went
    (``replace``) or None."""
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise InvalidInputError(
            f"{source} är ingen fullständig säkerhetskopia (saknar {MANIFEST}) / "
            f"is not a complete backup (no {MANIFEST})"
        )
    manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    target = settings.data_dir
    moved: Path | None = None
    if target.exists() and any(target.iterdir()):
        if not replace:
            raise InvalidInputError(
                f"{target} är inte tom; ange --replace för att flytta undan den / "
                f"{target} is not empty; pass --replace to move it aside"
            )
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        moved = target.with_name(f"{target.name}.before-restore-{stamp}")
        target.rename(moved)
    target.mkdir(parents=True, exist_ok=True)
    _copy_tree(source, target, embedded_chroma=manifest.get("chroma_server") is None)
    counts = _counts(
        target, embedded_chroma=manifest.get("chroma_server") is None, collection=settings.chroma_collection
    )
    expected = (manifest["documents"], manifest["chunks"])
    if (counts.documents, counts.chunks) != expected:
        raise InvalidInputError(
            f"återställningen stämmer inte: {counts.documents}/{counts.chunks} mot {expected[0]}/{expected[1]} / "
            "the restored index does not match the backup"
        )
    return manifest, moved


def _copy_tree(source: Path, target: Path, *, embedded_chroma: bool) -> None:
    for entry in sorted(source.iterdir()):
        if entry.name in SKIPPED_NAMES or entry.name.endswith(SKIPPED_SUFFIXES):
            continue
        if entry.name == CHROMA and not embedded_chroma:
            continue
        destination = target / entry.name
        if entry.is_dir():
            destination.mkdir(exist_ok=True)
            _copy_tree(entry, destination, embedded_chroma=embedded_chroma)
        elif _is_sqlite(entry):
            _sqlite_copy(entry, destination)
        else:
            shutil.copy2(entry, destination)
        if destination.is_file():
            destination.chmod(entry.stat().st_mode & 0o777)


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(16) == b"SQLite format 3\x00"


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent snapshot of a live SQLite database (its WAL folded in)."""
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    # ``with`` on a connection commits but does not close it.
    src.close()
    dst.close()


def _counts(data_dir: Path, *, embedded_chroma: bool, collection: str = "chunks") -> Counts:
    """Open the copy as the application would and count what is in it."""
    with sqlite3.connect(f"file:{data_dir / INDEX}?mode=ro", uri=True) as db:
        documents = db.execute("SELECT count(*) FROM documents").fetchone()[0]
        chunks = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
    db.close()
    vectors = None
    if embedded_chroma and (data_dir / CHROMA / CHROMA_CATALOGUE).exists():
        vectors = _vectors_in_use(data_dir / CHROMA / CHROMA_CATALOGUE, collection)
    return Counts(documents, chunks, vectors)


def _vectors_in_use(catalogue: Path, base: str) -> int:
    """Vectors in the generation of the collection writers write to: the newest complete one
    (``advisor reembed`` builds the next beside the one in use; older ones may lag behind)."""
    with sqlite3.connect(f"file:{catalogue}?mode=ro", uri=True) as db:
        counted = dict(
            db.execute(
                """SELECT c.name, count(e.id) FROM collections c
                   LEFT JOIN segments s ON s.collection = c.id
                   LEFT JOIN embeddings e ON e.segment_id = s.id GROUP BY c.name"""
            ).fetchall()
        )
        unfinished = {
            row[0]
            for row in db.execute(
                """SELECT c.name FROM collections c JOIN collection_metadata m ON m.collection_id = c.id
                   WHERE m.key = 'complete' AND m.bool_value = 0"""
            )
        }
    db.close()
    generations = sorted(
        (number, name)
        for name in counted
        if name not in unfinished and (number := generation_number(name, base)) is not None
    )
    return int(counted[generations[-1][1]]) if generations else 0
