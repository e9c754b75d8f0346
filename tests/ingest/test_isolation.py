"""Parsing in a child process: a file that takes too long or too much memory costs only that file."""

from __future__ import annotations

from pathlib import Path

from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest.intake import Limits
from ingest.parsing import IsolatedParser
from ingest.pipeline import sync
from tests.core.test_ingest import minimal_pdf
from tests.fakes import HashEmbedder

GOOD = "# Dialog\n\n## RFI\n\nEn förfrågan om information publiceras öppet för alla leverantörer.\n"
PAGE = "<html><body><h1>Dialog</h1><p>En förfrågan om information publiceras öppet.</p></body></html>"


def test_a_parse_over_the_time_limit_is_refused_and_the_next_file_indexed(
    settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    # Parsing HTML loads unstructured in the fresh child, far beyond half a second; Markdown does not.
    (folder / "a-sida.html").write_text(PAGE, encoding="utf-8")
    (folder / "b-bra.md").write_text(GOOD, encoding="utf-8")
    configured = settings.model_copy(update={"ingest_isolation": "process", "ingest_parse_timeout_s": 0.5})
    store = ChunkStore(configured, embedder=HashEmbedder())
    report = sync([folder], store)
    assert [Path(s).name for s in report.added] == ["b-bra.md"]
    [(name, reason)] = report.failed
    assert Path(name).name == "a-sida.html" and "tog för lång tid" in reason


def test_a_parse_over_the_memory_limit_is_refused_and_the_parser_replaced(tmp_path: Path) -> None:
    big = tmp_path / "stor.md"
    # ~40 MB of short lines: the Markdown parser's line lists need several times that.
    big.write_text("# Rubrik\n\n" + "Rad om upphandling och avtal.\n" * 1_400_000, encoding="utf-8")
    good = tmp_path / "bra.md"
    good.write_text(GOOD, encoding="utf-8")
    with IsolatedParser(Limits(max_file_bytes=100 * 1024 * 1024), memory_mb=150) as parser:
        refused = parser.parse(big, tmp_path)
        assert refused.doc is None
        assert refused.refused is not None and "minne" in refused.refused
        after = parser.parse(good, tmp_path)
    assert after.doc is not None and after.doc.title == "Dialog"


def test_library_messages_come_back_attributed_to_their_file(store: ChunkStore, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    pdf = minimal_pdf(["Forsta sidan om upphandling."])
    # A wrong startxref pointer: pypdf recovers the text and logs why.
    (folder / "skev.pdf").write_bytes(pdf.replace(b"startxref\n", b"startxref\n1"))
    configured = store.settings.model_copy(update={"ingest_isolation": "process"})
    report = sync([folder], ChunkStore(configured, embedder=HashEmbedder()))
    assert report.ok and len(report.added) == 1
    notes = [(Path(name).name, note) for name, note in report.notes]
    assert notes and all(name == "skev.pdf" for name, _ in notes)
    assert any("startxref" in note for _, note in notes)
    assert all("\n" not in note for _, note in notes)


def test_a_stray_resource_warning_is_not_a_note_on_the_file() -> None:
    """Garbage collection of some earlier object may warn while a file is parsed in-process."""
    import warnings

    from ingest.parsing import _library_messages

    notes: list[str] = []
    with _library_messages(notes):
        warnings.warn("unclosed file", ResourceWarning, stacklevel=1)
        warnings.warn("a parser's own message", UserWarning, stacklevel=1)
    assert notes == ["UserWarning: a parser's own message"]
