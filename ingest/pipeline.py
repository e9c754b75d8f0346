"""Sync files into the store: load → chunk → embed → upsert, idempotent and incremental.

Unchanged files (same bytes, same chunker version) write nothing; a changed file replaces its
chunks; with ``prune`` the documents of files that are gone from a synced folder are removed.
"""

from __future__ import annotations

import csv
import hashlib
import os
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from assistant import analysis
from assistant.embeddings import Embedder
from assistant.errors import AdvisorError, InvalidInputError, StoreUnavailableError
from assistant.messages import message
from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest.chunking import CHUNKER_VERSION, chunk_document
from ingest.intake import Limits, Refused, check_path
from ingest.loaders import is_supported
from ingest.lock import writer_lock
from ingest.parsing import InProcessParser, IsolatedParser, Parser
from ingest.screening import safe_url

# A folder may carry a manifest mapping its files to the public URLs they were copied from.
MANIFEST = "INDEX.csv"


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    # What the parsers said about a file that was still indexed (one line each), and its flags.
    notes: list[tuple[str, str]] = field(default_factory=list)
    flagged: list[tuple[str, int]] = field(default_factory=list)
    chunks_written: int = 0
    # Documents stored under an id made from their absolute path, moved to their stable id.
    rekeyed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def merge(self, other: SyncReport) -> None:
        for name in ("added", "updated", "unchanged", "removed", "failed", "notes", "flagged", "rekeyed"):
            getattr(self, name).extend(getattr(other, name))
        self.chunks_written += other.chunks_written

    def record(self, result: FileResult) -> None:
        if result.status == "failed":
            self.failed.append((result.source, result.reason or ""))
        else:
            getattr(self, result.status).append(result.source)
        self.notes += [(result.source, n) for n in result.notes]
        if result.flagged:
            self.flagged.append((result.source, result.flagged))
        if result.rekeyed:
            self.rekeyed.append(result.source)
        self.chunks_written += result.chunks


Status = Literal["added", "updated", "unchanged", "failed"]


@dataclass
class FileResult:
    """What happened to one file: ``reason`` is one line (Swedish / English) when it failed."""

    source: str
    status: Status
    reason: str | None = None
    chunks: int = 0
    flagged: int = 0
    notes: list[str] = field(default_factory=list)
    rekeyed: bool = False


# (name, status): status is "added", "updated", "unchanged", "failed", "removed", or a stage of the
# file in hand ("tolkar", "bäddar in 640/36000 avsnitt"), which a front-end shows without counting.
Progress = Callable[[str, str], None]
FINAL = ("added", "updated", "unchanged", "failed")


def document_key(path: Path, root: Path) -> str:
    """What names a document on every machine: its path below the folder it was ingested from, led
    by that folder's name ("corpus/guide.md"). Never the absolute path, which differs between
    checkouts and machines sharing one index."""
    relative = path.relative_to(root) if path.is_relative_to(root) else Path(path.name)
    return f"{root.name}/{relative.as_posix()}"


def doc_id_for(key: str) -> str:
    """The document id for a ``document_key`` (before the fourth session: for an absolute path —
    such ids are re-keyed, vectors kept, the next time their file is synced)."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def doc_id_of(path: Path, root: Path) -> str:
    """The id a file gets when ingested from ``root``."""
    return doc_id_for(document_key(_absolute(path), root.resolve()))


def file_hash(path: Path) -> str:
    digest = hashlib.sha256(f"chunker:{CHUNKER_VERSION}\n".encode())
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _absolute(raw: Path) -> Path:
    """The path made absolute with its folders resolved but its last part not followed: a link
    stays a link, to be judged against its folder."""
    absolute = Path(os.path.abspath(raw))
    return absolute.parent.resolve() / absolute.name


def discover(paths: Iterable[Path]) -> tuple[list[tuple[Path, Path]], list[Path], list[Path]]:
    """(file, root) pairs to ingest, explicitly named files of unsupported types, and folders walked.

    Folders are walked without following linked folders; a linked file is listed, and checked
    against its folder before it is read (a loop or a link out of the folder is refused).
    """
    files: list[tuple[Path, Path]] = []
    refused: list[Path] = []
    roots: list[Path] = []
    for raw in paths:
        path = _absolute(raw)
        if path.is_dir():
            root = path.resolve()
            roots.append(root)
            found: list[Path] = []
            for folder, dirnames, filenames in os.walk(root, followlinks=False):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                found += [Path(folder) / f for f in filenames if not f.startswith(".")]
            files += [(f, root) for f in sorted(found) if is_supported(f)]
        elif path.is_symlink() or path.is_file():
            (files.append((path, path.parent)) if is_supported(path) else refused.append(path))
        else:
            refused.append(path)
    # A file named and also inside a named folder is synced once (under the first way it was named).
    unique: dict[Path, tuple[Path, Path]] = {}
    for file, root in files:
        unique.setdefault(file, (file, root))
    return list(unique.values()), list(dict.fromkeys(refused)), roots


@dataclass(frozen=True)
class ManifestEntry:
    url: str | None
    title: str | None


def _manifest(root: Path) -> tuple[dict[Path, ManifestEntry], list[tuple[str, str]]]:
    """file → its public URL and title, from every INDEX.csv below ``root``; and the manifests
    that could not be read, with why (their files are still indexed, without those URLs)."""
    entries: dict[Path, ManifestEntry] = {}
    broken: list[tuple[str, str]] = []
    for manifest in root.rglob(MANIFEST):
        try:
            with manifest.open(encoding="utf-8", newline="") as fh:
                reader = csv.DictReader(fh)
                if "file" not in (reader.fieldnames or []):
                    broken.append((str(manifest), f"{MANIFEST} has no 'file' column"))
                    continue
                for row in reader:
                    url = row.get("url") or row.get("regeringen_url") or row.get("source_url")
                    if row.get("file"):
                        entries[(manifest.parent / row["file"]).resolve()] = ManifestEntry(
                            url or None, row.get("title") or None
                        )
        except (OSError, csv.Error, UnicodeDecodeError) as exc:
            kind = (
                "csv.Error" if isinstance(exc, csv.Error) else type(exc).__name__
            )  # bare "Error" says nothing
            broken.append((str(manifest), f"{MANIFEST} could not be read ({kind})"))
    return entries, broken


def build_parser(settings: Settings) -> Parser:
    """The parser the settings ask for: a child process with limits, or this process."""
    limits = limits_from(settings)
    if settings.ingest_isolation == "process":
        return IsolatedParser(
            limits, timeout_s=settings.ingest_parse_timeout_s, memory_mb=settings.ingest_parse_memory_mb
        )
    return InProcessParser(limits)


def limits_from(settings: Settings) -> Limits:
    return Limits(
        max_file_bytes=settings.ingest_max_file_mb * 1024 * 1024,
        max_unpacked_bytes=settings.ingest_max_unpacked_mb * 1024 * 1024,
        max_pdf_pages=settings.ingest_max_pdf_pages,
    )


def sync(
    paths: Iterable[Path],
    store: ChunkStore,
    *,
    prune: bool = False,
    progress: Progress | None = None,
    on_discovered: Callable[[int], None] | None = None,
    language: str = "sv",
    parser: Parser | None = None,
) -> SyncReport:
    """``on_discovered`` hears how many files will be synced before the first one is.

    A file that cannot be indexed is reported (one line) and the run goes on with the next.
    """
    settings = store.settings
    report = SyncReport()
    files, refused, roots = discover(paths)
    if len(files) > settings.ingest_max_files:
        raise InvalidInputError(
            f"{len(files)} filer, högst {settings.ingest_max_files} per körning (ADVISOR_INGEST_MAX_FILES) / "
            f"{len(files)} files, at most {settings.ingest_max_files} per run"
        )
    if on_discovered:
        on_discovered(len(files))
    for path in refused:
        reason = (
            "finns inte / not found"
            if not path.exists() and not path.is_symlink()
            else message("unsupported_file", language, suffix=path.suffix or "(none)")
        )
        report.failed.append((str(path), reason))
    manifest: dict[Path, ManifestEntry] = {}
    unreadable: dict[str, str] = {}  # by manifest: nested roots walk the same one twice
    for root in sorted({r for _, r in files} | set(roots)):
        entries, broken = _manifest(root)
        manifest.update(entries)
        unreadable.update(broken)
    report.failed += [(name, message("document_load", language, detail=d)) for name, d in unreadable.items()]

    own_parser = parser is None
    parser = parser or build_parser(settings)
    with writer_lock(settings):
        try:
            _sync_files(files, store, parser, manifest, report, language, progress, prune, roots)
        finally:
            if own_parser:
                parser.close()
    return report


def _sync_files(
    files: list[tuple[Path, Path]],
    store: ChunkStore,
    parser: Parser,
    manifest: dict[Path, ManifestEntry],
    report: SyncReport,
    language: str,
    progress: Progress | None,
    prune: bool,
    roots: list[Path],
) -> None:
    known = store.lexical.document_hashes()
    known_ids = _by_id(known)
    seen: set[str] = set()
    for path, root in files:
        seen.add(doc_id_of(path, root))
        name = str(path.relative_to(root)) if path.is_relative_to(root) else path.name

        def stage(status: str, name: str = name) -> None:
            if progress:
                progress(name, status)

        result = _ingest_file(
            path, store, root, parser, manifest.get(path), known, language, stage, known_ids=known_ids
        )
        report.record(result)
        stage(result.status)

    if prune:
        # A document belongs to a synced folder by its key ("corpus/…"), so a folder synced on another
        # machine sharing the index prunes the same documents; by its path for documents stored
        # before keys (until they are re-keyed).
        prefixes = tuple(f"{r.name}/" for r in roots)
        for document in store.lexical.documents():
            doc_id, source, key = str(document["doc_id"]), str(document["source"]), document.get("key")
            under = (
                str(key).startswith(prefixes) if key else any(Path(source).is_relative_to(r) for r in roots)
            )
            if doc_id in seen or not under:
                continue
            store.delete_document(doc_id)
            report.removed.append(source)
            if progress:
                progress(Path(source).name, "removed")


def ingest_file(
    path: Path,
    store: ChunkStore,
    *,
    root: Path | None = None,
    parser: Parser | None = None,
    listed: ManifestEntry | None = None,
    known: dict[str, tuple[str, str, str]] | None = None,
    language: str = "sv",
    on_stage: Callable[[str], None] | None = None,
    doc_id: str | None = None,
) -> FileResult:
    """Index one file, replacing what was stored for it; the stable entry point for a single file
    (an upload). Never raises for anything the file causes: the result says ``failed`` with a
    one-line reason. ``root`` is the folder the file must stay inside (default: its own folder)
    and, with the file's path below it, names the document (``document_key``); ``doc_id`` keeps
    an existing document's id instead (indexing a known document again from its file)."""
    with writer_lock(store.settings):
        return _ingest_file(path, store, root, parser, listed, known, language, on_stage, doc_id)


def _ingest_file(
    path: Path,
    store: ChunkStore,
    root: Path | None,
    parser: Parser | None,
    listed: ManifestEntry | None,
    known: dict[str, tuple[str, str, str]] | None,
    language: str,
    on_stage: Callable[[str], None] | None,
    doc_id: str | None = None,
    known_ids: dict[str, tuple[str, str, str]] | None = None,
) -> FileResult:
    path = _absolute(path)
    root = (root or path.parent).resolve()
    source = str(path)
    key = document_key(path, root)
    doc_id = doc_id or doc_id_for(key)
    stage = on_stage or (lambda _status: None)
    try:
        check_path(path, root)
        digest = file_hash(path)
    except Refused as exc:
        return FileResult(source, "failed", exc.reason)
    except OSError as exc:
        return FileResult(source, "failed", message("document_load", language, detail=exc.strerror or "I/O"))
    known = store.lexical.document_hashes() if known is None else known
    previous = (known_ids if known_ids is not None else _by_id(known)).get(doc_id)
    rekeyed = False
    stored_here = known.get(source)
    if previous is None and stored_here is not None and stored_here[0] != doc_id:
        # Stored under an id made from this machine's absolute path: move it to its stable id (the
        # vectors move with it, nothing is embedded again), then judge it like any other.
        store.rekey_document(stored_here[0], doc_id, meta={"key": key})
        previous = (doc_id, stored_here[1], stored_here[2])
        rekeyed = True
    if previous and previous[1] == digest and previous[2] == "ready":
        return FileResult(source, "unchanged", rekeyed=rekeyed)

    stage("tolkar / parsing")
    own_parser = parser is None
    parser = parser or build_parser(store.settings)
    try:
        parsed = parser.parse(path, root)
    finally:
        if own_parser:
            parser.close()
    notes = parsed.notes
    if parsed.doc is None:
        if parsed.error is not None:
            key, detail, params = parsed.error
            reason = message(key, language, detail=detail, **params)
        else:
            reason = parsed.refused or message("internal", language)
        return FileResult(source, "failed", _one_line(reason), notes=notes)
    doc = parsed.doc
    notes += doc.notes
    if listed is not None:
        # A manifest names where the file was published; that is what a citation should show.
        listed_url = safe_url(listed.url)
        if listed.url and not listed_url:
            notes.append(f"källänken i {MANIFEST} avvisades / the source link in {MANIFEST} was refused")
        doc.url = doc.url or listed_url
        doc.title = listed.title or doc.title
    doc_language = doc.language or analysis.detect_language(" ".join(s.text for s in doc.sections[:20]))
    chunks = chunk_document(doc, doc_id=doc_id, source=source, content_hash=digest, language=doc_language)
    meta = {
        **doc.meta,
        "url": doc.url,
        "language": doc_language,
        "format": path.suffix.lower()[1:],
        "key": key,
    }
    stage(f"bäddar in {len(chunks)} avsnitt / embedding {len(chunks)} passages")
    try:
        _upsert_reporting(store, (doc_id, source, doc.title, digest, chunks, meta), stage)
    except Exception as exc:
        failure = _write_failure(exc)
        if failure is exc:
            raise
        raise failure from exc
    flagged = sum(1 for c in chunks if c.flagged)
    return FileResult(
        source,
        "updated" if previous else "added",
        chunks=len(chunks),
        flagged=flagged,
        notes=notes,
        rekeyed=rekeyed,
    )


def _by_id(known: dict[str, tuple[str, str, str]]) -> dict[str, tuple[str, str, str]]:
    """``known`` (source → (doc_id, hash, state)) by document id."""
    return {v[0]: v for v in known.values()}


def _write_failure(exc: Exception) -> Exception:
    """A write the data dir refused (disk full, read-only) ends the run with one clear line: the
    next file would fail the same way. The document stays journalled as pending, so the next run
    (or opening the store) removes what was half written and indexes it again."""
    from chromadb.errors import ChromaError

    if isinstance(exc, AdvisorError) or not isinstance(exc, sqlite3.Error | OSError | ChromaError):
        return exc
    detail = " ".join(str(exc).split())[:160] or type(exc).__name__
    return StoreUnavailableError(
        f"skrivningen misslyckades, är disken full eller skrivskyddad? / the write failed, is the disk "
        f"full or read-only? ({detail})"
    )


EMBED_SLICE = 256


class _ReportingEmbedder:
    """The store's embedder fed in slices, so a long document says how far it has come."""

    def __init__(self, inner: Embedder, stage: Callable[[str], None]) -> None:
        self.inner = inner
        self.stage = stage
        self.name = inner.name
        self.computes_here = inner.computes_here

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), EMBED_SLICE):
            vectors += self.inner.embed_documents(texts[start : start + EMBED_SLICE])
            done = min(start + EMBED_SLICE, len(texts))
            self.stage(f"bäddar in {done}/{len(texts)} avsnitt / embedding {done}/{len(texts)} passages")
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def _upsert_reporting(store: ChunkStore, args: tuple[Any, ...], stage: Callable[[str], None]) -> None:
    """``store.upsert_document(*args)``, reporting the embedding of a long document slice by slice."""
    if len(args[4]) <= EMBED_SLICE:
        store.upsert_document(*args)
        return
    inner = store.embedder
    store.embedder = _ReportingEmbedder(inner, stage)
    try:
        store.upsert_document(*args)
    finally:
        store.embedder = inner


def _one_line(text: str) -> str:
    return " ".join(text.split())
