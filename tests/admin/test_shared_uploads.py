"""Server processes sharing one records database (several machines on PostgreSQL, or several
processes on one): an upload is indexed once, by a process that can see its file."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import update

from assistant.settings import Settings
from assistant.store import ChunkStore
from curation.documents import STALE_CLAIM, Documents
from records.documents import Uploads
from records.models import UploadRow, utcnow
from tests.admin.conftest import Tokens, wait_final
from web.main import create_app

NOTE = b"---\ntitle: Plogar\n---\n\n# Plogar\n\nEldrivna plogar laddas vid dep\xc3\xa5n.\n"


def machine(store: ChunkStore, settings: Settings, name: str) -> Documents:
    """One server's documents service: its own uploads folder, the shared records database."""
    return Documents(store, Uploads.from_url(settings.sql_url), settings.data_dir / name, max_bytes=1 << 20)


def test_an_upload_received_by_one_server_is_not_failed_by_another(
    store: ChunkStore, settings: Settings
) -> None:
    first, second = machine(store, settings, "a"), machine(store, settings, "b")
    accepted = first.accept("plogar.md", io.BytesIO(NOTE), "anna")
    seen = second.process(accepted.id)  # its worker starting up finds the upload unfinished
    assert seen is not None and seen.status == "queued"
    done = first.process(accepted.id)
    assert done is not None and done.status == "indexed"


def test_an_upload_claimed_by_a_live_process_is_left_to_it(store: ChunkStore, settings: Settings) -> None:
    first = machine(store, settings, "a")
    accepted = first.accept("plogar.md", io.BytesIO(NOTE), "anna")
    other = f"{socket.gethostname()} {os.getpid()} /elsewhere"
    assert first.uploads.claim(accepted.id, other, lambda holder, since: holder is None)
    # The same folder, another live process: not ours to take.
    assert not first.uploads.claim(accepted.id, first.worker, first._may_take)
    assert first.process(accepted.id).status == "queued"  # type: ignore[union-attr]
    # Left for longer than a claim may be: taken.
    with first.uploads._sessions.begin() as session:
        session.execute(
            update(UploadRow)
            .where(UploadRow.id == accepted.id)
            .values(updated_at=utcnow() - STALE_CLAIM - timedelta(minutes=1))
        )
    assert first.process(accepted.id).status == "indexed"  # type: ignore[union-attr]


def test_a_restarted_server_resumes_what_its_ended_process_had_claimed(
    store: ChunkStore, settings: Settings
) -> None:
    first = machine(store, settings, "a")
    accepted = first.accept("plogar.md", io.BytesIO(NOTE), "anna")
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    gone = f"{socket.gethostname()} {int(ended.stdout)} {first.folder.resolve()}"
    assert first.uploads.claim(accepted.id, gone, lambda holder, since: holder is None)
    assert first.process(accepted.id).status == "indexed"  # type: ignore[union-attr]


def test_of_two_workers_claiming_at_once_one_wins(settings: Settings) -> None:
    uploads, other = Uploads.from_url(settings.sql_url), Uploads.from_url(settings.sql_url)
    upload = uploads.add(filename="x.md", path="", size=1, sha256="", uploaded_by=None, doc_id=None)

    def judge_while_the_other_claims(holder: str | None, since: object) -> bool:
        # While this worker judges the row it read, another process claims it.
        assert other.claim(upload.id, "two", lambda holder, since: holder is None)
        return holder is None

    assert not uploads.claim(upload.id, "one", judge_while_the_other_claims)
    assert not uploads.claim(upload.id, "one", lambda holder, since: holder is None)


def test_uploads_are_kept_where_the_setting_says(
    core_settings: Settings, tokens: Tokens, tmp_path: Path
) -> None:
    shared = tmp_path / "shared-storage" / "uploads"
    settings = core_settings.model_copy(update={"uploads_dir": shared})
    with TestClient(create_app(settings)) as client:
        response = client.post(
            "/api/documents", files=[("files", ("plogar.md", NOTE, "text/markdown"))], headers=tokens.header()
        )
        assert response.status_code == 202, response.text
        (entry,) = response.json()["files"]
        assert wait_final(client, entry["id"], tokens.header())["status"] == "indexed"
    assert (shared / "plogar.md").read_bytes() == NOTE
    assert not (settings.data_dir / "uploads").exists()
