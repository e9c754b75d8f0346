"""Sync files into the store: load → chunk → embed → upsert, idempotent and incremental.

Unchanged files (same bytes, same chunker version) write nothing; a changed file replaces its
chunks; with ``prune`` the documents of files that are gone from a synced folder are removed.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assistant import analysis
from assistant.errors import AdvisorError
from assistant.messages import message
from assistant.store import ChunkStore
from ingest.chunking import CHUNKER_VERSION, chunk_document
from ingest.loaders import is_supported, load

# A folder may carry a manifest mapping its files to the public URLs they were copied from.
MANIFEST = "INDEX.csv"


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    chunks_written: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed

    def merge(self, other: SyncReport) -> None:
        for name in ("added", "updated", "unchanged", "removed", "failed"):
            getattr(self, name).extend(getattr(other, name))
        self.chunks_written += other.chunks_written


Progress = Callable[[str, str], None]


def doc_id_for(source: str) -> str:
    return hashlib.sha1(source.encode("utf-8")).hexdigest()[:16]


def file_hash(path: Path) -> str:
    digest = hashlib.sha256(f"chunker:{CHUNKER_VERSION}\n".encode())
    digest.update(path.read_bytes())
    return digest.hexdigest()


def discover(paths: Iterable[Path]) -> tuple[list[tuple[Path, Path]], list[Path], list[Path]]:
    """(file, root) pairs to ingest, explicitly named files of unsupported types, and folders walked."""
    files: list[tuple[Path, Path]] = []
    refused: list[Path] = []
    roots: list[Path] = []
    for raw in paths:
        path = raw.resolve()
        if path.is_dir():
            roots.append(path)
            for f in sorted(path.rglob("*")):
                rel = f.relative_to(path)
                if f.is_file() and not any(p.startswith(".") for p in rel.parts) and is_supported(f):
                    files.append((f, path))
        elif path.is_file():
            (files.append((path, path.parent)) if is_supported(path) else refused.append(path))
        else:
            refused.append(path)
    return files, refused, roots


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


def sync(
    paths: Iterable[Path],
    store: ChunkStore,
    *,
    prune: bool = False,
    progress: Progress | None = None,
    on_discovered: Callable[[int], None] | None = None,
    language: str = "sv",
) -> SyncReport:
    """``on_discovered`` hears how many files will be synced before the first one is."""
    report = SyncReport()
    files, refused, roots = discover(paths)
    if on_discovered:
        on_discovered(len(files))
    for path in refused:
        reason = (
            "finns inte / not found"
            if not path.exists()
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

    known = store.lexical.document_hashes()
    seen: set[str] = set()
    for path, root in files:
        source = str(path)
        seen.add(source)
        name = str(path.relative_to(root)) if path.is_relative_to(root) else path.name
        status = _sync_file(path, source, store, known, manifest.get(path), report, language)
        if progress:
            progress(name, status)

    if prune:
        for source, (doc_id, _, _) in known.items():
            if source in seen or not any(Path(source).is_relative_to(r) for r in roots):
                continue
            store.delete_document(doc_id)
            report.removed.append(source)
            if progress:
                progress(Path(source).name, "removed")
    return report


def _sync_file(
    path: Path,
    source: str,
    store: ChunkStore,
    known: dict[str, tuple[str, str, str]],
    listed: ManifestEntry | None,
    report: SyncReport,
    language: str,
) -> str:
    try:
        digest = file_hash(path)
        previous = known.get(source)
        if previous and previous[1] == digest and previous[2] == "ready":
            report.unchanged.append(source)
            return "unchanged"
        doc = load(path)
        if listed is not None:
            # A manifest names where the file was published; that is what a citation should show.
            doc.url = doc.url or listed.url
            doc.title = listed.title or doc.title
        doc_language = doc.language or analysis.detect_language(" ".join(s.text for s in doc.sections[:20]))
        doc_id = doc_id_for(source)
        chunks = chunk_document(doc, doc_id=doc_id, source=source, content_hash=digest, language=doc_language)
        meta = {**doc.meta, "url": doc.url, "language": doc_language, "format": path.suffix.lower()[1:]}
        store.upsert_document(doc_id, source, doc.title, digest, chunks, meta)
        report.chunks_written += len(chunks)
    except AdvisorError as exc:
        report.failed.append((source, message(exc.key, language, detail=exc.detail, **exc.params)))
        return "failed"
    except OSError as exc:
        report.failed.append((source, message("document_load", language, detail=exc.strerror or "I/O")))
        return "failed"
    if previous:
        report.updated.append(source)
        return "updated"
    report.added.append(source)
    return "added"
