"""Uploads: the files advisors sent through the advisors' area and how far their indexing has come.

The indexes themselves (chunks, vectors) belong to the core's store; this keeps who uploaded what,
where the original lies, and the status the pages poll.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import delete, select, update
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.orm import sessionmaker

from records.accounts import iso
from records.database import build_engine
from records.migrations import upgrade
from records.models import FINAL_STATUSES, UploadRow, utcnow


@dataclass(frozen=True)
class Upload:
    id: str
    filename: str
    path: str
    size: int
    sha256: str
    status: str
    reason: str | None
    uploaded_by: str | None
    doc_id: str | None
    created_at: str | None
    updated_at: str | None

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES


def _upload(row: UploadRow) -> Upload:
    return Upload(
        row.id,
        row.filename,
        row.path,
        row.size,
        row.sha256,
        row.status,
        row.reason,
        row.uploaded_by,
        row.doc_id,
        iso(row.created_at),
        iso(row.updated_at),
    )


class Uploads:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str) -> Uploads:
        engine = build_engine(url)
        upgrade(engine)
        return cls(engine)

    def dispose(self) -> None:
        self.engine.dispose()

    def add(
        self, *, filename: str, path: str, size: int, sha256: str, uploaded_by: str | None, doc_id: str | None
    ) -> Upload:
        with self._sessions.begin() as session:
            row = UploadRow(
                filename=filename,
                path=path,
                size=size,
                sha256=sha256,
                status="queued",
                uploaded_by=uploaded_by,
                doc_id=doc_id,
            )
            session.add(row)
            session.flush()
            return _upload(row)

    def set_status(
        self, upload_id: str, status: str, *, reason: str | None = None, doc_id: str | None = None
    ) -> None:
        with self._sessions.begin() as session:
            row = session.get(UploadRow, upload_id)
            if row is None:
                return
            row.status = status
            row.reason = reason
            if doc_id is not None:
                row.doc_id = doc_id
            row.updated_at = utcnow()

    def record_file(self, upload_id: str, *, size: int, sha256: str) -> None:
        """The received file's size and SHA-256, once it is on disk."""
        with self._sessions.begin() as session:
            row = session.get(UploadRow, upload_id)
            if row is not None:
                row.size, row.sha256, row.updated_at = size, sha256, utcnow()

    def get(self, upload_id: str) -> Upload | None:
        with self._sessions() as session:
            row = session.get(UploadRow, upload_id)
            return _upload(row) if row is not None else None

    def latest(self) -> dict[str, Upload]:
        """doc_id → its newest upload."""
        with self._sessions() as session:
            rows = session.scalars(select(UploadRow).order_by(UploadRow.created_at, UploadRow.id))
            return {row.doc_id: _upload(row) for row in rows if row.doc_id}

    def for_document(self, doc_id: str) -> list[Upload]:
        """A document's uploads, oldest first."""
        with self._sessions() as session:
            rows = session.scalars(
                select(UploadRow).where(UploadRow.doc_id == doc_id).order_by(UploadRow.created_at)
            )
            return [_upload(r) for r in rows]

    def unfinished(self) -> list[Upload]:
        """Uploads a stopped server left before a final status, oldest first."""
        with self._sessions() as session:
            rows = session.scalars(
                select(UploadRow)
                .where(UploadRow.status.not_in(sorted(FINAL_STATUSES)))
                .order_by(UploadRow.created_at)
            )
            return [_upload(r) for r in rows]

    def claim(self, upload_id: str, worker: str, may_take: Callable[[str | None, datetime], bool]) -> bool:
        """Make ``worker`` the one indexing an unfinished upload. ``may_take(holder, since)`` judges an
        upload another worker (or none) holds; the claim is a compare-and-set on the holder and its
        time, so of two workers judging the same row at once only one wins."""
        with self._sessions.begin() as session:
            row = session.get(UploadRow, upload_id)
            if row is None or row.status in FINAL_STATUSES:
                return False
            holder, since = row.claimed_by, row.updated_at
            if holder != worker and not may_take(holder, since):
                return False
            same_holder = UploadRow.claimed_by.is_(None) if holder is None else UploadRow.claimed_by == holder
            result = cast(
                CursorResult[Any],
                session.execute(
                    update(UploadRow)
                    .where(UploadRow.id == upload_id, same_holder, UploadRow.updated_at == since)
                    .values(claimed_by=worker, updated_at=utcnow())
                    .execution_options(synchronize_session=False)
                ),
            )
            return result.rowcount == 1

    def forget_document(self, doc_id: str) -> None:
        with self._sessions.begin() as session:
            session.execute(delete(UploadRow).where(UploadRow.doc_id == doc_id))
