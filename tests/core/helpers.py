"""Helpers for the core tests: run the one async entry point and read what it yielded; index a few
texts; load a concept map written in a test."""

from __future__ import annotations

import asyncio
from pathlib import Path

from assistant.concepts import ConceptMap
from assistant.events import Done, Event, Sources, Token
from assistant.service import Assistant
from assistant.store import ChunkStore
from assistant.types import Chunk, Passage, Turn
from ingest.pipeline import sync


def collect(assistant: Assistant, question: str, history: list[Turn] | None = None) -> list[Event]:
    async def run() -> list[Event]:
        return [e async for e in assistant.answer(question, history)]

    return asyncio.run(run())


def answer_text(events: list[Event]) -> str:
    return "".join(e.text for e in events if isinstance(e, Token))


def sources_of(events: list[Event]) -> list[str]:
    found = next(e for e in events if isinstance(e, Sources))
    return [c.location for c in found.citations]


def done_of(events: list[Event]) -> Done:
    done = events[-1]
    assert isinstance(done, Done), f"the answer ended with {done!r}"
    return done


def indexed(store: ChunkStore, folder: Path, texts: dict[str, str]) -> ChunkStore:
    """``store`` with ``texts`` (file name → content) written to ``folder`` and ingested."""
    folder.mkdir()
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    assert sync([folder], store).ok
    return store


def concept_map_of(text: str, folder: Path) -> ConceptMap:
    """The concept map ``text`` (YAML), loaded as the product loads the advisors' file."""
    path = folder / "concepts.yaml"
    path.write_text(text, encoding="utf-8")
    return ConceptMap.load(path)


def concept_names(question: str) -> list[str]:
    """The names of the bundled concept map's concepts that ``question`` evokes, in map order."""
    return [m.concept.name for m in ConceptMap.load().match(question)]


def passage(rank: int, text: str, title: str) -> Passage:
    """A retrieved passage of one chunk, at ``rank``."""
    chunk = Chunk(id=f"c{rank}", doc_id=f"d{rank}", text=text, title=title, source=f"{title}.md")
    return Passage(chunk=chunk, rank=rank)
