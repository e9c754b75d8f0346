"""Sections → chunks: bounded in size, cut at paragraph then sentence boundaries, ids deterministic."""

from __future__ import annotations

import hashlib
import re

from assistant.types import Chunk
from ingest import tables
from ingest.model import LoadedDocument, Section
from ingest.screening import screen_text

# Bump when chunking changes, so unchanged files are re-chunked on the next ingest.
# 5: injection flag; 6: tables by row; 7: headerless tables; 8: tab-aligned amounts, titles of headingless
# text; 9: a unit column's numbers written with their unit; 10: a section with a table is never merged
CHUNKER_VERSION = "10"
MAX_CHARS = 1400
MIN_CHARS = 200
SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+(?=[A-ZÅÄÖ0-9\-•])")


def _pieces(text: str, limit: int) -> list[str]:
    """Cut ``text`` into pieces under ``limit`` at blank lines, then sentences, then words."""
    if len(text) <= limit:
        return [text]
    units: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        para = para.strip()
        if not para:
            continue
        if len(para) <= limit:
            units.append(para)
            continue
        for sentence in SENTENCE_END.split(para):
            while len(sentence) > limit:
                cut = sentence.rfind(" ", 0, limit)
                cut = cut if cut > limit // 2 else limit
                units.append(sentence[:cut])
                sentence = sentence[cut:].strip()
            if sentence:
                units.append(sentence)
    pieces: list[str] = []
    current = ""
    for unit in units:
        if current and len(current) + len(unit) + 2 > limit:
            pieces.append(current)
            current = unit
        else:
            current = f"{current}\n\n{unit}" if current else unit
    if current:
        pieces.append(current)
    return pieces


def _merge_small(sections: list[Section]) -> list[Section]:
    """Join a short prose section to the next one under the same parent heading (never statute §,
    never a table: its rows are passages of their own, each under its own section's heading)."""
    merged: list[Section] = []
    for section in sections:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and not prev.paragraph
            and not section.paragraph
            and prev.page == section.page
            and len(prev.text) < MIN_CHARS
            and len(prev.text) + len(section.text) < MAX_CHARS
            and prev.heading_path[:-1] == section.heading_path[:-1]
            and not _has_table(prev)
            and not _has_table(section)
        ):
            heading = section.heading_path[-1] if section.heading_path else ""
            joined = (
                f"{prev.text}\n\n{heading}\n{section.text}" if heading else f"{prev.text}\n\n{section.text}"
            )
            merged[-1] = Section(
                text=joined,
                heading_path=prev.heading_path,
                page=prev.page,
                law=prev.law,
                flagged=prev.flagged or section.flagged,
            )
        else:
            merged.append(section)
    return merged


def _has_table(section: Section) -> bool:
    return any(is_table for _, is_table in tables.split_blocks(section.text))


def _section_pieces(section: Section) -> list[str]:
    """The section's prose cut to size, and each row of each of its tables as a piece of its own,
    under the section's heading and the table's caption (the short line before it)."""
    blocks = tables.split_blocks(section.text)
    if not any(is_table for _, is_table in blocks):
        return _pieces(section.text, MAX_CHARS)
    pieces: list[str] = []
    prose: list[str] = []
    heading = section.heading_path[-1] if section.heading_path else None
    for block, is_table in blocks:
        if not is_table:
            prose.append(block)
            continue
        caption = tables.caption_of(prose[-1]) if prose else None
        lead = " › ".join(dict.fromkeys(x for x in (heading, caption) if x))
        text = "\n\n".join(prose).strip()
        # Prose that is only the caption lives on in every row; alone it would be a passage of one line.
        if text and (caption is None or text.lstrip("#*_ ").rstrip("*_ ").rstrip(":") != caption.rstrip(":")):
            pieces += _pieces(text, MAX_CHARS)
        prose = []
        pieces += [row[:MAX_CHARS] for row in tables.rows(block, lead or None)]
    if "".join(prose).strip():
        pieces += _pieces("\n\n".join(prose), MAX_CHARS)
    return pieces


def chunk_document(
    doc: LoadedDocument, *, doc_id: str, source: str, content_hash: str, language: str
) -> list[Chunk]:
    chunks: list[Chunk] = []
    tags = tuple(str(t) for t in doc.meta.get("tags", ()))
    for section in _merge_small(doc.sections):
        for piece in _section_pieces(section):
            ordinal = len(chunks)
            digest = hashlib.sha1(piece.encode("utf-8")).hexdigest()[:10]
            chunks.append(
                Chunk(
                    id=f"{doc_id}-{ordinal:04d}-{digest}",
                    doc_id=doc_id,
                    text=piece,
                    title=doc.title,
                    source=source,
                    heading_path=section.heading_path,
                    section_ref=section.section_ref,
                    law=section.law,
                    chapter=section.chapter,
                    paragraph=section.paragraph,
                    page=section.page,
                    url=doc.url,
                    language=language,
                    tags=tags,
                    content_hash=content_hash,
                    ordinal=ordinal,
                    flagged=screen_text(piece) or section.flagged,
                )
            )
    return chunks
