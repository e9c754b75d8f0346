"""The documents service and its worker without HTTP: the stages an upload goes through, a failed
replacement that keeps the version before it, and uploads a stopped server left unfinished."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from assistant.settings import Settings
from assistant.store import ChunkStore
from curation.documents import Documents, safe_name
from curation.worker import IngestWorker
from records.documents import Uploads

NOTE = b"---\ntitle: Plogar\n---\n\n# Plogar\n\nEldrivna plogar laddas vid dep\xc3\xa5n.\n"


class RecordingUploads(Uploads):
    """The real uploads table, remembering every status it was given."""

    seen: list[str]

    def set_status(self, upload_id: str, status: str, **kwargs: object) -> None:  # type: ignore[override]
        self.seen.append(status)
        super().set_status(upload_id, status, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def uploads(settings: Settings) -> RecordingUploads:
    made = RecordingUploads.from_url(settings.sql_url)
    assert isinstance(made, RecordingUploads)
    made.seen = []
    return made


@pytest.fixture
def documents(store: ChunkStore, uploads: RecordingUploads, settings: Settings) -> Documents:
    return Documents(store, uploads, settings.data_dir / "uploads", max_bytes=1024 * 1024)


def test_an_upload_goes_from_queued_through_parsing_and_embedding_to_indexed(
    documents: Documents, uploads: RecordingUploads
) -> None:
    accepted = documents.accept("plogar.md", io.BytesIO(NOTE), "anna")
    assert accepted.status == "queued" and uploads.get(accepted.id).status == "queued"  # type: ignore[union-attr]
    done = documents.process(accepted.id)
    assert done is not None and done.status == "indexed"
    assert uploads.seen == ["parsing", "embedding", "indexed"]
    assert documents.get(accepted.id)["document"]["title"] == "Plogar"
    assert (documents.folder / "plogar.md").read_bytes() == NOTE
    assert not any((documents.folder / ".incoming").iterdir())


def test_a_replacement_that_fails_keeps_the_version_before(documents: Documents) -> None:
    first = documents.process(documents.accept("plogar.md", io.BytesIO(NOTE), "anna").id)
    assert first is not None and first.doc_id
    broken = documents.process(documents.accept("plogar.md", io.BytesIO(b"---\ntitle: [\n---\n"), "anna").id)
    assert broken is not None and broken.status == "failed" and broken.reason
    assert (documents.folder / "plogar.md").read_bytes() == NOTE
    assert documents.get(first.doc_id)["chunks"] >= 1
    assert documents.get(first.doc_id)["status"] == "failed"  # what happened to the last upload shows


def test_a_worker_picks_up_what_a_stopped_server_left(
    documents: Documents, uploads: RecordingUploads
) -> None:
    left = documents.accept("plogar.md", io.BytesIO(NOTE), "anna")  # accepted, never processed
    worker = IngestWorker(documents)
    worker.start()
    try:
        deadline = time.monotonic() + 120
        while not uploads.get(left.id).final and time.monotonic() < deadline:  # type: ignore[union-attr]
            time.sleep(0.05)
    finally:
        worker.stop()
    assert uploads.get(left.id).status == "indexed"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("plogar.md", "plogar.md"),
        ("../../etc/passwd.md", "passwd.md"),
        ("C:\\Users\\anna\\Upphandling åäö.pdf", "Upphandling_åäö.pdf"),
        (".hidden.md", "hidden.md"),
        ("utan-ändelse", None),
        ("..", None),
    ],
)
def test_an_uploaded_name_never_leaves_the_folder(given: str, kept: str | None) -> None:
    assert safe_name(given) == kept


def test_originals_stay_inside_the_uploads_folder(documents: Documents, tmp_path: Path) -> None:
    accepted = documents.accept("../../utanför.md", io.BytesIO(NOTE), "anna")
    documents.process(accepted.id)
    assert (documents.folder / "utanför.md").exists()
    assert not (tmp_path / "utanför.md").exists()
