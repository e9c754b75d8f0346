from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import EmbeddingMismatchError
from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest.pipeline import doc_id_of, sync
from tests.fakes import HashEmbedder


def minimal_pdf(pages: list[str]) -> bytes:
    """A valid PDF with one line of text per page (Helvetica, WinAnsi)."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    font_id = 3
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for text in pages:
        content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET"
        objects.append(f"<< /Length {len(content.encode('latin-1'))} >>\nstream\n{content}\nendstream")
        content_id = len(objects)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content_id} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = b"%PDF-1.4\n"
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{obj}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def test_second_sync_of_an_unchanged_folder_writes_nothing(store: ChunkStore, docs: Path) -> None:
    first = sync([docs], store)
    assert len(first.added) == 2 and first.ok
    calls = store.embedder.calls  # type: ignore[attr-defined]
    second = sync([docs], store)
    assert len(second.unchanged) == 2 and not second.added and not second.updated
    assert store.embedder.calls == calls  # type: ignore[attr-defined]


def test_changed_file_replaces_its_chunks_and_prune_removes_gone_files(store: ChunkStore, docs: Path) -> None:
    sync([docs], store)
    before = store.counts()
    guide = docs / "dialog.md"
    guide.write_text(
        guide.read_text(encoding="utf-8") + "\n## Efter dialogen\n\nSammanfatta vad ni lärt er.\n"
    )
    report = sync([docs], store)
    assert report.updated == [str(guide.resolve())]
    doc_chunks = store.lexical.get_chunks(store.lexical.chunk_ids(doc_id_of(guide, docs)))
    assert any("Sammanfatta vad ni lärt er" in c.text for c in doc_chunks.values())
    assert store.counts()[0] == before[0]
    (docs / "lou.md").unlink()
    report = sync([docs], store, prune=True)
    assert len(report.removed) == 1
    assert store.counts()[0] == 1
    assert store.collection.count() == store.counts()[1]


def test_failures_are_reported_and_the_rest_goes_on(store: ChunkStore, docs: Path, tmp_path: Path) -> None:
    (docs / "trasig.pdf").write_bytes(b"%PDF-1.4 not really")
    (docs / "binär.txt").write_bytes(b"\xff\xfe\x00\x81")
    (docs / "bild.png").write_bytes(b"\x89PNG")  # skipped in a folder walk: not a document type
    sheet = tmp_path / "lista.xlsx"
    sheet.write_bytes(b"PK")
    report = sync([docs, sheet, tmp_path / "finns-inte.md"], store)
    failed = {Path(name).name: reason for name, reason in report.failed}
    assert set(failed) == {"trasig.pdf", "binär.txt", "lista.xlsx", "finns-inte.md"}
    assert ".xlsx" in failed["lista.xlsx"]
    assert len(report.added) == 2


def test_pdf_keeps_page_numbers_and_docx_html_text_load(store: ChunkStore, tmp_path: Path) -> None:
    from docx import Document

    folder = tmp_path / "formats"
    folder.mkdir()
    (folder / "rapport.pdf").write_bytes(
        minimal_pdf(["Forsta sidan om upphandling.", "Andra sidan om avtalsspärr."])
    )
    word = Document()
    word.add_heading("Vägledning", level=1)
    word.add_heading("Innovationspartnerskap", level=2)
    word.add_paragraph("Ett innovationspartnerskap delas in i etapper med tydliga delmål.")
    word.save(str(folder / "vagledning.docx"))
    (folder / "sida.html").write_text(
        "<html><body><h1>Dialog</h1><h2>RFI</h2><p>En förfrågan om information publiceras öppet.</p></body></html>",
        encoding="utf-8",
    )
    (folder / "anteckning.txt").write_text(
        "Anteckning\n\nTidig dialog sparar tid i upphandlingen.\n", encoding="utf-8"
    )
    report = sync([folder], store)
    assert report.ok, report.failed
    chunks = store.lexical.get_chunks(
        i for d in report.added for i in store.lexical.chunk_ids(doc_id_of(Path(d), folder))
    ).values()
    pages = {c.page for c in chunks if c.source.endswith(".pdf")}
    assert pages == {1, 2}
    docx = [c for c in chunks if c.source.endswith(".docx")]
    assert docx and docx[0].heading_path[-1] == "Innovationspartnerskap"
    assert any("förfrågan om information" in c.text for c in chunks if c.source.endswith(".html"))
    assert any("sparar tid" in c.text for c in chunks if c.source.endswith(".txt"))


def test_a_half_written_document_is_repaired_on_reopen(settings: Settings, docs: Path) -> None:
    store = ChunkStore(settings, embedder=HashEmbedder())
    sync([docs], store)
    doc_id = doc_id_of(docs / "dialog.md", docs)
    # Simulate a crash after the journal mark and the vectors, before the lexical rows.
    store.lexical.mark_pending(doc_id, str((docs / "dialog.md").resolve()), "x", {})
    reopened = ChunkStore(settings, embedder=HashEmbedder())
    assert reopened.counts()[0] == 1
    assert reopened.collection.count() == reopened.counts()[1]
    report = sync([docs], reopened)
    assert len(report.added) == 1 and len(report.unchanged) == 1


def test_an_index_built_with_another_embedding_model_is_refused(settings: Settings, docs: Path) -> None:
    sync([docs], ChunkStore(settings, embedder=HashEmbedder()))
    other = ChunkStore(settings, embedder=HashEmbedder(dimension=32, name="test:hash-32"))
    with pytest.raises(EmbeddingMismatchError) as caught:
        other.search_dense("dialog", 3)
    assert caught.value.params["stored"] == "test:hash-64"
