"""Source links must be web links; a long document reports its progress while it is embedded."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.store import ChunkStore
from ingest import pipeline
from ingest.pipeline import doc_id_of, ingest_file, sync

BODY = "\n\n## Regel\n\nEn förfrågan om information publiceras öppet för alla leverantörer.\n"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "data:text/html,<script>x</script>",
        "/lokal/sida",
        "vbscript:msgbox(1)",
    ],
)
def test_a_non_web_source_link_in_front_matter_is_refused(
    store: ChunkStore, tmp_path: Path, url: str
) -> None:
    doc = tmp_path / "sida.md"
    doc.write_text(f"---\ntitle: Sida\nurl: {url!r}\n---\n# Sida{BODY}", encoding="utf-8")
    result = ingest_file(doc, store)
    assert result.status == "added"
    assert any("källänken avvisades" in note for note in result.notes)
    chunks = store.lexical.get_chunks(store.lexical.chunk_ids(doc_id_of(doc, doc.parent))).values()
    assert chunks and all(c.url is None for c in chunks)
    [document] = store.lexical.documents()
    assert document["url"] is None


def test_a_web_source_link_is_kept(store: ChunkStore, tmp_path: Path) -> None:
    doc = tmp_path / "sida.md"
    doc.write_text(f"---\nurl: https://www.upphandlingsmyndigheten.se/x\n---\n# Sida{BODY}", encoding="utf-8")
    assert ingest_file(doc, store).notes == []
    chunks = store.lexical.get_chunks(store.lexical.chunk_ids(doc_id_of(doc, doc.parent))).values()
    assert {c.url for c in chunks} == {"https://www.upphandlingsmyndigheten.se/x"}


def test_non_web_sources_are_dropped_and_named_works_kept(store: ChunkStore, tmp_path: Path) -> None:
    doc = tmp_path / "sida.md"
    doc.write_text(
        "---\nsources:\n  - 'javascript:alert(1)'\n  - 'LOU 6 kap. 31 §'\n  - 'https://www.riksdagen.se/lou'\n---\n"
        f"# Sida{BODY}",
        encoding="utf-8",
    )
    result = ingest_file(doc, store)
    assert any("källa avvisades" in note for note in result.notes)
    [document] = store.lexical.documents()
    assert document["sources"] == ["LOU 6 kap. 31 §", "https://www.riksdagen.se/lou"]


def test_a_manifest_url_that_is_not_a_web_link_is_refused(store: ChunkStore, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "sida.md").write_text(f"# Sida{BODY}", encoding="utf-8")
    (folder / "INDEX.csv").write_text("file,url,title\nsida.md,javascript:alert(1),Sida\n", encoding="utf-8")
    report = sync([folder], store)
    assert report.ok
    assert [Path(n).name for n, note in report.notes if "INDEX.csv" in note] == ["sida.md"]
    assert store.lexical.documents()[0]["url"] is None


def test_a_long_document_reports_embedding_progress_before_it_is_added(
    store: ChunkStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "EMBED_SLICE", 2)
    folder = tmp_path / "docs"
    folder.mkdir()
    sections = "".join(
        f"\n\n## Del {i}\n\n" + f"Avsnitt {i} om upphandling och avtal. " * 8 for i in range(5)
    )
    (folder / "lang.md").write_text(f"# Lång{sections}\n", encoding="utf-8")
    heard: list[tuple[str, str]] = []
    report = sync([folder], store, progress=lambda name, status: heard.append((name, status)))
    assert report.chunks_written == 5
    statuses = [status for name, status in heard if name == "lang.md"]
    assert statuses[0].startswith("tolkar")
    assert [s.split(" / ")[0] for s in statuses if "/5 " in s] == [
        "bäddar in 2/5 avsnitt",
        "bäddar in 4/5 avsnitt",
        "bäddar in 5/5 avsnitt",
    ]
    assert statuses[-1] == "added"
    assert store.collection.count() == 5
