"""Markdown with YAML front matter: our guidance, statutes (kapitel/rubrik/paragraf), web page copies.

Statutes in the SFS Markdown layout (``##`` kapitel, ``###`` rubrik, ``####`` paragraf) become one
section per paragraph (§) with its law, chapter and number, so a citation can say "LOU 6 kap. 31 §".
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from assistant.errors import DocumentLoadError
from assistant.legalref import LAWS_BY_SFS
from ingest.model import LoadedDocument, Section
from ingest.screening import safe_url, screen_markdown_links

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
CHAPTER = re.compile(r"^(\d+(?:\s?[a-z])?)\s+kap\.", re.IGNORECASE)
PARAGRAPH = re.compile(r"^(\d+(?:\s?[a-z])?)\s*§")
LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
TABLE_ROW = re.compile(r"\t|\d{1,3}(?: \d{3})+\s+\d{1,3}(?: \d{3})+")


def strip_links(text: str) -> str:
    return LINK.sub(r"\1", text)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The YAML front matter as a mapping, and the body after it.

    Front matter that does not parse is an error, not an empty mapping: the title, sources and
    date it holds would silently go missing from every citation of the document.
    """
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = (
            f"line {mark.line + 2}: " if mark is not None else ""
        )  # +1 for 1-based, +1 for the opening ---
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise DocumentLoadError(f"invalid YAML front matter ({where}{problem})") from exc
    if data is None:
        return {}, text[match.end() :]
    if not isinstance(data, dict):
        raise DocumentLoadError(f"the YAML front matter is a {type(data).__name__}, not key: value lines")
    return data, text[match.end() :]


def _is_heading(title: str) -> bool:
    """Converters sometimes mark table rows as headings; those are body text."""
    return not TABLE_ROW.search(title)


def _trailing_rubric(lines: list[str]) -> str | None:
    """Pop and return the last line of ``lines`` if it is a rubric: short, alone after a blank
    line, capitalised, with no sentence punctuation."""
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) < 2 or lines[-2].strip():
        return None
    candidate = lines[-1].strip()
    if (
        len(candidate) < 90
        and candidate[:1].isupper()
        and not re.search(r"[.:;,]$", candidate)
        and not candidate.startswith(("-", "*"))
    ):
        lines.pop()
        return candidate
    return None


def _normalize_number(raw: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"(\d)([a-z])", r"\1 \2", raw.strip().lower()))


def parse_markdown(text: str, fallback_title: str) -> LoadedDocument:
    meta, body = split_front_matter(text)
    law = LAWS_BY_SFS.get(str(meta.get("beteckning", "")).strip())
    sections: list[Section] = []
    path: list[tuple[int, str]] = []
    lines: list[str] = []
    doc_title: str | None = meta.get("title") or meta.get("rubrik")
    chapter: str | None = None
    paragraph: str | None = None
    seen_h1 = False
    subheading: str | None = None  # a plain-line rubric ("När förfarandet får användas")
    flags: list[str] = []  # link targets are stripped below; what they were is flagged here

    def flush() -> None:
        content = "\n".join(lines).strip()
        lines.clear()
        flagged = flags[0] if flags else None
        flags.clear()
        if content:
            sections.append(
                Section(
                    text=content,
                    heading_path=tuple(h for _, h in path) + ((subheading,) if subheading else ()),
                    law=law if (chapter or paragraph) else None,
                    chapter=chapter if paragraph else None,
                    paragraph=paragraph,
                    flagged=flagged,
                )
            )

    for raw_line in body.splitlines():
        flag = screen_markdown_links(raw_line)
        match = HEADING.match(raw_line)
        if match and _is_heading(match.group(2)):
            level, title = len(match.group(1)), strip_links(match.group(2)).strip()
            # SFS Markdown leaves some rubrics as plain lines; one standing alone just before a
            # paragraph heads that paragraph, not the end of the one before.
            rubric = _trailing_rubric(lines) if law and PARAGRAPH.match(title) else None
            flush()
            flags.extend([flag] if flag else [])
            if law and level < 4:
                subheading = None
            if rubric:
                subheading = rubric
            if level == 1 and not seen_h1:
                seen_h1 = True
                doc_title = doc_title or title
                continue
            while path and path[-1][0] >= level:
                path.pop()
            path.append((level, title))
            if law:
                if m := CHAPTER.match(title):
                    chapter, paragraph = _normalize_number(m.group(1)), None
                elif level <= 2:
                    chapter, paragraph = None, None
                if m := PARAGRAPH.match(title):
                    paragraph = _normalize_number(m.group(1))
                elif level < 4:
                    paragraph = None
            continue
        flags.extend([flag] if flag else [])
        line = raw_line[2:] if raw_line.startswith("##") else raw_line
        lines.append(strip_links(line.lstrip("#").strip() if match else line).rstrip())
    flush()

    if law:
        # In a statute the paragraph heading ("31 §") is the citation, not part of the reading path.
        sections = [
            Section(
                text=s.text,
                heading_path=tuple(h for h in s.heading_path if not PARAGRAPH.match(h)),
                law=s.law,
                chapter=s.chapter,
                paragraph=s.paragraph,
                flagged=s.flagged,
            )
            for s in sections
        ]
    title = str(doc_title or fallback_title)
    if law and law not in title:
        title = f"{title} ({law})"
    language = meta.get("language") or meta.get("lang")
    url = meta.get("url") or meta.get("source_url") or meta.get("pdf_url")
    notes: list[str] = []
    if url and not safe_url(str(url)):
        notes.append(
            f"källänken avvisades (inte http/https) / source link refused (not http/https): {str(url)[:60]}"
        )
        url = None
    sources = [str(s) for s in _as_list(meta.get("sources"))]
    kept = [s for s in sources if not _looks_like_url(s) or safe_url(s)]
    if len(kept) < len(sources):
        notes.append("en källa avvisades (inte http/https) / a source was refused (not http/https)")
    extra = {
        "summary": meta.get("summary"),
        "sources": kept,
        "tags": [str(t) for t in meta.get("tags") or []],
        "updated": str(meta["updated"]) if meta.get("updated") else None,
        "law": law,
    }
    return LoadedDocument(
        title=title,
        sections=sections,
        meta={k: v for k, v in extra.items() if v},
        language=str(language) if language else None,
        url=str(url) if url else None,
        notes=notes,
    )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _looks_like_url(text: str) -> bool:
    """A source that names a scheme ("javascript:", "https:") rather than a work ("LOU 6 kap.")."""
    return bool(re.match(r"^\s*[a-zA-Z][a-zA-Z0-9+.-]*:(?!\s)", text))
