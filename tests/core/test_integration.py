"""Real parts: the default offline embedder with embedded Chroma, and a `chroma run` server."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.events import Done, Sources
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest.pipeline import sync
from tests.fakes import HashEmbedder

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.mark.slow
def test_default_embedder_with_embedded_chroma_answers_from_our_corpus(settings: Settings) -> None:
    assistant = Assistant(settings)
    report = sync([CORPUS], assistant.store)
    assert report.ok and len(report.added) >= 12
    assert assistant.store.embedder.dimension == 384
    dense = assistant.store.search_dense("innovationspartnerskap etapper delmål", 5)
    assert len(dense) == 5

    async def run() -> list[object]:
        return [e async for e in assistant.answer("När får man använda ett innovationspartnerskap?")]

    events = asyncio.run(run())
    done = events[-1]
    assert isinstance(done, Done) and not done.refused
    sources = next(e for e in events if isinstance(e, Sources))
    assert sources.citations


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = _free_port()
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("chroma run did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.mark.slow
def test_the_same_code_path_works_against_chroma_run(
    settings: Settings, docs: Path, chroma_server: str
) -> None:
    remote = settings.model_copy(update={"chroma_url": chroma_server})
    store = ChunkStore(remote, embedder=HashEmbedder())
    report = sync([docs], store)
    assert report.ok
    assert store.collection.count() == store.counts()[1]
    assert store.search_dense("förfrågan om information", 3)
    (docs / "lou.md").unlink()
    sync([docs], store, prune=True)
    assert store.collection.count() == store.counts()[1]
