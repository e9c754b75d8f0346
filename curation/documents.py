"""The documents the assistant knows, as advisors manage them: upload, status, edit, retire, delete.

Uploaded originals are kept under ``<data dir>/uploads`` so a document can be re-indexed and
downloaded; documents from ``corpus/`` and the CLI's ingest are listed beside them (they are all in
the lexical index's documents table). Indexing goes through the ingest pipeline's single-file entry point, ``ingest_file`` (which takes
the writer lock shared with ``advisor ingest``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import socket
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from assistant.store import ChunkStore
from assistant.types import Chunk
from curation.messages import text
from ingest.loaders import is_supported
from ingest.pipeline import doc_id_of, file_hash, ingest_file
from records.documents import Upload, Uploads
from records.errors import KeyedError

log = logging.getLogger(__name__)

# An upload claimed but not finished for this long is taken by any server process that can see it.
STALE_CLAIM = timedelta(minutes=15)
INCOMING = ".incoming"  # received, not yet indexed
PREVIOUS = ".previous"  # the version a new upload replaces, until the new one is indexed
READ_BLOCK = 1024 * 1024
# The reason a queued upload carries when it re-indexes a document's own file in place.
REINDEX = "reindex"
Audit = Callable[..., None]


class DocumentError(KeyedError):
    """A document request that cannot be done; ``key`` names the message (curation.messages)."""


@dataclass(frozen=True)
class Accepted:
    """One received file: the upload's id (``GET /api/documents/{id}`` follows it) and its status."""

    id: str
    filename: str
    status: str
    reason: str | None
    document_id: str | None


def safe_name(filename: str) -> str | None:
    """The file's own name, reduced to letters, digits, ``.``, ``_`` and ``-``; None if nothing is left."""
    name = unicodedata.normalize("NFC", filename.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    name = re.sub(r"[^\w.-]+", "_", name).lstrip("._")[:120]
    return name if name and "." in name else None


class Documents:
    """Operations on the indexed documents, for the CLI and the advisors' pages alike."""

    def __init__(
        self, store: ChunkStore, uploads: Uploads, folder: Path, *, max_bytes: int, audit: Audit | None = None
    ) -> None:
        self.store = store
        self.uploads = uploads
        self.folder = folder
        self.max_bytes = max_bytes
        self._audit = audit or (lambda *_args, **_kwargs: None)

    # --- receiving and indexing ------------------------------------------------------------------

    def accept(self, filename: str, data: BinaryIO, uploaded_by: str | None) -> Accepted:
        """Keep a received file for the worker (status ``queued``), or refuse it at once (``failed``)."""
        name = safe_name(filename)
        shown = filename[:120] or "?"
        if name is None:
            return self._refused(shown, uploaded_by, "bad_filename", name=shown)
        if not is_supported(Path(name)):
            return self._refused(shown, uploaded_by, "unsupported_upload", suffix=Path(name).suffix or "(—)")
        final = (self.folder / name).resolve()
        upload = self.uploads.add(
            filename=name,
            path=str(final),
            size=0,
            sha256="",
            uploaded_by=uploaded_by,
            doc_id=doc_id_of(final, self.folder),
        )
        incoming = self._incoming(upload)
        incoming.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        with incoming.open("wb") as out:
            while block := data.read(READ_BLOCK):
                size += len(block)
                if size > self.max_bytes:
                    break
                digest.update(block)
                out.write(block)
        if size > self.max_bytes:
            incoming.unlink(missing_ok=True)
            reason = _text("file_too_large", name=name, limit=self.max_bytes // (1024 * 1024))
            self.uploads.set_status(upload.id, "failed", reason=reason)
            return Accepted(upload.id, name, "failed", reason, upload.doc_id)
        self.uploads.record_file(upload.id, size=size, sha256=digest.hexdigest())
        self._audit(uploaded_by or "?", "document.upload", name, details={"upload": upload.id, "bytes": size})
        return Accepted(upload.id, name, "queued", None, upload.doc_id)

    def _refused(self, shown: str, uploaded_by: str | None, key: str, **params: Any) -> Accepted:
        reason = _text(key, **params)
        upload = self.uploads.add(
            filename=shown, path="", size=0, sha256="", uploaded_by=uploaded_by, doc_id=None
        )
        self.uploads.set_status(upload.id, "failed", reason=reason)
        return Accepted(upload.id, shown, "failed", reason, None)

    @property
    def worker(self) -> str:
        """This server process, as a claim on an upload names it: host, process and uploads folder."""
        return f"{socket.gethostname()} {os.getpid()} {self.folder.resolve()}"

    def _may_take(self, holder: str | None, since: datetime) -> bool:
        """An upload held by nobody, by a process of this machine and folder that has ended (a
        restarted server resumes its own), or left for ``STALE_CLAIM``."""
        if holder is None or _stale(since):
            return True
        host, _, rest = holder.partition(" ")
        pid, _, folder = rest.partition(" ")
        if host != socket.gethostname() or folder != str(self.folder.resolve()) or not pid.isdigit():
            return False
        return not _alive(int(pid))

    def _visible(self, upload: Upload) -> bool:
        path = Path(upload.path) if upload.reason == REINDEX else self._incoming(upload)
        return path.is_file()

    def _incoming(self, upload: Upload) -> Path:
        return self.folder / INCOMING / f"{upload.id}{Path(upload.filename).suffix.lower()}"

    def process(self, upload_id: str) -> Upload | None:
        """Index one received file: parsing → embedding → indexed, or failed / unchanged.

        Several server processes may share the records database: an upload is indexed by the one that
        claims it, and only by one that can see its file (on another machine's disk it is that
        machine's to index, unless it has been left for ``STALE_CLAIM``)."""
        upload = self.uploads.get(upload_id)
        if upload is None or upload.final:
            return upload
        if not self._visible(upload) and not _stale(upload.updated_at):
            return upload
        if not self.uploads.claim(upload.id, self.worker, self._may_take):
            return self.uploads.get(upload_id)
        try:
            self._process(upload)
        except Exception as exc:  # one bad file must not stop the worker; the reason is one line
            log.exception("indexing upload %s failed", upload.id)
            self.uploads.set_status(
                upload.id, "failed", reason=_text("ingest_failed", detail=type(exc).__name__)
            )
        return self.uploads.get(upload_id)

    def reindex(self, doc_id: str, actor: str) -> Accepted:
        """Queue a document to be indexed again from its file (the chunker or the parser may have
        changed, or the file itself); followed like an upload."""
        document = self._document(doc_id)
        source = Path(str(document["source"]))
        if not source.is_file():
            raise DocumentError("original_missing")
        upload = self.uploads.add(
            filename=source.name,
            path=str(source),
            size=source.stat().st_size,
            sha256="",
            uploaded_by=actor,
            doc_id=doc_id,
        )
        self.uploads.set_status(upload.id, "queued", reason=REINDEX)
        self._audit(actor, "document.reindex", doc_id, details={"upload": upload.id})
        return Accepted(upload.id, source.name, "queued", None, doc_id)

    def reindex_all(self, actor: str) -> list[Accepted]:
        accepted = []
        for document in self.store.lexical.documents():
            try:
                accepted.append(self.reindex(str(document["doc_id"]), actor))
            except DocumentError:
                continue  # a file that is gone cannot be read again; its document stays as it is
        return accepted

    def _stage(self, upload: Upload) -> Callable[[str], None]:
        stages = ["parsing"]

        def stage(name: str) -> None:
            # The pipeline names its stages "tolkar / parsing", "bäddar in … / embedding …".
            status = "embedding" if "embedding" in name else "parsing"
            if status != stages[-1]:
                stages.append(status)
                self.uploads.set_status(upload.id, status)

        return stage

    def _reindex(self, upload: Upload) -> None:
        self.uploads.set_status(upload.id, "parsing")
        path = Path(upload.path)
        # No known hashes: the file is read and indexed again even when its bytes are unchanged.
        result = ingest_file(
            path, self.store, root=path.parent, known={}, on_stage=self._stage(upload), doc_id=upload.doc_id
        )
        if result.status == "failed":
            self.uploads.set_status(upload.id, "failed", reason=" ".join((result.reason or "").split()))
        else:
            self.uploads.set_status(upload.id, "indexed", doc_id=upload.doc_id)

    def _process(self, upload: Upload) -> None:
        if upload.reason == REINDEX:
            self._reindex(upload)
            return
        incoming = self._incoming(upload)
        if not incoming.is_file():
            self.uploads.set_status(upload.id, "failed", reason=_text("original_missing"))
            return
        self.uploads.set_status(upload.id, "parsing")
        digest = file_hash(incoming)
        for source, (doc_id, known, state) in self.store.lexical.document_hashes().items():
            if known == digest and state == "ready":
                incoming.unlink()
                title = (self.store.lexical.document(doc_id) or {}).get("title") or Path(source).name
                reason = _text("same_content", title=title)
                self.uploads.set_status(upload.id, "unchanged", reason=reason, doc_id=doc_id)
                return
        final = Path(upload.path)
        previous = self.folder / PREVIOUS / final.name
        if final.exists():
            previous.parent.mkdir(parents=True, exist_ok=True)
            final.replace(previous)
        incoming.replace(final)

        def restore() -> None:
            # The version indexed before (if any) stays, and so does its original.
            final.unlink(missing_ok=True)
            if previous.exists():
                previous.replace(final)

        try:
            result = ingest_file(final, self.store, root=self.folder.resolve(), on_stage=self._stage(upload))
        except BaseException:
            restore()
            raise
        if result.status == "failed":
            restore()
            self.uploads.set_status(upload.id, "failed", reason=" ".join((result.reason or "").split()))
            return
        previous.unlink(missing_ok=True)
        doc_id = self.store.lexical.document_hashes().get(result.source, (upload.doc_id or "",))[0]
        status = "unchanged" if result.status == "unchanged" else "indexed"
        self.uploads.set_status(upload.id, status, doc_id=doc_id)

    # --- reading --------------------------------------------------------------------------------

    def all(self) -> list[dict[str, Any]]:
        """Every document (uploaded, from corpus/ or the CLI), then uploads not (yet) indexed."""
        latest = self.uploads.latest()
        documents = self.store.lexical.documents()
        items = [self._describe(doc, latest.get(str(doc["doc_id"]))) for doc in documents]
        known = {str(d["doc_id"]) for d in documents}
        items += [_describe_upload(u) for doc_id, u in latest.items() if doc_id not in known]
        return items

    def get(self, some_id: str) -> dict[str, Any]:
        """A document by its id, or an upload by its id (with its document once it is indexed)."""
        document = self.store.lexical.document(some_id)
        if document is not None:
            uploads = self.uploads.for_document(some_id)
            return self._describe(document, uploads[-1] if uploads else None)
        upload = self.uploads.get(some_id)
        if upload is None:
            raise DocumentError("document_not_found")
        indexed = self.store.lexical.document(upload.doc_id) if upload.doc_id else None
        described = _describe_upload(upload)
        if indexed is not None:
            described["document"] = self._describe(indexed, None)
        return described

    def chunks(self, doc_id: str) -> list[dict[str, Any]]:
        """A document's chunks as the assistant sees them."""
        self._document(doc_id)
        return [_describe_chunk(c) for c in self.store.lexical.document_chunks(doc_id)]

    def original(self, doc_id: str) -> tuple[Path, str]:
        """The file a document was indexed from and the name to download it as."""
        document = self._document(doc_id)
        path = Path(str(document["source"]))
        if not path.is_file():
            raise DocumentError("original_missing")
        return path, path.name

    def _document(self, doc_id: str) -> dict[str, Any]:
        document = self.store.lexical.document(doc_id)
        if document is None:
            raise DocumentError("document_not_found")
        return document

    def _describe(self, doc: dict[str, Any], upload: Upload | None) -> dict[str, Any]:
        source = Path(str(doc["source"]))
        uploaded = source.is_relative_to(self.folder.resolve())
        status = "indexed" if doc["state"] == "ready" else "embedding"
        reason = None
        if upload is not None and (not upload.final or upload.status == "failed"):
            status, reason = upload.status, upload.reason
        return {
            "id": doc["doc_id"],
            "title": doc["title"],
            "source": source.name if uploaded else _shown_source(source),
            "origin": "upload" if uploaded else "ingest",
            "tags": list(doc.get("tags") or []),
            "language": doc.get("language"),
            "format": doc.get("format"),
            "url": doc.get("url"),
            "chunks": doc["chunks"],
            "size": source.stat().st_size if source.is_file() else (upload.size if upload else None),
            "added": upload.created_at if upload else None,
            "updated": doc["updated_at"],
            "enabled": doc["enabled"],
            "status": status,
            "reason": reason,
            "uploaded_by": upload.uploaded_by if upload else None,
        }

    # --- changing -------------------------------------------------------------------------------

    def update(
        self,
        doc_id: str,
        actor: str,
        *,
        title: str | None = None,
        tags: list[str] | None = None,
        enabled: bool | None = None,
        comment: str | None = None,
    ) -> dict[str, Any]:
        self._document(doc_id)
        if title is not None or tags is not None:
            self.store.lexical.retitle(doc_id, title, tags)
            self._audit(actor, "document.edit", doc_id, comment, {"title": title, "tags": tags})
        if enabled is not None:
            self.store.lexical.set_enabled(doc_id, enabled)
            self._audit(actor, "document.enable" if enabled else "document.disable", doc_id, comment)
        return self.get(doc_id)

    def delete(self, doc_id: str, actor: str, comment: str | None = None) -> None:
        """Remove a document from both indexes, and the original we keep from disk."""
        document = self.store.lexical.document(doc_id)
        uploads = self.uploads.for_document(doc_id)
        if document is None and not uploads:
            raise DocumentError("document_not_found")
        if document is not None:
            self.store.delete_document(doc_id)
        root = self.folder.resolve()
        kept = {Path(u.path) for u in uploads if u.path}
        if document is not None:
            kept.add(Path(str(document["source"])))
        for path in kept:
            # Only originals we hold: a file under corpus/ or an operator's folder is theirs.
            if path.is_relative_to(root) and path.is_file():
                path.unlink()
        self.uploads.forget_document(doc_id)
        title = document["title"] if document else None
        self._audit(actor, "document.delete", doc_id, comment, {"title": title})


def _stale(since: datetime | str | None) -> bool:
    if since is None:
        return True
    when = datetime.fromisoformat(since) if isinstance(since, str) else since
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return datetime.now(UTC) - when > STALE_CLAIM


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _describe_upload(upload: Upload) -> dict[str, Any]:
    return {
        "id": upload.id,
        "upload_id": upload.id,
        "document_id": upload.doc_id,
        "title": upload.filename,
        "source": upload.filename,
        "origin": "upload",
        "tags": [],
        "language": None,
        "format": Path(upload.filename).suffix.lower().lstrip(".") or None,
        "url": None,
        "chunks": 0,
        "size": upload.size,
        "added": upload.created_at,
        "updated": upload.updated_at,
        "enabled": None,
        "status": upload.status,
        "reason": upload.reason,
        "uploaded_by": upload.uploaded_by,
    }


def _describe_chunk(chunk: Chunk) -> dict[str, Any]:
    return {
        "id": chunk.id,
        "ordinal": chunk.ordinal,
        "location": chunk.location,
        "heading_path": list(chunk.heading_path),
        "section_ref": chunk.section_ref,
        "page": chunk.page,
        "text": chunk.text,
        "flagged": chunk.flagged,
    }


def _shown_source(source: Path) -> str:
    """A path relative to the working folder when it is inside it (corpus/…), else as it is."""
    try:
        return str(source.relative_to(Path.cwd()))
    except ValueError:
        return str(source)


def _text(key: str, **params: Any) -> str:
    return text(key, None, **params)
