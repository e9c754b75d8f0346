"""Fetching the official sources list over real HTTP from a server on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.errors import InvalidInputError
from cli.main import app
from ingest.sources import load_sources
from tests.core.test_ingest import minimal_pdf
from tests.support.llm_stub import LLMStub

PAGES: dict[str, tuple[str, bytes]] = {
    "/vagledning": (
        "text/html; charset=utf-8",
        "<html><head><title>Vägledning</title></head><body><h1>Innovationspartnerskap</h1>"
        "<h2>Etapper</h2><p>Partnerskapet delas in i etapper med delmål som följs upp.</p></body></html>".encode(),
    ),
    "/rapport.pdf": ("application/pdf", minimal_pdf(["Rapport om upphandling av innovation."])),
    "/bild": ("image/png", b"\x89PNG"),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        page = PAGES.get(self.path)
        if page is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", page[0])
        self.send_header("Content-Length", str(len(page[1])))
        self.end_headers()
        self.wfile.write(page[1])

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def sources_file(tmp_path: Path, site: str, ids: list[str]) -> Path:
    entries = {
        "vagledning": f"{site}/vagledning",
        "rapport": f"{site}/rapport.pdf",
        "saknas": f"{site}/finns-inte",
        "bild": f"{site}/bild",
    }
    lines = ["sources:"]
    for i in ids:
        fmt = "pdf" if i == "rapport" else "html"
        lines += [f"  - id: {i}", f"    title: Officiell {i}", f"    url: {entries[i]}", f"    format: {fmt}"]
    path = tmp_path / "sources.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def offline_embeddings(monkeypatch: pytest.MonkeyPatch) -> Iterator[LLMStub]:
    with LLMStub() as stub:
        monkeypatch.setenv("ADVISOR_EMBEDDING_PROVIDER", "openai")
        monkeypatch.setenv("OPENAI_BASE_URL", stub.base_url)
        monkeypatch.setenv("ADVISOR_LLM_PROVIDER", "none")
        yield stub


def test_listed_sources_are_fetched_indexed_and_cited_by_their_url(
    tmp_path: Path, site: str, offline_embeddings: LLMStub
) -> None:
    runner = CliRunner()
    listed = sources_file(tmp_path, site, ["vagledning", "rapport", "saknas", "bild"])
    result = runner.invoke(app, ["ingest", "--sources", str(listed)])
    assert result.exit_code == 1  # two entries failed, and say so
    assert "tillagda 2" in result.output
    assert "HTTP 404" in result.output and "image/png" in result.output

    asked = runner.invoke(app, ["ask", "--json", "Hur delas ett innovationspartnerskap in i etapper?"])
    assert f"{site}/vagledning" in asked.output
    assert "Officiell vagledning" in asked.output

    again = runner.invoke(app, ["ingest", "--sources", str(sources_file(tmp_path, site, ["vagledning"]))])
    assert again.exit_code == 0, again.output
    assert "oförändrade 1" in again.output and "borttagna 1" in again.output


def test_a_malformed_sources_file_is_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "sources.yaml"
    bad.write_text("sources:\n  - id: x\n    title: T\n    url: ftp://example\n", encoding="utf-8")
    with pytest.raises(InvalidInputError) as caught:
        load_sources(bad)
    assert "url" in caught.value.detail


def test_the_shipped_sources_list_is_valid() -> None:
    entries = load_sources(Path(__file__).resolve().parents[2] / "corpus" / "sources.yaml")
    assert len(entries) >= 6
    assert all(e.url.startswith("https://") for e in entries)
