"""One loader per format, each turning a file into a LoadedDocument of sections.

PDF text comes from pypdf page by page (page numbers kept); this keeps the install free of
unstructured's PDF extras, whose torchvision breaks beside the CPU torch. DOCX, HTML and plain text
go through unstructured with Swedish settings; Markdown has its own structure-aware parser.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from assistant.errors import DocumentLoadError, UnsupportedFileError
from ingest.markdown import parse_markdown
from ingest.model import LoadedDocument, Section
from ingest.offline import prepare_unstructured
from ingest.screening import hidden_html_text

UNSTRUCTURED_LANGUAGES = ["swe", "eng"]


def load_markdown(path: Path) -> LoadedDocument:
    try:
        return parse_markdown(_read_text(path), path.stem)
    except DocumentLoadError as exc:
        # The reason is shown on its own line of a report over many files; it names the file.
        raise DocumentLoadError(f"{path.name}: {exc.detail}") from exc


def load_pdf(path: Path) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise DocumentLoadError("the PDF is encrypted")
        sections = []
        for number, page in enumerate(reader.pages, start=1):
            text = (page.extract_text() or "").strip()
            if text:
                sections.append(Section(text=text, page=number))
        info_title = (reader.metadata.title if reader.metadata else None) or ""
    except PdfReadError as exc:
        raise DocumentLoadError(f"not a readable PDF ({exc})") from exc
    if not sections:
        raise DocumentLoadError("the PDF has no text layer (scanned pages need OCR first)")
    return LoadedDocument(title=info_title.strip() or path.stem, sections=sections)


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
            lines.append(text)
            bare_heading = None
    if bare_heading is not None:
        lines.append(bare_heading)
    flush()
    return title, sections


def _load_with_unstructured(path: Path, partition: Callable[..., list[Any]]) -> LoadedDocument:
    try:
        elements = partition(filename=str(path), languages=UNSTRUCTURED_LANGUAGES)
    except (ValueError, KeyError, OSError, UnicodeDecodeError) as exc:
        raise DocumentLoadError(f"{type(exc).__name__}: {exc}") from exc
    except Exception as exc:  # docx/lxml raise their own types for corrupt files
        raise DocumentLoadError(f"could not be parsed ({type(exc).__name__})") from exc
    title, sections = _sections_from_elements(elements)
    if not sections:
        raise DocumentLoadError("no text found")
    return LoadedDocument(title=title or path.stem, sections=sections)


def load_html(path: Path) -> LoadedDocument:
    prepare_unstructured()
    from unstructured.partition.html import partition_html

    doc = _load_with_unstructured(path, partition_html)
    _flag_hidden(doc, hidden_html_text(path.read_text(encoding="utf-8", errors="replace")))
    return doc


def _flag_hidden(doc: LoadedDocument, hidden: list[str]) -> None:
    """Flag the sections that carry text the page hides from its reader."""
    for section in doc.sections:
        flat = " ".join(section.text.split())
        for run in hidden:
            if run in flat:
                section.flagged = section.flagged or f"hidden_text: {run[:60]}"


def load_docx(path: Path) -> LoadedDocument:
    prepare_unstructured()
    from unstructured.partition.docx import partition_docx

    return _load_with_unstructured(path, partition_docx)


def load_text(path: Path) -> LoadedDocument:
    prepare_unstructured()
    from unstructured.partition.text import partition_text

    _read_text(path)  # refuse binary or non-UTF-8 files with a clear reason first
    return _load_with_unstructured(path, partition_text)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentLoadError("the file is not UTF-8 text") from exc


LOADERS: dict[str, Callable[[Path], LoadedDocument]] = {
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


def load(path: Path) -> LoadedDocument:
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise UnsupportedFileError(suffix=path.suffix or "(none)")
    return loader(path)
