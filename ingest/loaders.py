"""One loader per format, each turning a file into a LoadedDocument of sections.

PDF text comes from pypdf page by page (page numbers kept); this keeps the install free of
unstructured's PDF extras, whose torchvision breaks beside the CPU torch. DOCX, HTML and plain text
go through unstructured with Swedish settings; Markdown has its own structure-aware parser.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from assistant.errors import DocumentLoadError, UnsupportedFileError
from ingest import tables
from ingest.intake import Limits, Refused, check_docx, decode_html, decode_text, read_limited
from ingest.markdown import parse_markdown
from ingest.model import LoadedDocument, Section
from ingest.offline import prepare_unstructured
from ingest.screening import hidden_docx_text, hidden_html_text

UNSTRUCTURED_LANGUAGES = ["swe", "eng"]
OPENING_TITLE_CHARS = 120


def load_markdown(path: Path, limits: Limits) -> LoadedDocument:
    text = decode_text(read_limited(path, limits))
    try:
        return parse_markdown(text, path.stem)
    except DocumentLoadError as exc:
        # The reason is shown on its own line of a report over many files; it names the file.
        raise DocumentLoadError(f"{path.name}: {exc.detail}") from exc


def load_pdf(path: Path, limits: Limits) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:  # many "protected" PDFs only restrict printing: an empty user password opens them
                reader.decrypt("")
                reader.pages[0].extract_text()
            except (FileNotDecryptedError, PdfReadError, NotImplementedError, DependencyError) as exc:
                raise Refused("krypterad PDF / encrypted PDF") from exc
        pages = len(reader.pages)
        if pages > limits.max_pdf_pages:
            raise Refused(
                f"för många sidor ({pages}, högst {limits.max_pdf_pages}) / "
                f"too many pages ({pages}, at most {limits.max_pdf_pages})"
            )
        sections = []
        for number, page in enumerate(reader.pages, start=1):
            text = (page.extract_text() or "").strip()
            if text:
                sections.append(Section(text=text, page=number))
        info_title = (reader.metadata.title if reader.metadata else None) or ""
    except Refused:
        raise
    except (
        Exception
    ) as exc:  # pypdf raises many types (PdfReadError, KeyError, ValueError …) for a broken file
        raise Refused(f"trasig eller avkortad PDF / corrupt or truncated PDF ({_one_line(exc)})") from exc
    if not sections:
        raise Refused("inget textlager – behöver OCR / no text layer — needs OCR")
    return LoadedDocument(title=str(info_title).strip() or path.stem, sections=sections)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:120]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _sections_from_elements(elements: Iterable[Any]) -> tuple[str | None, list[Section]]:
    """Fold unstructured elements into sections under their Title headings.

    A Title that ends a sentence, or that no text follows, is kept as text rather than lost.
    """
    title: str | None = None
    path: list[tuple[int, str]] = []
    sections: list[Section] = []
    lines: list[str] = []
    bare_heading: str | None = None

    def flush() -> None:
        text = "\n\n".join(lines).strip()
        lines.clear()
        if text:
            sections.append(Section(text=text, heading_path=tuple(h for _, h in path)))

    for element in elements:
        text = (element.text or "").strip()
        if not text:
            continue
        if element.category == "Title" and len(text) < 200 and not text.endswith("."):
            depth = getattr(element.metadata, "category_depth", None) or 0
            if title is None and depth == 0 and not sections and not lines:
                title = text
                continue
            if bare_heading is not None:
                lines.append(bare_heading)
            flush()
            while path and path[-1][0] >= depth:
                path.pop()
            path.append((depth, text))
            bare_heading = text
        else:
            html = getattr(element.metadata, "text_as_html", None) if element.category == "Table" else None
            table = tables.from_html(html) if html else None
            lines.append(table or text)
            bare_heading = None
    if bare_heading is not None:
        lines.append(bare_heading)
    flush()
    return title, sections


def _load_with_unstructured(path: Path, partition: Callable[..., list[Any]], **source: Any) -> LoadedDocument:
    """``source`` is ``filename=`` or ``text=`` (already decoded by our rule, not guessed again)."""
    try:
        elements = partition(**source, languages=UNSTRUCTURED_LANGUAGES)
    except (ValueError, KeyError, OSError, UnicodeDecodeError) as exc:
        raise DocumentLoadError(_one_line(exc)) from exc
    except Exception as exc:  # docx/lxml raise their own types for corrupt files
        raise DocumentLoadError(f"could not be parsed ({type(exc).__name__})") from exc
    title, sections = _sections_from_elements(elements)
    first = next((str(e.text) for e in elements if (e.text or "").strip()), "")
    named = (_as_title(title) or title) if title else _as_title(first)
    return LoadedDocument(title=named or path.stem, sections=sections)


def _as_title(text: str) -> str | None:
    """A heading, or a document's opening line, as its title: up to a second heading run on after
    wide spacing, short and without a full stop — a procurer reading a source list should see
    "En konkurrenskraftig industripolitik för Sverige", not the file name "000_8bfb8cf806dcd873"."""
    line = re.split(r"\s{2,}|\n", text.strip(), maxsplit=1)[0].strip()
    return line if 0 < len(line) <= OPENING_TITLE_CHARS and not line.endswith((".", ":", ";", ",")) else None


def load_html(path: Path, limits: Limits) -> LoadedDocument:
    prepare_unstructured()
    from unstructured.partition.html import partition_html

    html = decode_html(read_limited(path, limits))
    doc = _load_with_unstructured(path, partition_html, text=html)
    _flag_hidden(doc, hidden_html_text(html))
    return doc


def _flag_hidden(doc: LoadedDocument, hidden: list[str]) -> None:
    """Flag the sections that carry text the page hides from its reader."""
    for section in doc.sections:
        flat = " ".join(section.text.split())
        for run in hidden:
            if run in flat:
                section.flagged = section.flagged or f"hidden_text: {run[:60]}"


def load_docx(path: Path, limits: Limits) -> LoadedDocument:
    prepare_unstructured()
    from unstructured.partition.docx import partition_docx

    check_docx(path, limits)  # never hand a bomb to the unpacker
    doc = _load_with_unstructured(path, partition_docx, filename=str(path))
    with zipfile.ZipFile(path) as package:
        xml = package.read("word/document.xml").decode("utf-8", errors="replace")
    _flag_hidden(doc, hidden_docx_text(xml))
    return doc


def load_text(path: Path, limits: Limits) -> LoadedDocument:
    prepare_unstructured()
    from unstructured.partition.text import partition_text

    text = decode_text(read_limited(path, limits))
    if not text.strip():
        return LoadedDocument(title=path.stem, sections=[])
    return _load_with_unstructured(path, partition_text, text=text)


LOADERS: dict[str, Callable[[Path, Limits], LoadedDocument]] = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".pdf": load_pdf,
    ".docx": load_docx,
    ".html": load_html,
    ".htm": load_html,
    ".txt": load_text,
}


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in LOADERS


def load(path: Path, limits: Limits | None = None) -> LoadedDocument:
    """The document in ``path``; one rule for every type: a file that yields no text is refused."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise UnsupportedFileError(suffix=path.suffix or "(none)")
    doc = loader(path, limits or Limits())
    if not any(s.text.strip() for s in doc.sections):
        raise Refused("ingen text att indexera / no text to index")
    return doc
