"""Faults during ingest: a killed run, a second writer, a read-only or full disk — nothing half written."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.settings import Settings, get_settings
from assistant.store import ChunkStore
from cli.main import app
from ingest.lock import writer_lock
from ingest.pipeline import sync
from tests.fakes import HashEmbedder
from tests.support.llm_stub import LLMStub

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _child(*args: str, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.ingest.child", *args],
        cwd=ROOT,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        **kwargs,  # type: ignore[call-overload]
    )


@pytest.fixture
def holder(settings: Settings) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the writer lock until its stdin is closed."""
    process = _child("hold", str(settings.data_dir))
    assert process.stdout is not None and process.stdout.readline() == "held\n"
    yield process
    if process.stdin and not process.stdin.closed:
        process.stdin.close()
    process.wait(timeout=30)


def test_a_writer_waits_for_another_process_and_says_so(
    settings: Settings, holder: subprocess.Popen[str]
) -> None:
    heard: list[str] = []

    def on_wait(who: str) -> None:
        heard.append(who)
        assert holder.stdin is not None
        holder.stdin.close()  # the other writer finishes while this one waits

    with writer_lock(settings, on_wait=on_wait, timeout_s=60):
        assert holder.wait(timeout=30) == 0
    assert len(heard) == 1 and f"pid {holder.pid}" in heard[0]


def test_the_lock_is_reentrant_in_one_process(settings: Settings) -> None:
    with writer_lock(settings, timeout_s=0), writer_lock(settings, timeout_s=0):
        pass


def test_ingest_while_another_writer_holds_the_lock_waits_then_gives_up_in_one_line(
    stub_embeddings: LLMStub,
    holder: subprocess.Popen[str],
    docs: Path,
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
) -> None:
    monkeypatch.setenv("ADVISOR_INGEST_LOCK_TIMEOUT_S", "0.5")
    result = runner.invoke(app, ["ingest", str(docs)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Väntar på att en annan skrivning ska bli klar (pid")
    assert lines[-1].startswith("Fel: ") and "en annan skrivning pågår" in lines[-1]
    assert not settings.index_path.exists()  # nothing was opened for writing


def _consistent(settings: Settings) -> tuple[int, int]:
    """Documents and chunks, after checking that both indexes hold exactly the same chunks once."""
    store = ChunkStore(settings, embedder=HashEmbedder())
    lexical_ids = [r[0] for r in store.lexical.db.execute("SELECT id FROM chunks")]
    vector_ids = store.collection.get(include=[])["ids"]
    assert len(lexical_ids) == len(set(lexical_ids))
    assert sorted(lexical_ids) == sorted(vector_ids)
    orphans = store.lexical.db.execute(
        "SELECT COUNT(*) FROM chunks WHERE doc_id NOT IN (SELECT doc_id FROM documents WHERE state = 'ready')"
    ).fetchone()[0]
    assert orphans == 0
    return store.counts()


def _ready_documents(index: Path) -> int:
    """Documents the other process has finished, read without disturbing it (0 before its schema)."""
    if not index.exists():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(index, timeout=30)) as db:
            return int(db.execute("SELECT COUNT(*) FROM documents WHERE state = 'ready'").fetchone()[0])
    except sqlite3.OperationalError:  # the schema is being created
        return 0


def test_a_run_killed_with_sigkill_is_completed_by_the_next_without_duplicates_or_orphans(
    settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(40):
        body = "".join(
            f"\n\n## Del {j}\n\n" + f"Dokument {i} del {j} om upphandling och avtal. " * 12 for j in range(30)
        )
        (folder / f"d{i:02d}.md").write_text(f"# Dokument {i}{body}\n", encoding="utf-8")
    process = _child("ingest", str(settings.data_dir), str(folder), stderr=subprocess.DEVNULL)
    # Kill it once some documents are in, while it is writing the rest.
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if _ready_documents(settings.index_path) >= 5:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    store = ChunkStore(settings, embedder=HashEmbedder())  # opening repairs what the kill left
    report = sync([folder], store)
    assert report.ok and len(report.added) + len(report.unchanged) == 40, (report.updated, report.notes)
    assert len(report.unchanged) >= 4  # what was written before the kill is kept
    documents, chunks = _consistent(settings)
    assert documents == 40 and chunks == 40 * 30


def _mount_tmpfs(where: Path, size: str) -> None:
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "none", str(where)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN): {done.stderr.decode().strip()}"
        )


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real file system of its own (tmpfs), to fill up or remount read-only; root only."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("a file system of its own needs root (CI runs as root)")
    where = tmp_path / "disk"
    _mount_tmpfs(where, "64m")
    yield where
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


def _contents(data: Path) -> tuple[list[tuple[str, str, str]], list[str]]:
    """What the index holds (documents with hash and state, chunk ids), read without writing."""
    with contextlib.closing(sqlite3.connect(f"file:{data / 'index.sqlite3'}?mode=ro", uri=True)) as db:
        documents = sorted(db.execute("SELECT source, content_hash, state FROM documents").fetchall())
        chunks = sorted(r[0] for r in db.execute("SELECT id FROM chunks"))
    return documents, chunks


def test_a_read_only_data_dir_is_one_clear_line_and_nothing_changes(
    stub_embeddings: LLMStub, small_disk: Path, docs: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = small_disk / "data"
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(data))
    assert runner.invoke(app, ["ingest", str(docs)]).exit_code == 0
    before = _contents(data)
    # A read-only view of the same files (a bind mount): read-only even for root.
    view = tmp_path / "ro"
    view.mkdir()
    subprocess.run(["mount", "--bind", str(small_disk), str(view)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], check=True)
        monkeypatch.setenv("ADVISOR_DATA_DIR", str(view / "data"))
        get_settings.cache_clear()
        more = tmp_path / "more"
        more.mkdir()
        (more / "ny.md").write_text(
            "# Ny\n\n## Regel\n\nEn ny text om avtal och upphandling.\n", encoding="utf-8"
        )
        result = runner.invoke(app, ["ingest", str(more)])
    finally:
        subprocess.run(["umount", "-l", str(view)], capture_output=True)
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("Fel: ") and "skrivskyddad" in line
    assert _contents(data) == before


def test_a_full_disk_stops_the_run_in_one_line_and_the_next_run_repairs(
    small_disk: Path, tmp_path: Path, settings: Settings
) -> None:
    # Each run in its own process, as `advisor ingest` runs: a process whose Chroma saw the disk
    # fill up is not reused.
    data = small_disk / "data"
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text("# A\n\n## B\n\nText om upphandling och avtal för alla.\n", encoding="utf-8")

    def run() -> tuple[int, str]:
        process = _child("ingest", str(data), str(folder), stderr=subprocess.DEVNULL)
        out, _ = process.communicate(timeout=300)
        return process.returncode, out

    assert run() == (0, "1\n")
    body = "".join(f"## Del {i}\n\n" + f"Ord om upphandling {i}. " * 60 + "\n\n" for i in range(600))
    (folder / "stor.md").write_text(f"# Stor\n\n{body}", encoding="utf-8")
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (shutil.disk_usage(small_disk).free - 300_000))
    code, out = run()
    assert code == 1
    [line] = out.splitlines()
    assert line.startswith("StoreUnavailableError: skrivningen misslyckades, är disken full")
    filler.unlink()
    code, out = run()
    assert code == 0, out
    documents, _ = _consistent(settings.model_copy(update={"data_dir": data}))
    assert documents == 2


def test_the_lock_is_reentrant_through_a_linked_data_dir(settings: Settings, tmp_path: Path) -> None:
    real = tmp_path / "real-data"
    real.mkdir()
    linked = tmp_path / "linked-data"
    linked.symlink_to(real, target_is_directory=True)
    through_link = settings.model_copy(update={"data_dir": linked})
    # The first acquisition creates the lock file; the nested one must see the same lock.
    with writer_lock(through_link, timeout_s=0), writer_lock(through_link, timeout_s=0):
        pass


def test_a_running_server_holds_the_index_so_ingest_in_another_process_waits(
    settings: Settings, docs: Path
) -> None:
    from fastapi.testclient import TestClient

    from web.main import create_app

    patient = {**os.environ, "ADVISOR_INGEST_LOCK_TIMEOUT_S": "1"}
    with TestClient(create_app(settings)):  # the embedded store: the server holds the lock
        process = _child("ingest", str(settings.data_dir), str(docs), env=patient)
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 1 and "en annan skrivning pågår" in out, out
        # The server's own writers (uploads) take turns inside it without waiting for themselves.
        with writer_lock(settings, timeout_s=0):
            pass
    process = _child("ingest", str(settings.data_dir), str(docs), env=patient)
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0 and out.strip() == "2", out


def test_a_reader_opening_the_store_leaves_a_writers_document_in_progress_alone(
    settings: Settings, holder: subprocess.Popen[str]
) -> None:
    # Another process holds the writer lock and has marked a document as being written.
    store = ChunkStore(settings, embedder=HashEmbedder())
    store.lexical.mark_pending("d-under-way", "under-way.md", "Under way", {})
    assert ChunkStore(settings, embedder=HashEmbedder()).reconcile() == []
    assert store.lexical.pending_documents() == ["d-under-way"]
    # Once the writer is gone, a document still pending is a crash's leftover and is removed.
    assert holder.stdin is not None
    holder.stdin.close()
    assert holder.wait(timeout=30) == 0
    ChunkStore(settings, embedder=HashEmbedder())  # opening reconciles
    assert store.lexical.pending_documents() == []
