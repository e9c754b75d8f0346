"""Bad input at ingest: each bad file is refused with one line, the good file beside it is indexed.

Every case writes its bad file into a folder next to a good Markdown file and syncs the folder, with
small limits configured so no test needs a big file.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest.pipeline import doc_id_of, ingest_file, sync
from tests.core.test_ingest import minimal_pdf
from tests.fakes import HashEmbedder

GOOD = "# Dialog\n\n## RFI\n\nEn förfrågan om information publiceras öppet för alla leverantörer.\n"


def _docx(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return buffer.getvalue()


def _encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(minimal_pdf(["Hemlig sida om upphandling."]))))
    writer.encrypt(user_password="hemligt", owner_password="ägare", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _blank_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _symlink(target: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.symlink_to(target)

    return make


@dataclass(frozen=True)
class Bad:
    name: str
    filename: str
    write: Callable[[Path], None] | bytes | str
    reason: str  # a part of the Swedish reason
    limits: tuple[tuple[str, object], ...] = ()


def _link_out(path: Path) -> None:
    outside = path.parent.parent / "hemlig.md"
    outside.write_text(GOOD, encoding="utf-8")
    path.symlink_to(outside)


def _bomb(path: Path) -> None:
    # 3 MB of one byte compresses to a few KB; the configured limit is 1 MB.
    parts = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document>" + b"A" * 3_000_000}
    path.write_bytes(_docx(parts))


CASES = [
    Bad("symlink_loop", "loop.md", _symlink("loop.md"), "slinga"),
    Bad("symlink_outside", "ute.md", _link_out, "utanför mappen"),
    Bad("dangling_symlink", "borta.md", _symlink("finns-inte.md"), "inte finns"),
    Bad("empty_md", "tom.md", b"", "filen är tom"),
    Bad("front_matter_only_md", "bara-huvud.md", "---\ntitle: Bara huvud\n---\n", "ingen text"),
    Bad("blank_txt", "blank.txt", "   \n\n  \n", "ingen text"),
    Bad("empty_html", "tom.html", "<html><body><p> </p></body></html>", "ingen text"),
    Bad("elf_named_pdf", "program.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "ett program"),
    Bad("exe_named_docx", "program.docx", b"MZ\x90\x00" + b"\x00" * 64, "ett program"),
    Bad("zip_named_pdf", "arkiv.pdf", _docx({"a.txt": b"hej"}), "ZIP-arkiv"),
    Bad("zip_not_word", "arkiv.docx", _docx({"a.txt": b"hej"}), "inget Word-dokument"),
    Bad("docx_bomb", "bomb.docx", _bomb, "dekomprimeringsbomb", (("ingest_max_unpacked_mb", 1),)),
    Bad(
        "truncated_pdf",
        "avkortad.pdf",
        minimal_pdf(["Sida om upphandling."])[:150],
        "trasig eller avkortad PDF",
    ),
    Bad("pdf_header_only", "tom.pdf", b"%PDF-1.4\n", "trasig eller avkortad PDF"),
    Bad("encrypted_pdf", "krypterad.pdf", _encrypted_pdf(), "krypterad PDF"),
    Bad("scanned_pdf", "skannad.pdf", _blank_pdf(), "inget textlager – behöver OCR"),
    Bad(
        "too_many_pages",
        "lang.pdf",
        minimal_pdf(["Ett.", "Tva.", "Tre."]),
        "för många sidor",
        (("ingest_max_pdf_pages", 2),),
    ),
    Bad("too_large", "stor.txt", "Text om upphandling.\n" * 60_000, "för stor", (("ingest_max_file_mb", 1),)),
    Bad("invalid_utf8_txt", "latin1.txt", "Tröskelvärde för köp".encode("latin-1"), "inte UTF-8"),
    Bad("invalid_utf8_md", "latin1.md", "# Rubrik\n\nTröskelvärde för köp".encode("latin-1"), "inte UTF-8"),
    Bad("binary_md", "binar.md", b"# Rubrik\n\x00\x01\x02\x03 data", "binärdata"),
]


def _write(case: Bad, path: Path) -> None:
    if callable(case.write):
        case.write(path)
    elif isinstance(case.write, bytes):
        path.write_bytes(case.write)
    else:
        path.write_text(case.write, encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_bad_file_is_refused_in_one_line_and_the_good_one_indexed(
    case: Bad, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "zz-bra.md").write_text(GOOD, encoding="utf-8")
    _write(case, folder / case.filename)
    # In this process: the refusals are the intake's and the loaders'; test_isolation covers the child.
    configured = settings.model_copy(update={"ingest_isolation": "none", **dict(case.limits)})
    store = ChunkStore(configured, embedder=HashEmbedder())
    report = sync([folder], store)
    assert [Path(s).name for s in report.added] == ["zz-bra.md"]
    assert len(report.failed) == 1, report.failed
    name, reason = report.failed[0]
    assert Path(name).name == case.filename
    assert case.reason in reason
    assert "\n" not in reason and " / " in reason or reason.startswith("Filen kunde inte läsas")
    documents, chunks = store.counts()
    assert documents == 1 and store.collection.count() == chunks


def test_an_explicitly_named_symlink_loop_does_not_stop_the_run(store: ChunkStore, tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    good.write_text(GOOD, encoding="utf-8")
    loop = tmp_path / "loop.md"
    loop.symlink_to(loop)
    report = sync([good, loop], store)
    assert [Path(s).name for s in report.added] == ["good.md"]
    assert [(Path(n).name, "slinga" in r) for n, r in report.failed] == [("loop.md", True)]


def test_a_link_inside_the_folder_is_followed(store: ChunkStore, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "bra.md").write_text(GOOD, encoding="utf-8")
    (folder / "genvag.md").symlink_to(folder / "sub" / "bra.md")
    report = sync([folder], store)
    assert report.ok and len(report.added) == 2


def test_a_linked_folder_outside_is_not_walked(store: ChunkStore, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "hemlig.md").write_text(GOOD, encoding="utf-8")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "bra.md").write_text(GOOD, encoding="utf-8")
    (folder / "lank").symlink_to(outside, target_is_directory=True)
    report = sync([folder], store)
    assert [Path(s).name for s in report.added] == ["bra.md"] and report.ok


def test_too_many_files_in_one_run_is_refused_before_anything_is_written(
    settings: Settings, tmp_path: Path
) -> None:
    from assistant.errors import InvalidInputError

    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(3):
        (folder / f"d{i}.md").write_text(GOOD, encoding="utf-8")
    store = ChunkStore(settings.model_copy(update={"ingest_max_files": 2}), embedder=HashEmbedder())
    with pytest.raises(InvalidInputError, match="högst 2"):
        sync([folder], store)
    assert store.counts() == (0, 0)


LATIN1_PAGE = (
    "<html><head>{meta}<title>Sida</title></head><body><h1>Tröskelvärden</h1>"
    "<p>Gränsen för direktupphandling är 700 000 kronor för köp av samma slag under år 2024.</p>"
    "</body></html>"
)


@pytest.mark.parametrize(
    "meta",
    [
        '<meta charset="iso-8859-1">',
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">',
        "",
    ],
    ids=["meta_charset", "http_equiv", "undeclared"],
)
def test_latin1_html_is_decoded_by_the_html_rule(store: ChunkStore, tmp_path: Path, meta: str) -> None:
    page = tmp_path / "sida.html"
    page.write_bytes(LATIN1_PAGE.format(meta=meta).encode("latin-1"))
    result = ingest_file(page, store)
    assert result.status == "added", result.reason
    chunks = store.lexical.get_chunks(store.lexical.chunk_ids(doc_id_of(page, page.parent))).values()
    text = " ".join(c.text for c in chunks)
    assert "Gränsen för direktupphandling" in text
    assert "Tröskelvärden" in " ".join(c.title + " ".join(c.heading_path) for c in chunks)


def test_a_page_declaring_utf8_in_meta_is_read_as_utf8(store: ChunkStore, tmp_path: Path) -> None:
    page = tmp_path / "sida.html"
    page.write_bytes(LATIN1_PAGE.format(meta='<meta charset="utf-8">').encode("utf-8"))
    assert ingest_file(page, store).status == "added"
    chunks = store.lexical.get_chunks(store.lexical.chunk_ids(doc_id_of(page, page.parent))).values()
    assert any("Gränsen för direktupphandling" in c.text for c in chunks)


def test_a_text_file_with_a_bom_is_read(store: ChunkStore, tmp_path: Path) -> None:
    note = tmp_path / "anteckning.txt"
    note.write_bytes("Tröskelvärdet för direktupphandling gäller per år.\n".encode("utf-16"))
    assert ingest_file(note, store).status == "added"


def test_ingest_file_reports_a_refusal_and_writes_nothing(store: ChunkStore, tmp_path: Path) -> None:
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"\x7fELF" + b"\x00" * 32)
    result = ingest_file(bad, store)
    assert result.status == "failed" and result.reason and "program" in result.reason
    assert store.counts() == (0, 0)
    assert sorted(os.listdir(tmp_path)) == ["data", "x.pdf"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../x.md", "x.md"),
        ("..\\..\\windows\\x.md", "x.md"),
        ("/etc/passwd", "passwd"),
        (".env", "env"),
        ("rapport\x00.pdf", "rapport.pdf"),
        ("vägledning.docx", "vägledning.docx"),
    ],
)
def test_a_name_from_outside_keeps_only_its_last_part(name: str, expected: str) -> None:
    from ingest.intake import safe_name

    assert safe_name(name) == expected


@pytest.mark.parametrize("name", ["..", "../", "", "  ", "/"])
def test_a_name_with_nothing_left_is_refused(name: str) -> None:
    from ingest.intake import Refused, safe_name

    with pytest.raises(Refused, match="ogiltigt filnamn"):
        safe_name(name)


def test_a_file_named_twice_is_synced_once(store: ChunkStore, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    good = folder / "bra.md"
    good.write_text(GOOD, encoding="utf-8")
    loop = folder / "loop.md"
    loop.symlink_to(loop)
    report = sync([good, loop, folder, good], store)
    assert [Path(s).name for s in report.added] == ["bra.md"] and not report.unchanged
    assert [Path(n).name for n, _ in report.failed] == ["loop.md"]
